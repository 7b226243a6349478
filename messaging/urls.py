from django.urls import path

from messaging import views

app_name = "sms"
# Twilio's console takes whatever URL is typed, with or without the trailing slash, and a redirect
# would lose the POST (every text lost), so both forms are served; the signature is checked against
# the path Twilio actually requested.
urlpatterns = [
    path("twilio/inbound/", views.twilio_inbound, name="twilio-inbound"),
    path("twilio/inbound", views.twilio_inbound),
    path("twilio/status/", views.twilio_status, name="twilio-status"),
    path("twilio/status", views.twilio_status),
    path("simulator/", views.simulator, name="simulator"),
]

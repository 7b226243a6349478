from django.urls import path

from messaging import views

app_name = "sms"
urlpatterns = [
    path("twilio/inbound/", views.twilio_inbound, name="twilio-inbound"),
    path("twilio/status/", views.twilio_status, name="twilio-status"),
    path("simulator/", views.simulator, name="simulator"),
]

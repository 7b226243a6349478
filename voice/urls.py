from django.urls import path

from voice import views

app_name = "voice"
# As for texts (messaging/urls.py): both forms of every path, since a redirect would lose the POST;
# the signature is checked against the path Twilio requested.
urlpatterns = [
    path("twilio/status/", views.call_status, name="twilio-status"),
    path("twilio/status", views.call_status),
    path("twilio/call/<int:call_id>/", views.call_answered, name="twilio-call"),
    path("twilio/call/<int:call_id>", views.call_answered),
    path("twilio/call/<int:call_id>/keys/", views.call_keys, name="twilio-call-keys"),
    path("twilio/call/<int:call_id>/keys", views.call_keys),
]

"""The Twilio Voice webhooks of the requests line, included at ``voice/`` by config/urls.py.

Twilio's console takes whatever URL is typed, with or without the trailing slash, and a redirect
would lose the POST, so both forms are served (as for the SMS webhooks); the signature is checked
against the path Twilio actually requested. Outbound calls' own webhooks (``twilio/status/``) live
in the voice app.
"""

from django.urls import path

from messaging import phone_line

app_name = "phone-line"

_ROUTES = [
    ("twilio/inbound/", phone_line.call_answer, "inbound"),
    ("twilio/line/menu/", phone_line.call_menu, "menu"),
    ("twilio/line/dialled/", phone_line.call_dialled, "dialled"),
    ("twilio/line/recorded/", phone_line.call_recorded, "recorded"),
    ("twilio/line/postcode/", phone_line.call_postcode, "postcode"),
    ("twilio/line/recording/", phone_line.call_recording, "recording"),
    ("twilio/line/ended/", phone_line.call_ended, "ended"),
]
urlpatterns = [path(route, view, name=name) for route, view, name in _ROUTES] + [
    path(route.rstrip("/"), view) for route, view, _ in _ROUTES
]

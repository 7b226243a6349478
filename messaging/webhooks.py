"""Twilio signature checks shared by the webhook views and the phone simulator."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest
from twilio.request_validator import RequestValidator


def webhook_token() -> str:
    """The secret Twilio signs webhooks with. Without a real one, only a development server gets a
    token derived from SECRET_KEY (so the simulator can sign); production then refuses everything."""
    if settings.TWILIO_AUTH_TOKEN:
        return settings.TWILIO_AUTH_TOKEN
    if settings.DEBUG:
        return "dev-" + hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()[:32]
    return ""


def webhook_url(path: str) -> str:
    """The URL Twilio called, as Twilio saw it: PUBLIC_BASE_URL, not the Host header (a proxy in
    front would otherwise make every signature fail, or let a forged Host pass)."""
    return settings.PUBLIC_BASE_URL + path


def signature_compute(*, path: str, params: dict) -> str:
    return RequestValidator(webhook_token()).compute_signature(webhook_url(path), params)


def signature_valid(*, path: str, params, signature: str) -> bool:
    token = webhook_token()
    if not token or not signature:
        return False
    return RequestValidator(token).validate(webhook_url(path), params, signature)


def request_signed(request: HttpRequest) -> bool:
    """Whether a webhook request carries Twilio's signature for the URL it called (query
    included) and its form fields: what every Twilio webhook view checks first."""
    return signature_valid(
        path=request.get_full_path(),
        params=request.POST,
        signature=request.headers.get("X-Twilio-Signature", ""),
    )

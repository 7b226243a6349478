"""The register's own texts (the sign-up code), sent through the outbox of the app above it.

volunteers sits below messaging and never imports it: messaging plugs its outbox in here at
start-up (messaging/apps.py), as the apps above plug in their SMS commands.
"""

from __future__ import annotations

from collections.abc import Callable

# (to, body, dedupe_key, purpose) -> True when queued, False when the number has opted out.
TextSender = Callable[..., bool]
_sender: list[TextSender] = []


def text_sender_register(sender: TextSender) -> None:
    """Called once from messaging's AppConfig.ready()."""
    _sender[:] = [sender]


def text_send(*, to: str, body: str, dedupe_key: str, purpose: str) -> bool:
    """Queue a text; False when the number has opted out. Call inside a transaction."""
    if not _sender:
        raise LookupError("No outbox is registered for the register's texts (is messaging installed?)")
    return _sender[0](to=to, body=body, dedupe_key=dedupe_key, purpose=purpose)

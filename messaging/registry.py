"""Who handles which SMS command. messaging owns the grammar; the apps above own their commands.

messaging never imports needs or reactivation: they register their handlers from their
``AppConfig.ready()``, e.g. ``register_handler("YES", offer_accept_by_sms)``.
A handler takes an ``InboundContext`` and returns the reply text, or None for no reply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from messaging.models import InboundMessage
from volunteers.models import Volunteer


@dataclass(frozen=True)
class SmsCommand:
    name: str  # canonical: YES, NO, DONE, READY, NOT_NOW, PAUSE, AVAILABLE, STOP, START, HELP, LINK
    argument: str = ""  # e.g. a need's REF, upper-cased
    raw: str = ""


@dataclass(frozen=True)
class InboundContext:
    message: InboundMessage
    phone: str  # E.164
    volunteer: Volunteer | None
    command: SmsCommand


Handler = Callable[[InboundContext], str | None]
_handlers: dict[str, Handler] = {}


class HandlerAlreadyRegistered(RuntimeError):
    pass


def register_handler(name: str, handler: Handler) -> None:
    existing = _handlers.get(name)
    if existing is not None and existing is not handler:
        raise HandlerAlreadyRegistered(
            f"{name} is already handled by {existing.__module__}.{existing.__name__}"
        )
    _handlers[name] = handler


def handler_for(name: str) -> Handler | None:
    return _handlers.get(name)

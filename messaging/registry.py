"""Hooks the apps above messaging fill in from their ``AppConfig.ready()``; messaging never imports them.

- ``register_handler``: who handles which SMS command. messaging owns the grammar; needs and
  reactivation own their words, e.g. ``register_handler("YES", offer_accept_by_sms)``. A handler
  takes an ``InboundContext`` and returns the reply text, or None for no reply.
- ``context_provider_register``: what is open for a sender (an offer, a campaign call, a readiness
  check, a re-consent request), so that the dispatcher can read "count me in" as the answer to it.
- ``sender_knower_register``: which organisations know a number (needs: the requester of a need
  they posted), so that a text for a person reaches the inbox of those who know the sender.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from messaging.models import InboundMessage
from volunteers.models import Volunteer


@dataclass(frozen=True)
class SmsCommand:
    name: str  # canonical: YES, NO, DONE, READY, NOT_NOW, PAUSE, AVAILABLE, STOP, START, HELP, LINK
    argument: str = ""  # e.g. a need's REF, upper-cased
    raw: str = ""


@dataclass(frozen=True)
class OpenQuestion:
    """Something the service asked a number that still waits for its answer.

    ``kind`` is one of messaging.replies.QUESTION_KINDS (an offer is answered YES or NO; a call, a
    re-consent request or a readiness check READY or NOT NOW). ``label`` says it in plain words for
    the inbox, without personal data: "offer of need 7KQ2 (Shopping)". ``organisation_id`` is the
    organisation that asked (None: a group that no organisation coordinates).
    """

    kind: str
    label: str
    organisation_id: int | None
    asked_at: datetime | None = None


@dataclass(frozen=True)
class InboundContext:
    message: InboundMessage
    phone: str  # E.164
    volunteer: Volunteer | None
    command: SmsCommand
    open_questions: tuple[OpenQuestion, ...] = ()


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


# --- what is open for a sender --------------------------------------------------------------------

ContextProvider = Callable[[str], list[OpenQuestion]]  # (E.164 phone) -> its open questions
_context_providers: list[ContextProvider] = []


def context_provider_register(provider: ContextProvider) -> None:
    if provider not in _context_providers:
        _context_providers.append(provider)


def open_questions_for(*, phone: str) -> tuple[OpenQuestion, ...]:
    """Everything the apps above have open for ``phone``, newest first."""
    found = [q for provider in _context_providers for q in provider(phone)]
    return tuple(sorted(found, key=lambda q: q.asked_at.timestamp() if q.asked_at else 0.0, reverse=True))


# --- who knows a sender ----------------------------------------------------------------------------

SenderKnower = Callable[[str], dict[int, str]]  # (E.164 phone) -> {organisation_id: why, in words}
_sender_knowers: list[SenderKnower] = []


def sender_knower_register(knower: SenderKnower) -> None:
    if knower not in _sender_knowers:
        _sender_knowers.append(knower)


def organisations_knowing(*, phone: str) -> dict[int, list[str]]:
    """{organisation_id: [why it knows the number]} from every registered knower."""
    known: dict[int, list[str]] = {}
    for knower in _sender_knowers:
        for organisation_id, why in knower(phone).items():
            known.setdefault(organisation_id, []).append(why)
    return known

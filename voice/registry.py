"""Hooks the apps above voice fill in from their ``AppConfig.ready()``; voice never imports them.

A *script* is what a call says and what its keys do, owned by the app that placed the call:
``script_register("needs.offer", opening=..., keys=..., wanted=...)``. voice runs the call (the
outbox, Twilio, the answering machine, key 9) and asks the script only for words and outcomes.

- ``opening(turn)`` returns the TwiML said when a person answers (and again on "hear it again").
- ``keys(turn, digits)`` returns the TwiML that answers a key, and the outcome in a word ("accepted",
  "declined", "ready"...), or "" when the key changed nothing.
- ``wanted(call)`` (optional) says, just before dialling, whether the call is still needed (an offer
  taken by someone else meanwhile is not called about).

Both are run inside ``translation.override(call.language)``: a script's sentences are gettext
strings, spoken with ``voice.speech``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from twilio.twiml.voice_response import VoiceResponse

from voice.models import OutboundCall


@dataclass(frozen=True)
class CallTurn:
    call: OutboundCall
    keys_url: str  # the absolute URL a <Gather> posts the keys to
    language: str  # the volunteer's language code ("en", "ur"...)


@dataclass(frozen=True)
class Script:
    name: str
    opening: Callable[[CallTurn], VoiceResponse]
    keys: Callable[[CallTurn, str], tuple[VoiceResponse, str]]
    wanted: Callable[[OutboundCall], bool] | None = None


_scripts: dict[str, Script] = {}


class ScriptAlreadyRegistered(RuntimeError):
    pass


def script_register(
    name: str,
    *,
    opening: Callable[[CallTurn], VoiceResponse],
    keys: Callable[[CallTurn, str], tuple[VoiceResponse, str]],
    wanted: Callable[[OutboundCall], bool] | None = None,
) -> None:
    existing = _scripts.get(name)
    script = Script(name, opening, keys, wanted)
    if existing is not None and existing != script:
        raise ScriptAlreadyRegistered(f"the call script {name} is registered already")
    _scripts[name] = script


def script_get(name: str) -> Script | None:
    return _scripts.get(name)

"""django-q2 tasks: each takes ids, calls a service, and is safe to run twice."""

from __future__ import annotations

from voice import call_recovery, calling


def call_dial(call_id: int) -> str:
    return calling.call_dial(call_id=call_id)


def calls_sweep() -> dict:
    return call_recovery.calls_sweep()

"""django-q2 tasks: each takes ids, calls a service, and is safe to run twice."""

from __future__ import annotations

from messaging import inbound, phone_calls, recovery, sending


def outbox_drain(message_id: int | None = None) -> int:
    return sending.outbox_drain(message_id=message_id)


def inbound_handle(inbound_id: int) -> str:
    return inbound.inbound_handle(inbound_id=inbound_id)


def outbox_sweep() -> dict:
    """The one-minute sweep: stuck outbound rows, and inbound texts whose handling task was lost."""
    return {**recovery.outbox_sweep(), "inbound_requeued": inbound.inbound_sweep()}


def outbox_reconcile() -> dict:
    return recovery.outbox_reconcile()


def calls_unfinished_route() -> int:
    """Calls to the phone line never settled (no status callback came): to the inbox."""
    return phone_calls.calls_unfinished_route()

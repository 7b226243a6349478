"""One django-q2 broker per process.

django-q2 builds a new broker for every ``async_task`` unless it is given one, and for Redis that
is a new connection pool: a TCP connect per task queued. One broker per process (rebuilt after a
fork, since a connection must not be shared across processes) keeps the connection.
"""

from __future__ import annotations

import os
import threading

_lock = threading.Lock()
_shared: dict[int, object] = {}  # pid -> broker


def broker_shared():
    """This process's broker (django_q.brokers.Broker)."""
    pid = os.getpid()
    broker = _shared.get(pid)
    if broker is None:
        from django_q.brokers import get_broker

        with _lock:
            broker = _shared.get(pid)
            if broker is None:
                _shared.clear()
                broker = _shared[pid] = get_broker()
    return broker


def broker_reset() -> None:
    """Forget the broker (tests that change the broker settings)."""
    with _lock:
        _shared.clear()

"""One django-q2 broker per process.

django-q2 builds a new broker for every ``async_task`` unless it is given one, and for Redis that
is a new connection pool: a TCP connect per task queued. One broker per process (rebuilt after a
fork, since a connection must not be shared across processes) keeps the connection.
"""

from __future__ import annotations

import os
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

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


def q_cluster_int(name: str, default: int) -> int:
    """A whole-number option of django-q2's ``settings.Q_CLUSTER`` (``workers``, ``timeout``...),
    or ``default`` when it is not set. config/settings.py fills them from env_int; anything else
    there is a mistake in the settings, said as such."""
    value = settings.Q_CLUSTER.get(name, default)
    if not isinstance(value, int):
        raise ImproperlyConfigured(f"Q_CLUSTER[{name!r}] must be a whole number, not {value!r}")
    return value

"""Tasks of the bottom layer."""

from __future__ import annotations

from django.utils import timezone

from core.models import Heartbeat

WORKER_HEARTBEAT = "worker"


def worker_heartbeat() -> None:
    """Run by the scheduler every minute: /healthz/ and the readiness drill read its time."""
    Heartbeat.objects.update_or_create(name=WORKER_HEARTBEAT, defaults={"seen_at": timezone.now()})

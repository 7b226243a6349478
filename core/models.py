from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """When a periodic job last ran: proof that the scheduler, the broker and a worker all work."""

    name = models.CharField(max_length=40, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"

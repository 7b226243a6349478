"""The call outbox: one row per automated call to a volunteer. The row is the queue (voice.calling).

A call's life: queued -> dialling (claimed: the only licence to dial) -> placed (Twilio took it) ->
completed; or busy / no answer / failed, which go back to ``retry`` with a back-off until the
attempts run out; ``unknown`` when the request may have reached Twilio without an answer (never
dialled again until reconciliation asked Twilio); ``cancelled`` when it must not go (opted out,
withdrawn). Only voice.calling writes ``state``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from volunteers.models import Volunteer, validate_e164


class OutboundCall(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be dialled"
        DIALLING = "dialling", "Being dialled"
        RETRY = "retry", "Not answered: will try again"
        PLACED = "placed", "With Twilio"
        IN_PROGRESS = "in_progress", "Answered"
        COMPLETED = "completed", "Completed"
        UNANSWERED = "unanswered", "Never answered (busy or no answer every time)"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Unknown (dialled or not: being checked)"
        CANCELLED = "cancelled", "Cancelled before dialling"

    READY_STATES = (State.QUEUED, State.RETRY)
    FINAL_STATES = (State.COMPLETED, State.UNANSWERED, State.FAILED, State.CANCELLED)

    to = models.CharField(max_length=16, validators=[validate_e164], db_index=True)
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    dedupe_key = models.CharField(
        max_length=200,
        unique=True,
        help_text="What this call is for; the same purpose is never called twice.",
    )
    purpose = models.CharField(max_length=40, blank=True, db_index=True)
    # Which registered script speaks (voice.registry) and about what ("offer:12"): the app above
    # that queued the call reads ``subject``; voice never interprets it.
    script = models.CharField(max_length=40)
    subject = models.CharField(max_length=60, blank=True, db_index=True)
    language = models.CharField(max_length=5, default="en")
    urgent = models.BooleanField(default=False)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED, db_index=True)
    send_after = models.DateTimeField(default=timezone.now, help_text="Quiet hours and back-off.")
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_sid = models.CharField(max_length=64, null=True, blank=True, unique=True)
    provider_status = models.CharField(max_length=20, blank=True)
    answered_by = models.CharField(
        max_length=30, blank=True, help_text="Twilio's AnsweredBy: human, machine_..."
    )
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    keys = models.CharField(max_length=40, blank=True, help_text="The keys pressed, in order.")
    outcome = models.CharField(
        max_length=40, blank=True, help_text="What the call achieved, in the script's word."
    )
    error_code = models.CharField(max_length=30, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    placed_at = models.DateTimeField(null=True, blank=True)
    final_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["send_after", "id"], name="call_ready", condition=Q(state__in=["queued", "retry"])
            ),
        ]

    def __str__(self) -> str:
        return f"call {self.pk} ({self.purpose or self.script}, {self.state})"

    @property
    def by_machine(self) -> bool:
        return self.answered_by.startswith(("machine", "fax"))

"""Staff alerts: what happened that a person must act on, who was told, and how each wants to be."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from volunteers.models import Organisation, validate_e164


class AlertKind(models.TextChoices):
    NOBODY_LEFT = "nobody_left", "Nobody within reach is left for a need"
    FOLLOWUP_UNANSWERED = "followup_unanswered", "A volunteer has not answered the follow-up"
    NEED_WAITING = "need_waiting", "A need has waited too long for a volunteer"
    INBOX_WAITING = "inbox_waiting", "A text is waiting in the inbox"
    APPROVAL_REQUESTED = "approval_requested", "A campaign is waiting for approval"
    NEED_EXPIRED = "need_expired", "A need's time passed before anyone took it"
    NEED_HANDED_OVER = "need_handed_over", "Another organisation handed you a need"


class Timing(models.TextChoices):
    NOW = "now", "At once"
    DIGEST = "digest", "In a daily summary"
    OFF = "off", "Never"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class AlertSettings(models.Model):
    """How one staff member wants to be told: per kind and channel, at once, daily or never."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_settings"
    )
    phone = models.CharField(
        max_length=16, blank=True, validators=[validate_e164], help_text="For alerts by text message."
    )
    choices = models.JSONField(default=dict, blank=True, help_text='{"nobody_left": {"email": "now", ...}}')

    def __str__(self) -> str:
        return f"alerts for {self.user}"

    def timing(self, kind: str, channel: str) -> str:
        default = Timing.NOW if channel == Channel.EMAIL else Timing.OFF
        return str(self.choices.get(kind, {}).get(channel, default))


class Alert(models.Model):
    """One event worth telling people about. ``key`` names the event, so it is told once."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, related_name="+")
    subject = models.CharField(max_length=200)
    text = models.TextField()
    path = models.CharField(max_length=200, blank=True, help_text="The page to act on it.")
    urgent = models.BooleanField(default=False, help_text="Texts go even in quiet hours.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class AlertDelivery(models.Model):
    """One alert for one person by one channel: claimed before it is sent, so never sent twice."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    timing = models.CharField(max_length=10, choices=Timing.choices)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "user", "channel"], name="alert_delivery_once"),
        ]
        indexes = [models.Index(fields=["timing", "sent_at"], name="alert_delivery_due")]

    def __str__(self) -> str:
        return f"{self.alert} to {self.user} by {self.channel}"

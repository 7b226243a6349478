"""Playbooks (the collective memory), readiness checks and reactivation campaigns."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from messaging.models import OutboundMessage
from volunteers.models import MutualAidGroup, Organisation, Volunteer


class Playbook(models.Model):
    """How a response was run, kept so the next one starts from it. Content lives in versions."""

    class CrisisType(models.TextChoices):
        PANDEMIC = "pandemic", "Pandemic"
        FLOOD = "flood", "Flood"
        HEATWAVE = "heatwave", "Heatwave"
        COLD_SNAP = "cold_snap", "Cold snap"
        POWER_CUT = "power_cut", "Power cut"
        OTHER = "other", "Other"

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    crisis_type = models.CharField(max_length=20, choices=CrisisType.choices)
    summary = models.TextField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="playbooks"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def current_version(self) -> PlaybookVersion | None:
        return self.versions.order_by("-number").first()


class PlaybookVersion(models.Model):
    """One edit of a playbook; never changed once a campaign has run it.

    ``steps``: ordered ``[{"title", "detail", "role"}]``; ``roles``: ``[{"name", "duties"}]``;
    ``templates``: ``{language: {message_name: text}}`` using ``{group}``, ``{area}``,
    ``{organiser}``, ``{ref}``, ``{sender}`` and the reply words; ``targeting``: defaults such as
    ``{"group_kinds": [...], "skills": [...], "radius_km": 5}``; ``wave_rules``:
    ``{"first_wave": 50, "growth": 2, "wait_minutes": 30, "stop_when_ready": 100}``.
    """

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    steps = models.JSONField(default=list)
    roles = models.JSONField(default=list)
    templates = models.JSONField(default=dict)
    targeting = models.JSONField(default=dict)
    wave_rules = models.JSONField(default=dict)
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["playbook", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "number"], name="one_playbook_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.playbook.slug} v{self.number}"


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (dry run)"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    name = models.CharField(max_length=200)
    playbook_version = models.ForeignKey(PlaybookVersion, on_delete=models.PROTECT, related_name="campaigns")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="campaigns")
    area = models.JSONField(
        help_text='{"latitude", "longitude", "radius_km"} or {"local_authorities": [...]}'
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="campaigns_created"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns_approved",
    )
    spend_cap_pence = models.PositiveIntegerField(help_text="The most this campaign may spend on messages.")
    estimated_cost_pence = models.PositiveIntegerField(default=0)
    spent_pence = models.PositiveIntegerField(default=0)
    current_wave = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(max_length=8, default="en", help_text="Which of the playbook's templates.")
    target_ready = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many READY volunteers are needed; empty: from open needs."
    )
    requires_approval = models.BooleanField(
        default=False, help_text="Above the size or cost threshold: a second person must approve."
    )
    dry_run_report = models.JSONField(default=dict, blank=True, help_text="What the dry run showed.")
    wave_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current wave went out; the next waits after it."
    )
    stop_reason = models.CharField(max_length=200, blank=True, help_text="Why it stopped, in plain words.")
    reach_km = models.FloatField(
        null=True,
        blank=True,
        help_text="How far a circle's waves reach now: its radius, widened wave by wave when the playbook allows.",
    )
    stood_down_at = models.DateTimeField(
        null=True, blank=True, help_text='When someone said "we have enough" and the stand-down texts went.'
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def playbook(self) -> Playbook:
        return self.playbook_version.playbook


class CampaignRecipient(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting for their wave"
        MESSAGED = "messaged", "Messaged"
        READY = "ready", "Ready to help"
        NOT_NOW = "not_now", "Not this time"
        NO_ANSWER = "no_answer", "No answer"
        OPTED_OUT = "opted_out", "Opted out"
        SKIPPED = "skipped", "Left out"

    class Kind(models.TextChoices):
        CALL = "call", "Call to help"
        RECONSENT = "reconsent", "Asked to renew consent first"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="campaign_rows")
    group = models.ForeignKey(
        MutualAidGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The group they are reached through, if any.",
    )
    wave = models.PositiveSmallIntegerField(default=1, help_text="0 until a wave takes them.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CALL)
    rank = models.PositiveIntegerField(default=0, help_text="Order in which waves take them.")
    distance_km = models.FloatField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    reason = models.CharField(max_length=200, blank=True, help_text="Why they were left out, if they were.")
    message = models.ForeignKey(
        OutboundMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    messaged_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    stood_down = models.ForeignKey(
        OutboundMessage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The thanks / stand-down text they got when the campaign had enough.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "volunteer"], name="one_recipient_row_per_campaign")
        ]
        indexes = [
            models.Index(fields=["campaign", "wave", "state"]),
            models.Index(fields=["campaign", "state", "rank"]),
            # The overlap rule asks "was this person messaged by another campaign lately?".
            models.Index(fields=["volunteer", "messaged_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} -> {self.volunteer} ({self.state})"


class AfterActionReview(models.Model):
    """What a campaign taught; appended to its playbook's lessons so the memory grows."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="lessons")
    campaign = models.OneToOneField(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="review"
    )
    what_worked = models.TextField(blank=True)
    what_did_not = models.TextField(blank=True)
    change_next_time = models.TextField(blank=True)
    figures = models.JSONField(
        default=dict, blank=True, help_text="The campaign's numbers, filled in for you."
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Lessons for {self.playbook} ({self.created_at:%Y-%m-%d})"


class ReadinessCheck(models.Model):
    """A periodic 'are you still there?' to a dormant group's contact, so the register stays alive."""

    class Answer(models.TextChoices):
        PENDING = "pending", "No answer yet"
        READY = "ready", "Ready"
        NOT_NOW = "not_now", "Not now"
        STOPPED = "stopped", "Opted out"
        NO_ANSWER = "no_answer", "No answer"

    class Kind(models.TextChoices):
        CHECK = "check", "Are you still the contact?"
        HANDOVER = "handover", "Asked the deputy to take over"

    group = models.ForeignKey(MutualAidGroup, on_delete=models.CASCADE, related_name="readiness_checks")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHECK)
    contact = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="readiness_checks")
    message = models.ForeignKey(
        OutboundMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "contact"],
                condition=Q(answer="pending"),
                name="one_open_check_per_contact",
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} -> {self.contact} ({self.answer})"


class ReadinessRound(models.Model):
    """A readiness check sent now, by hand, to the dormant groups of one local authority whose
    contact is due or never confirmed (the register-health page). Above the campaign approval
    threshold it waits for a second campaign manager, as a campaign does."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        SENT = "sent", "Sent"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="readiness_rounds")
    local_authority = models.ForeignKey(
        "volunteers.LocalAuthority", on_delete=models.PROTECT, related_name="readiness_rounds"
    )
    group_ids = models.JSONField(default=list, help_text="The groups it asks (ids: no personal data).")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_APPROVAL)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Readiness checks for {self.local_authority} ({self.status})"

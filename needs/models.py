"""Needs (help requests), the offers made for them and who accepted."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from volunteers.geography import PostcodeError, postcode_district
from volunteers.models import (
    DBSLevel,
    LocalAuthority,
    Located,
    Organisation,
    Volunteer,
    validate_e164,
)

# Letters and digits that cannot be mistaken for each other when read aloud or on a small screen.
REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REF_LENGTH = 4


# What a requester agrees to when the coordinator ticks "They agree to a text": read to them, and
# stored word for word with the need. Change it only by changing this text (needs keep the words
# they were given).
REQUESTER_CONSENT_WORDING = (
    "I agree to be sent one text message when a volunteer is on the way, with the volunteer's first "
    "name and when they will come. My number is used for nothing else."
)


def ref_generate() -> str:
    return "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))


def offer_token_generate() -> str:
    # The offer's token column is gone (links are volunteers.VolunteerLink rows, kept hashed); the
    # first migration still names this default.
    return secrets.token_urlsafe(24)


class Need(Located):
    class Category(models.TextChoices):
        # Lazy: a volunteer's offer text and page show the kind of help in their language.
        SHOPPING = "shopping", _("Shopping")
        PRESCRIPTION = "prescription", _("Prescription collection")
        HOT_MEAL = "hot_meal", _("Hot meal")
        FOOD_PARCEL = "food_parcel", _("Food parcel")
        BEFRIENDING = "befriending", _("Befriending call")
        TRANSPORT = "transport", _("Transport")
        DIGITAL = "digital", _("Digital help")
        OTHER = "other", _("Other")

    class Urgency(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        OFFERED = "offered", "Offered"
        ASSIGNED = "assigned", "Assigned"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    CLOSED_STATUSES = (Status.DONE, Status.CANCELLED, Status.EXPIRED)

    ref = models.CharField(max_length=REF_LENGTH, default=ref_generate, db_index=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    summary = models.CharField(
        max_length=200,
        help_text="Shown to volunteers before they accept: no names, numbers or addresses.",
    )
    details = models.TextField(blank=True, help_text="Private: shown only to the volunteer who accepts.")
    requester_name = models.CharField(max_length=200, blank=True)
    requester_phone = models.CharField(max_length=16, blank=True, validators=[validate_e164])
    requester_address = models.TextField(blank=True)
    requester_erased_at = models.DateTimeField(null=True, blank=True)
    requester_consents_to_sms = models.BooleanField(
        "requester agreed to texts",
        default=False,
        help_text="They agreed to be texted about this request (only 'help is coming': a first name and the time).",
    )
    # The consent as it was given: the words agreed to, when, and the staff login that recorded it.
    requester_consent_wording = models.TextField("words the requester agreed to", blank=True)
    requester_consent_at = models.DateTimeField("when the requester agreed", null=True, blank=True)
    requester_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="who recorded the requester's consent",
    )
    postcode = models.CharField(max_length=8, blank=True)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.SET_NULL, null=True, blank=True, related_name="needs"
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    requires_dbs = models.CharField(
        "DBS check required", max_length=10, choices=DBSLevel.choices, default=DBSLevel.NONE
    )
    needs_car = models.BooleanField(default=False)
    language = models.CharField(max_length=10, blank=True, help_text="A language the volunteer must speak.")
    skills = models.JSONField(
        default=list,
        blank=True,
        help_text="Skill slugs (volunteers.forms.SKILL_CHOICES) the volunteer must have, every one of them.",
    )
    dietary_notes = models.CharField("dietary or cultural notes", max_length=300, blank=True)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    search_radius_km = models.FloatField(default=5.0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="needs")
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs_posted",
    )
    assigned_volunteer = models.ForeignKey(
        Volunteer, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_needs"
    )
    created_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    # After the claim: the coordinators saw who accepted; the volunteer was asked whether it is
    # done; the coordinators were alerted that the question got no answer.
    assignment_seen_at = models.DateTimeField(null=True, blank=True)
    followup_sent_at = models.DateTimeField(null=True, blank=True)
    followup_alerted_at = models.DateTimeField(null=True, blank=True)
    # A need open for long is re-confirmed with the requester; the clock restarts from here.
    reconfirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ref"],
                condition=~Q(status__in=["done", "cancelled", "expired"]),
                name="need_ref_unique_while_open",
            ),
            models.CheckConstraint(
                condition=Q(window_end__isnull=True)
                | Q(window_start__isnull=True)
                | Q(window_end__gt=models.F("window_start")),
                name="need_window_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.ref} {self.get_category_display()}"

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    @property
    def district(self) -> str:
        """The postcode district ("B11"): where a need is for those who may not see the address."""
        try:
            return postcode_district(self.postcode) if self.postcode else ""
        except PostcodeError:
            return ""

    @property
    def is_urgent(self) -> bool:
        """Critical and high needs: their offers and confirmations go at once, even in quiet hours."""
        return self.urgency in (self.Urgency.CRITICAL, self.Urgency.HIGH)


class Offer(models.Model):
    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Channel(models.TextChoices):
        SMS = "sms", "Text message"
        WEB = "web", "Web link"
        VOICE = "voice", "Phone call (a key pressed)"

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="offers")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="offers")
    rank = models.PositiveSmallIntegerField()
    distance_km = models.FloatField()
    explanation = models.JSONField(default=dict, blank=True, help_text="Why this volunteer ranked here.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED, db_index=True)
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.SMS)
    response_channel = models.CharField(max_length=5, choices=Channel.choices, blank=True)
    offered_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["need", "rank"]
        constraints = [
            # The claim: the database itself refuses a second accepted offer for a need.
            models.UniqueConstraint(
                fields=["need"], condition=Q(status="accepted"), name="one_accepted_offer_per_need"
            ),
            models.UniqueConstraint(fields=["need", "volunteer"], name="one_offer_per_volunteer_per_need"),
        ]
        indexes = [
            models.Index(fields=["volunteer", "status"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.need.ref} -> {self.volunteer} ({self.status})"

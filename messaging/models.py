"""The SMS outbox and inbox, and opt-outs. The outbox row is the queue: see messaging/sending."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from volunteers.models import Organisation, Volunteer, validate_e164
from volunteers.phones import phone_display, phone_is_e164, phone_mask


class OutboundMessage(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        ERRORED = "errored", "Errored, will retry"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        UNDELIVERED = "undelivered", "Undelivered"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Unknown (sent or not: being checked)"
        CANCELLED = "cancelled", "Cancelled before sending"

    FINAL_STATES = (State.DELIVERED, State.UNDELIVERED, State.FAILED, State.CANCELLED)

    class Priority(models.IntegerChoices):
        # Lower sends first: a reply or an offer must not wait behind a campaign.
        URGENT = 10, "Urgent (replies, offers, confirmations)"
        BULK = 50, "Bulk (campaigns, readiness checks)"

    class Encoding(models.TextChoices):
        GSM7 = "gsm7", "GSM-7"
        UCS2 = "ucs2", "UCS-2"

    to = models.CharField(max_length=16, validators=[validate_e164], db_index=True)
    body = models.TextField()
    body_length = models.PositiveIntegerField(
        null=True, blank=True, help_text="Characters in the body, kept when its words are erased."
    )
    # Whose details the text carries when that is not its recipient (the accepter's text holds the
    # requester's): subject access and erasure for that number find it by ``about_phone``, and the
    # app that queued it finds it by ``about`` ("need:12"), a name messaging never interprets.
    about = models.CharField(max_length=40, blank=True, db_index=True)
    about_phone = models.CharField(max_length=16, blank=True, db_index=True)
    segments = models.PositiveSmallIntegerField(default=1)
    encoding = models.CharField(max_length=4, choices=Encoding.choices, default=Encoding.GSM7)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.URGENT)
    dedupe_key = models.CharField(
        max_length=200,
        unique=True,
        help_text="What this message is for; the same purpose is never sent twice.",
    )
    purpose = models.CharField(max_length=40, blank=True, db_index=True)
    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_messages",
    )
    send_after = models.DateTimeField(default=timezone.now, help_text="Quiet hours and back-off.")
    provider_sid = models.CharField(max_length=64, null=True, blank=True, unique=True)
    provider_status = models.CharField(
        max_length=30, blank=True, help_text="The last status Twilio reported."
    )
    error_code = models.CharField(max_length=30, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    final_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "priority", "send_after"], name="outbox_ready")]

    def __str__(self) -> str:
        # Shown by the admin and kept in its log: never the words, never the whole number.
        return f"to {phone_mask(self.to)} [{self.state}]"


class InboundMessage(models.Model):
    """Every text received, stored once per Twilio MessageSid before it is acted on."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Not handled yet"
        HANDLED = "handled", "Handled"
        NOT_UNDERSTOOD = "not_understood", "Not understood: for a person to read"
        IGNORED = "ignored", "Ignored"
        ERROR = "error", "Error while handling"

    message_sid = models.CharField(max_length=64, unique=True)
    from_number = models.CharField(max_length=32, db_index=True)
    to_number = models.CharField(max_length=32, blank=True)
    body = models.TextField(blank=True)
    body_length = models.PositiveIntegerField(
        null=True, blank=True, help_text="Characters in the body, kept when its words are erased."
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_messages"
    )
    command = models.CharField(max_length=20, blank=True, help_text="What the grammar read it as.")
    argument = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING, db_index=True)
    outcome_detail = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Times its handling was started; after a few, it goes to a person."
    )
    needs_attention = models.BooleanField(
        default=False,
        help_text="Put in front of a person: in the inbox of each organisation that knows the sender.",
    )

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"from {phone_mask(self.from_number)} ({self.get_outcome_display()})"

    @property
    def sender_can_receive(self) -> bool:
        """False for an alphanumeric sender ("VODAFONE"), a short code or no number at all: nothing
        can be texted back to it."""
        return phone_is_e164(self.from_number)

    @property
    def from_number_masked(self) -> str:
        """The sender's number with all but its last three digits hidden, for lists. A sender that
        is not a phone number (a name or a short code) is not personal: it is shown as it came."""
        if not self.sender_can_receive:
            return self.from_number or "(no sender)"
        return phone_mask(self.from_number)


def seconds_words(seconds: int | None) -> str:
    """42 -> "42 seconds", 65 -> "1 minute 5 seconds", None -> ""."""
    if seconds is None:
        return ""
    minutes, rest = divmod(seconds, 60)
    parts = [f"{minutes} minute{'s' if minutes != 1 else ''}"] if minutes else []
    if rest or not minutes:
        parts.append(f"{rest} second{'s' if rest != 1 else ''}")
    return " ".join(parts)


# What Twilio puts in ``From`` when the caller's number is withheld, restricted or unknown.
HIDDEN_CALLERS = frozenset({"+266696687", "+7378742833", "+2562533", "+86282452253", "+8656696"})


class InboundCall(models.Model):
    """Every call to the requests line (messaging/phone_line.py), stored once per Twilio CallSid
    when it rings, before anything else: a caller who hangs up mid-menu still leaves this row.

    ``recording_url`` is Twilio's (it needs the account's credentials to fetch, see
    messaging/phone_line.py's proxy); ``postcode`` is the one they said or keyed, "" when none.
    """

    class Outcome(models.TextChoices):
        ON_THE_LINE = "on_the_line", "On the line"
        MESSAGE = "message", "Left a message"
        NO_MESSAGE = "no_message", "Called, left no message"
        ANSWERED = "answered", "Spoke to the duty coordinator"

    call_sid = models.CharField(max_length=64, unique=True)
    from_number = models.CharField(max_length=32, db_index=True)
    to_number = models.CharField(max_length=32, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="The whole call.")
    call_status = models.CharField(max_length=20, blank=True, help_text="The last status Twilio reported.")
    choice = models.CharField(max_length=10, blank=True, help_text="help, duty, or empty: no key.")
    postcode = models.CharField(max_length=10, blank=True, help_text="Said or keyed by the caller.")
    recording_sid = models.CharField(max_length=64, blank=True)
    recording_url = models.URLField(max_length=300, blank=True)
    recording_seconds = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(
        max_length=12, choices=Outcome.choices, default=Outcome.ON_THE_LINE, db_index=True
    )
    needs_attention = models.BooleanField(
        default=False, help_text="Put in front of a person: in the inbox of the organisations it is for."
    )
    routed_at = models.DateTimeField(null=True, blank=True, help_text="When it went to the inbox(es).")

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"call from {phone_mask(self.from_number)} ({self.get_outcome_display()})"

    @property
    def from_number_display(self) -> str:
        return phone_display(self.from_number) if self.caller_known else "a withheld number"

    @property
    def from_number_masked(self) -> str:
        return phone_mask(self.from_number) if self.caller_known else "a withheld number"

    @property
    def duration_words(self) -> str:
        return seconds_words(self.duration_seconds)

    @property
    def recording_words(self) -> str:
        return seconds_words(self.recording_seconds)

    @property
    def caller_known(self) -> bool:
        """False for a withheld or unknown number: nobody can call it back."""
        return phone_is_e164(self.from_number) and self.from_number not in HIDDEN_CALLERS


class InboxEntry(models.Model):
    """One organisation's copy of a text that needs a person (``organisation`` empty: the regional
    desk, for a sender nobody on the register knows). Each organisation deals with its own copy.

    ``reasons`` says why it came here ("a volunteer in your group Sparkbrook Helpers"); ``context``
    what this organisation had open for the sender ("campaign call: Flood response"). Both are
    written for the organisation that reads them and name nothing of another organisation's.
    """

    # A text or a call to the requests line: exactly one of the two.
    message = models.ForeignKey(
        InboundMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="inbox_entries"
    )
    call = models.ForeignKey(
        InboundCall, on_delete=models.CASCADE, null=True, blank=True, related_name="inbox_entries"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="inbox_entries"
    )
    reasons = models.JSONField(default=list, blank=True)
    context = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reply = models.ForeignKey(
        "OutboundMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    possible_request = models.BooleanField(
        default=False,
        help_text="From someone who is not a volunteer, and it reads like a request for help.",
    )

    class Meta:
        verbose_name_plural = "inbox entries"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "organisation"], name="one_inbox_entry_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["message"], condition=Q(organisation__isnull=True), name="one_desk_entry_per_message"
            ),
            models.UniqueConstraint(fields=["call", "organisation"], name="one_inbox_entry_per_call"),
            models.UniqueConstraint(
                fields=["call"], condition=Q(organisation__isnull=True), name="one_desk_entry_per_call"
            ),
            models.CheckConstraint(
                condition=Q(message__isnull=False, call__isnull=True)
                | Q(message__isnull=True, call__isnull=False),
                name="inbox_entry_is_a_text_or_a_call",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "resolved_at"], name="inbox_by_organisation")]

    def __str__(self) -> str:
        return f"{self.organisation or 'regional desk'}: {self.message or self.call}"

    @property
    def is_call(self) -> bool:
        return self.call_id is not None

    @property
    def is_desk(self) -> bool:
        return self.organisation_id is None


class OptOut(models.Model):
    """A number that must never be texted again, until it texts START or UNSTOP.

    After an erasure the row holds a keyed hash of the number instead (``messaging.privacy``
    ``erased_key``): the number stays blocked without being kept.
    """

    class Source(models.TextChoices):
        SMS = "sms", "Texted STOP"
        CALL = "call", "Pressed 9 on a call"
        CARRIER = "carrier", "Twilio reported an opt-out (21610)"
        WEB = "web", "Web page"
        STAFF = "staff", "Staff on their behalf"
        ERASURE = "erasure", "Data erased on request"

    phone = models.CharField(
        max_length=80, unique=True, help_text="The number in E.164, or after an erasure its keyed hash."
    )
    created_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=10, choices=Source.choices)
    keyword = models.CharField(max_length=20, blank=True)

    def __str__(self) -> str:
        return phone_mask(self.phone)


class SendRate(models.Model):
    """The shared send limiter's state when there is no Redis: one row per limiter.

    ``tat`` (theoretical arrival time, Unix seconds) is when the sender is next free: each send
    pushes it on by segments / rate, so every worker together stays under SMS_MAX_PER_SECOND.
    """

    name = models.CharField(max_length=40, unique=True)
    tat = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return f"{self.name} free at {self.tat:.3f}"

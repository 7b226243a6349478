"""The register: organisations and their staff, mutual-aid groups, volunteers, and geography."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.languages import CHOICES as LANGUAGE_CHOICES
from core.languages import DEFAULT as DEFAULT_LANGUAGE
from volunteers.geography import CELL_FIELDS, LocationError, cell_fields, location_validate
from volunteers.phones import phone_is_e164, phone_is_landline


def validate_e164(value: str) -> None:
    if not phone_is_e164(value):
        raise ValidationError(f"{value!r} is not a phone number in E.164 form (like +447700900123)")


def validate_uk_location(lat: float | None, lon: float | None) -> None:
    try:
        location_validate(lat, lon)
    except LocationError as exc:
        raise ValidationError(str(exc)) from None


class Located(models.Model):
    """A row with a place. Its spatial cell keys are derived from latitude and longitude.

    ``save()`` keeps the keys in step; paths that bypass it (``bulk_create``, ``bulk_update``,
    ``QuerySet.update``) must call ``set_location`` or ``cell_fields`` themselves.
    """

    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # One key per level of volunteers.geography.CELL_SIDES_KM (0.2 km ... 25.6 km).
    cell_0 = models.IntegerField(null=True, blank=True, editable=False)
    cell_1 = models.IntegerField(null=True, blank=True, editable=False)
    cell_2 = models.IntegerField(null=True, blank=True, editable=False)
    cell_3 = models.IntegerField(null=True, blank=True, editable=False)
    cell_4 = models.IntegerField(null=True, blank=True, editable=False)
    cell_5 = models.IntegerField(null=True, blank=True, editable=False)
    cell_6 = models.IntegerField(null=True, blank=True, editable=False)
    cell_7 = models.IntegerField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        # Derived index columns, not business logic: they must match the place on every save.
        self.set_location(self.latitude, self.longitude)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"latitude", "longitude"} & set(update_fields):
            kwargs["update_fields"] = set(update_fields) | set(CELL_FIELDS)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.latitude is not None or self.longitude is not None:
            validate_uk_location(self.latitude, self.longitude)

    def set_location(self, latitude: float | None, longitude: float | None) -> None:
        self.latitude, self.longitude = latitude, longitude
        for name, key in cell_fields(latitude, longitude).items():
            setattr(self, name, key)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class DBSLevel(models.TextChoices):
    """Disclosure and Barring Service check levels, in increasing order of assurance."""

    NONE = "none", "None"
    BASIC = "basic", "Basic"
    STANDARD = "standard", "Standard"
    ENHANCED = "enhanced", "Enhanced"

    @classmethod
    def rank(cls, level: str) -> int:
        return [c.value for c in cls].index(level)


class LocalAuthority(models.Model):
    """A council area. The seven constituent authorities of the West Midlands Combined Authority
    and the non-constituent members are created by a data migration."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    ons_code = models.CharField("ONS code", max_length=9, blank=True)
    constituent = models.BooleanField(
        default=False, help_text="A constituent member of the West Midlands Combined Authority."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        INFRASTRUCTURE = "infrastructure", "Infrastructure body"
        COUNCIL = "council", "Council"
        CHARITY = "charity", "Charity"
        MUTUAL_AID = "mutual_aid", "Mutual-aid group"
        FAITH = "faith", "Faith group"
        SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    local_authorities = models.ManyToManyField(
        LocalAuthority, related_name="organisations", blank=True, help_text="The areas it covers."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.Model):
    """A staff login's role in one organisation. A person may hold roles in several."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", "Coordinator"
        CAMPAIGN_MANAGER = "campaign_manager", "Campaign manager"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_role_per_user_and_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} of {self.organisation}"


class MutualAidGroup(Located):
    """A group that helped (or helps) a neighbourhood. Dormant groups are the region's reserve."""

    class Kind(models.TextChoices):
        MUTUAL_AID = "mutual_aid", "Mutual-aid group"
        FAITH = "faith", "Faith group"
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood group"
        FOOD_BANK = "food_bank", "Food bank or pantry"
        COMMUNITY_CENTRE = "community_centre", "Community centre"
        TENANTS = "tenants", "Tenants' or residents' association"
        SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DORMANT = "dormant", "Dormant"
        REACTIVATING = "reactivating", "Reactivating"
        RETIRED = "retired", "Retired"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MUTUAL_AID)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="groups",
        help_text="The organisation that coordinates it, if any.",
    )
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="groups")
    radius_km = models.FloatField(default=2.0, help_text="How far from its centre it works.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    active_from = models.DateField(null=True, blank=True)
    active_until = models.DateField(null=True, blank=True, help_text="When it went quiet.")
    services = models.JSONField(default=list, blank=True, help_text="What it did: hot meals, shopping, ...")
    assets = models.JSONField(
        default=list, blank=True, help_text="What it had: a kitchen, a van, storage, ..."
    )
    notes = models.TextField(blank=True, help_text="How it worked, in its own words.")
    last_verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When a contact last confirmed they can still be reached."
    )
    missed_checks = models.PositiveSmallIntegerField(
        default=0, help_text="Readiness checks the organiser has not answered in a row."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["local_authority", "status"])]

    def __str__(self) -> str:
        return self.name


class Volunteer(Located):
    """A person who may be asked to help. The phone number (E.164) is their identity."""

    class Status(models.TextChoices):
        # Written only by volunteers.contact_state, which holds the table of transitions
        # (docs/contact-state.md); a test fails if any other module writes the field.
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        DORMANT = "dormant", "Dormant"
        OPTED_OUT = "opted_out", "Opted out"
        UNREACHABLE = "unreachable", "Unreachable (the number cannot take texts)"
        ERASED = "erased", "Erased on request"

    class ConsentChannel(models.TextChoices):
        WEB = "web", "Web form"
        SMS = "sms", "Text message"
        PAPER = "paper", "Paper form"
        PHONE = "phone", "Phone call"
        IMPORT = "import", "Imported record"

    class ContactBy(models.TextChoices):
        SMS = "sms", "Text message"
        VOICE = "voice", "Phone call"

    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=16, unique=True, validators=[validate_e164])
    email = models.EmailField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteers"
    )
    skills = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text='Languages spoken, e.g. ["en", "pa"].')
    # How offers and campaign calls reach them (a landline can only be called), and in what language.
    contact_by = models.CharField(max_length=5, choices=ContactBy.choices, default=ContactBy.SMS)
    preferred_language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default=DEFAULT_LANGUAGE)
    dbs_level = models.CharField("DBS check", max_length=10, choices=DBSLevel.choices, default=DBSLevel.NONE)
    dbs_expires_on = models.DateField("DBS check valid until", null=True, blank=True)
    has_car = models.BooleanField(default=False)
    max_travel_km = models.FloatField(default=3.0, help_text="How far they will travel.")
    availability = models.JSONField(
        default=dict,
        blank=True,
        help_text='Weekly hours, e.g. {"mon": [["09:00", "17:00"]]}; empty means any time.',
    )
    max_open_assignments = models.PositiveSmallIntegerField(default=2)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When they agreed; empty when unknown (they must re-consent)."
    )
    consent_text = models.TextField(
        blank=True, help_text="The exact words they agreed to; empty when unknown."
    )
    consent_channel = models.CharField(max_length=10, choices=ConsentChannel.choices, blank=True)
    consent_source = models.CharField(max_length=200, blank=True, help_text="Where the consent was recorded.")
    phone_unreachable_at = models.DateTimeField(
        null=True, blank=True, help_text="Twilio said this number cannot receive messages."
    )
    last_active_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When their personal data was erased on request; the row stays for the counts.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    groups = models.ManyToManyField(
        MutualAidGroup, through="Membership", related_name="volunteers", blank=True
    )

    class Meta:
        ordering = ["name"]
        indexes = [
            # The matcher reads the nearest active volunteers by cell: covering partial indexes (all
            # it reads before the top k is cut is in the index: an index-only scan on PostgreSQL, a
            # covering index on SQLite, which wants ``status`` in it; the id is SQLite's rowid).
            *(
                models.Index(
                    fields=[name, "latitude", "longitude", "status", "id"],
                    name=f"vol_near_{name}",
                    condition=Q(status="active"),
                )
                for name in CELL_FIELDS
            ),
            # A DBS filter is selective (enhanced checks are a few per cent of people): leading with
            # the level lets such a match read only its own rows from the table (docs/benchmarks.md).
            *(
                models.Index(
                    fields=["dbs_level", name], name=f"vol_active_dbs_{name}", condition=Q(status="active")
                )
                for name in CELL_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_called(self) -> bool:
        """Offers and campaign calls reach them by an automated call, not a text: they chose it, or
        their number is a landline, which cannot take texts."""
        return self.contact_by == self.ContactBy.VOICE or phone_is_landline(self.phone)


class ErasedNumber(models.Model):
    """The tombstone an erasure leaves: a keyed hash (HMAC-SHA256, ``CONTACT_TOMBSTONE_KEY``) of the
    number, never the number itself. It refuses the number's re-import and re-creation; only a
    fresh sign-up at /join/ with new consent removes it (volunteers.contact_state)."""

    phone_hash = models.CharField(max_length=64, unique=True)
    erased_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"erased number {self.phone_hash[:12]}..."


class VolunteerLink(models.Model):
    """A link that opens a volunteer's page or one of their offers without a password. The token
    is random (``secrets``) and only its SHA-256 is stored; it ends at ``expires_at`` (visiting
    never extends it), when revoked (opt-out, erasure), or for an offer when the offer ends."""

    class Purpose(models.TextChoices):
        PAGE = "page", "Their own page (/v/)"
        OFFER = "offer", "An offer (/o/)"

    token_hash = models.CharField(max_length=64, unique=True)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    # What the link opens besides the volunteer: the offer's id (needs sits above the register).
    subject_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: it lasts as long as what it opens (an offer)."
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["volunteer", "purpose"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link of volunteer {self.volunteer_id}"


class Membership(models.Model):
    class Role(models.TextChoices):
        ORGANISER = "organiser", "Organiser"
        DEPUTY = "deputy", "Deputy organiser"
        MEMBER = "member", "Member"

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(MutualAidGroup, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "group"], name="one_membership_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} ({self.get_role_display()}) in {self.group}"


class Postcode(models.Model):
    """The offline geocoder's table, loaded from an ONS-style file by ``load_postcodes``."""

    postcode = models.CharField(max_length=8, primary_key=True)
    district = models.CharField(max_length=4, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return self.postcode


class GeocodeCache(models.Model):
    """Answers from an online geocoder, kept so the same query is never sent twice."""

    query = models.CharField(max_length=300, unique=True)
    found = models.BooleanField()
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.query


class AuditEvent(models.Model):
    """Who did what to whom: reads of personal data, campaign starts, erasures, exports."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=60, db_index=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=60, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type} {self.target_id}"

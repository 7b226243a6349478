"""Checking one row of an import file. Pure: no Django, no database.

Each ``*_row_parse`` returns a clean row or raises RowProblem with a reason a person can act on.
A blank cell means "the file does not say": a new record gets the default, an existing one keeps
what it has (so a half-filled sheet never wipes a DBS level or a skill someone added later).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from volunteers.geography import LocationError, PostcodeError, location_validate, postcode_normalise
from volunteers.importing.cells import NAME_MAX, SLUG_MAX, list_parse, mobile_normalise, text_fit_problem
from volunteers.phones import InvalidPhone

VOLUNTEER_COLUMNS = (
    "name",
    "phone",
    "postcode",
    "latitude",
    "longitude",
    "skills",
    "languages",
    "dbs",
    "has_car",
    "groups",
)
# Read when present; the contract's columns above are the ones every file is expected to have.
# The consent columns say when, in what words and where each person agreed to be contacted; without
# a date their consent is recorded as unknown, and they are asked again before any offer or call.
# ``consent_text`` is the older name of ``consent_wording``.
CONSENT_COLUMNS = ("consent_date", "consent_wording", "consent_source")
VOLUNTEER_OPTIONAL_COLUMNS = (
    "status",
    "dbs_expires_on",
    "max_travel_km",
    *CONSENT_COLUMNS,
    "consent_text",
    "contact_by",  # text or call: a landline is accepted for someone who is called
)
GROUP_COLUMNS = (
    "name",
    "slug",
    "kind",
    "local_authority",
    "latitude",
    "longitude",
    "radius_km",
    "status",
    "contact_name",
    "contact_phone",
    "notes",
)
GROUP_OPTIONAL_COLUMNS = ("organisation",)

DBS_LEVELS = ("none", "basic", "standard", "enhanced")
VOLUNTEER_STATUSES = ("active", "paused", "dormant")
GROUP_STATUSES = ("active", "dormant")
GROUP_KINDS = {
    "mutual_aid": "mutual_aid",
    "mutual aid": "mutual_aid",
    "faith": "faith",
    "neighbourhood": "neighbourhood",
    "neighborhood": "neighbourhood",
    "food_bank": "food_bank",
    "food bank": "food_bank",
    "community_centre": "community_centre",
    "community centre": "community_centre",
    "tenants": "tenants",
    "social_enterprise": "social_enterprise",
    "social enterprise": "social_enterprise",
    "other": "other",
}
YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0"}

# Languages as people write them in a sheet, to the codes the matcher compares (ISO 639).
# The list covers the West Midlands' most spoken languages; a two- or three-letter code passes as is.
LANGUAGE_CODES = {
    "english": "en",
    "punjabi": "pa",
    "panjabi": "pa",
    "urdu": "ur",
    "bengali": "bn",
    "bangla": "bn",
    "sylheti": "syl",
    "gujarati": "gu",
    "hindi": "hi",
    "mirpuri": "pa",
    "pahari": "pa",
    "polish": "pl",
    "romanian": "ro",
    "arabic": "ar",
    "somali": "so",
    "kurdish": "ku",
    "farsi": "fa",
    "persian": "fa",
    "pashto": "ps",
    "tigrinya": "ti",
    "amharic": "am",
    "french": "fr",
    "spanish": "es",
    "portuguese": "pt",
    "italian": "it",
    "lithuanian": "lt",
    "latvian": "lv",
    "slovak": "sk",
    "czech": "cs",
    "bulgarian": "bg",
    "hungarian": "hu",
    "russian": "ru",
    "ukrainian": "uk",
    "turkish": "tr",
    "tamil": "ta",
    "chinese": "zh",
    "mandarin": "zh",
    "cantonese": "yue",
    "vietnamese": "vi",
    "welsh": "cy",
    "british sign language": "bsl",
    "bsl": "bsl",
    "swahili": "sw",
    "shona": "sn",
    "yoruba": "yo",
    "igbo": "ig",
    "german": "de",
    "greek": "el",
}


class RowProblem(ValueError):
    """One row cannot be imported; the message says why in plain words."""


@dataclass
class VolunteerRow:
    line: int
    name: str
    phone: str
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    skills: list[str] | None = None
    languages: list[str] | None = None
    dbs: str | None = None
    dbs_expires_on: date | None = None
    has_car: bool | None = None
    max_travel_km: float | None = None
    groups: list[str] = field(default_factory=list)
    status: str | None = None
    consent_at: datetime | None = None
    consent_text: str | None = None
    consent_source: str | None = None
    contact_by: str | None = None  # "sms" or "voice"; None: as before (texts for a new person)

    @property
    def has_point(self) -> bool:
        return self.latitude is not None


@dataclass
class GroupRow:
    line: int
    name: str
    slug: str
    local_authority: str
    kind: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None
    status: str | None = None
    contact_name: str = ""
    contact_phone: str = ""
    notes: str | None = None
    organisation: str = ""


def _spaces(text: str) -> str:
    # str.split() splits on exactly the characters re's \s matches, in a fifth of the time.
    return " ".join((text or "").split())


_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def languages_parse(text: str) -> list[str]:
    codes: list[str] = []
    for item in list_parse(text):
        code = LANGUAGE_CODES.get(item)
        if code is None and _LANGUAGE_CODE.fullmatch(item):
            code = item
        if code is None:
            raise RowProblem(f"languages: {item!r} is not a language we know; use a code such as pa or ur")
        if code not in codes:
            codes.append(code)
    return codes


def yes_no_parse(text: str, column: str) -> bool | None:
    value = text.strip().lower()
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise RowProblem(f"{column}: {text!r} should be yes or no")


def number_parse(text: str, column: str, *, low: float, high: float) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text.strip())
    except ValueError:
        raise RowProblem(f"{column}: {text!r} is not a number") from None
    if not low <= value <= high:
        raise RowProblem(f"{column}: {value:g} should be between {low:g} and {high:g}")
    return value


def date_parse(text: str, column: str) -> date | None:
    """ISO (2020-04-01) or the UK's day-first forms (01/04/2020, 1.4.20)."""
    value = text.strip()
    if not value:
        return None
    value = value.split(" ")[0].split("T")[0]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y", "%d-%m-%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise RowProblem(f"{column}: {text!r} is not a date (write 2020-04-01 or 01/04/2020)")


def _point_parse(row: dict[str, str]) -> tuple[float | None, float | None]:
    lat, lon = row.get("latitude", ""), row.get("longitude", "")
    if not lat and not lon:
        return None, None
    try:
        return location_validate(lat, lon)
    except LocationError as exc:
        raise RowProblem(f"latitude/longitude: {exc}") from None


def volunteer_row_parse(line: int, row: dict[str, str]) -> VolunteerRow:
    name = _spaces(row.get("name", ""))
    if not name:
        raise RowProblem("name: a name is needed")
    too_long = text_fit_problem(name, "name", NAME_MAX)
    if too_long:
        raise RowProblem(too_long)
    contact_by = _contact_by_parse(row.get("contact_by", ""))
    try:
        phone = mobile_normalise(row.get("phone", ""), landline_ok=contact_by == "voice")
    except InvalidPhone as exc:
        raise RowProblem(f"phone: {exc}") from None
    latitude, longitude = _point_parse(row)
    postcode = ""
    if row.get("postcode"):
        try:
            postcode = postcode_normalise(row["postcode"])
        except PostcodeError as exc:
            raise RowProblem(f"postcode: {exc}") from None
    if latitude is None and not postcode:
        raise RowProblem("postcode: a postcode, or a latitude and longitude, is needed")
    dbs = row.get("dbs", "").strip().lower() or None
    if dbs is not None and dbs not in DBS_LEVELS:
        raise RowProblem(f"dbs: {row['dbs']!r} should be one of {', '.join(DBS_LEVELS)}")
    status = row.get("status", "").strip().lower() or None
    if status is not None and status not in VOLUNTEER_STATUSES:
        raise RowProblem(f"status: {row['status']!r} should be one of {', '.join(VOLUNTEER_STATUSES)}")
    consent_at, consent_text, consent_source = _consent_parse(row)
    return VolunteerRow(
        line=line,
        name=name,
        phone=phone,
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        skills=list_parse(row["skills"]) if row.get("skills") else None,
        languages=languages_parse(row["languages"]) if row.get("languages") else None,
        dbs=dbs,
        dbs_expires_on=date_parse(row.get("dbs_expires_on", ""), "dbs_expires_on"),
        has_car=yes_no_parse(row.get("has_car", ""), "has_car"),
        max_travel_km=number_parse(row.get("max_travel_km", ""), "max_travel_km", low=0, high=100),
        groups=[g.replace(" ", "-") for g in list_parse(row.get("groups", ""), words=False)],
        status=status,
        consent_at=consent_at,
        consent_text=consent_text,
        consent_source=consent_source,
        contact_by=contact_by,
    )


_CONTACT_BY = {
    "sms": "sms",
    "text": "sms",
    "texts": "sms",
    "voice": "voice",
    "call": "voice",
    "phone call": "voice",
}


def _contact_by_parse(raw: str) -> str | None:
    """The optional ``contact_by`` column: text (sms) or call (voice)."""
    text = " ".join(raw.split()).lower()
    if not text:
        return None
    if text not in _CONTACT_BY:
        raise RowProblem(f"contact_by: {raw!r} should be text or call")
    return _CONTACT_BY[text]


def _consent_parse(row: dict[str, str]) -> tuple[datetime | None, str | None, str | None]:
    """(when, in what words, where) the person agreed, as far as the file says; None for each it
    does not. A date is taken as noon UTC of that day."""
    day = date_parse(row.get("consent_date", ""), "consent_date")
    if day is not None and day > datetime.now(UTC).date():
        raise RowProblem(f"consent_date: {row['consent_date']!r} is in the future")
    at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC) if day else None
    wording = _spaces(row.get("consent_wording", "") or row.get("consent_text", "")) or None
    source = _spaces(row.get("consent_source", ""))[:150] or None
    return at, wording, source


SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug_make(text: str) -> str:
    """A pure stand-in for django's slugify on the names people give groups (ASCII, hyphens)."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")


def group_row_parse(line: int, row: dict[str, str]) -> GroupRow:
    name = _spaces(row.get("name", ""))
    if not name:
        raise RowProblem("name: a name is needed")
    slug = row.get("slug", "").strip().lower() or slug_make(name)
    too_long = text_fit_problem(name, "name", NAME_MAX) or text_fit_problem(slug, "slug", SLUG_MAX)
    if too_long:
        raise RowProblem(too_long)
    if not SLUG_RE.match(slug):
        raise RowProblem(f"slug: {row.get('slug', '')!r} should be lower-case letters, digits and hyphens")
    kind = _group_kind_parse(row)
    status = row.get("status", "").strip().lower() or None
    if status is not None and status not in GROUP_STATUSES:
        raise RowProblem(f"status: {row['status']!r} should be active or dormant")
    latitude, longitude = _point_parse(row)
    if latitude is None:
        raise RowProblem("latitude/longitude: a group needs its centre (latitude and longitude)")
    contact_name, contact_phone = _contact_parse(row)
    local_authority = _spaces(row.get("local_authority", ""))
    if not local_authority:
        raise RowProblem("local_authority: the local authority is needed (e.g. Sandwell)")
    return GroupRow(
        line=line,
        name=name,
        slug=slug,
        local_authority=local_authority,
        kind=kind,
        latitude=latitude,
        longitude=longitude,
        radius_km=number_parse(row.get("radius_km", ""), "radius_km", low=0.1, high=50),
        status=status,
        contact_name=contact_name,
        contact_phone=contact_phone,
        notes=row["notes"].strip() if row.get("notes", "").strip() else None,
        organisation=row.get("organisation", "").strip().lower(),
    )


def _group_kind_parse(row: dict[str, str]) -> str | None:
    kind = row.get("kind", "").strip().lower()
    if not kind:
        return None
    if kind not in GROUP_KINDS:
        raise RowProblem(
            f"kind: {row['kind']!r} should be one of {', '.join(sorted(set(GROUP_KINDS.values())))}"
        )
    return GROUP_KINDS[kind]


def _contact_parse(row: dict[str, str]) -> tuple[str, str]:
    """(name, mobile) of the group's contact, or ("", ""); one without the other is a problem."""
    contact_name = _spaces(row.get("contact_name", ""))
    if not row.get("contact_phone"):
        if contact_name:
            raise RowProblem("contact_phone: a contact name is given without a phone number")
        return "", ""
    try:
        contact_phone = mobile_normalise(row["contact_phone"])
    except InvalidPhone as exc:
        raise RowProblem(f"contact_phone: {exc} (readiness checks are sent by text)") from None
    if not contact_name:
        raise RowProblem("contact_name: a contact phone is given without a name")
    too_long = text_fit_problem(contact_name, "contact_name", NAME_MAX)
    if too_long:
        raise RowProblem(too_long)
    return contact_name, contact_phone

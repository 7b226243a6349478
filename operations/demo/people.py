"""The demo's volunteers: invented people spread around the town centres, a third dormant since 2021."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from operations.demo.region import (
    DEMO_PHONE_PREFIX,
    PostcodeIndex,
    centre_nearest,
    centre_pick,
    demo_phone,
    point_jitter,
)
from volunteers.contact_state import IMPORT_EVENTS, NONE, ImportedState, contact_states_import
from volunteers.models import DBSLevel, LocalAuthority, Volunteer

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ellie",
    "Farah",
    "Gurpreet",
    "Harry",
    "Imran",
    "Jade",
    "Kasia",
    "Liam",
    "Maya",
    "Nadia",
    "Olu",
    "Priya",
    "Qasim",
    "Rosa",
    "Sam",
    "Tomasz",
    "Uzma",
    "Vikram",
    "Wes",
    "Yasmin",
    "Zainab",
    "Aidan",
    "Bethany",
    "Connor",
    "Deepa",
    "Errol",
    "Fatima",
    "Grace",
    "Hamza",
    "Isla",
    "Jamal",
    "Kiran",
    "Leah",
    "Mohammed",
    "Niamh",
    "Omar",
    "Paul",
    "Ruth",
    "Sunita",
    "Tariq",
    "Una",
    "Victor",
    "Winston",
    "Xin",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Ahmed",
    "Begum",
    "Clarke",
    "Davies",
    "Evans",
    "Francis",
    "Gill",
    "Hussain",
    "Iqbal",
    "Jones",
    "Kaur",
    "Khan",
    "Lewis",
    "Mahmood",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Rahman",
    "Singh",
    "Thomas",
    "Uddin",
    "Virdee",
    "Walker",
    "Williams",
    "Young",
    "Zielinski",
    "Brown",
    "Campbell",
    "Edwards",
]
SKILLS = [
    "shopping",
    "driving",
    "cooking",
    "befriending",
    "prescriptions",
    "digital_help",
    "translation",
    "first_aid",
    "dog_walking",
    "gardening",
]
LANGUAGE_MIX = [["en"]] * 12 + [
    ["en", "pa"],
    ["en", "ur"],
    ["en", "bn"],
    ["en", "pl"],
    ["en", "gu"],
    ["en", "so"],
    ["en", "ro"],
    ["en", "ar"],
]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
CONSENT_TEXT = (
    "I agree that Rekindle may keep my details and text me when someone near me needs help. "
    "I can reply STOP at any time."
)


def name_pick(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def availability_pick(rng: random.Random) -> dict[str, list[list[str]]]:
    kind = rng.random()
    if kind < 0.45:
        return {}  # any time
    if kind < 0.75:
        return {d: [["17:00", "21:00"]] for d in DAYS[:5]} | {d: [["09:00", "18:00"]] for d in DAYS[5:]}
    days = rng.sample(DAYS, rng.randint(2, 5))
    return {d: [["09:00", "13:00"]] for d in sorted(days, key=DAYS.index)}


def _status_pick(rng: random.Random, *, dormant_since_2021: bool) -> str:
    if dormant_since_2021:
        return Volunteer.Status.DORMANT
    return rng.choices([Volunteer.Status.ACTIVE, Volunteer.Status.PAUSED], weights=[90, 10])[0]


def volunteer_build(
    *,
    rng: random.Random,
    index: int,
    postcodes: PostcodeIndex,
    la_by_name: dict[str, LocalAuthority],
    now: datetime,
) -> tuple[Volunteer, str]:
    """The ``index``-th demo volunteer, unsaved, and the status they are seeded in. Draws from
    ``rng`` in a fixed order, so that the same seed builds the same people."""
    centre = centre_pick(rng)
    lat, lon = point_jitter(rng, centre, 1.6)
    pc = postcodes.nearest(lat, lon)
    dormant_since_2021 = rng.random() < 0.3
    dbs = rng.choices(DBSLevel.values, weights=[60, 15, 10, 15])[0]
    consent_at = now - timedelta(days=rng.randint(30, 6 * 365 // 2))
    profile = {
        "name": name_pick(rng),
        "phone": demo_phone(index),
        "postcode": pc.postcode,
        # The council of the real postcode they live at (the centre's when the file has none).
        "local_authority_id": pc.local_authority_id or la_by_name[centre.local_authority].id,
        "skills": sorted(rng.sample(SKILLS, rng.randint(1, 4))),
        "languages": rng.choice(LANGUAGE_MIX),
        "dbs_level": dbs,
        "dbs_expires_on": (date(2027, 1, 1) + timedelta(days=rng.randint(-500, 900)))
        if dbs != "none"
        else None,
        "has_car": rng.random() < 0.4,
        "max_travel_km": rng.choice([1.0, 2.0, 3.0, 5.0, 8.0]),
        "availability": availability_pick(rng),
    }
    # Drawn here, in the order the seed always drew it; written by the contact state once saved.
    status = _status_pick(rng, dormant_since_2021=dormant_since_2021)
    volunteer = Volunteer(
        **profile,
        consent_at=consent_at,
        consent_text=CONSENT_TEXT,
        consent_channel=rng.choice(["web", "paper", "import"]),
        consent_source="synthetic demo data",
        last_active_at=consent_at if dormant_since_2021 else now - timedelta(days=rng.randint(0, 120)),
    )
    volunteer.set_location(pc.latitude, pc.longitude)  # where their real postcode is
    return volunteer, status


def volunteers_seed(
    *,
    rng: random.Random,
    count: int,
    postcodes: PostcodeIndex,
    la_by_name: dict[str, LocalAuthority],
    now: datetime,
) -> None:
    """Create the demo volunteers not there yet. Each is identified by their phone: every one is
    built (so the draws stay in step), and a second run finds them all and changes nothing."""
    existing = set(
        Volunteer.objects.filter(phone__startswith=DEMO_PHONE_PREFIX).values_list("phone", flat=True)
    )
    new_volunteers = []
    statuses: dict[str, str] = {}
    for index in range(count):
        volunteer, status = volunteer_build(
            rng=rng, index=index, postcodes=postcodes, la_by_name=la_by_name, now=now
        )
        if volunteer.phone not in existing:
            new_volunteers.append(volunteer)
            statuses[volunteer.phone] = status
    Volunteer.objects.bulk_create(new_volunteers, batch_size=1000)
    # The seed is an import of synthetic people: their statuses go through the contact state.
    seeded = Volunteer.objects.filter(phone__startswith=DEMO_PHONE_PREFIX).values_list("phone", "id")
    contact_states_import(
        rows=[
            ImportedState(volunteer_id=pk, before=NONE, event=IMPORT_EVENTS[statuses[phone]])
            for phone, pk in seeded
            if phone in statuses
        ],
        now=now,
    )


def volunteers_by_centre() -> dict[str, list[Volunteer]]:
    """The demo volunteers by the name of their nearest centre, in phone order. One without a
    place (cleared by hand in the admin) is near no centre and left out."""
    by_centre: dict[str, list[Volunteer]] = {}
    for v in Volunteer.objects.filter(phone__startswith=DEMO_PHONE_PREFIX).order_by("phone"):
        if v.latitude is None or v.longitude is None:
            continue
        by_centre.setdefault(centre_nearest(v.latitude, v.longitude).name, []).append(v)
    return by_centre

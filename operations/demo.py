"""A synthetic West Midlands for demos and development: ``python manage.py seed_demo``.

Everything here is invented: people, phone numbers (the unallocated 07700 9xxxxx block, whose
first thousand numbers Ofcom reserves for drama), postcodes (real district prefixes, made-up
units placed near the district's centre) and needs. Places are real town centres so the maps look
right. Seeded, so the same seed gives the same region; idempotent, so running it twice changes
nothing.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from needs.models import Need
from reactivation.models import Playbook
from reactivation.services.playbooks import playbook_import
from volunteers.models import (
    DBSLevel,
    LocalAuthority,
    Membership,
    MutualAidGroup,
    Organisation,
    Postcode,
    StaffRole,
    Volunteer,
)
from volunteers.services import staff_upsert

DEMO_PASSWORD = "rekindle-demo"  # noqa: S105  (printed by `make run`; DEBUG only)
CONSTITUENT = [
    "Birmingham",
    "Coventry",
    "Dudley",
    "Sandwell",
    "Solihull",
    "Walsall",
    "Wolverhampton",
]
PLAYBOOK_DIR = Path(__file__).resolve().parents[1] / "reactivation" / "demo_playbooks"


@dataclass(frozen=True)
class Centre:
    name: str
    local_authority: str
    lat: float
    lon: float
    districts: tuple[str, ...]
    weight: float  # share of the population placed here


# Real town and neighbourhood centres; districts are the postcode districts that cover them.
CENTRES: tuple[Centre, ...] = (
    Centre(
        "Birmingham City Centre",
        "Birmingham",
        52.4796,
        -1.9026,
        ("B1", "B2", "B3", "B4", "B5"),
        3.0,
    ),
    Centre("Erdington", "Birmingham", 52.5236, -1.8396, ("B23", "B24"), 1.5),
    Centre("Sutton Coldfield", "Birmingham", 52.5633, -1.8227, ("B72", "B73", "B74"), 1.2),
    Centre("Selly Oak", "Birmingham", 52.4372, -1.9360, ("B29",), 1.2),
    Centre("Sparkbrook", "Birmingham", 52.4607, -1.8730, ("B11", "B12"), 1.5),
    Centre("Handsworth", "Birmingham", 52.5054, -1.9322, ("B20", "B21"), 1.2),
    Centre("Northfield", "Birmingham", 52.4158, -1.9669, ("B31",), 1.0),
    Centre("Coventry City Centre", "Coventry", 52.4068, -1.5197, ("CV1",), 1.6),
    Centre("Foleshill", "Coventry", 52.4300, -1.4960, ("CV6",), 1.0),
    Centre("Tile Hill", "Coventry", 52.3990, -1.5770, ("CV4",), 0.7),
    Centre("Dudley", "Dudley", 52.5087, -2.0877, ("DY1", "DY2"), 1.0),
    Centre("Stourbridge", "Dudley", 52.4568, -2.1479, ("DY8",), 0.8),
    Centre("Halesowen", "Dudley", 52.4497, -2.0503, ("B62", "B63"), 0.7),
    Centre("West Bromwich", "Sandwell", 52.5187, -1.9945, ("B70", "B71"), 1.0),
    Centre("Smethwick", "Sandwell", 52.4930, -1.9680, ("B66", "B67"), 0.9),
    Centre("Oldbury", "Sandwell", 52.5050, -2.0159, ("B68", "B69"), 0.7),
    Centre("Solihull", "Solihull", 52.4128, -1.7780, ("B91",), 0.9),
    Centre("Chelmsley Wood", "Solihull", 52.4830, -1.7320, ("B37",), 0.7),
    Centre("Shirley", "Solihull", 52.4080, -1.8210, ("B90",), 0.6),
    Centre("Walsall", "Walsall", 52.5862, -1.9829, ("WS1", "WS2"), 1.0),
    Centre("Bloxwich", "Walsall", 52.6185, -2.0046, ("WS3",), 0.6),
    Centre("Wolverhampton City Centre", "Wolverhampton", 52.5862, -2.1288, ("WV1", "WV2"), 1.1),
    Centre("Wednesfield", "Wolverhampton", 52.5995, -2.0834, ("WV11",), 0.6),
    Centre("Bilston", "Wolverhampton", 52.5660, -2.0730, ("WV14",), 0.6),
)

ORGANISATIONS = (
    # slug, name, kind, covers
    (
        "wm-infrastructure",
        "West Midlands Community Resilience Partnership",
        "infrastructure",
        CONSTITUENT,
    ),
    ("brum-aid", "Brum Aid Network", "charity", ["Birmingham"]),
    ("coventry-together", "Coventry Together", "charity", ["Coventry"]),
    (
        "black-country-neighbours",
        "Black Country Neighbours",
        "mutual_aid",
        ["Dudley", "Sandwell", "Walsall"],
    ),
    ("faithful-neighbours", "Faithful Neighbours Network", "faith", ["Sandwell", "Birmingham"]),
    ("solihull-community-action", "Solihull Community Action", "charity", ["Solihull"]),
    ("wolves-lunch-club", "Wolverhampton Lunch Club CIC", "social_enterprise", ["Wolverhampton"]),
)

# login, organisation, role
LOGINS = (
    ("coordinator", "brum-aid", StaffRole.Role.COORDINATOR),
    ("campaigner", "wm-infrastructure", StaffRole.Role.CAMPAIGN_MANAGER),
    ("viewer", "wm-infrastructure", StaffRole.Role.VIEWER),
    ("approver", "wm-infrastructure", StaffRole.Role.CAMPAIGN_MANAGER),
    ("coordinator-coventry", "coventry-together", StaffRole.Role.COORDINATOR),
    ("coordinator-blackcountry", "black-country-neighbours", StaffRole.Role.COORDINATOR),
    ("coordinator-faith", "faithful-neighbours", StaffRole.Role.COORDINATOR),
    ("coordinator-solihull", "solihull-community-action", StaffRole.Role.COORDINATOR),
    ("coordinator-wolves", "wolves-lunch-club", StaffRole.Role.COORDINATOR),
)

GROUP_PATTERNS = (
    (
        "{place} Mutual Aid",
        "mutual_aid",
        ["shopping", "prescriptions", "befriending"],
        ["phone tree"],
    ),
    ("{place} Street Champions", "neighbourhood", ["shopping", "befriending", "leaflets"], []),
    (
        "{place} Community Kitchen",
        "community_centre",
        ["hot_meals", "food_parcels"],
        ["kitchen", "storage"],
    ),
    ("{place} Food Pantry", "food_bank", ["food_parcels"], ["storage", "van"]),
    (
        "{place} Faith Partnership",
        "faith",
        ["hot_meals", "befriending", "translation"],
        ["hall", "kitchen"],
    ),
)

NOTES = {
    "mutual_aid": "Started in March 2020 from a WhatsApp group of neighbours. Ran a shopping and prescription "
    "rota with two phone lines, matched callers to volunteers within a few streets.",
    "neighbourhood": "One champion per street knocked on doors, put leaflets through every letterbox and kept a "
    "list of who lived alone. Weekly check-in calls until summer 2021.",
    "community_centre": "Cooked hot meals five days a week in the centre's kitchen; drivers delivered at lunchtime. "
    "Culturally appropriate menus (halal, vegetarian, Caribbean).",
    "food_bank": "Took FareShare deliveries twice a week, packed parcels in the storage room, delivered by van "
    "to people shielding.",
    "faith": "A multi-faith network of churches, mosques, gurdwaras and temples sharing volunteers and kitchens; "
    "translated public-health messages into Punjabi, Urdu, Bengali and Polish.",
}

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

NEED_TEMPLATES = (
    ("shopping", "Weekly shop for an older person shielding at home", "normal", False, False),
    ("prescription", "Collect a repeat prescription from the local pharmacy", "high", False, False),
    ("hot_meal", "Hot lunch delivered for someone just home from hospital", "high", False, False),
    ("food_parcel", "Food parcel for a family of four", "normal", False, True),
    ("befriending", "Weekly befriending call for someone living alone", "low", True, False),
    ("transport", "Lift to a hospital appointment and back", "normal", True, True),
    ("digital", "Help setting up video calls on a tablet", "low", True, False),
    ("prescription", "Urgent collection of insulin from the pharmacy", "critical", False, False),
)


@dataclass
class SeedReport:
    organisations: int
    groups: int
    volunteers: int
    needs: int
    playbooks: int
    postcodes: int


def _weighted_centre(rng: random.Random) -> Centre:
    return rng.choices(CENTRES, weights=[c.weight for c in CENTRES])[0]


def _jitter(rng: random.Random, centre: Centre, spread_km: float) -> tuple[float, float]:
    lat = centre.lat + rng.gauss(0, spread_km / 111.32)
    lon = centre.lon + rng.gauss(0, spread_km / 68.0)
    return round(lat, 6), round(lon, 6)


def _postcodes(rng: random.Random) -> list[Postcode]:
    la_by_name = {la.name: la for la in LocalAuthority.objects.filter(name__in=CONSTITUENT)}
    rows = []
    letters = "ABDEFGHJLNPQRSTUWXYZ"  # the letters real inward codes use
    for centre in CENTRES:
        for district in centre.districts:
            for _ in range(40):
                unit = f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
                lat, lon = _jitter(rng, centre, 1.2)
                rows.append(
                    Postcode(
                        postcode=f"{district} {unit}",
                        district=district,
                        latitude=lat,
                        longitude=lon,
                        local_authority=la_by_name[centre.local_authority],
                    )
                )
    unique = {p.postcode: p for p in rows}
    return list(unique.values())


def _nearest_postcode(postcodes: list[Postcode], lat: float, lon: float) -> Postcode:
    return min(postcodes, key=lambda p: (p.latitude - lat) ** 2 + ((p.longitude - lon) * 0.61) ** 2)


def _availability(rng: random.Random) -> dict[str, list[list[str]]]:
    kind = rng.random()
    if kind < 0.45:
        return {}  # any time
    if kind < 0.75:
        return {d: [["17:00", "21:00"]] for d in DAYS[:5]} | {d: [["09:00", "18:00"]] for d in DAYS[5:]}
    days = rng.sample(DAYS, rng.randint(2, 5))
    return {d: [["09:00", "13:00"]] for d in sorted(days, key=DAYS.index)}


def _phone(index: int) -> str:
    # +447700900000 upwards: Ofcom's drama range, then the unallocated rest of the 07700 9 block.
    return f"+4477009{index:05d}"


def playbook_documents() -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(PLAYBOOK_DIR.glob("*.json"))]


@transaction.atomic
def seed_demo(*, seed: int = 2020, volunteers: int = 3000, groups: int = 60, needs: int = 40) -> SeedReport:
    """Build (or rebuild, idempotently) the synthetic region. Call only in DEBUG."""
    rng = random.Random(seed)
    now = timezone.now()
    la_by_name = {la.name: la for la in LocalAuthority.objects.filter(name__in=CONSTITUENT)}

    postcodes = _postcodes(rng)
    Postcode.objects.bulk_create(postcodes, ignore_conflicts=True)

    orgs: dict[str, Organisation] = {}
    for slug, name, kind, covers in ORGANISATIONS:
        org, _ = Organisation.objects.update_or_create(slug=slug, defaults={"name": name, "kind": kind})
        org.local_authorities.set([la_by_name[c] for c in covers])
        orgs[slug] = org
    for username, org_slug, role in LOGINS:
        staff_upsert(username=username, organisation_slug=org_slug, role=role, password=DEMO_PASSWORD)
    admin, _ = get_user_model().objects.get_or_create(username="admin", defaults={"is_staff": True})
    admin.is_staff = admin.is_superuser = True
    admin.set_password(DEMO_PASSWORD)
    admin.save()

    # Volunteers: created once by phone; a second run finds them and changes nothing.
    new_volunteers = []
    existing = set(Volunteer.objects.filter(phone__startswith="+4477009").values_list("phone", flat=True))
    for i in range(volunteers):
        centre = _weighted_centre(rng)
        lat, lon = _jitter(rng, centre, 1.6)
        pc = _nearest_postcode(postcodes, lat, lon)
        dormant_since_2021 = rng.random() < 0.3
        dbs = rng.choices(DBSLevel.values, weights=[60, 15, 10, 15])[0]
        phone = _phone(i)
        consent_at = now - timedelta(days=rng.randint(30, 6 * 365 // 2))
        volunteer = Volunteer(
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            phone=phone,
            postcode=pc.postcode,
            local_authority=la_by_name[centre.local_authority],
            skills=sorted(rng.sample(SKILLS, rng.randint(1, 4))),
            languages=rng.choice(LANGUAGE_MIX),
            dbs_level=dbs,
            dbs_expires_on=(date(2027, 1, 1) + timedelta(days=rng.randint(-500, 900)))
            if dbs != "none"
            else None,
            has_car=rng.random() < 0.4,
            max_travel_km=rng.choice([1.0, 2.0, 3.0, 5.0, 8.0]),
            availability=_availability(rng),
            status=Volunteer.Status.DORMANT
            if dormant_since_2021
            else rng.choices([Volunteer.Status.ACTIVE, Volunteer.Status.PAUSED], weights=[90, 10])[0],
            consent_at=consent_at,
            consent_text="I agree that Rekindle may keep my details and text me when someone near me needs help. "
            "I can reply STOP at any time.",
            consent_channel=rng.choice(["web", "paper", "import"]),
            consent_source="synthetic demo data",
            last_active_at=consent_at if dormant_since_2021 else now - timedelta(days=rng.randint(0, 120)),
        )
        volunteer.set_location(lat, lon)
        if phone not in existing:
            new_volunteers.append(volunteer)
    Volunteer.objects.bulk_create(new_volunteers, batch_size=1000)

    all_volunteers = list(Volunteer.objects.filter(phone__startswith="+4477009").order_by("phone"))
    by_centre: dict[str, list[Volunteer]] = {}
    for v in all_volunteers:
        nearest = min(CENTRES, key=lambda c: (c.lat - v.latitude) ** 2 + ((c.lon - v.longitude) * 0.61) ** 2)
        by_centre.setdefault(nearest.name, []).append(v)

    # Groups: about a third dormant since 2021, each remembering what it did in 2020.
    org_for_la = {
        la: next(slug for slug, _, kind, covers in ORGANISATIONS if la in covers and kind != "infrastructure")
        for la in CONSTITUENT
    }
    made = 0
    for i in range(groups):
        centre = CENTRES[i % len(CENTRES)]
        pattern = GROUP_PATTERNS[(i // len(CENTRES)) % len(GROUP_PATTERNS)]
        name = pattern[0].format(place=centre.name.replace(" City Centre", ""))
        slug = name.lower().replace(" ", "-").replace("'", "")
        dormant = i % 3 == 1
        lat, lon = _jitter(rng, centre, 0.6)
        group, created = MutualAidGroup.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": pattern[1],
                "organisation": orgs[org_for_la[centre.local_authority]],
                "local_authority": la_by_name[centre.local_authority],
                "latitude": lat,
                "longitude": lon,
                "radius_km": rng.choice([1.5, 2.0, 3.0]),
                "status": MutualAidGroup.Status.DORMANT if dormant else MutualAidGroup.Status.ACTIVE,
                "active_from": date(2020, 3, rng.randint(16, 31)),
                "active_until": date(2021, rng.randint(4, 9), 1) if dormant else None,
                "services": pattern[2],
                "assets": pattern[3],
                "notes": NOTES[pattern[1]],
                "last_verified_at": now - timedelta(days=rng.randint(10, 400)),
            },
        )
        made += created
        if not created:
            continue
        nearby = by_centre.get(centre.name, [])
        members = rng.sample(nearby, min(len(nearby), rng.randint(8, 25)))
        for j, volunteer in enumerate(members):
            role = (
                Membership.Role.ORGANISER
                if j == 0
                else Membership.Role.DEPUTY
                if j == 1
                else Membership.Role.MEMBER
            )
            Membership.objects.get_or_create(volunteer=volunteer, group=group, defaults={"role": role})

    # Open needs, posted by each organisation's coordinator; requesters are invented.
    if not Need.objects.filter(summary__startswith="[demo]").exists():
        coordinators = {r.organisation_id: r.user for r in StaffRole.objects.filter(role="coordinator")}
        for i in range(needs):
            centre = _weighted_centre(rng)
            lat, lon = _jitter(rng, centre, 1.0)
            pc = _nearest_postcode(postcodes, lat, lon)
            category, summary, urgency, dbs, car = NEED_TEMPLATES[i % len(NEED_TEMPLATES)]
            org = orgs[org_for_la[centre.local_authority]]
            need = Need(
                category=category,
                summary=f"[demo] {summary}",
                details="Ring the bell twice; the side gate is open. (Synthetic.)",
                requester_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} (demo)",
                requester_phone=_phone(90000 + i),
                requester_address=f"{rng.randint(1, 200)} Example Road, {centre.name}",
                postcode=pc.postcode,
                local_authority=la_by_name[centre.local_authority],
                urgency=urgency,
                requires_dbs=DBSLevel.BASIC if dbs else DBSLevel.NONE,
                needs_car=car,
                organisation=org,
                posted_by=coordinators.get(org.id),
                window_start=now + timedelta(hours=rng.randint(1, 24)),
            )
            need.window_end = need.window_start + timedelta(hours=rng.choice([2, 4, 8]))
            need.set_location(lat, lon)
            need.save()

    for document in playbook_documents():
        playbook_import(document=document)

    return SeedReport(
        organisations=Organisation.objects.count(),
        groups=MutualAidGroup.objects.count(),
        volunteers=Volunteer.objects.count(),
        needs=Need.objects.count(),
        playbooks=Playbook.objects.count(),
        postcodes=Postcode.objects.count(),
    )

"""The demo's mutual-aid groups: about a third dormant since 2021, each remembering what it did in
2020, with an organiser, a deputy and members from the volunteers nearby."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import NamedTuple

from operations.demo.organisations import organisation_for_authority
from operations.demo.region import CENTRES, point_jitter
from volunteers.models import LocalAuthority, Membership, MutualAidGroup, Organisation, Volunteer


class GroupPattern(NamedTuple):
    name: str  # "{place} ..."
    kind: str
    services: list[str]
    assets: list[str]


GROUP_PATTERNS = (
    GroupPattern(
        "{place} Mutual Aid",
        "mutual_aid",
        ["shopping", "prescriptions", "befriending"],
        ["phone tree"],
    ),
    GroupPattern("{place} Street Champions", "neighbourhood", ["shopping", "befriending", "leaflets"], []),
    GroupPattern(
        "{place} Community Kitchen",
        "community_centre",
        ["hot_meals", "food_parcels"],
        ["kitchen", "storage"],
    ),
    GroupPattern("{place} Food Pantry", "food_bank", ["food_parcels"], ["storage", "van"]),
    GroupPattern(
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


def groups_seed(
    *,
    rng: random.Random,
    count: int,
    orgs: dict[str, Organisation],
    la_by_name: dict[str, LocalAuthority],
    by_centre: dict[str, list[Volunteer]],
    now: datetime,
) -> int:
    """Create the first ``count`` demo groups not there yet (by slug), each with members from
    ``by_centre``; returns how many were created. A group already there is left as it is."""
    org_for_la = organisation_for_authority()
    made = 0
    for i in range(count):
        centre = CENTRES[i % len(CENTRES)]
        pattern = GROUP_PATTERNS[(i // len(CENTRES)) % len(GROUP_PATTERNS)]
        name = pattern.name.format(place=centre.name.replace(" City Centre", ""))
        slug = name.lower().replace(" ", "-").replace("'", "")
        dormant = i % 3 == 1
        lat, lon = point_jitter(rng, centre, 0.6)
        group, created = MutualAidGroup.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": pattern.kind,
                "organisation": orgs[org_for_la[centre.local_authority]],
                "local_authority": la_by_name[centre.local_authority],
                "latitude": lat,
                "longitude": lon,
                "radius_km": rng.choice([1.5, 2.0, 3.0]),
                "status": MutualAidGroup.Status.DORMANT if dormant else MutualAidGroup.Status.ACTIVE,
                "active_from": date(2020, 3, rng.randint(16, 31)),
                "active_until": date(2021, rng.randint(4, 9), 1) if dormant else None,
                "services": pattern.services,
                "assets": pattern.assets,
                "notes": NOTES[pattern.kind],
                "last_verified_at": now - timedelta(days=rng.randint(10, 400)),
            },
        )
        made += created
        if created:
            members_add(rng=rng, group=group, nearby=by_centre.get(centre.name, []))
    return made


def members_add(*, rng: random.Random, group: MutualAidGroup, nearby: list[Volunteer]) -> None:
    """Between 8 and 25 of ``nearby`` join ``group``: the first as its organiser, the second as deputy."""
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

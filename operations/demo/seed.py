"""``seed_demo``: the whole demo region, built in one transaction from one seed."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from needs.models import Need
from operations.demo.groups import groups_seed
from operations.demo.logins import logins_seed
from operations.demo.needs import needs_seed
from operations.demo.organisations import organisations_seed
from operations.demo.people import volunteers_by_centre, volunteers_seed
from operations.demo.playbooks import playbooks_seed
from operations.demo.region import PostcodeIndex, authorities_by_name, demo_districts
from reactivation.models import Playbook
from volunteers.models import MutualAidGroup, Organisation, Postcode, Volunteer
from volunteers.services import postcodes_shipped_load


@dataclass
class SeedReport:
    organisations: int
    groups: int
    volunteers: int
    needs: int
    playbooks: int
    postcodes: int


def demo_postcodes() -> PostcodeIndex:
    """The real postcodes of the demo's districts (OS Code-Point Open, shipped in volunteers/data/),
    loaded first when one of the districts has none yet."""
    districts = demo_districts()
    present = set(
        Postcode.objects.filter(district__in=districts).values_list("district", flat=True).distinct()
    )
    if present != districts:
        postcodes_shipped_load(districts=districts)
    return PostcodeIndex(list(Postcode.objects.filter(district__in=districts).order_by("postcode")))


@transaction.atomic
def seed_demo(*, seed: int = 2020, volunteers: int = 3000, groups: int = 60, needs: int = 40) -> SeedReport:
    """Build (or rebuild, idempotently) the synthetic region. Call only in DEBUG.

    The steps draw from one random generator in a fixed order: reordering them changes the region
    a seed gives."""
    rng = random.Random(seed)  # noqa: S311  (invented people, not secrets)
    now = timezone.now()
    la_by_name = authorities_by_name()

    postcodes = demo_postcodes()
    orgs = organisations_seed(la_by_name=la_by_name)
    logins_seed()
    volunteers_seed(rng=rng, count=volunteers, postcodes=postcodes, la_by_name=la_by_name, now=now)
    groups_seed(
        rng=rng, count=groups, orgs=orgs, la_by_name=la_by_name, by_centre=volunteers_by_centre(), now=now
    )
    needs_seed(rng=rng, count=needs, postcodes=postcodes, orgs=orgs, la_by_name=la_by_name, now=now)
    playbooks_seed()

    return SeedReport(
        organisations=Organisation.objects.count(),
        groups=MutualAidGroup.objects.count(),
        volunteers=Volunteer.objects.count(),
        needs=Need.objects.count(),
        playbooks=Playbook.objects.count(),
        postcodes=Postcode.objects.count(),
    )

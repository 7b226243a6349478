"""The demo's open needs, posted by each area's coordinator for invented requesters."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from needs.models import Need
from needs.skills import CATEGORY_SKILLS
from operations.demo.organisations import organisation_for_authority
from operations.demo.people import name_pick
from operations.demo.region import PostcodeIndex, centre_pick, demo_phone, point_jitter
from volunteers.models import DBSLevel, LocalAuthority, Organisation, StaffRole

DEMO_MARK = "[demo]"  # starts every demo need's summary

# category, summary, urgency, needs a DBS check, needs a car
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


def needs_seed(
    *,
    rng: random.Random,
    count: int,
    postcodes: PostcodeIndex,
    orgs: dict[str, Organisation],
    la_by_name: dict[str, LocalAuthority],
    now: datetime,
) -> None:
    """Post ``count`` open needs, unless demo needs are there already (then nothing changes)."""
    if Need.objects.filter(summary__startswith=DEMO_MARK).exists():
        return
    org_for_la = organisation_for_authority()
    coordinators = {r.organisation_id: r.user for r in StaffRole.objects.filter(role="coordinator")}
    for i in range(count):
        centre = centre_pick(rng)
        lat, lon = point_jitter(rng, centre, 1.0)
        pc = postcodes.nearest(lat, lon)
        category, summary, urgency, needs_dbs, needs_car = NEED_TEMPLATES[i % len(NEED_TEMPLATES)]
        org = orgs[org_for_la[centre.local_authority]]
        # Drawn in this order (name, house, start, length) so that a seed keeps giving the same needs.
        requester_name = f"{name_pick(rng)} (demo)"
        house = rng.randint(1, 200)
        # Spread over the coming fortnight, so that a demo opened again next week still has open
        # needs (a need expires when its window ends).
        window_start = now + timedelta(hours=rng.randint(1, 24 * 14))
        window_end = window_start + timedelta(hours=rng.choice([2, 4, 8]))
        need = Need(
            category=category,
            summary=f"{DEMO_MARK} {summary}",
            details="Ring the bell twice; the side gate is open. (Synthetic.)",
            requester_name=requester_name,
            requester_phone=demo_phone(90000 + i),
            requester_address=f"{house} Example Road, {centre.name}",
            postcode=pc.postcode,
            local_authority=la_by_name[centre.local_authority],
            urgency=urgency,
            requires_dbs=DBSLevel.BASIC if needs_dbs else DBSLevel.NONE,
            needs_car=needs_car,
            skills=list(CATEGORY_SKILLS.get(category, [])),  # what the posting form suggests
            organisation=org,
            posted_by=coordinators.get(org.id),
            window_start=window_start,
            window_end=window_end,
        )
        need.set_location(pc.latitude, pc.longitude)  # at the real postcode
        need.save()

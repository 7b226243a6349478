"""The matcher's statement (needs.matching.nearest): its distance bound holds anywhere in the UK, and
with every rule applied in the database it finds exactly who a full scan in Python finds."""

import math
import random
from datetime import timedelta

import pytest
from django.utils import timezone

from needs.matching import candidates
from needs.matching.candidates import candidates_find, need_spec
from needs.matching.nearest import KM_PER_DEG, slack
from needs.matching.ranking import VolunteerRow, consent_reason, exclusion_reason
from needs.models import Need
from tests.factories import BIRMINGHAM, NeedFactory, OfferFactory, OptOutFactory, VolunteerFactory
from volunteers.geography import haversine_km
from volunteers.models import Volunteer

LAT, LON = BIRMINGHAM


def test_the_flat_distance_is_within_its_slack_of_the_haversine_anywhere_in_the_uk():
    rng = random.Random(3)
    for _ in range(20000):
        lat0, lon0 = rng.uniform(49.8, 60.95), rng.uniform(-8.7, 1.8)
        d, bearing = rng.uniform(0.001, 27), rng.uniform(0, 2 * math.pi)
        lat = lat0 + d * math.cos(bearing) / 111.2
        lon = lon0 + d * math.sin(bearing) / (111.2 * math.cos(math.radians(lat0)))
        true = haversine_km(lat0, lon0, lat, lon)
        flat = math.hypot((lat - lat0) * KM_PER_DEG, (lon - lon0) * KM_PER_DEG * math.cos(math.radians(lat0)))
        assert true / slack(true) <= flat <= true * slack(true)


def _eligible(
    need: Need, v: Volunteer, *, opted: set[str], offered: set[int], open_n: dict[int, int]
) -> bool:
    spec = need_spec(need)
    row = VolunteerRow(
        id=v.pk, latitude=v.latitude, longitude=v.longitude, max_travel_km=v.max_travel_km,
        dbs_level=v.dbs_level, dbs_expires_on=v.dbs_expires_on, has_car=v.has_car, languages=v.languages,
        availability=v.availability, max_open_assignments=v.max_open_assignments,
        open_assignments=open_n.get(v.pk, 0),
    )  # fmt: skip
    row.distance_km = haversine_km(spec.latitude, spec.longitude, v.latitude, v.longitude)
    return (
        v.status == "active"
        and v.phone_unreachable_at is None
        and v.phone not in opted
        and v.pk not in offered
        and consent_reason(spec, v.consent_at) is None
        and exclusion_reason(spec, row) is None
    )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(4))
def test_every_rule_in_the_database_finds_what_a_full_scan_finds(seed, monkeypatch):
    rng = random.Random(seed)
    now = timezone.now()
    people = []
    for _ in range(250):
        km, bearing = rng.uniform(0, 4) ** 1.5, rng.uniform(0, 2 * math.pi)
        people.append(
            VolunteerFactory(
                latitude=LAT + km * math.cos(bearing) / 111.2,
                longitude=LON + km * math.sin(bearing) / 68.0,
                status=rng.choice(["active"] * 8 + ["paused"]),
                max_travel_km=rng.choice([1, 3, 5, 10]),
                dbs_level=rng.choice(["none", "basic", "enhanced", "enhanced"]),
                has_car=rng.random() < 0.5,
                languages=rng.choice([["en"], ["en", "pa"], ["pa"], ["ur", "en"]]),
                consent_at=rng.choice([now - timedelta(days=10), now - timedelta(days=900), None]),
                max_open_assignments=rng.choice([1, 2]),
                phone_unreachable_at=now if rng.random() < 0.05 else None,
            )
        )
    need = NeedFactory(search_radius_km=8, requires_dbs=rng.choice(["none", "basic"]),
                       needs_car=rng.random() < 0.5, language=rng.choice(["", "pa"]))  # fmt: skip
    opted = {v.phone for v in rng.sample(people, 15)}
    for phone in opted:
        OptOutFactory(phone=phone)
    offered = {v.pk for v in rng.sample(people, 10)}
    for pk in offered:
        OfferFactory(need=need, volunteer_id=pk, status="declined", responded_at=now - timedelta(days=60))
    open_n: dict[int, int] = {}
    for v in rng.sample(people, 30):
        NeedFactory(status=Need.Status.ASSIGNED, assigned_volunteer=v)
        open_n[v.pk] = open_n.get(v.pk, 0) + 1
    people = list(Volunteer.objects.all())
    ok = [v for v in people if _eligible(need, v, opted=opted, offered=offered, open_n=open_n)]
    ok.sort(key=lambda v: (haversine_km(LAT, LON, v.latitude, v.longitude), v.pk))
    for start in (0, 3, 7):
        monkeypatch.setattr(candidates, "first_level", lambda spec, want, s=start: s)
        got = [c.volunteer_id for c in candidates_find(need=need, limit=10).candidates]
        assert got == [v.pk for v in ok[:10]]


def test_the_distance_people_see_is_the_wgs84_geodesic_to_the_millimetre():
    from geographiclib.geodesic import Geodesic

    from needs.matching.geodesic import geodesic_km

    rng = random.Random(5)
    for _ in range(5000):
        lat0, lon0 = rng.uniform(49.8, 60.95), rng.uniform(-8.7, 1.8)
        lat, lon = lat0 + rng.uniform(-0.3, 0.3), lon0 + rng.uniform(-0.5, 0.5)
        karney = Geodesic.WGS84.Inverse(lat0, lon0, lat, lon, Geodesic.DISTANCE)["s12"] / 1000
        assert abs(geodesic_km(lat0, lon0, lat, lon) - karney) < 1e-6
    assert geodesic_km(LAT, LON, LAT, LON) == 0.0

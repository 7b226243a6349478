"""Who may be offered a need: each rule, on its own, keeps out the right volunteer."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from needs.matching import candidates
from needs.matching.candidates import candidates_find, need_spec
from needs.matching.density import density_rebuild
from needs.matching.rings import start_level
from needs.models import Need, Offer
from tests.factories import BIRMINGHAM, NeedFactory, OfferFactory, OptOutFactory, VolunteerFactory
from volunteers.geography import cell_block, haversine_km
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
LAT, LON = BIRMINGHAM


def north(km: float) -> tuple[float, float]:
    return LAT + km / 111.32, LON


def vol(km: float = 0.3, **kwargs) -> Volunteer:
    lat, lon = north(km)
    return VolunteerFactory(latitude=lat, longitude=lon, **kwargs)


def found(need: Need, limit: int = 10) -> set[int]:
    return {c.volunteer_id for c in candidates_find(need=need, limit=limit).candidates}


def test_an_ordinary_nearby_volunteer_is_a_candidate():
    v = vol()
    assert found(NeedFactory()) == {v.pk}


@pytest.mark.parametrize("status", ["paused", "dormant", "opted_out"])
def test_only_active_volunteers(status):
    keep, drop = vol(), vol(status=status)
    assert found(NeedFactory()) == {keep.pk}
    assert drop.pk not in found(NeedFactory())


def test_a_number_in_the_opt_out_list_is_never_offered_even_if_the_volunteer_looks_active():
    keep, drop = vol(), vol()
    OptOutFactory(phone=drop.phone)
    assert found(NeedFactory()) == {keep.pk}


def test_an_unreachable_phone_is_left_out():
    keep, _drop = vol(), vol(phone_unreachable_at=timezone.now())
    assert found(NeedFactory()) == {keep.pk}


def test_beyond_the_needs_radius_is_left_out():
    keep, _far = vol(1.0, max_travel_km=20), vol(6.0, max_travel_km=20)
    assert found(NeedFactory(search_radius_km=5)) == {keep.pk}


def test_beyond_the_volunteers_own_travel_distance_is_left_out():
    keep, _homebody = vol(1.0, max_travel_km=3), vol(2.0, max_travel_km=1.5)
    assert found(NeedFactory(search_radius_km=5)) == {keep.pk}


def test_dbs_level_must_be_at_least_the_one_required():
    enhanced = vol(dbs_level="enhanced")
    standard = vol(dbs_level="standard")
    _basic, _none = vol(dbs_level="basic"), vol()
    assert found(NeedFactory(requires_dbs="standard")) == {enhanced.pk, standard.pk}


def test_dbs_check_must_be_valid_on_the_needs_date():
    day = timezone.now() + timedelta(days=10)
    valid = vol(dbs_level="enhanced", dbs_expires_on=(day + timedelta(days=1)).date())
    _lapses_before = vol(dbs_level="enhanced", dbs_expires_on=(day - timedelta(days=2)).date())
    need = NeedFactory(requires_dbs="basic", window_start=day, window_end=day + timedelta(hours=2))
    assert found(need) == {valid.pk}


def test_an_expired_dbs_check_does_not_count_for_a_need_today():
    _expired = vol(dbs_level="enhanced", dbs_expires_on=date(2020, 1, 1))
    assert found(NeedFactory(requires_dbs="basic")) == set()


def test_a_car_when_the_need_needs_one():
    driver, _walker = vol(has_car=True), vol(has_car=False)
    assert found(NeedFactory(needs_car=True)) == {driver.pk}


def test_the_language_when_one_is_set():
    punjabi, _english = vol(languages=["en", "pa"]), vol(languages=["en"])
    assert found(NeedFactory(language="pa")) == {punjabi.pk}


def test_availability_in_the_needs_window_in_london_time():
    # Monday 2 June 2025, 10:00-12:00 London (09:00-11:00 UTC, British Summer Time).
    start = datetime(2025, 6, 2, 10, 0, tzinfo=LONDON)
    mornings = vol(availability={"mon": [["09:00", "11:00"]]})
    _evenings = vol(availability={"mon": [["18:00", "21:00"]]})
    _weekends = vol(availability={"sat": [["09:00", "17:00"]]})
    anytime = vol(availability={})
    need = NeedFactory(window_start=start, window_end=start + timedelta(hours=2))
    assert found(need) == {mornings.pk, anytime.pk}


def test_the_workload_cap_counts_open_assignments():
    busy, free = vol(max_open_assignments=1), vol(max_open_assignments=2)
    NeedFactory(status=Need.Status.ASSIGNED, assigned_volunteer=busy)
    NeedFactory(status=Need.Status.ASSIGNED, assigned_volunteer=free)
    NeedFactory(status=Need.Status.DONE, assigned_volunteer=free)  # done work does not count
    assert found(NeedFactory()) == {free.pk}


def test_nobody_is_offered_the_same_need_twice():
    asked, fresh = vol(), vol()
    need = NeedFactory()
    OfferFactory(need=need, volunteer=asked, status=Offer.Status.DECLINED)
    assert found(need) == {fresh.pk}


def test_a_volunteer_with_no_location_is_never_matched():
    VolunteerFactory(latitude=None, longitude=None)
    assert found(NeedFactory()) == set()


# --- rings ------------------------------------------------------------------------------------
def test_the_start_level_follows_density():
    sides = (0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6)
    # Central Birmingham at a million volunteers: ~40,000 in the 4.8 km block -> the smallest ring.
    assert start_level(block_counts={3: 40_000, 6: 900_000}, sides_km=sides, want=10, radius_km=25.6) == 0
    # A thin rural block of a few dozen: start a few levels up instead of climbing through them.
    assert start_level(block_counts={3: 60, 6: 2000}, sides_km=sides, want=10, radius_km=25.6) == 3
    # Nobody near in either map: straight to the ring that covers the need's radius.
    assert start_level(block_counts={}, sides_km=sides, want=10, radius_km=5) == 5


@pytest.mark.parametrize("start", range(8))
def test_the_answer_is_the_same_whatever_level_the_climb_starts_at(monkeypatch, start):
    """The density map only picks where to start: a stale or wrong one never changes the answer."""
    import random

    rng = random.Random(11)
    for _ in range(60):
        vol(rng.uniform(0, 3), max_travel_km=10)
    for _ in range(20):
        vol(rng.uniform(0, 0.3), max_travel_km=10)
    need = NeedFactory(search_radius_km=5)
    expected = [c.volunteer_id for c in candidates_find(need=need, limit=10).candidates]
    monkeypatch.setattr(candidates, "first_level", lambda spec, want: start)
    got = candidates_find(need=need, limit=10)
    assert [c.volunteer_id for c in got.candidates] == expected
    assert len(expected) == 10


def test_a_dense_centre_stops_at_a_small_ring_once_the_map_shows_it_dense(monkeypatch):
    for i in range(40):
        vol(0.01 + i * 0.004)  # 40 people within 0.17 km
    monkeypatch.setattr(candidates, "density_map", lambda spec: {3: {}, 6: {}})
    # An empty map (nobody known) starts at the radius and still finds the nearest three.
    assert [c.rank for c in candidates_find(need=NeedFactory(), limit=3).candidates] == [1, 2, 3]
    block3 = cell_block(LAT, LON, 3)
    monkeypatch.setattr(candidates, "density_map", lambda spec: {3: {block3[4]: 50_000}, 6: {}})
    result = candidates_find(need=NeedFactory(), limit=3)
    assert len(result.candidates) == 3
    assert result.level == 0 and result.searched_km == pytest.approx(0.2)


def test_sparse_edge_widens_until_it_finds_people_or_reaches_the_radius():
    far1, far2 = vol(3.5, max_travel_km=10), vol(4.2, max_travel_km=10)
    result = candidates_find(need=NeedFactory(search_radius_km=8), limit=3)
    assert {c.volunteer_id for c in result.candidates} == {far1.pk, far2.pk}
    assert result.searched_km == pytest.approx(8)  # went all the way out, found only two


def test_the_answer_matches_a_full_scan():
    import random

    rng = random.Random(7)
    for _ in range(150):
        vol(rng.uniform(0, 4), max_travel_km=10)
    need = NeedFactory(search_radius_km=5)
    got = [c.volunteer_id for c in candidates_find(need=need, limit=10).candidates]
    everyone = sorted(Volunteer.objects.all(), key=lambda v: abs(v.latitude - LAT))
    assert set(got) == {v.pk for v in everyone[:10]}


def test_opted_out_and_busy_neighbours_make_the_search_look_further():
    """The rules read from other tables are checked on the nearest rows, then the ring widens."""
    near = [vol(0.05 + i * 0.01) for i in range(3)]
    for v in near:
        OptOutFactory(phone=v.phone)
    further = vol(1.2)
    assert found(NeedFactory(), limit=1) == {further.pk}


def _statements(need, limit=3):
    with CaptureQueriesContext(connection) as ctx:
        result = candidates_find(need=need, limit=limit)
    return result, len(ctx)


def test_one_statement_per_match_whatever_the_number_of_volunteers():
    for i in range(30):
        vol(0.05 + i * 0.002)
    need = NeedFactory()
    density_rebuild(need_spec(need))  # what the background task does after a deployment
    result, n = _statements(need)
    assert (len(result.candidates), n) == (3, 1)
    lonely = NeedFactory(latitude=52.60, longitude=-1.50, search_radius_km=25.6)
    result, n = _statements(lonely)  # nobody on the map: one wide ring, nobody in it
    assert (result.candidates, n) == ([], 1)
    for i in range(2000):  # many more people, still one statement near the centre
        vol(0.05 + i * 0.00005)
    density_rebuild(need_spec(need))
    result, n = _statements(need)
    assert (len(result.candidates), n) == (3, 1)


def test_a_skill_the_need_asks_for_is_required_with_every_other_rule():
    driver = vol(skills=["driving", "shopping"], has_car=True)
    _no_car = vol(skills=["driving"], has_car=False)
    _no_skill = vol(skills=["shopping"], has_car=True)
    assert found(NeedFactory(needs_car=True, skills=["driving"])) == {driver.pk}


@pytest.mark.parametrize("seed", range(6))
def test_the_rules_agree_with_a_brute_force_check_of_every_volunteer(seed):
    """Every rule written out again by hand, applied to everyone: the matcher finds exactly those."""
    import random

    rng = random.Random(seed)
    skills = ["driving", "shopping", "befriending"]
    for _ in range(60):
        vol(
            rng.uniform(0, 6),
            max_travel_km=rng.choice([1, 3, 10]),
            dbs_level=rng.choice(["none", "basic", "enhanced"]),
            has_car=rng.random() < 0.5,
            languages=rng.choice([["en"], ["en", "pa"], ["pa"]]),
            skills=rng.sample(skills, rng.randint(0, 3)),
            status=rng.choice(["active", "active", "active", "paused"]),
        )
    need = NeedFactory(
        search_radius_km=5,
        requires_dbs=rng.choice(["none", "basic"]),
        needs_car=rng.random() < 0.3,
        language=rng.choice(["", "pa"]),
        skills=rng.sample(skills, rng.randint(0, 2)),
    )
    order = ["none", "basic", "standard", "enhanced"]

    def may(v: Volunteer) -> bool:
        km = haversine_km(LAT, LON, v.latitude, v.longitude)
        return (
            v.status == "active"
            and km <= min(need.search_radius_km, v.max_travel_km)
            and order.index(v.dbs_level) >= order.index(need.requires_dbs)
            and (v.has_car or not need.needs_car)
            and (not need.language or need.language in v.languages)
            and set(need.skills) <= set(v.skills)
        )

    expected = {v.pk for v in Volunteer.objects.all() if may(v)}
    assert found(need, limit=1000) == expected


def test_who_was_left_out_is_one_grouped_count_and_only_when_asked_for():
    for i in range(5):
        vol(0.05 + i * 0.01)
    for i in range(4):
        OptOutFactory(phone=vol(0.02 + i * 0.001).phone)
    need = NeedFactory()
    density_rebuild(need_spec(need))
    result, n = _statements(need)
    assert n == 1
    with CaptureQueriesContext(connection) as ctx:
        assert result.excluded == {"opted out": 4}
        assert result.excluded == {"opted out": 4}  # counted once
    assert len(ctx) == 1


def test_statements_stay_bounded_with_no_map_and_rows_the_database_cannot_judge():
    """No map yet (just deployed): the climb starts at the smallest ring. Rows SQL cannot judge
    (weekly hours) turned away by the dozen make it ask for more, a bounded number of times."""
    start = datetime(2025, 6, 2, 10, 0, tzinfo=LONDON)
    for i in range(300):
        vol(0.01 + i * 0.0005, availability={"sat": [["09:00", "17:00"]]})
    fits = [vol(0.2 + i * 0.001, availability={"mon": [["09:00", "11:00"]]}) for i in range(3)]
    need = NeedFactory(window_start=start, window_end=start + timedelta(hours=2), search_radius_km=5)
    result, n = _statements(need)
    assert {c.volunteer_id for c in result.candidates} == {v.pk for v in fits}
    assert 1 < n <= 3 * 8


def test_skills_are_judged_in_the_one_statement_and_counted_when_they_leave_people_out():
    drivers = [vol(0.05 + i * 0.01, skills=["driving", "shopping"]) for i in range(3)]
    for i in range(5):
        vol(0.02 + i * 0.001, skills=["shopping"])  # nearer, but cannot drive
    need = NeedFactory(skills=["driving"])
    density_rebuild(need_spec(need))
    result, n = _statements(need)
    assert {c.volunteer_id for c in result.candidates} == {v.pk for v in drivers} and n == 1
    assert result.excluded == {"does not have every skill the need asks for": 5}

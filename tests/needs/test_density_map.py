"""The start-level map is shared through the cache and built in the background: a match never
builds it, the first match after a restart reads it, and with no map the answer is the same."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from needs.matching import density
from needs.matching.candidates import candidates_find, first_level, need_spec
from tests.factories import BIRMINGHAM, NeedFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
LAT, LON = BIRMINGHAM


def test_the_first_match_asks_for_the_map_in_the_background_and_the_next_process_reads_it(
    settings, django_capture_on_commit_callbacks
):
    settings.SMS_TASKS_SYNC = True  # the task runs inline when the transaction commits
    far = [
        VolunteerFactory(latitude=LAT + (3 + i * 0.2) / 111.32, longitude=LON, max_travel_km=10)
        for i in range(3)
    ]
    need = NeedFactory(search_radius_km=10)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        CaptureQueriesContext(connection) as cold,
    ):
        found = candidates_find(need=need, limit=3)
    # No map yet: the climb starts at the smallest ring (one statement per level up to 3.2 km).
    assert [c.volunteer_id for c in found.candidates] == [v.pk for v in far]
    assert len(cold) == 6 and len(callbacks) == 1
    density._local.clear()  # another process, or this one after a restart: only the cache is shared
    spec = need_spec(need)
    assert first_level(spec, want=3) >= 4
    with CaptureQueriesContext(connection) as warm:
        again = candidates_find(need=need, limit=3)
    assert [c.volunteer_id for c in again.candidates] == [v.pk for v in far] and len(warm) == 1


def test_a_stale_map_is_used_while_a_new_one_is_built(settings, django_capture_on_commit_callbacks):
    settings.SMS_TASKS_SYNC = True
    settings.NEEDS_MATCHER_DENSITY_TTL_SECONDS = 0  # every map is stale at once
    VolunteerFactory(latitude=LAT, longitude=LON)
    spec = need_spec(NeedFactory())
    density.density_rebuild(spec)
    density._local.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert density.density_map(spec) is not None
        assert density.density_map(spec) is not None  # asked for once, not per match
    assert len(callbacks) == 1

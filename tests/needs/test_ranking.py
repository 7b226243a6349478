"""Ranking: distance first, then fewer recent tasks among near-equals, then reliability; explained."""

from datetime import timedelta

import pytest
from django.utils import timezone

from needs.matching.candidates import candidates_find
from needs.matching.ranking import VolunteerRow, candidates_rank, reliability_score
from needs.models import Offer
from tests.factories import BIRMINGHAM, NeedFactory, OfferFactory, VolunteerFactory


def row(i, km, recent=0, offers=0, accepted=0, completed=0):
    return VolunteerRow(
        id=i,
        latitude=0,
        longitude=0,
        distance_km=km,
        recent_tasks=recent,
        offers_made=offers,
        accepted=accepted,
        completed=completed,
    )


def test_distance_comes_first_across_bands():
    ranked = candidates_rank([row(1, 2.2), row(2, 0.3, recent=9), row(3, 1.1)])
    assert [c.volunteer_id for c in ranked] == [2, 3, 1]


def test_fewer_recent_tasks_wins_among_near_equals():
    ranked = candidates_rank([row(1, 1.05, recent=4), row(2, 1.35, recent=0)])
    assert [c.volunteer_id for c in ranked] == [2, 1]
    why = ranked[0].explanation
    assert why["rank"] == 1 and why["recent_tasks"] == 0
    assert "1.4 km away (distance band 1-1.5 km)" in why["summary"]
    assert "near-equals in the same band had 4" in why["summary"]


def test_reliability_breaks_the_remaining_ties():
    flaky = row(1, 0.2, offers=10, accepted=1, completed=0)
    steady = row(2, 0.3, offers=10, accepted=8, completed=8)
    ranked = candidates_rank([flaky, steady])
    assert [c.volunteer_id for c in ranked] == [2, 1]
    assert reliability_score(offers_made=0, accepted=0, completed=0) == 0.5
    assert "reliability" in ranked[0].explanation["summary"]


@pytest.mark.django_db
def test_history_from_the_database_shapes_the_order_and_the_explanation():
    lat, lon = BIRMINGHAM
    busy = VolunteerFactory(latitude=lat + 0.0090, longitude=lon)  # ~1.00 km
    rested = VolunteerFactory(latitude=lat + 0.0120, longitude=lon)  # ~1.34 km, same band
    for _ in range(3):
        OfferFactory(
            volunteer=busy,
            status=Offer.Status.ACCEPTED,
            responded_at=timezone.now() - timedelta(days=2),
        )
    result = candidates_find(need=NeedFactory(), limit=2)
    assert [c.volunteer_id for c in result.candidates] == [rested.pk, busy.pk]
    assert result.candidates[1].explanation["recent_tasks"] == 3
    assert result.candidates[0].distance_km == pytest.approx(1.34, abs=0.01)

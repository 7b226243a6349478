"""Offers follow the consent-age rule too (issue 14): a volunteer whose consent is unknown or older
than REACTIVATION_CONSENT_MAX_AGE_DAYS is never offered a need, and the coordinator is told why."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from needs.matching.candidates import candidates_find
from needs.services.offers import offers_make
from tests.factories import NeedFactory, VolunteerFactory
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
UNKNOWN = "consent unknown: they must re-consent before any offer"
TOO_OLD = "consent older than 24 months: they must renew it before any offer"


@pytest.fixture
def people():
    with time_machine.travel(NOW, tick=False):
        recent = VolunteerFactory(name="Rita Recent", consent_at=NOW - timedelta(days=30))
        unknown = VolunteerFactory(name="Uma Unknown")
        Volunteer.objects.filter(pk=unknown.pk).update(consent_at=None)
        # The case: two volunteers whose consent dates from February 2024.
        feb_a = VolunteerFactory(name="Fay February", consent_at=datetime(2024, 2, 10, tzinfo=UTC))
        feb_b = VolunteerFactory(name="Fred February", consent_at=datetime(2024, 2, 25, tzinfo=UTC))
    return recent, unknown, feb_a, feb_b


def test_unknown_and_old_consent_are_left_out_of_offers_and_counted(people, brum_aid):
    recent, *_ = people
    with time_machine.travel(NOW, tick=False):
        need = NeedFactory(organisation=brum_aid)
        result = candidates_find(need=need)
        assert [c.volunteer_id for c in result.candidates] == [recent.pk]
        assert result.excluded == {UNKNOWN: 1, TOO_OLD: 2}
        assert [o.volunteer_id for o in offers_make(need=need, count=5)] == [recent.pk]


def test_the_coordinator_sees_who_was_left_out_for_consent(people, brum_aid, client, coordinator):
    with time_machine.travel(NOW, tick=False):
        need = NeedFactory(organisation=brum_aid)
        client.force_login(coordinator)
        html = client.get(f"/needs/{need.pk}/").content.decode()
    assert "<li>2 agreed to be texted too long ago: they must renew it first</li>" in html
    assert "<li>1 has no consent to be texted on record: they must give it first</li>" in html


def test_consent_a_day_inside_the_limit_still_counts(brum_aid, settings):
    settings.REACTIVATION_CONSENT_MAX_AGE_DAYS = 730
    with time_machine.travel(NOW, tick=False):
        inside = VolunteerFactory(consent_at=NOW - timedelta(days=729))
        VolunteerFactory(consent_at=NOW - timedelta(days=731))
        assert [c.volunteer_id for c in candidates_find(need=NeedFactory()).candidates] == [inside.pk]

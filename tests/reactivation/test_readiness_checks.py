from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from messaging.models import OutboundMessage
from reactivation.models import ReadinessCheck
from reactivation.selectors.register import register_freshness
from reactivation.services.readiness import readiness_cycle
from reactivation.services.replies import reply_record
from tests.factories import OptOutFactory
from tests.reactivation.conftest import dormant, dormant_group
from volunteers.models import Membership

pytestmark = pytest.mark.django_db
T0 = timezone.now()


def at(days):
    return time_machine.travel(T0 + timedelta(days=days), tick=False)


@pytest.fixture
def group(db):
    organiser, deputy = dormant(2)
    return dormant_group(organiser=organiser, deputy=deputy, name="Handsworth Helpers")


def organiser_of(group):
    return group.memberships.get(role=Membership.Role.ORGANISER).volunteer


def test_the_organiser_is_asked_and_ready_verifies_the_contact(group):
    organiser = organiser_of(group)
    with at(0):
        assert readiness_cycle()["sent"] == 1
        assert readiness_cycle()["sent"] == 0  # safe to run twice
    (message,) = OutboundMessage.objects.all()
    assert message.to == organiser.phone and "still the contact for Handsworth Helpers" in message.body
    assert message.body.endswith("Reply STOP to opt out")
    with at(2):
        assert "stays on the register" in reply_record(phone=organiser.phone, ready=True)
    group.refresh_from_db()
    assert group.last_verified_at == T0 + timedelta(days=2) and group.missed_checks == 0
    with at(60):
        assert readiness_cycle()["sent"] == 0  # not due yet
    with at(95):
        assert readiness_cycle()["sent"] == 1  # every three months


def test_not_now_also_confirms_the_contact(group):
    with at(0):
        readiness_cycle()
    with at(1):
        assert "ask again in a few months" in reply_record(phone=organiser_of(group).phone, ready=False)
    group.refresh_from_db()
    assert group.last_verified_at is not None
    assert ReadinessCheck.objects.get().answer == "not_now"


def test_two_misses_make_the_contact_stale_and_the_deputy_is_asked_to_take_over(group):
    organiser = organiser_of(group)
    deputy = group.memberships.get(role=Membership.Role.DEPUTY).volunteer
    with at(0):
        readiness_cycle()
    with at(15):
        assert readiness_cycle()["missed"] == 1
    with at(92):
        assert readiness_cycle()["sent"] == 1
    with at(107):
        counts = readiness_cycle()
    assert counts["missed"] == 1 and counts["handovers"] == 1
    group.refresh_from_db()
    assert group.missed_checks == 2
    assert [f.freshness for f in register_freshness()] == ["stale"]
    handover = OutboundMessage.objects.get(to=deputy.phone)
    assert "would you take over as the contact" in handover.body

    with at(108):
        assert "You are now the contact for Handsworth Helpers" in reply_record(
            phone=deputy.phone, ready=True
        )
    assert organiser_of(group) == deputy
    assert group.memberships.get(volunteer=organiser).role == Membership.Role.MEMBER
    group.refresh_from_db()
    assert group.missed_checks == 0
    assert [f.freshness for f in register_freshness(now=T0 + timedelta(days=108))] == ["fresh"]


def test_an_organiser_who_opted_out_is_stale_at_once(group):
    organiser = organiser_of(group)
    with at(0):
        readiness_cycle()
    OptOutFactory(phone=organiser.phone)
    with at(15):
        counts = readiness_cycle()
    assert counts["stopped"] == 1 and counts["handovers"] == 1
    assert ReadinessCheck.objects.get(contact=organiser).answer == "stopped"


def test_freshness_is_never_for_a_group_nobody_verified(group):
    assert [(f.freshness, f.days_since_verified) for f in register_freshness()] == [("never", None)]

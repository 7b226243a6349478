"""The region's register health for the campaign managers of an infrastructure body: every dormant
group's contact freshness by local authority (a table and a chart each), and a readiness check to
send now, with the two-person rule above the campaigns' approval threshold."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from messaging.models import OutboundMessage
from reactivation.models import ReadinessCheck, ReadinessRound
from reactivation.selectors.register_health import register_health
from reactivation.services.readiness_rounds import readiness_round_approve, readiness_round_request
from tests.factories import (
    MembershipFactory,
    MutualAidGroupFactory,
    StaffRoleFactory,
    UserFactory,
    VolunteerFactory,
    local_authority,
)
from volunteers.models import AuditEvent, Membership, MutualAidGroup, StaffRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_infrastructure_manager(infrastructure):
    return StaffRoleFactory(
        user=UserFactory(username="ivo"), organisation=infrastructure, role=StaffRole.Role.CAMPAIGN_MANAGER
    ).user


def group(name, *, la="Birmingham", verified_days_ago=None, missed=0, organiser=True):
    g = MutualAidGroupFactory(
        name=name,
        status=MutualAidGroup.Status.DORMANT,
        local_authority=local_authority(la),
        last_verified_at=timezone.now() - timedelta(days=verified_days_ago)
        if verified_days_ago is not None
        else None,
        missed_checks=missed,
    )
    if organiser:
        MembershipFactory(
            group=g, volunteer=VolunteerFactory(name=f"Organiser of {name}"), role=Membership.Role.ORGANISER
        )
    return g


@pytest.fixture
def register():
    return {
        "fresh": group("Aston Fresh", verified_days_ago=10),
        "due": group("Balsall Due", verified_days_ago=400),
        "never": group("Castle Vale Never"),
        "stale": group("Digbeth Stale", verified_days_ago=500, missed=2),
        "coventry": group("Earlsdon Due", la="Coventry", verified_days_ago=400),
        "sandwell": group("Oldbury Due", la="Sandwell", verified_days_ago=400),  # not covered
    }


def test_freshness_of_every_dormant_group_by_local_authority(infrastructure, register):
    birmingham, coventry = register_health(organisation=infrastructure)
    assert birmingham.local_authority.name == "Birmingham" and coventry.local_authority.name == "Coventry"
    assert dict(birmingham.counts) == {"fresh": 1, "due": 1, "never": 1, "stale": 1}
    assert [b["percent"] for b in birmingham.bars] == [25, 25, 25, 25]
    assert [g.group.name for g in birmingham.askable] == ["Balsall Due", "Castle Vale Never"]
    assert [r["name"] for r in coventry.rows] == ["Earlsdon Due"]


def test_the_page_shows_a_table_and_a_chart_per_authority(client, infrastructure_staff, register):
    client.force_login(infrastructure_staff)
    page = client.get("/campaigns/register/").content.decode()
    assert (
        "How fresh the contacts are in Birmingham" in page
        and "How fresh the contacts are in Coventry" in page
    )
    assert "Balsall Due" in page and "Earlsdon Due" in page and "Oldbury Due" not in page
    assert "Send a readiness check now to 2 groups in Birmingham" in page
    assert "Organiser of" not in page  # group names and counts only


def test_only_campaign_managers_of_an_infrastructure_body_see_it(
    client, manager, coordinator, infrastructure
):
    for person in (manager, coordinator):  # Brum Aid is not an infrastructure body
        client.force_login(person)
        assert client.get("/campaigns/register/").status_code == 403


def test_a_readiness_check_sent_now_asks_the_due_and_never_confirmed_groups_once(
    infrastructure, infrastructure_staff, register
):
    birmingham = local_authority("Birmingham")
    round_ = readiness_round_request(
        user=infrastructure_staff, organisation=infrastructure, local_authority_id=birmingham.pk
    )
    assert round_.status == ReadinessRound.Status.SENT and round_.sent_count == 2
    asked = set(ReadinessCheck.objects.values_list("group__name", flat=True))
    assert asked == {"Balsall Due", "Castle Vale Never"}
    body = OutboundMessage.objects.get(to=register["due"].memberships.get().volunteer.phone).body
    assert body.startswith("West Midlands Infrastructure: are you still the contact for Balsall Due?")
    # Asked again at once: those groups already have a check waiting, so nothing more goes.
    with pytest.raises(ValidationError, match="No dormant group in Birmingham is due a check"):
        readiness_round_request(
            user=infrastructure_staff, organisation=infrastructure, local_authority_id=birmingham.pk
        )
    assert OutboundMessage.objects.count() == 2
    assert AuditEvent.objects.filter(action="readiness_round.sent").count() == 1


def test_above_the_threshold_a_second_campaign_manager_approves(
    infrastructure, infrastructure_staff, second_infrastructure_manager, register, settings
):
    settings.REACTIVATION_APPROVAL_RECIPIENTS = 1
    birmingham = local_authority("Birmingham")
    round_ = readiness_round_request(
        user=infrastructure_staff, organisation=infrastructure, local_authority_id=birmingham.pk
    )
    assert round_.status == ReadinessRound.Status.AWAITING_APPROVAL
    assert not OutboundMessage.objects.exists()
    with pytest.raises(PermissionDenied):
        readiness_round_approve(user=infrastructure_staff, round_=round_)  # not one's own
    round_ = readiness_round_approve(user=second_infrastructure_manager, round_=round_)
    assert round_.status == ReadinessRound.Status.SENT and round_.sent_count == 2
    assert round_.approved_by == second_infrastructure_manager
    with pytest.raises(ValidationError):
        readiness_round_approve(user=second_infrastructure_manager, round_=round_)  # sent once only
    assert OutboundMessage.objects.count() == 2


def test_a_campaign_manager_of_another_organisation_cannot_send_them(manager, infrastructure, register):
    with pytest.raises(PermissionDenied):
        readiness_round_request(
            user=manager, organisation=infrastructure, local_authority_id=local_authority("Birmingham").pk
        )
    assert not OutboundMessage.objects.exists()


def test_the_page_sends_them_and_says_so(client, infrastructure_staff, infrastructure, register):
    client.force_login(infrastructure_staff)
    response = client.post(
        "/campaigns/register/checks/",
        {"organisation": infrastructure.slug, "local_authority": local_authority("Coventry").pk},
        follow=True,
    )
    assert "Sent: 1 readiness check to the groups of Coventry." in response.content.decode()
    assert ReadinessCheck.objects.get().group == register["coventry"]

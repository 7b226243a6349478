"""The permission rules, as sentences about named people (see tests/conftest.py for who they are)."""

from __future__ import annotations

import pytest

from needs.models import Need
from needs.permissions import (
    can_manage_need,
    can_post_need_for,
    can_see_need,
    can_see_requester,
    requester_read_record,
)
from reactivation.permissions import can_start_campaign_in, local_authorities_in_area
from tests.factories import (
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    StaffRoleFactory,
    UserFactory,
    VolunteerFactory,
    local_authority,
)
from volunteers.models import AuditEvent, StaffRole
from volunteers.permissions import can_change_anything, can_see_volunteer_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaigner(brum_aid):
    """A campaign manager of Brum Aid, which covers Birmingham only."""
    return StaffRoleFactory(
        user=UserFactory(username="cam"), organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER
    ).user


@pytest.fixture
def brum_need(brum_aid):
    return NeedFactory(organisation=brum_aid)


def test_a_coordinator_manages_the_needs_of_their_own_organisation(coordinator, brum_need):
    assert can_manage_need(user=coordinator, need=brum_need)
    assert can_post_need_for(user=coordinator, organisation=brum_need.organisation)


def test_a_coordinator_does_not_manage_or_see_another_organisations_needs(other_coordinator, brum_need):
    assert not can_manage_need(user=other_coordinator, need=brum_need)
    assert not can_see_need(user=other_coordinator, need=brum_need)
    assert not can_post_need_for(user=other_coordinator, organisation=brum_need.organisation)


def test_a_viewer_reads_only(viewer, brum_need):
    assert can_see_need(user=viewer, need=brum_need)
    assert not can_manage_need(user=viewer, need=brum_need)
    assert not can_post_need_for(user=viewer, organisation=brum_need.organisation)
    assert not can_change_anything(user=viewer)


def test_the_requester_is_seen_by_the_posting_coordinators_only(
    coordinator, other_coordinator, viewer, brum_need
):
    assert can_see_requester(user=coordinator, need=brum_need)
    assert not can_see_requester(user=other_coordinator, need=brum_need)
    assert not can_see_requester(user=viewer, need=brum_need)


def test_the_requester_is_seen_by_the_volunteer_who_accepted_and_no_other(volunteer, brum_need):
    someone_else = VolunteerFactory(name="Sam Someone")
    assert not can_see_requester(volunteer=volunteer, need=brum_need)
    brum_need.assigned_volunteer = volunteer
    brum_need.status = Need.Status.ASSIGNED
    brum_need.save()
    assert can_see_requester(volunteer=volunteer, need=brum_need)
    assert not can_see_requester(volunteer=someone_else, need=brum_need)


def test_an_erased_requester_is_seen_by_nobody(coordinator, brum_need):
    from django.utils import timezone

    brum_need.requester_erased_at = timezone.now()
    assert not can_see_requester(user=coordinator, need=brum_need)


def test_a_read_of_the_requester_is_written_to_the_audit_log(coordinator, brum_need):
    requester_read_record(need=brum_need, user=coordinator)
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_id) == (
        coordinator,
        "need.requester.read",
        str(brum_need.pk),
    )
    assert event.organisation == brum_need.organisation


def test_a_campaign_manager_starts_campaigns_only_within_the_areas_their_organisation_covers(
    campaigner, brum_aid
):
    birmingham, sandwell = local_authority("Birmingham"), local_authority("Sandwell")
    assert can_start_campaign_in(user=campaigner, organisation=brum_aid, local_authorities=[birmingham])
    assert not can_start_campaign_in(
        user=campaigner, organisation=brum_aid, local_authorities=[birmingham, sandwell]
    )


def test_a_coordinator_or_viewer_starts_no_campaign(coordinator, viewer, brum_aid):
    birmingham = local_authority("Birmingham")
    assert not can_start_campaign_in(user=coordinator, organisation=brum_aid, local_authorities=[birmingham])
    assert not can_start_campaign_in(user=viewer, organisation=brum_aid, local_authorities=[birmingham])


def test_a_campaign_manager_cannot_start_one_for_another_organisation(campaigner, coventry_together):
    coventry = local_authority("Coventry")
    assert not can_start_campaign_in(
        user=campaigner, organisation=coventry_together, local_authorities=[coventry]
    )


def test_a_circle_reaches_the_local_authorities_of_the_people_inside_it():
    VolunteerFactory(latitude=52.4796, longitude=-1.9026)  # Birmingham centre
    VolunteerFactory(latitude=52.5050, longitude=-1.9640, local_authority=local_authority("Sandwell"))
    near = local_authorities_in_area(area={"latitude": 52.4796, "longitude": -1.9026, "radius_km": 1})
    wide = local_authorities_in_area(area={"latitude": 52.4796, "longitude": -1.9026, "radius_km": 8})
    assert near == {local_authority("Birmingham").id}
    assert wide == {local_authority("Birmingham").id, local_authority("Sandwell").id}


def test_a_volunteers_phone_stays_within_the_organisations_of_their_groups(
    coordinator, other_coordinator, viewer, volunteer, brum_aid
):
    assert not can_see_volunteer_contact(user=coordinator, volunteer=volunteer)
    MembershipFactory(volunteer=volunteer, group=MutualAidGroupFactory(organisation=brum_aid))
    assert can_see_volunteer_contact(user=coordinator, volunteer=volunteer)
    assert not can_see_volunteer_contact(user=viewer, volunteer=volunteer)
    assert not can_see_volunteer_contact(user=other_coordinator, volunteer=volunteer)


def test_the_coordinators_of_a_need_a_volunteer_accepted_can_reach_them(
    other_coordinator, coventry_together, volunteer
):
    assert not can_see_volunteer_contact(user=other_coordinator, volunteer=volunteer)
    NeedFactory(organisation=coventry_together, assigned_volunteer=volunteer, status=Need.Status.ASSIGNED)
    assert can_see_volunteer_contact(user=other_coordinator, volunteer=volunteer)

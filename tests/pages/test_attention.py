"""What needs a coordinator's attention, on the home page and the needs page: each list shows the
coordinator's own organisations' rows, and another organisation's coordinator sees none of them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from needs.models import Need
from needs.selectors import NO_CANDIDATES_ACTION
from tests.factories import MembershipFactory, MutualAidGroupFactory, NeedFactory, VolunteerFactory
from volunteers.models import AuditEvent
from volunteers.phones import phone_display
from volunteers.services import audit_record

pytestmark = pytest.mark.django_db


def page(client, user, path="/"):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, section_id: str) -> str:
    """The HTML of one attention list (empty when the page does not show it)."""
    start = html.find(f'id="{section_id}"')
    if start == -1:
        return ""
    return html[start : html.find("</section>", start)]


@pytest.fixture
def newly_assigned(brum_aid):
    return NeedFactory(
        organisation=brum_aid,
        summary="Shopping for Mrs Patel",
        status=Need.Status.ASSIGNED,
        assigned_volunteer=VolunteerFactory(name="Asha Accepter"),
        assigned_at=timezone.now(),
    )


@pytest.mark.parametrize("path", ["/", "/needs/"])
def test_a_coordinator_sees_who_accepted_and_marks_it_seen(client, coordinator, newly_assigned, path):
    html = section(page(client, coordinator, path), "newly-assigned")
    assert "Shopping for Mrs Patel" in html and "Asha Accepter" in html
    assert "Seen" in html

    response = client.post(f"/needs/{newly_assigned.pk}/seen/", {"next": path})
    assert response.status_code == 302 and response["Location"] == path
    assert section(page(client, coordinator, path), "newly-assigned") == ""
    assert AuditEvent.objects.filter(action="need.assignment_seen", target_id=str(newly_assigned.pk)).exists()


def test_another_organisation_sees_no_newly_assigned_need_and_cannot_mark_it(
    client, other_coordinator, newly_assigned
):
    html = page(client, other_coordinator)
    assert "Asha Accepter" not in html and "Needs your attention" not in html
    assert client.post(f"/needs/{newly_assigned.pk}/seen/").status_code == 403
    newly_assigned.refresh_from_db()
    assert newly_assigned.assignment_seen_at is None


def test_a_viewer_is_not_asked_to_act(client, viewer, newly_assigned):
    assert "Needs your attention" not in page(client, viewer)
    assert client.post(f"/needs/{newly_assigned.pk}/seen/").status_code == 403


def test_an_unsafe_next_is_ignored(client, coordinator, newly_assigned):
    client.force_login(coordinator)
    response = client.post(f"/needs/{newly_assigned.pk}/seen/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/needs/{newly_assigned.pk}/"


def test_follow_ups_nobody_answered(client, coordinator, other_coordinator, brum_aid):
    now = timezone.now()
    NeedFactory(
        organisation=brum_aid,
        summary="Prescription from Boots",
        status=Need.Status.ASSIGNED,
        assigned_volunteer=VolunteerFactory(name="Quiet Quentin"),
        assigned_at=now - timedelta(days=3),
        assignment_seen_at=now - timedelta(days=3),
        followup_sent_at=now - timedelta(days=2),
        followup_alerted_at=now - timedelta(days=1),
    )
    html = section(page(client, coordinator), "followup-unanswered")
    assert "Prescription from Boots" in html and "Quiet Quentin" in html
    assert "Quiet Quentin" not in page(client, other_coordinator)


def test_needs_open_too_long_are_reconfirmed(client, coordinator, other_coordinator, brum_aid):
    need = NeedFactory(organisation=brum_aid, summary="Dog walking", status=Need.Status.OPEN)
    Need.objects.filter(pk=need.pk).update(created_at=timezone.now() - timedelta(days=3))
    fresh = NeedFactory(organisation=brum_aid, summary="Posted just now", status=Need.Status.OPEN)

    html = section(page(client, coordinator, "/needs/"), "to-reconfirm")
    assert "Dog walking" in html and fresh.summary not in html
    assert "Dog walking" not in section(page(client, other_coordinator, "/needs/"), "to-reconfirm")
    assert client.post(f"/needs/{need.pk}/reconfirm/").status_code == 403  # still the other coordinator

    client.force_login(coordinator)
    client.post(f"/needs/{need.pk}/reconfirm/", {"next": "/needs/"})
    assert "Dog walking" not in section(page(client, coordinator, "/needs/"), "to-reconfirm")
    need.refresh_from_db()
    assert need.reconfirmed_at is not None


def test_needs_nobody_within_reach_could_take(client, coordinator, other_coordinator, brum_aid):
    need = NeedFactory(organisation=brum_aid, summary="Lift to the hospital", status=Need.Status.OPEN)
    audit_record(actor=None, action=NO_CANDIDATES_ACTION, target=need, organisation=brum_aid)
    NeedFactory(organisation=brum_aid, summary="Plenty of people nearby", status=Need.Status.OPEN)

    html = section(page(client, coordinator), "without-candidates")
    assert "Lift to the hospital" in html and "Plenty of people nearby" not in html
    assert "Lift to the hospital" not in page(client, other_coordinator)


def test_volunteers_with_no_location_are_listed_for_follow_up(
    client, coordinator, other_coordinator, brum_aid
):
    group = MutualAidGroupFactory(organisation=brum_aid, name="Kings Heath Helpers")
    lost = VolunteerFactory(name="Nowhere Nell", latitude=None, longitude=None, postcode="")
    MembershipFactory(group=group, volunteer=lost)
    MembershipFactory(group=group, volunteer=VolunteerFactory(name="Located Luke"))

    html = section(page(client, coordinator), "cannot-be-matched")
    assert "Nowhere Nell" in html and "Kings Heath Helpers" in html and "Located Luke" not in html
    assert phone_display(lost.phone) in html
    read = AuditEvent.objects.get(action="volunteer.contact.read")
    assert read.detail["volunteer_ids"] == [lost.pk]
    assert "Nowhere Nell" not in page(client, other_coordinator)


def test_the_register_freshness_of_dormant_groups(client, coordinator, other_coordinator, viewer, brum_aid):
    now = timezone.now()
    MutualAidGroupFactory(organisation=brum_aid, status="dormant", name="Stale Street", missed_checks=2)
    MutualAidGroupFactory(organisation=brum_aid, status="dormant", name="Never Lane")
    MutualAidGroupFactory(
        organisation=brum_aid, status="dormant", name="Due Drive", last_verified_at=now - timedelta(days=200)
    )
    MutualAidGroupFactory(
        organisation=brum_aid, status="dormant", name="Fresh Fields", last_verified_at=now - timedelta(days=5)
    )
    MutualAidGroupFactory(organisation=brum_aid, status="active", name="Busy Buildings")

    html = section(page(client, coordinator), "register-freshness")
    rows = [name for name in ("Stale Street", "Never Lane", "Due Drive", "Fresh Fields") if name in html]
    assert rows == ["Stale Street", "Never Lane", "Due Drive", "Fresh Fields"]  # worst first
    assert "Busy Buildings" not in html
    assert "Stale: missed two checks" in html and "200 days ago" in html and "5 days ago" in html
    # Viewers of the organisation see it too (reading only); another organisation does not.
    assert "Stale Street" in section(page(client, viewer), "register-freshness")
    assert "Stale Street" not in page(client, other_coordinator)


def test_a_list_cut_short_says_so_and_links_to_every_open_need(client, coordinator, brum_aid):
    for i in range(21):
        need = NeedFactory(organisation=brum_aid, summary=f"Lift {i}", status=Need.Status.OPEN)
        audit_record(actor=None, action=NO_CANDIDATES_ACTION, target=need, organisation=brum_aid)
    html = section(page(client, coordinator), "without-candidates")
    assert "Nobody within reach could take these (21)" in html
    assert 'The first 20 of 21 are shown: <a href="/needs/">see every open need</a>.' in html

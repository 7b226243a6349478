"""Handing a need to another organisation that covers its place: only those are offered; the open
offers are withdrawn; the new organisation's coordinators see it and who asked, and are alerted;
the old organisation no longer sees the requester; audited on both sides."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from messaging.models import OutboundMessage
from needs.models import Need, Offer
from needs.permissions import can_see_requester
from needs.selectors import organisations_to_hand_to
from needs.services.editing import NeedNotEditable
from needs.services.handover import need_hand_over
from needs.services.offers import offers_make
from needs.services.posting import need_create
from operations.models import Alert
from tests.factories import (
    BIRMINGHAM,
    NeedFactory,
    StaffRoleFactory,
    UserFactory,
    VolunteerFactory,
    local_authority,
)
from volunteers.models import AuditEvent, Postcode

pytestmark = pytest.mark.django_db
LAT, LON = BIRMINGHAM


@pytest.fixture(autouse=True)
def daytime(settings):
    settings.SMS_QUIET_HOURS = None
    settings.SMS_TASKS_SYNC = True


@pytest.fixture(autouse=True)
def postcodes(db):
    Postcode.objects.create(
        postcode="B1 1AA", district="B1", latitude=LAT, longitude=LON, local_authority=local_authority()
    )


@pytest.fixture
def iris(infrastructure):
    """A coordinator of the infrastructure body, which covers Birmingham and Coventry."""
    return StaffRoleFactory(
        user=UserFactory(username="iris", email="iris@wm.example"), organisation=infrastructure
    ).user


def posted(organisation) -> Need:
    return need_create(
        organisation=organisation,
        posted_by=None,
        category="shopping",
        summary="A weekly shop",
        requester_name="Edna Example",
        requester_phone="07700 900001",
        address="1 Example Road",
        latitude=LAT,
        longitude=LON,
    )


def test_only_organisations_covering_the_place_are_offered(brum_aid, coventry_together, infrastructure):
    need = posted(brum_aid)
    assert need.local_authority.name == "Birmingham"
    assert list(organisations_to_hand_to(need=need)) == [infrastructure]


def test_handing_over_moves_the_need_and_who_may_see_the_requester(
    brum_aid, infrastructure, coordinator, iris, django_capture_on_commit_callbacks
):
    vols = [VolunteerFactory(latitude=LAT + 0.002 * (i + 1), longitude=LON) for i in range(2)]
    need = posted(brum_aid)
    offers = offers_make(need=need, count=2)
    OutboundMessage.objects.filter(purpose="offer").update(state=OutboundMessage.State.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        assert need_hand_over(need=need, to_organisation=infrastructure, actor=coordinator) == 2
    need.refresh_from_db()
    assert need.organisation == infrastructure and need.status == Need.Status.OPEN
    assert set(Offer.objects.values_list("status", flat=True)) == {"withdrawn"}
    for v in vols:
        told = OutboundMessage.objects.get(purpose="offer_withdrawn", to=v.phone)
        assert "moved to another group" in told.body
    assert can_see_requester(need=need, user=iris)
    assert not can_see_requester(need=need, user=coordinator)
    old, new = (
        AuditEvent.objects.get(action="need.handed_over"),
        AuditEvent.objects.get(action="need.received"),
    )
    assert (old.organisation, new.organisation) == (brum_aid, infrastructure)
    assert old.actor == new.actor == coordinator and old.detail["to"] == "wm-infrastructure"
    assert Alert.objects.get(kind="need_handed_over").organisation == infrastructure
    assert [m.to for m in mail.outbox] == [["iris@wm.example"]]
    assert "Edna" not in mail.outbox[0].body
    assert len(offers) == 2


def test_an_organisation_that_does_not_cover_the_place_is_refused(brum_aid, coventry_together, coordinator):
    need = posted(brum_aid)
    with pytest.raises(ValidationError):
        need_hand_over(need=need, to_organisation=coventry_together, actor=coordinator)
    need.refresh_from_db()
    assert need.organisation == brum_aid


def test_an_assigned_need_cannot_be_handed_over(brum_aid, infrastructure, coordinator):
    need = NeedFactory(
        organisation=brum_aid, status=Need.Status.ASSIGNED, local_authority=brum_aid.local_authorities.get()
    )
    with pytest.raises(NeedNotEditable):
        need_hand_over(need=need, to_organisation=infrastructure, actor=coordinator)


# --- the page ----------------------------------------------------------------------------------
def test_the_page_lists_only_covering_organisations_and_hands_over(
    client, brum_aid, coventry_together, infrastructure, coordinator, iris
):
    need = posted(brum_aid)
    client.force_login(coordinator)
    page = client.get(f"/needs/{need.pk}/hand-over/").content.decode()
    assert "West Midlands Infrastructure" in page and "Coventry Together" not in page
    response = client.post(f"/needs/{need.pk}/hand-over/", {"organisation": infrastructure.pk}, follow=True)
    assert f"Need {need.ref} is now with West Midlands Infrastructure" in response.content.decode()
    assert client.get(f"/needs/{need.pk}/").status_code == 404  # no longer theirs
    client.force_login(iris)
    detail = client.get(f"/needs/{need.pk}/").content.decode()
    assert "Edna Example" in detail  # the new organisation's coordinator sees who asked


def test_a_choice_not_offered_is_refused(client, brum_aid, coventry_together, infrastructure, coordinator):
    need = posted(brum_aid)
    client.force_login(coordinator)
    response = client.post(f"/needs/{need.pk}/hand-over/", {"organisation": coventry_together.pk})
    assert response.status_code == 200
    need.refresh_from_db()
    assert need.organisation == brum_aid


@pytest.mark.parametrize(("who", "expected"), [("viewer", 403), ("other_coordinator", 404), ("iris", 404)])
def test_only_the_posting_coordinators_hand_a_need_over(
    client, request, brum_aid, infrastructure, who, expected
):
    need = posted(brum_aid)
    client.force_login(request.getfixturevalue(who))
    assert (
        client.post(f"/needs/{need.pk}/hand-over/", {"organisation": infrastructure.pk}).status_code
        == expected
    )
    need.refresh_from_db()
    assert need.organisation == brum_aid


# --- the API -------------------------------------------------------------------------------------
def test_the_api_hands_a_need_over_by_slug(brum_aid, coventry_together, infrastructure, coordinator, viewer):
    from rest_framework.test import APIClient

    need = posted(brum_aid)
    api = APIClient()
    api.force_authenticate(viewer)
    assert (
        api.post(f"/api/v1/needs/{need.pk}/hand-over/", {"organisation": "wm-infrastructure"}).status_code
        == 403
    )
    api.force_authenticate(coordinator)
    refused = api.post(f"/api/v1/needs/{need.pk}/hand-over/", {"organisation": "coventry-together"})
    assert refused.status_code == 400
    done = api.post(f"/api/v1/needs/{need.pk}/hand-over/", {"organisation": "wm-infrastructure"})
    assert done.status_code == 200 and done.json()["organisation"] == "wm-infrastructure"

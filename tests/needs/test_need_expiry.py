"""A need's window: one already ended is refused at posting; an open need whose window ends
expires (offers withdrawn with no further text, its link says it has ended, its coordinators told)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.schedules import schedules_declared
from messaging.models import OutboundMessage
from needs.models import Need, Offer
from needs.services.expiry import needs_expire_due
from needs.services.offers import offers_make
from needs.services.posting import need_create
from operations.models import Alert
from tests.factories import BIRMINGHAM, NeedFactory, VolunteerFactory, local_authority, offer_path
from volunteers.models import AuditEvent, Postcode

pytestmark = pytest.mark.django_db
LAT, LON = BIRMINGHAM


@pytest.fixture(autouse=True)
def daytime(settings):
    settings.SMS_QUIET_HOURS = None
    settings.SMS_TASKS_SYNC = True


def people(n: int):
    return [VolunteerFactory(latitude=LAT + (i + 1) * 0.1 / 111.32, longitude=LON) for i in range(n)]


def post(organisation, **kwargs):
    return need_create(
        organisation=organisation,
        posted_by=None,
        category="shopping",
        summary="A weekly shop",
        requester_name="Edna Example",
        address="1 Example Road",
        latitude=LAT,
        longitude=LON,
        **kwargs,
    )


# --- at posting ------------------------------------------------------------------------------------
def test_a_window_that_has_already_ended_is_refused(brum_aid):
    ended = timezone.now() - timedelta(days=3)
    with pytest.raises(ValidationError) as caught:
        post(brum_aid, window_start=ended - timedelta(hours=2), window_end=ended)
    assert "already ended" in caught.value.message_dict["window_end"][0]
    assert not Need.objects.exists()


def test_a_window_still_to_come_is_posted(brum_aid):
    soon = timezone.now() + timedelta(hours=1)
    assert post(brum_aid, window_start=soon, window_end=soon + timedelta(hours=2)).pk


def test_the_posting_form_says_the_window_has_ended(client, coordinator, brum_aid):
    Postcode.objects.create(
        postcode="B1 1AA", district="B1", latitude=LAT, longitude=LON, local_authority=local_authority()
    )
    client.force_login(coordinator)
    ended = timezone.localtime() - timedelta(days=1)
    response = client.post(
        "/needs/new/",
        {
            "organisation": brum_aid.pk,
            "category": "shopping",
            "summary": "A weekly shop",
            "postcode": "B1 1AA",
            "urgency": "normal",
            "requires_dbs": "none",
            "window_start": (ended - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "window_end": ended.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "This window has already ended" in response.content.decode()
    assert not Need.objects.exists()


def test_the_api_refuses_a_window_that_has_ended(client, coordinator, brum_aid):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(coordinator)
    ended = timezone.now() - timedelta(hours=1)
    response = api.post(
        "/api/v1/needs/",
        {
            "category": "shopping",
            "summary": "A weekly shop",
            "latitude": LAT,
            "longitude": LON,
            "window_start": (ended - timedelta(hours=1)).isoformat(),
            "window_end": ended.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "already ended" in str(response.json()["error"]["fields"]["window_end"])


# --- at the end of the window ------------------------------------------------------------------------
def offered(brum_aid, n: int = 2) -> tuple[Need, list[Offer]]:
    people(n)
    start = timezone.now() + timedelta(minutes=30)
    need = post(brum_aid, window_start=start, window_end=start + timedelta(hours=1))
    offers = offers_make(need=need, count=n)
    # The texts left: the volunteers have them on their phones.
    OutboundMessage.objects.filter(purpose="offer").update(state=OutboundMessage.State.SENT)
    return need, offers


def test_an_offered_need_expires_when_its_window_ends(
    brum_aid, coordinator, django_capture_on_commit_callbacks
):
    coordinator.email = "cora@brum-aid.example"
    coordinator.save()
    need, _offers = offered(brum_aid)
    with time_machine.travel(need.window_end - timedelta(minutes=1)):
        assert needs_expire_due() == {"expired": 0}  # not yet
    with (
        time_machine.travel(need.window_end + timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert needs_expire_due() == {"expired": 1}
    need.refresh_from_db()
    assert need.status == Need.Status.EXPIRED and need.expired_at is not None
    assert {o.status for o in Offer.objects.filter(need=need)} == {Offer.Status.WITHDRAWN}
    # The volunteers get nothing more: no "withdrawn" text (their link says it has ended).
    assert not OutboundMessage.objects.filter(purpose="offer_withdrawn").exists()
    event = AuditEvent.objects.get(action="need.expired")
    assert event.organisation == brum_aid and event.detail["ref"] == need.ref
    alert = Alert.objects.get(kind="need_expired")
    assert alert.subject == f"Need {need.ref} ended before anyone took it"
    assert [m.to for m in mail.outbox] == [["cora@brum-aid.example"]]
    assert "Edna" not in mail.outbox[0].body and "Example Road" not in mail.outbox[0].body


def test_the_offer_link_says_the_request_has_ended(client, brum_aid):
    need, (offer, _) = offered(brum_aid)
    path = offer_path(offer)
    with time_machine.travel(need.window_end + timedelta(minutes=1)):
        needs_expire_due()
        response = client.get(path)
    assert response.status_code == 410
    assert "This request has ended: the time it was for has passed." in response.content.decode()
    assert need.summary not in response.content.decode()


def test_an_offer_text_still_waiting_is_taken_back(brum_aid, settings):
    need, _ = offered(brum_aid, 1)
    OutboundMessage.objects.filter(purpose="offer").update(state=OutboundMessage.State.QUEUED)
    with time_machine.travel(need.window_end + timedelta(minutes=1)):
        needs_expire_due()
    assert OutboundMessage.objects.get(purpose="offer").state == OutboundMessage.State.CANCELLED


def test_running_twice_expires_once_and_alerts_once(brum_aid):
    need, _ = offered(brum_aid)
    with time_machine.travel(need.window_end + timedelta(minutes=1)):
        assert needs_expire_due()["expired"] == 1
        assert needs_expire_due()["expired"] == 0
    assert AuditEvent.objects.filter(action="need.expired").count() == 1
    assert Alert.objects.filter(kind="need_expired").count() == 1


def test_an_assigned_need_or_one_with_no_window_does_not_expire(brum_aid):
    past = timezone.now() - timedelta(hours=1)
    assigned = NeedFactory(
        organisation=brum_aid,
        status=Need.Status.ASSIGNED,
        window_start=past - timedelta(hours=1),
        window_end=past,
    )
    timeless = NeedFactory(organisation=brum_aid)
    assert needs_expire_due() == {"expired": 0}
    assigned.refresh_from_db()
    timeless.refresh_from_db()
    assert (assigned.status, timeless.status) == (Need.Status.ASSIGNED, Need.Status.OPEN)


def test_a_need_whose_window_has_ended_is_not_offered_again(brum_aid):
    need, _ = offered(brum_aid, 1)
    people(3)
    with time_machine.travel(need.window_end + timedelta(minutes=1)):
        assert offers_make(need=need) == []
    assert Offer.objects.filter(need=need).count() == 1


def test_the_expiry_job_is_declared_every_minute():
    (job,) = [j for j in schedules_declared() if j.func == "needs.tasks.needs_expire_task"]
    assert job.period == timedelta(minutes=1)

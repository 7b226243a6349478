"""Subject access and erasure, end to end, and the scheduled erasure of requester details."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django_q.models import Schedule

from messaging.models import InboundMessage, OptOut, OutboundMessage
from messaging.privacy import phones_opted_out
from messaging.services import message_queue
from needs.models import Need, Offer
from operations.data_rights import (
    person_erase,
    requesters_erase_due,
    subject_access,
)
from operations.schedules import REQUESTER_ERASURE
from reactivation.models import CampaignRecipient
from tests.factories import (
    CampaignRecipientFactory,
    InboundMessageFactory,
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    OfferFactory,
    OutboundMessageFactory,
    VolunteerFactory,
)
from volunteers.models import AuditEvent, Membership, Volunteer

pytestmark = pytest.mark.django_db

PHONE = "+447700900777"


@pytest.fixture
def person(brum_aid):
    """Val: a volunteer of a Brum Aid group, who was offered a task, texted, and called by a
    campaign; and who once asked for help herself."""
    val = VolunteerFactory(name="Val Verity", phone=PHONE, skills=["shopping"], postcode="B23 6AB")
    group = MutualAidGroupFactory(name="Kingstanding Cares", organisation=brum_aid)
    MembershipFactory(volunteer=val, group=group, role="organiser")
    OfferFactory(volunteer=val, need=NeedFactory(organisation=brum_aid, summary="Prescription pick-up"))
    OutboundMessageFactory(to=PHONE, volunteer=val, body="Can you help? Reply YES 7KQ2", state="delivered")
    OutboundMessageFactory(to=PHONE, volunteer=val, body="A queued reminder", state="queued")
    InboundMessageFactory(from_number=PHONE, volunteer=val, body="yes please 7KQ2")
    CampaignRecipientFactory(volunteer=val, group=group, state="ready", reason="")
    NeedFactory(
        organisation=brum_aid,
        requester_name="Val Verity",
        requester_phone=PHONE,
        requester_address="3 Secret Lane, Birmingham",
        details="Key under the mat",
        status="done",
        done_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return val


def test_subject_access_gives_everything_about_a_number_in_one_document(person):
    out = io.StringIO()
    call_command("subject_access", "07700 900777", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["about"] == PHONE
    assert doc["volunteer"]["name"] == "Val Verity" and doc["volunteer"]["skills"] == ["shopping"]
    assert doc["volunteer"]["consent_text"].startswith("I agree")  # the consent record is part of it
    assert [m["group"] for m in doc["volunteer"]["memberships"]] == ["Kingstanding Cares"]
    assert [o["need_summary"] for o in doc["offers"]] == ["Prescription pick-up"]
    assert {m["body"] for m in doc["messages_sent_to_them"]} == {
        "Can you help? Reply YES 7KQ2",
        "A queued reminder",
    }
    assert [m["body"] for m in doc["messages_from_them"]] == ["yes please 7KQ2"]
    assert doc["opt_out"] is None
    assert [c["state"] for c in doc["campaigns"]] == ["ready"]
    assert [n["requester_address"] for n in doc["needs_as_requester"]] == ["3 Secret Lane, Birmingham"]
    event = AuditEvent.objects.get(action="data_rights.subject_access")
    assert event.target_id == str(person.id) and PHONE not in json.dumps(event.detail)


def test_erasure_removes_the_person_keeps_the_counts_and_the_number_is_never_texted_again(person):
    offers, campaign_rows = Offer.objects.count(), CampaignRecipient.objects.count()
    out = io.StringIO()
    call_command("erase_person", "07700900777", "--yes", stdout=out)
    assert "Erased" in out.getvalue()

    erased = Volunteer.objects.get(id=person.id)
    assert erased.name == "Erased volunteer" and erased.phone != PHONE and erased.erased_at is not None
    assert (erased.postcode, erased.latitude, erased.skills, erased.consent_text) == ("", None, [], "")
    assert erased.status == "erased"  # issue 14: its own state (it used to be "opted_out")
    assert not Membership.objects.filter(volunteer=erased).exists()
    # The counts stay true.
    assert Offer.objects.count() == offers and CampaignRecipient.objects.count() == campaign_rows
    assert OutboundMessage.objects.count() == 2 and InboundMessage.objects.count() == 1
    # Nothing readable remains in the texts, and the queued one will never go.
    assert not OutboundMessage.objects.filter(to=PHONE).exists()
    assert set(OutboundMessage.objects.values_list("body", flat=True)) == {"[erased]"}
    assert OutboundMessage.objects.filter(state="cancelled").count() == 1
    assert InboundMessage.objects.get().body == "[erased]"
    need = Need.objects.get(requester_erased_at__isnull=False)
    assert (need.requester_name, need.requester_phone, need.requester_address, need.details) == (
        "",
        "",
        "",
        "",
    )
    # Never messaged again, by any door; the block is kept as a keyed hash, not the number (issue 13).
    assert phones_opted_out([PHONE]) == {PHONE: "erasure"} and not OptOut.objects.filter(phone=PHONE).exists()
    assert message_queue(to=PHONE, body="Hello again", dedupe_key="after-erasure", purpose="test") is None
    # What remains about the number is only the opt-out.
    doc = subject_access(phone=PHONE)
    assert doc["volunteer"] is None and doc["needs_as_requester"] == []
    assert doc["messages_sent_to_them"] == [] and doc["messages_from_them"] == []
    assert doc["opt_out"]["source"] == "erasure"
    event = AuditEvent.objects.get(action="data_rights.erasure")
    assert event.target_id == str(person.id) and PHONE not in json.dumps(event.detail)


def test_erasing_twice_is_harmless(person):
    person_erase(phone=PHONE)
    second = person_erase(phone=PHONE)
    assert second["needs"] == 0 and "volunteers" not in second
    assert phones_opted_out([PHONE]) == {PHONE: "erasure"} and OptOut.objects.count() == 1


def test_an_erased_number_cannot_come_back_through_an_import(person, tmp_path):
    person_erase(phone=PHONE)
    path = tmp_path / "old-sheet.csv"
    path.write_text("name,phone,postcode\nVal Verity,07700 900777,B1 1AA\n")
    err = io.StringIO()
    call_command("import_volunteers", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 2: rejected: phone: this person asked for their data to be erased" in err.getvalue()
    assert not Volunteer.objects.filter(phone=PHONE).exists()


def test_a_requester_only_erasure_leaves_their_volunteer_record_and_texts_alone(person):
    call_command("erase_person", PHONE, "--requester", "--yes", stdout=io.StringIO())
    assert Need.objects.filter(requester_phone=PHONE).count() == 0
    person.refresh_from_db()
    assert person.name == "Val Verity" and person.erased_at is None
    assert OutboundMessage.objects.filter(to=PHONE).count() == 2
    assert not OptOut.objects.filter(phone=PHONE).exists()


def test_a_requester_who_is_not_a_volunteer_is_erased_and_blocked(brum_aid):
    need = NeedFactory(organisation=brum_aid, requester_phone="+447700900888", status="open")
    OutboundMessageFactory(to="+447700900888", body="We have found someone to help you")
    err = io.StringIO()
    call_command("erase_person", "07700 900888", "--requester", "--yes", stdout=io.StringIO(), stderr=err)
    need.refresh_from_db()
    assert need.requester_phone == "" and need.requester_name == ""
    assert need.ref in err.getvalue()  # still open: the coordinator is told to close it
    assert phones_opted_out(["+447700900888"]) == {"+447700900888": "erasure"}
    assert OutboundMessage.objects.get().body == "[erased]"


def test_the_erasure_schedule_exists_once_after_migrate():
    name, func = REQUESTER_ERASURE.name, REQUESTER_ERASURE.func
    assert list(Schedule.objects.filter(name=name).values_list("func", "schedule_type")) == [(func, "H")]
    call_command("erase_closed_requesters", "--ensure-schedule", stdout=io.StringIO())
    assert Schedule.objects.filter(name=name).count() == 1


def test_requester_details_are_erased_thirty_days_after_the_need_closes(brum_aid, volunteer):
    closed = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    with time_machine.travel(closed - timedelta(days=2), tick=False):
        need = NeedFactory(
            organisation=brum_aid,
            requester_name="Edna Example",
            requester_address="1 Example Road",
            postcode="B23 6AB",
            latitude=52.523612,
            longitude=-1.839644,
            dietary_notes="halal",
            assigned_volunteer=volunteer,
        )
        still_open = NeedFactory(organisation=brum_aid, requester_name="Still Open")
    Need.objects.filter(id=need.id).update(status="done", done_at=closed)

    with time_machine.travel(closed + timedelta(days=29), tick=False):
        assert requesters_erase_due() == 0
    need.refresh_from_db()
    assert need.requester_name == "Edna Example"

    with time_machine.travel(closed + timedelta(days=30, minutes=1), tick=False):
        assert requesters_erase_due() == 1
        assert requesters_erase_due() == 0  # safe to run twice
    need.refresh_from_db()
    assert (need.requester_name, need.requester_phone, need.requester_address) == ("", "", "")
    assert (need.details, need.dietary_notes, need.postcode) == ("", "", "B23")
    assert (need.latitude, need.longitude) == (52.52, -1.84)  # about a kilometre: counts by area still work
    assert need.cell_0 is not None and need.requester_erased_at is not None
    assert need.status == "done" and need.assigned_volunteer == volunteer  # the statistics stay
    still_open.refresh_from_db()
    assert still_open.requester_name == "Still Open"
    assert AuditEvent.objects.filter(action="data_rights.requester_erasure_scheduled").count() == 1


def test_the_erasure_delay_is_a_setting(settings, brum_aid):
    settings.REQUESTER_ERASURE_DAYS = 7
    need = NeedFactory(organisation=brum_aid)
    Need.objects.filter(id=need.id).update(status="cancelled", cancelled_at=datetime(2026, 3, 1, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 3, 8, 1, tzinfo=UTC), tick=False):
        assert requesters_erase_due() == 1


def test_admin_actions_export_subject_access_and_erase_after_confirmation(admin_client, person):
    url = "/admin/volunteers/volunteer/"
    response = admin_client.post(url, {"action": "export_subject_access", "_selected_action": [person.pk]})
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["volunteer"]["name"] == "Val Verity"

    response = admin_client.post(url, {"action": "erase", "_selected_action": [person.pk]})
    assert b"This cannot be undone" in response.content
    person.refresh_from_db()
    assert person.erased_at is None  # nothing happens before the confirmation

    response = admin_client.post(
        url, {"action": "erase", "_selected_action": [person.pk], "confirm": "erase"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.erased_at is not None and phones_opted_out([PHONE]) == {PHONE: "erasure"}
    actions = list(AuditEvent.objects.order_by("at").values_list("action", "actor__username"))
    assert ("data_rights.subject_access", "admin") in actions and ("data_rights.erasure", "admin") in actions


def test_the_scheduled_erasure_keeps_a_numbers_texts_while_another_need_still_holds_it(brum_aid):
    number = "+447700900901"
    old = NeedFactory(organisation=brum_aid, requester_phone=number, requester_name="Ada Lovelock")
    NeedFactory(organisation=brum_aid, requester_phone=number, requester_name="Ada Lovelock", status="open")
    InboundMessageFactory(from_number=number, body="Is anyone coming for the second one?")
    Need.objects.filter(id=old.id).update(status="done", done_at=datetime(2026, 1, 1, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        assert requesters_erase_due() == 1
    # The open need still needs the number and its texts; its own erasure will take them.
    assert InboundMessage.objects.get().from_number == number


def test_the_scheduled_erasure_leaves_a_volunteers_own_texts_and_number_alone(brum_aid):
    val = VolunteerFactory(phone="+447700900902", name="Val Verity")
    need = NeedFactory(organisation=brum_aid, requester_phone=val.phone, requester_name="Val Verity")
    OutboundMessageFactory(to=val.phone, volunteer=val, body="Can you help? Reply YES 7KQ2")
    Need.objects.filter(id=need.id).update(status="done", done_at=datetime(2026, 1, 1, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        assert requesters_erase_due() == 1
    assert OutboundMessage.objects.get().to == val.phone and not OptOut.objects.exists()


def test_expired_sessions_with_an_unfinished_sign_up_are_cleared_daily():
    from django.contrib.sessions.backends.db import SessionStore

    from operations.data_rights import sessions_clear_expired
    from operations.schedules import SESSIONS_CLEAR

    assert Schedule.objects.filter(name=SESSIONS_CLEAR.name, func=SESSIONS_CLEAR.func).count() == 1
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        stale = SessionStore()
        stale["join_pending"] = {"phone": PHONE, "details": {"name": "Val Verity"}}
        stale.create()
    live = SessionStore()
    live["join_pending"] = {"phone": "+447700900903"}
    live.create()
    sessions_clear_expired()
    assert not SessionStore().exists(stale.session_key) and SessionStore().exists(live.session_key)

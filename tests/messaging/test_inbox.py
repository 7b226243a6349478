"""An inbox per organisation: a text for a person reaches the organisations that know its sender,
each deals with its own copy, a number nobody knows goes to the regional desk that only an
infrastructure body's staff read, and every look and every answer is audited."""

from __future__ import annotations

import pytest

from messaging.models import InboxEntry, OutboundMessage
from tests.factories import (
    InboundMessageFactory,
    InboxEntryFactory,
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    OptOutFactory,
    VolunteerFactory,
)
from volunteers.models import AuditEvent

pytestmark = pytest.mark.django_db

FALLEN = "help my mum has fallen and cant get up. 5 Hidden Close CV1 2AB, door code 1234"


@pytest.fixture
def coventry_volunteer(coventry_together):
    """Cath, a volunteer in Coventry Together's group."""
    cath = VolunteerFactory(name="Cath Coventry", phone="+447700900321")
    group = MutualAidGroupFactory(name="Hillfields Helpers", organisation=coventry_together)
    MembershipFactory(volunteer=cath, group=group)
    return cath


@pytest.fixture
def brum_volunteer(brum_aid):
    """Bea, a volunteer in Brum Aid's group."""
    bea = VolunteerFactory(name="Bea Brum", phone="+447700900654")
    MembershipFactory(
        volunteer=bea, group=MutualAidGroupFactory(name="Sparkbrook Helpers", organisation=brum_aid)
    )
    return bea


def page_for(client, user) -> str:
    client.force_login(user)
    response = client.get("/inbox/")
    assert response.status_code == 200
    return response.content.decode()


def answer(client, user, entry, **data):
    """Post an answer as ``user``, follow back to the inbox, and return the notes shown there."""
    client.force_login(user)
    response = client.post(f"/inbox/{entry.pk}/reply/", data, follow=True)
    assert response.redirect_chain == [("/inbox/", 302)]
    notes = [str(m) for m in response.context["messages"]]
    assert all(note in response.content.decode() for note in notes)
    return notes


# --- who reads what ---------------------------------------------------------------------------------


def test_a_coventry_volunteers_cry_for_help_reaches_coventry_and_nobody_else(
    client, send_text, coventry_volunteer, coordinator, other_coordinator, viewer, infrastructure_staff
):
    text = send_text(FALLEN, phone=coventry_volunteer.phone)
    (entry,) = InboxEntry.objects.all()
    assert entry.message == text and entry.organisation.name == "Coventry Together"

    coventry = page_for(client, other_coordinator)
    assert "5 Hidden Close CV1 2AB, door code 1234" in coventry
    assert "Cath Coventry (volunteer)" in coventry
    assert "A volunteer in your group Hillfields Helpers." in coventry
    assert coventry_volunteer.phone not in coventry

    assert "Hidden Close" not in page_for(client, coordinator)  # Brum Aid's coordinator
    assert "Hidden Close" not in page_for(client, infrastructure_staff)  # not the desk's: Coventry knows her
    client.force_login(viewer)
    assert client.get("/inbox/").status_code == 403
    client.logout()
    assert client.get("/inbox/").status_code == 302  # anonymous: to the sign-in page


def test_another_organisations_coordinator_can_neither_reply_nor_resolve(
    client, send_text, coventry_volunteer, coordinator, other_coordinator
):
    send_text(FALLEN, phone=coventry_volunteer.phone)
    entry = InboxEntry.objects.get()
    client.force_login(coordinator)
    assert (
        client.post(f"/inbox/{entry.pk}/reply/", {"action": "reply", "body": "On our way"}).status_code == 404
    )
    assert client.post(f"/inbox/{entry.pk}/reply/", {"action": "resolve"}).status_code == 404
    entry.refresh_from_db()
    assert entry.resolved_at is None
    assert not OutboundMessage.objects.filter(purpose="inbox_reply").exists()
    assert "Hidden Close" in page_for(client, other_coordinator)  # still waiting for Coventry


def test_each_organisation_that_knows_the_sender_deals_with_its_own_copy(
    client, send_text, coventry_volunteer, brum_aid, coordinator, other_coordinator
):
    MembershipFactory(volunteer=coventry_volunteer, group=MutualAidGroupFactory(organisation=brum_aid))
    send_text(FALLEN, phone=coventry_volunteer.phone)
    brum, coventry = InboxEntry.objects.order_by("organisation__name")
    assert (brum.organisation.name, coventry.organisation.name) == ("Brum Aid", "Coventry Together")
    assert "Also sent to 1 other organisation that knows this number." in page_for(client, coordinator)

    assert answer(client, coordinator, brum, action="reply", body="Calling you now.") == [
        "Reply sent and the message is marked dealt with."
    ]
    assert "Hidden Close" in page_for(client, other_coordinator)  # Coventry's copy still waits
    assert answer(client, other_coordinator, coventry, action="reply", body="We are sending someone.") == [
        "Reply sent and the message is marked dealt with."
    ]
    bodies = sorted(OutboundMessage.objects.filter(purpose="inbox_reply").values_list("body", flat=True))
    assert bodies == ["Brum Aid: Calling you now.", "Coventry Together: We are sending someone."]


def test_a_number_nobody_knows_goes_to_the_regional_desk(
    client, send_text, coordinator, other_coordinator, infrastructure_staff
):
    text = send_text("is anyone there? my neighbour needs food", phone="+447700900777")
    (entry,) = InboxEntry.objects.all()
    assert entry.is_desk and entry.reasons == [
        "Nobody on the register knows this number.",
        "Possibly a request for help. It has no postcode in it, so nobody's area could be told.",
    ]
    for outsider in (coordinator, other_coordinator):
        assert "my neighbour needs food" not in page_for(client, outsider)
        client.force_login(outsider)
        assert client.post(f"/inbox/{entry.pk}/reply/", {"action": "resolve"}).status_code == 404

    desk = page_for(client, infrastructure_staff)
    assert "Regional desk" in desk and "my neighbour needs food" in desk
    assert answer(client, infrastructure_staff, entry, action="reply", body="Which area are you in?") == [
        "Reply sent and the message is marked dealt with."
    ]
    reply = OutboundMessage.objects.get(purpose="inbox_reply")
    assert (reply.to, reply.body) == (text.from_number, "Rekindle: Which area are you in?")
    event = AuditEvent.objects.get(action="inbox.reply")
    assert (event.actor, event.organisation, event.detail) == (
        infrastructure_staff,
        None,
        {"sent": True, "desk": True},
    )


def test_a_requester_who_texts_reaches_the_organisation_that_posted_their_need(
    client, send_text, brum_aid, coordinator, other_coordinator
):
    need = NeedFactory(organisation=brum_aid, requester_phone="+447700900888")
    send_text("when is someone coming? I am waiting", phone="+447700900888")
    (entry,) = InboxEntry.objects.all()
    assert entry.organisation == brum_aid
    assert entry.reasons == [f"The requester of your need {need.ref} (Shopping)."]
    assert "when is someone coming?" in page_for(client, coordinator)
    assert "when is someone coming?" not in page_for(client, other_coordinator)


# --- answering ---------------------------------------------------------------------------------


def needing_a_person(volunteer, body):
    return InboundMessageFactory(
        from_number=volunteer.phone,
        volunteer=volunteer,
        body=body,
        needs_attention=True,
        outcome="not_understood",
    )


@pytest.fixture
def waiting(brum_volunteer, brum_aid):
    return InboxEntryFactory(
        message=needing_a_person(brum_volunteer, "my mum has fallen"), organisation=brum_aid
    )


def test_a_coordinators_reply_is_sent_once_says_who_it_is_from_and_leaves_the_inbox(
    client, coordinator, waiting
):
    notes = answer(client, coordinator, waiting, action="reply", body="Calling you now.")
    assert notes == ["Reply sent and the message is marked dealt with."]
    assert list(OutboundMessage.objects.values_list("to", "body", "purpose")) == [
        (waiting.message.from_number, "Brum Aid: Calling you now.", "inbox_reply")
    ]
    waiting.refresh_from_db()
    assert waiting.resolved_by == coordinator and waiting.reply is not None
    event = AuditEvent.objects.get(action="inbox.reply")
    assert (event.detail, event.organisation.name) == ({"sent": True}, "Brum Aid")

    notes = answer(client, coordinator, waiting, action="reply", body="Calling you now.")
    assert notes == ["Someone has already dealt with that message."]
    assert OutboundMessage.objects.count() == 1


def test_marking_a_text_dealt_with_sends_nothing(client, coordinator, waiting):
    assert answer(client, coordinator, waiting, action="resolve") == ["Marked dealt with."]
    assert not OutboundMessage.objects.exists()
    waiting.refresh_from_db()
    assert waiting.resolved_at is not None
    assert AuditEvent.objects.get(action="inbox.resolve").detail == {"sent": False}


def test_no_reply_goes_to_a_number_that_opted_out(client, coordinator, waiting):
    OptOutFactory(phone=waiting.message.from_number)
    notes = answer(client, coordinator, waiting, action="reply", body="Calling you now.")
    assert notes == ["Marked dealt with. No reply was sent: that number has opted out (STOP)."]
    assert not OutboundMessage.objects.exists()


def test_an_empty_reply_is_refused_and_the_text_stays_waiting(client, coordinator, waiting):
    notes = answer(client, coordinator, waiting, action="reply", body="")
    assert notes == ["Please write a reply of up to 480 characters, or mark it dealt with."]
    waiting.refresh_from_db()
    assert waiting.resolved_at is None


def test_a_viewer_may_neither_read_nor_answer(client, viewer, waiting):
    client.force_login(viewer)
    assert client.get("/inbox/").status_code == 403
    assert client.post(f"/inbox/{waiting.pk}/reply/", {"action": "resolve"}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.resolved_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client, waiting):
    assert client.post(f"/inbox/{waiting.pk}/reply/", {"action": "resolve"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.resolved_at is None and not AuditEvent.objects.exists()


def test_the_inbox_shows_what_waits_and_who_dealt_with_the_rest_without_their_numbers(
    client, coordinator, waiting, brum_aid
):
    dealt = InboxEntryFactory(organisation=brum_aid, message=needing_a_person(VolunteerFactory(), "thanks!"))
    answer(client, coordinator, dealt, action="resolve")
    page = page_for(client, coordinator)
    assert "my mum has fallen" in page and "Waiting (1)" in page
    masked = "*" * 10 + dealt.message.from_number[-3:]
    assert "thanks!" in page and masked in page and "cora" in page
    assert dealt.message.from_number not in page


# --- the audit of every look -------------------------------------------------------------------


def test_every_look_at_the_inbox_records_which_texts_were_shown_to_whom(
    client, coordinator, infrastructure_staff, waiting, brum_aid
):
    desk = InboxEntryFactory(organisation=None)
    page_for(client, coordinator)
    (event,) = AuditEvent.objects.filter(action="inbox.read")
    assert (event.actor, event.organisation, event.detail) == (
        coordinator,
        brum_aid,
        {"messages": [waiting.message_id]},
    )
    page_for(client, infrastructure_staff)
    looks = AuditEvent.objects.filter(action="inbox.read", actor=infrastructure_staff)
    assert {(e.organisation_id, tuple(e.detail["messages"])) for e in looks} == {
        (infrastructure_staff.staff_roles.get().organisation_id, ()),
        (None, (desk.message_id,)),
    }


@pytest.mark.parametrize("texts", [1, 12])
def test_the_inbox_page_costs_the_same_queries_however_many_texts_wait(
    client, coordinator, infrastructure_staff, brum_aid, django_assert_num_queries, texts
):
    from messaging.models import InboundCall

    for i in range(texts):
        InboxEntryFactory(organisation=brum_aid, message__body=f"text {i}")
        InboxEntryFactory(organisation=None, message__body=f"desk {i}")
        # A call to the phone line too: shown with the texts, in the same queries.
        call = InboundCall.objects.create(call_sid=f"CA{i:032d}", from_number=f"+4477009001{i:02d}")
        InboxEntryFactory(organisation=brum_aid, message=None, call=call, possible_request=True)
    # Session, user, roles, infrastructure bodies, organisations, waiting, dealt with, one audit
    # line per inbox shown.
    for user, queries, waiting, calls in (
        (coordinator, 8, texts * 2, texts),
        (infrastructure_staff, 9, texts, 0),
    ):
        client.force_login(user)
        with django_assert_num_queries(queries):
            page = client.get("/inbox/").content.decode()
        assert f"Waiting ({waiting})" in page and page.count("A call from") == calls


def test_the_desk_is_not_shown_to_an_ordinary_coordinator(client, coordinator, infrastructure_staff):
    InboxEntryFactory(organisation=None, message__body="who is this")
    page = page_for(client, coordinator)
    assert "Regional desk" not in page and "who is this" not in page
    assert "who is this" in page_for(client, infrastructure_staff)

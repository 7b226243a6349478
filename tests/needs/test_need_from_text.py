"""Start a need from an inbox text (issue 15): the need form opens with the sender's phone and the
postcode in the text filled in, only for a text in an inbox the person reads, and the look at the
number is audited."""

from __future__ import annotations

import pytest

from needs.models import Need
from tests.factories import InboundMessageFactory, InboxEntryFactory
from volunteers.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(brum_aid):
    text = InboundMessageFactory(
        from_number="+447700900777", body="I need help with shopping, I live at b23 6sn"
    )
    return InboxEntryFactory(message=text, organisation=brum_aid, possible_request=True)


def test_the_form_opens_with_the_phone_and_postcode_of_the_text(client, coordinator, entry):
    client.force_login(coordinator)
    response = client.get(f"/needs/new/?from_text={entry.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["requester_phone"].value() == "07700 900777"
    assert form["postcode"].value() == "B23 6SN"
    page = response.content.decode()
    assert "Started from a text in your inbox" in page and "I need help with shopping" in page
    event = AuditEvent.objects.get(action="inbox.need_started")
    assert (event.actor, event.organisation, event.detail) == (
        coordinator,
        entry.organisation,
        {"entry_id": entry.pk},
    )


def test_only_those_who_read_that_inbox_may_start_from_it(client, other_coordinator, viewer, entry):
    client.force_login(other_coordinator)  # Coventry Together's: not their inbox
    response = client.get(f"/needs/new/?from_text={entry.pk}")
    assert response.status_code == 404 and b"900777" not in response.content
    assert client.get("/needs/new/?from_text=banana").status_code == 404
    client.force_login(viewer)  # a viewer posts no needs
    assert client.get(f"/needs/new/?from_text={entry.pk}").status_code == 403
    client.logout()
    assert client.get(f"/needs/new/?from_text={entry.pk}").status_code == 302  # to sign in
    assert not AuditEvent.objects.filter(action="inbox.need_started").exists()


FORM = {
    "category": "shopping",
    "summary": "Weekly shop",
    "postcode": "B1 1AA",
    "requester_phone": "07700 900777",
    "urgency": "normal",
    "requires_dbs": "none",
}


@pytest.fixture
def b1(db):
    from tests.factories import local_authority
    from volunteers.models import Postcode

    Postcode.objects.create(
        postcode="B1 1AA",
        district="B1",
        latitude=52.4796,
        longitude=-1.9026,
        local_authority=local_authority(),
    )


def test_posting_the_need_marks_the_text_dealt_with(client, coordinator, brum_aid, entry, b1):
    client.force_login(coordinator)
    response = client.post(
        f"/needs/new/?from_text={entry.pk}", {**FORM, "organisation": brum_aid.pk}, follow=True
    )
    need = Need.objects.get()
    assert (
        f"Need {need.ref} is posted. Choose who to ask below. The text it came from is marked dealt with."
        in (response.content.decode())
    )
    entry.refresh_from_db()
    assert entry.resolved_by == coordinator and entry.reply is None
    event = AuditEvent.objects.get(action="inbox.resolve")
    assert event.detail == {"sent": False, "need": need.ref}


def test_a_text_in_someone_elses_inbox_is_left_alone(client, other_coordinator, coventry_together, entry, b1):
    client.force_login(other_coordinator)
    response = client.post(
        f"/needs/new/?from_text={entry.pk}", {**FORM, "organisation": coventry_together.pk}, follow=True
    )
    assert "marked dealt with" not in response.content.decode()
    entry.refresh_from_db()
    assert entry.resolved_at is None and not AuditEvent.objects.filter(action="inbox.resolve").exists()

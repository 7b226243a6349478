"""Start a need from an inbox text (issue 15): the need form opens with the sender's phone and the
postcode in the text filled in, only for a text in an inbox the person reads, and the look at the
number is audited."""

from __future__ import annotations

import pytest

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

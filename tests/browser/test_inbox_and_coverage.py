"""An organisation's inbox of texts for a person, with a reply box; the coverage-gap map. axe on both."""

import pytest

from messaging.inbox import inbox_route
from messaging.models import InboundMessage, InboxEntry, OutboundMessage
from tests.browser.support import axe_check, login, screenshot
from tests.factories import (
    InboundMessageFactory,
    InboxEntryFactory,
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    VolunteerFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_replies_to_a_text_in_their_organisations_inbox(
    page, live_server, coordinator, brum_aid, coventry_together
):
    sender = VolunteerFactory(name="Harold Help")
    MembershipFactory(volunteer=sender, group=MutualAidGroupFactory(name="Aston Aid", organisation=brum_aid))
    message = InboundMessageFactory(
        from_number=sender.phone,
        volunteer=sender,
        body="help my mum has no food",
        needs_attention=True,
        outcome="not_understood",
    )
    inbox_route(message=message)
    # Another organisation's text in the same region: never on Brum Aid's page.
    InboxEntryFactory(organisation=coventry_together, message__body="Coventry: the door code is 1234")
    login(page, live_server, "cora")
    page.get_by_role("link", name="Inbox").click()
    assert page.get_by_role("heading", name="Brum Aid").is_visible()
    assert page.get_by_text("help my mum has no food").is_visible()
    assert page.get_by_text("A volunteer in your group Aston Aid.").is_visible()
    assert not page.get_by_text("the door code is 1234").count()
    assert not page.get_by_text("Regional desk").count()
    assert not page.get_by_text(sender.phone).count()  # the number is not shown
    axe_check(page)
    screenshot(page, "inbox")
    page.get_by_label("Your reply").fill("We are on it: a coordinator will call you within the hour.")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Reply sent and the message is marked dealt with.").wait_for()
    reply = OutboundMessage.objects.get(purpose="inbox_reply")
    assert reply.to == sender.phone and reply.body.startswith("Brum Aid: We are on it")
    entry = InboxEntry.objects.get(message=message)
    assert entry.resolved_by == coordinator
    assert page.get_by_text("Nothing waiting.").is_visible()


def test_the_coverage_map_lists_the_gaps(page, live_server, coordinator, brum_aid):
    for i in range(3):
        NeedFactory(organisation=brum_aid, latitude=52.45 + i / 1000, longitude=-1.95)
    MutualAidGroupFactory(
        name="Selly Oak Helpers", status="dormant", latitude=52.451, longitude=-1.949, radius_km=3
    )
    login(page, live_server, "cora")
    page.get_by_role("link", name="Coverage").click()
    page.wait_for_selector("#coverage-map[data-ready]")
    assert page.get_by_role("cell", name="Selly Oak Helpers", exact=False).count() >= 1
    axe_check(page)
    screenshot(page, "coverage-gaps")
    assert InboundMessage.objects.count() == 0

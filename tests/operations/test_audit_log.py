"""The audit log page: each organisation's coordinators read their own organisation's lines (who
did what to which record, when), search them by action and date, a page at a time, and never see
personal data there that they could not see already."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from needs.services.lifecycle import need_cancel
from tests.factories import CampaignFactory, NeedFactory, UserFactory, VolunteerFactory
from volunteers.models import AuditEvent
from volunteers.services import audit_record

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def page_of(client, user, query=""):
    """The response and the log's lines as shown (the table, not the search form's choices)."""
    client.force_login(user)
    response = client.get(f"/audit/{query}")
    html = response.content.decode()
    start = html.find('<table class="data" id="audit-lines">')
    return response, html[start : html.find("</table>", start)] if start >= 0 else html


def test_a_coordinator_reads_their_organisations_lines_and_no_one_elses(
    client, coordinator, other_coordinator, brum_aid, coventry_together
):
    ours = NeedFactory(organisation=brum_aid, ref="BRM2")
    theirs = NeedFactory(organisation=coventry_together, ref="COV3")
    audit_record(
        actor=coordinator, action="need.create", target=ours, organisation=brum_aid, detail={"ref": "BRM2"}
    )
    audit_record(actor=other_coordinator, action="need.create", target=theirs, organisation=coventry_together)
    response, html = page_of(client, coordinator)
    assert response.status_code == 200
    assert "Posted a need" in html and f'<a href="/needs/{ours.pk}/">Need BRM2</a>' in html
    assert "cora" in html and "REF BRM2" in html
    assert "COV3" not in html and "olly" not in html


def test_viewers_and_campaign_managers_have_no_audit_log(client, viewer):
    response, _ = page_of(client, viewer)
    assert response.status_code == 403
    assert "Audit log" not in client.get("/").content.decode()


def test_the_menu_leads_coordinators_there(client, coordinator):
    client.force_login(coordinator)
    assert '<a href="/audit/">Audit log</a>' in client.get("/").content.decode()


def test_personal_data_in_a_lines_details_is_never_shown(client, coordinator, brum_aid):
    need = NeedFactory(
        organisation=brum_aid,
        requester_name="Edna Example",
        requester_phone="+447700900555",
        requester_address="1 Example Road",
    )
    helper = VolunteerFactory(name="Priya Kaur-Singh", phone="+447700900666")
    audit_record(
        actor=None,
        action="need.assigned",
        target=need,
        organisation=brum_aid,
        detail={"ref": need.ref, "volunteer_id": helper.pk, "volunteer": helper.name, "channel": "sms"},
    )
    need_cancel(need=need, actor=coordinator, reason="Edna's daughter 07700 900555 is going instead")
    audit_record(actor=coordinator, action="need.requester.read", target=need, organisation=brum_aid)
    _, html = page_of(client, coordinator)
    for private in ("Edna", "Example Road", "900555", "Priya", "Kaur", "900666", "daughter"):
        assert private not in html, private
    assert "A volunteer accepted a need" in html and "by sms" in html
    assert "Cancelled a need" in html and "Read a requester&#x27;s details" in html
    assert "Rekindle" in html  # the service itself did the assigning


def test_search_by_action_and_by_date(client, coordinator, brum_aid):
    campaign = CampaignFactory(organisation=brum_aid, name="Winter call-round")
    with time_machine.travel(datetime(2026, 1, 10, 12, 0, tzinfo=LONDON)):
        audit_record(actor=coordinator, action="campaign.start", target=campaign, organisation=brum_aid)
    with time_machine.travel(datetime(2026, 1, 20, 23, 30, tzinfo=LONDON)):
        audit_record(actor=coordinator, action="campaign.pause", target=campaign, organisation=brum_aid)
        audit_record(actor=coordinator, action="inbox.resolve", organisation=brum_aid, detail={"sent": False})
    _, html = page_of(client, coordinator, "?action=campaign.pause")
    assert "Paused a campaign" in html and "Started a campaign" not in html
    assert f'<a href="/campaigns/{campaign.pk}/">Campaign “Winter call-round”</a>' in html
    _, html = page_of(client, coordinator, "?date_from=2026-01-20&date_to=2026-01-20")
    assert "Paused a campaign" in html and "Marked a text or call in the inbox dealt with" in html
    assert "Started a campaign" not in html  # the 10th is outside the days asked for
    _, html = page_of(client, coordinator, "?date_to=2026-01-15")
    assert "Started a campaign" in html and "Paused a campaign" not in html
    _, html = page_of(client, coordinator, "?action=need.done")
    assert "Nothing in the log matches." in html


def test_a_long_log_comes_a_page_at_a_time_keeping_the_search(
    client, coordinator, brum_aid, django_assert_max_num_queries
):
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=coordinator, action="inbox.resolve", organisation=brum_aid, detail={"sent": False})
        for _ in range(60)
    )
    audit_record(actor=coordinator, action="need.done", organisation=brum_aid)
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        html = client.get("/audit/?action=inbox.resolve").content.decode()
    assert (
        "60 lines, page 1 of 2" in html
        and html.count("Marked a text or call in the inbox dealt with") == 50 + 1
    )
    assert 'href="?action=inbox.resolve&amp;page=2"' in html
    html = client.get("/audit/?action=inbox.resolve&page=2").content.decode()
    assert "page 2 of 2" in html and html.count("<tr>") == 10 + 1  # ten lines and the heading row


def test_a_coordinator_of_two_organisations_may_narrow_to_one(
    client, coordinator, brum_aid, coventry_together
):
    from tests.factories import StaffRoleFactory

    StaffRoleFactory(user=coordinator, organisation=coventry_together)
    audit_record(actor=coordinator, action="need.done", organisation=brum_aid)
    audit_record(actor=coordinator, action="need.cancel", organisation=coventry_together)
    _, html = page_of(client, coordinator)
    assert "Marked a need done" in html and "Cancelled a need" in html and "Coventry Together" in html
    _, html = page_of(client, coordinator, f"?organisation={coventry_together.pk}")
    assert "Cancelled a need" in html and "Marked a need done" not in html


def test_a_superuser_reads_every_organisation(client, brum_aid, coventry_together):
    audit_record(actor=None, action="need.done", organisation=brum_aid)
    audit_record(actor=None, action="need.cancel", organisation=coventry_together)
    _, html = page_of(client, UserFactory(username="root", is_superuser=True, is_staff=True))
    assert "Marked a need done" in html and "Cancelled a need" in html


def test_a_date_it_cannot_read_is_said_and_the_rest_of_the_search_still_works(client, coordinator, brum_aid):
    audit_record(actor=coordinator, action="need.done", organisation=brum_aid)
    client.force_login(coordinator)
    html = client.get("/audit/?date_from=last+tuesday&action=need.done").content.decode()
    assert "Please give dates as day, month and year" in html and "Marked a need done</td>" in html

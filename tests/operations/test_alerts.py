"""Staff alerts: what a coordinator must act on reaches them by email or text, at once or in a daily
summary, only the right people, and never twice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail

from messaging.models import OutboundMessage
from needs.models import Need
from needs.services.offers import offers_make
from operations import alerts
from operations.models import Alert, AlertDelivery, AlertSettings
from tests.factories import CampaignFactory, NeedFactory, StaffRoleFactory, UserFactory
from volunteers.models import StaffRole
from volunteers.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def inline(settings):
    settings.SMS_TASKS_SYNC = True
    settings.SMS_QUIET_HOURS = None


@pytest.fixture
def cora(coordinator):
    coordinator.email = "cora@brum-aid.example"
    coordinator.save()
    return coordinator


def nobody_left(need, run):
    """Offer a need nobody can take, as a coordinator would: its coordinators are to be told."""
    with run(execute=True):
        assert offers_make(need=need) == []


def test_nobody_left_emails_the_posting_organisations_coordinators_once(
    cora, other_coordinator, viewer, brum_aid, django_capture_on_commit_callbacks
):
    other_coordinator.email = "olly@coventry.example"
    other_coordinator.save()
    viewer.email = "vic@brum-aid.example"
    viewer.save()
    need = NeedFactory(organisation=brum_aid, urgency=Need.Urgency.HIGH)

    nobody_left(need, django_capture_on_commit_callbacks)
    nobody_left(need, django_capture_on_commit_callbacks)  # the same event again: told once

    assert [m.to for m in mail.outbox] == [["cora@brum-aid.example"]]
    email = mail.outbox[0]
    assert email.subject == f"Nobody within reach is left for need {need.ref}"
    assert f"/needs/{need.pk}/" in email.body
    # No personal data leaves in an alert: not the requester's name, phone or address.
    for secret in (need.requester_name, need.requester_phone, need.requester_address):
        assert secret not in email.body and secret not in email.subject


def test_a_campaign_waiting_for_approval_tells_the_other_managers_not_its_creator(
    brum_aid, django_capture_on_commit_callbacks
):
    creator = StaffRoleFactory(
        user=UserFactory(username="cam", email="cam@x.example"),
        organisation=brum_aid,
        role=StaffRole.Role.CAMPAIGN_MANAGER,
    ).user
    second = StaffRoleFactory(
        user=UserFactory(username="sam", email="sam@x.example"),
        organisation=brum_aid,
        role=StaffRole.Role.CAMPAIGN_MANAGER,
    ).user
    campaign = CampaignFactory(organisation=brum_aid, created_by=creator, name="Flood, Sparkbrook")
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(
            actor=creator, action="campaign.approval_requested", target=campaign, organisation=brum_aid
        )
    assert [m.to for m in mail.outbox] == [[second.email]]
    assert mail.outbox[0].subject == "Campaign 'Flood, Sparkbrook' is waiting for approval"


def test_a_coordinator_who_chose_texts_gets_a_text_through_the_outbox(
    cora, brum_aid, django_capture_on_commit_callbacks
):
    AlertSettings.objects.create(
        user=cora, phone="+447700900555", choices={"nobody_left": {"email": "off", "sms": "now"}}
    )
    need = NeedFactory(organisation=brum_aid, urgency=Need.Urgency.CRITICAL)
    nobody_left(need, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    (text,) = OutboundMessage.objects.filter(purpose="staff_alert")
    assert text.to == "+447700900555"
    assert f"need {need.ref}" in text.body and f"/needs/{need.pk}/" in text.body


def test_a_daily_summary_comes_at_seven_with_everything_since_and_only_once(
    cora, brum_aid, django_capture_on_commit_callbacks
):
    AlertSettings.objects.create(
        user=cora, choices={kind: {"email": "digest"} for kind in ("nobody_left", "need_waiting")}
    )
    with time_machine.travel(datetime(2026, 12, 1, 15, 0, tzinfo=UTC), tick=False):
        first, second = NeedFactory(organisation=brum_aid), NeedFactory(organisation=brum_aid)
        nobody_left(first, django_capture_on_commit_callbacks)
        nobody_left(second, django_capture_on_commit_callbacks)
        assert mail.outbox == []
    with time_machine.travel(datetime(2026, 12, 2, 6, 30, tzinfo=UTC), tick=False):
        assert alerts.alert_digests_send() == 0  # not the hour yet
    with time_machine.travel(datetime(2026, 12, 2, 7, 5, tzinfo=UTC), tick=False):  # 07:05 London
        assert alerts.alert_digests_send() == 1
        assert alerts.alert_digests_send() == 0
    (email,) = mail.outbox
    assert email.subject == "2 things to look at in Rekindle"
    assert first.ref in email.body and second.ref in email.body


def test_a_need_waiting_two_days_is_told_once(cora, brum_aid):
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False):
        need = NeedFactory(organisation=brum_aid)
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=UTC), tick=False):
        assert alerts.needs_waiting_alert() == 0  # a day: not yet
    with time_machine.travel(datetime(2026, 12, 3, 10, 0, tzinfo=UTC), tick=False):
        assert alerts.needs_waiting_alert() == 1
        assert alerts.needs_waiting_alert() == 0
        alerts.alerts_send_due()
    (email,) = mail.outbox
    assert email.subject == f"Need {need.ref} has waited 48 hours for a volunteer"


def test_an_email_server_that_is_down_is_tried_again_and_sent_once(
    cora, brum_aid, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.operations.test_alerts.FailingBackend"
    nobody_left(NeedFactory(organisation=brum_aid), django_capture_on_commit_callbacks)
    (delivery,) = AlertDelivery.objects.all()
    assert delivery.sent_at is None and "ConnectionRefusedError" in delivery.error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert alerts.alerts_send_due() == 1
    assert alerts.alerts_send_due() == 0
    assert len(mail.outbox) == 1


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


# --- the page ----------------------------------------------------------------------------------------


def test_a_coordinator_chooses_texts_and_must_give_a_mobile_number(client, cora):
    client.force_login(cora)
    page = client.get("/alerts/")
    assert page.status_code == 200 and "cora@brum-aid.example" in page.content.decode()
    form = {f"{kind}__{channel}": "now" for kind in alerts.AlertKind for channel in ("email", "sms")}
    refused = client.post("/alerts/", {**form, "phone": ""})
    assert "Give a mobile number to get alerts by text" in refused.content.decode()
    bad = client.post("/alerts/", {**form, "phone": "12345"})
    assert "Type it as on your phone" in bad.content.decode()
    saved = client.post("/alerts/", {**form, "phone": "07700 900555"}, follow=True)
    assert "Saved. You will be told as you chose." in saved.content.decode()
    row = AlertSettings.objects.get(user=cora)
    assert row.phone == "+447700900555" and row.timing("need_waiting", "sms") == "now"


def test_only_staff_have_alerts(client, django_user_model):
    assert client.get("/alerts/").status_code == 302  # sign in first
    client.force_login(UserFactory(username="nobody"))
    assert client.get("/alerts/").status_code == 403


def test_recent_alerts_are_listed_on_the_page(client, cora, brum_aid, django_capture_on_commit_callbacks):
    need = NeedFactory(organisation=brum_aid)
    nobody_left(need, django_capture_on_commit_callbacks)
    client.force_login(cora)
    html = client.get("/alerts/").content.decode()
    assert f"Nobody within reach is left for need {need.ref}" in html and "sent" in html
    assert Alert.objects.count() == 1


def test_an_alert_raised_when_nobody_can_hear_it_costs_nothing(brum_aid):
    alert = alerts.alert_raise(
        kind="nobody_left", organisation=brum_aid, key="k", subject="s", text="t", path="/"
    )
    assert alert is not None and not AlertDelivery.objects.exists()
    assert (
        alerts.alert_raise(kind="nobody_left", organisation=brum_aid, key="k", subject="s", text="t") is None
    )


def test_a_text_waiting_in_an_inbox_tells_that_organisations_coordinators(
    cora, other_coordinator, brum_aid, django_capture_on_commit_callbacks
):
    from messaging.inbox import inbox_route_to_desk
    from messaging.models import InboundMessage
    from tests.factories import OrganisationFactory

    other_coordinator.email = "olly@coventry.example"
    other_coordinator.save()
    desk_keeper = StaffRoleFactory(
        user=UserFactory(username="ivy", email="ivy@wm.example"),
        organisation=OrganisationFactory(slug="wm", kind="infrastructure"),
        role=StaffRole.Role.CAMPAIGN_MANAGER,
    ).user
    message = InboundMessage.objects.create(message_sid="SMx", from_number="+447700900777", body="help")
    with django_capture_on_commit_callbacks(execute=True):
        inbox_route_to_desk(message=message)
        inbox_route_to_desk(message=message)  # routed again: told once
    assert [m.to for m in mail.outbox] == [[desk_keeper.email]]
    assert mail.outbox[0].subject == "A text is waiting in the inbox of the regional desk"
    assert "help" not in mail.outbox[0].body  # the text itself stays in Rekindle

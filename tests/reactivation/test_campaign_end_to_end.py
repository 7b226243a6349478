"""A whole campaign on the seeded region, through the real parts: the outbox and the real twilio
client over HTTP to the local Twilio-compatible server; READY, NOT NOW and STOP arriving as signed
inbound webhooks through messaging's inbound path on a live server. Tasks run inline (the outbox
drain through SMS_TASKS_SYNC; the every-minute advance is called as the schedule would call it) and
the crash is an exception raised mid-wave, then the advance runs again. The real qcluster path is
covered by tests/messaging/test_worker_end_to_end.py and bench.campaign's SIGKILL run."""

from __future__ import annotations

import importlib
import math
from collections import Counter
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from messaging.encoding import sms_segments
from messaging.ratelimit import limiter_get
from messaging.sending import outbox_drain
from messaging.services import optout_record
from operations.demo.seed import seed_demo
from reactivation.models import Campaign, CampaignRecipient, Playbook
from reactivation.services import campaign_sending as campaigns_module
from reactivation.services.campaign_lifecycle import campaign_approve, campaign_create, campaign_start
from reactivation.services.campaign_sending import campaign_advance
from reactivation.services.playbooks import review_append
from tests.fakes.twilio_server import FakeTwilio
from volunteers.models import LocalAuthority, Membership, MutualAidGroup, Volunteer

pytestmark = pytest.mark.django_db(transaction=True)

PLAYBOOK = "pandemic-food-and-prescriptions"
BIRMINGHAM = {"local_authorities": ["Birmingham"]}
TARGET = 5
State = CampaignRecipient.State


@pytest.fixture
def region(settings, live_server):
    settings.DEBUG = True
    if not LocalAuthority.objects.exists():
        # An earlier transactional test flushed the rows the data migration made.
        migration = importlib.import_module("volunteers.migrations.0002_local_authorities")
        migration.create(django_apps, connection.schema_editor())
    seed_demo(volunteers=600, groups=21, needs=8)
    server = FakeTwilio(account_sid="AC" + "e" * 32, auth_token="e2e-token").start()
    server.settings_point(settings)
    settings.PUBLIC_BASE_URL = live_server.url
    settings.SMS_MAX_PER_SECOND = 1000
    settings.SMS_TASKS_SYNC = True
    settings.SMS_QUIET_HOURS = None
    # Small enough that this campaign needs a second person's approval.
    settings.REACTIVATION_APPROVAL_RECIPIENTS = 10
    limiter_get().reset()
    yield server
    server.stop()


def users():
    User = get_user_model()
    return User.objects.get(username="campaigner"), User.objects.get(username="campaigner2")


def reply(server: FakeTwilio, live_server, phone: str, text: str) -> None:
    status = server.inbound_send(live_server.url + "/sms/twilio/inbound/", from_=phone, body=text)
    assert status == 200


def settle() -> None:
    """What the worker does after each commit: send everything queued."""
    outbox_drain(budget_seconds=20)


def wait_over(campaign: Campaign) -> None:
    """The wave's wait for replies passes (an hour in the playbook)."""
    Campaign.objects.filter(pk=campaign.pk).update(wave_sent_at=timezone.now() - timedelta(hours=2))


def calls_to(server: FakeTwilio) -> Counter:
    """How many campaign texts (not replies to inbound texts) each phone got from Twilio."""
    return Counter(m["to"] for m in server.created() if "Reply STOP to opt out" in m["body"])


def wave(campaign: Campaign, n: int):
    return CampaignRecipient.objects.filter(campaign=campaign, wave=n)


def test_a_whole_campaign_on_the_seeded_region(region, live_server):
    server = region
    manager, approver = users()
    birmingham_dormant = Volunteer.objects.filter(
        status=Volunteer.Status.DORMANT, local_authority__name="Birmingham"
    ).order_by("phone")

    # Before: two people opted out, and one dormant group's organiser went stale.
    opted_out = list(birmingham_dormant[:2])
    for person in opted_out:
        optout_record(phone=person.phone, source="sms", keyword="STOP")
    stale_group = (
        MutualAidGroup.objects.filter(
            status=MutualAidGroup.Status.DORMANT,
            local_authority__name="Birmingham",
            memberships__role=Membership.Role.ORGANISER,
        )
        .distinct()
        .first()
    )
    stale_group.missed_checks = 2
    stale_group.save()
    stale_organiser = stale_group.memberships.get(role=Membership.Role.ORGANISER).volunteer
    Membership.objects.filter(volunteer=stale_organiser).exclude(group=stale_group).delete()

    # Governance: above the size threshold the creator cannot start it alone, nor approve it.
    campaign = campaign_create(user=manager, playbook=PLAYBOOK, area=BIRMINGHAM, target_ready=TARGET)
    campaign = campaign_start(campaign=campaign, user=manager)
    assert campaign.status == Campaign.Status.AWAITING_APPROVAL
    assert server.created() == []
    with pytest.raises(PermissionDenied):
        campaign_approve(campaign=campaign, user=manager)
    campaign = campaign_approve(campaign=campaign, user=approver)
    assert campaign.status == Campaign.Status.RUNNING

    rows = CampaignRecipient.objects.filter(campaign=campaign)
    left_out = dict(rows.filter(state=State.SKIPPED).values_list("volunteer__phone", "reason"))
    for person in opted_out:
        assert left_out[person.phone].startswith("Opted out")
    assert left_out[stale_organiser.phone].startswith("Stale contact")

    # Wave 1: sized from the default reply rate (20%): TARGET / 0.2 people.
    assert campaign_advance(campaign_id=campaign.pk) == f"wave 1: {TARGET * 5} texted"
    settle()
    w1 = list(wave(campaign, 1).order_by("rank"))
    assert len(w1) == TARGET * 5
    assert sum(calls_to(server).values()) == len(w1)
    reconsent = [r for r in w1 if r.kind == CampaignRecipient.Kind.RECONSENT]
    calls = [r for r in w1 if r.kind == CampaignRecipient.Kind.CALL]
    assert reconsent and len(calls) >= 2, "the seeded region should hold both kinds"
    by_phone = {m["to"]: m["body"] for m in server.created()}
    for row in reconsent:
        assert "May we still text you" in by_phone[row.volunteer.phone]
        assert row.volunteer.consent_at < timezone.now() - timedelta(days=730)

    # Replies through the real webhook: one READY, one NOT NOW, and a re-consent READY, which
    # counts as their READY to the campaign: they are answered once and never asked again.
    reply(server, live_server, calls[0].volunteer.phone, "Ready!")
    reply(server, live_server, calls[1].volunteer.phone, "not now sorry")
    reply(server, live_server, reconsent[0].volunteer.phone, "READY")
    settle()
    assert calls[0].volunteer.__class__.objects.get(pk=calls[0].volunteer_id).status == "active"
    campaign_advance(campaign_id=campaign.pk)
    settle()
    reconsented = reconsent[0].volunteer
    bodies = [m["body"] for m in server.created() if m["to"] == reconsented.phone and "opt out" in m["body"]]
    assert len(bodies) == 1 and "May we still text you" in bodies[0]
    replies = [
        m["body"] for m in server.created() if m["to"] == reconsented.phone and "opt out" not in m["body"]
    ]
    assert (
        len(replies) == 1 and "on West Midlands Community Resilience Partnership's list again" in replies[0]
    )
    assert rows.get(pk=reconsent[0].pk).state == State.READY

    # Someone the next wave would reach texts STOP first: they are never contacted.
    next_up = rows.filter(state=State.PENDING, wave=0).order_by("rank").first()
    reply(server, live_server, next_up.volunteer.phone, "STOP")

    # Wave 2 escalates as designed: sized from wave 1's READY rate, at most twice wave 1. A crash
    # mid-wave (an exception after 5 texts), then the advance runs again: nobody twice.
    wait_over(campaign)
    real_queue, calls_made = campaigns_module.message_queue, []

    def crashing_queue(**kwargs):
        calls_made.append(kwargs["to"])
        if len(calls_made) == 6:
            raise RuntimeError("worker died mid-wave")
        return real_queue(**kwargs)

    campaigns_module.message_queue = crashing_queue
    try:
        with pytest.raises(RuntimeError, match="worker died"):
            campaign_advance(campaign_id=campaign.pk)
    finally:
        campaigns_module.message_queue = real_queue
    settle()
    assert campaign_advance(campaign_id=campaign.pk) == "waiting for replies"
    settle()
    w1_size, w1_ready = len(w1), 2
    remaining_before = rows.filter(wave=0).count() + wave(campaign, 2).count()
    expected_w2 = min(
        math.ceil((TARGET - w1_ready) / (w1_ready / w1_size)), math.ceil(w1_size * 2), remaining_before
    )
    w2 = wave(campaign, 2)
    assert w2.count() == expected_w2 > w1_size
    # The crash came after 5 texts of the wave; the rerun sent the rest and nobody is left behind.
    assert len(calls_made) == 6 and w2.count() > 6 and not w2.filter(state=State.PENDING).exists()
    assert next_up.volunteer.phone not in calls_to(server)
    assert rows.get(pk=next_up.pk).state == State.SKIPPED

    # READY from enough of wave 2 reaches the target and ends the campaign.
    for row in w2.filter(state=State.MESSAGED, kind=CampaignRecipient.Kind.CALL).order_by("rank")[
        : TARGET - w1_ready
    ]:
        reply(server, live_server, row.volunteer.phone, "READY")
    settle()
    campaign_advance(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED
    assert campaign.stop_reason.startswith(f"Target reached: {TARGET} ready")

    # Nobody contacted twice (not even after re-consenting); nobody opted out or stale contacted.
    per_phone = calls_to(server)
    for phone, count in per_phone.items():
        assert count == 1, phone
    for person in [*opted_out, stale_organiser, next_up.volunteer]:
        assert person.phone not in per_phone

    # Counted, within the cap, and remembered in the playbook.
    assert rows.filter(state=State.READY).count() == TARGET
    assert rows.filter(state=State.NOT_NOW).count() == 1
    texts = [m for m in server.created() if "Reply STOP to opt out" in m["body"]]
    campaign.refresh_from_db()
    assert 0 < campaign.spent_pence <= campaign.spend_cap_pence
    review = review_append(
        campaign=campaign,
        user=manager,
        what_worked="Organisers answered within the hour.",
        what_did_not="Re-consent slowed wave 1.",
    )
    playbook = Playbook.objects.get(slug=PLAYBOOK)
    assert list(playbook.lessons.all()) == [review]
    figures = review.figures
    assert (figures["ready"], figures["not_now"], figures["waves"]) == (TARGET, 1, 2)
    assert figures["contacted"] == len({m["to"] for m in texts})
    assert (
        figures["spent_pence"]
        == campaign.spent_pence
        == sum(sms_segments(m["body"]).segments for m in texts) * 4
    )


def test_the_spend_cap_stops_a_campaign_mid_wave(region):
    server = region
    manager, approver = users()
    campaign = campaign_create(
        user=manager, playbook=PLAYBOOK, area=BIRMINGHAM, target_ready=TARGET, spend_cap_pence=20
    )
    campaign = campaign_approve(campaign=campaign_start(campaign=campaign, user=manager), user=approver)
    assert campaign_advance(campaign_id=campaign.pk) == "wave 1: stopped by the spend cap"
    settle()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED and campaign.stop_reason.startswith("Spend cap")
    texts = server.created()
    assert texts and campaign.spent_pence <= 20
    # What Twilio got is exactly what was paid for: 4p a segment.
    segments = sum(sms_segments(m["body"]).segments for m in texts)
    assert campaign.spent_pence == segments * 4

"""Races: many people doing the same thing at the same instant, in separate processes.

Each racer is its own OS process with its own database connection, released by a barrier
(tests/reliability/security_support.py). PostgreSQL only: SQLite's test database is private to the
test process. The STOP race is deterministic instead: the STOP is delivered, through the signed
webhook, at the exact moment a message of the same number waits for its send slot.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from messaging import transports
from messaging.models import InboundMessage, OptOut, OutboundMessage
from messaging.ratelimit import limiter_get
from messaging.sending import outbox_drain
from messaging.services import message_queue
from needs.models import Need, Offer
from reactivation.models import CampaignRecipient, PlaybookVersion
from reactivation.services.campaign_lifecycle import campaign_create
from tests.factories import (
    NeedFactory,
    OfferFactory,
    OrganisationFactory,
    PlaybookFactory,
    StaffRoleFactory,
    UserFactory,
    VolunteerFactory,
)
from tests.fakes.twilio_server import FakeTwilio
from tests.reliability.security_support import (
    INBOUND_PATH,
    PUBLIC_BASE_URL,
    WEBHOOK_TOKEN,
    local_authorities_restore,
    postgres_only,
    processes_race,
    signature_for,
)
from volunteers.models import StaffRole, Volunteer

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

RACERS = 50
SPARKBROOK = (52.4607, -1.8730)


@pytest.fixture(autouse=True)
def _authorities():
    local_authorities_restore()


def test_fifty_volunteers_accept_the_same_need_at_once_and_exactly_one_wins():
    postgres_only(connection)
    need = NeedFactory(status=Need.Status.OFFERED, organisation=OrganisationFactory(slug="brum-aid"))
    expires = timezone.now() + timedelta(hours=1)
    offers = [OfferFactory(need=need, rank=i + 1, expires_at=expires) for i in range(RACERS)]
    items = [
        {"phone": o.volunteer.phone, "sid": f"SMrace{i:028d}", "body": f"yes please {need.ref}!"}
        for i, o in enumerate(offers)
    ]

    results = processes_race(connection=connection, job="accept_by_sms", payload={"items": items})

    assert [r for r in results if "error" in r] == []
    assert {r["status"] for r in results} == {200}
    assert {r["outcome"] for r in results} == {InboundMessage.Outcome.HANDLED}
    won = [
        r
        for r in results
        if r["reply"].endswith(f"{need.ref} is yours, thank you! The details follow in the next text.")
    ]
    taken = [
        r for r in results if f"sorry, {need.ref} has already been taken by another volunteer" in r["reply"]
    ]
    assert (len(won), len(taken)) == (1, RACERS - 1), [r["reply"] for r in results]
    winner = Volunteer.objects.get(phone=won[0]["phone"])
    need.refresh_from_db()
    assert (need.status, need.assigned_volunteer_id) == (Need.Status.ASSIGNED, winner.pk)
    assert list(
        Offer.objects.filter(need=need, status=Offer.Status.ACCEPTED).values_list("volunteer", flat=True)
    ) == [winner.pk]
    # The requester's details went to the winner, once, and to nobody else.
    details = OutboundMessage.objects.filter(purpose="offer_accepted")
    assert [m.to for m in details] == [winner.phone]
    assert (
        not OutboundMessage.objects.exclude(to=winner.phone)
        .filter(body__contains=need.requester_name)
        .exists()
    )


def test_two_managers_start_overlapping_campaigns_at_once_and_nobody_is_texted_twice():
    postgres_only(connection)
    version = PlaybookVersion.objects.create(
        playbook=PlaybookFactory(slug="pandemic"),
        number=1,
        templates={
            "en": {
                "volunteer_call": "{sender}: neighbours in {area} need help. Reply READY or NOT NOW. Reply STOP to opt out",
                "organiser_call": "{sender}: can {group} run again in {area}? Reply READY or NOT NOW. Reply STOP to opt out",
                "reconsent": "{sender}: may we still text you about {area}? Reply READY. Reply STOP to opt out",
            }
        },
        targeting={"group_kinds": ["mutual_aid"], "skills": ["shopping"], "radius_km": 3},
        wave_rules={"first_wave": 40, "growth": 2, "max_wave": 40, "wait_minutes": 30, "max_waves": 4},
    )
    people = [
        VolunteerFactory(
            status=Volunteer.Status.DORMANT,
            latitude=SPARKBROOK[0] + i * 0.05 / 111.0,
            longitude=SPARKBROOK[1],
            skills=["shopping"],
        )
        for i in range(30)
    ]
    managers = []
    for slug in ("brum-aid", "faithful-neighbours"):
        organisation = OrganisationFactory(slug=slug, covers=["Birmingham"])
        managers.append(
            StaffRoleFactory(
                user=UserFactory(username=f"manager-of-{slug}"),
                organisation=organisation,
                role=StaffRole.Role.CAMPAIGN_MANAGER,
            ).user
        )
    # Both plan first (each dry run sees nobody texted yet), then both press Start at once.
    area = {"latitude": SPARKBROOK[0], "longitude": SPARKBROOK[1], "radius_km": 5}
    campaigns = [
        campaign_create(user=m, playbook=version, area=area, spend_cap_pence=100_000) for m in managers
    ]
    assert [c.dry_run_report["contact_total"] for c in campaigns] == [30, 30]

    results = processes_race(
        connection=connection,
        job="campaign_start_and_send",
        payload={
            "items": [
                {"campaign_id": c.pk, "user_id": m.pk} for c, m in zip(campaigns, managers, strict=True)
            ]
        },
    )

    assert [r for r in results if "error" in r] == []
    calls = list(OutboundMessage.objects.filter(purpose="campaign_call").values_list("to", flat=True))
    assert sorted(calls) == sorted(p.phone for p in people)  # everyone once, nobody twice
    messaged = CampaignRecipient.objects.filter(state=CampaignRecipient.State.MESSAGED)
    skipped = CampaignRecipient.objects.filter(state=CampaignRecipient.State.SKIPPED)
    assert messaged.count() == 30
    assert skipped.count() == 30
    assert set(skipped.values_list("reason", flat=True)) == {
        "Texted by another campaign in the last 72 hours"
    }


@pytest.fixture
def fake_twilio(settings):
    server = FakeTwilio(account_sid="AC" + "2" * 32, auth_token=WEBHOOK_TOKEN).start()
    settings.SMS_BACKEND = "twilio"
    settings.SMS_TASKS_SYNC = True
    settings.SMS_QUIET_HOURS = None
    settings.SMS_MAX_PER_SECOND = 100000
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    settings.TWILIO_ACCOUNT_SID = server.account_sid
    settings.TWILIO_AUTH_TOKEN = server.auth_token
    settings.TWILIO_FROM_NUMBER = "+447700900000"
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_API_BASE_URL = server.base_url
    settings.SMS_HTTP_TIMEOUT = 2
    limiter_get().reset()
    transports.outbox.clear()
    yield server
    server.stop()


def test_a_stop_arriving_while_a_batch_waits_for_its_send_slot_stops_every_later_text(
    client, fake_twilio, monkeypatch, settings
):
    """A batch of 30 texts goes out through the real twilio client to the local fake Twilio. One
    recipient's STOP arrives, through the signed webhook, at the moment the sender asks the shared
    rate limiter for its send slot: after it picked the rows, before the first text left. Nothing
    may reach Twilio for that number once the STOP is stored; everyone else gets theirs once."""
    settings.SMS_TASKS_SYNC = False  # queue the whole batch first; the test drains it below
    stopper = VolunteerFactory(name="Stella Stopper")
    others = VolunteerFactory.create_batch(27)
    # Her urgent text is first in the queue; two bulk texts for her are further down.
    message_queue(
        to=stopper.phone,
        body="Rekindle: urgent, are you free?",
        dedupe_key="race:stop:0",
        purpose="test",
        priority=OutboundMessage.Priority.URGENT,
        volunteer=stopper,
    )
    for i, person in enumerate([*others[:13], stopper, *others[13:], stopper]):
        message_queue(
            to=person.phone,
            body=f"Rekindle: batch text {i}",
            dedupe_key=f"race:stop:{i + 1}",
            purpose="test",
            priority=OutboundMessage.Priority.BULK,
            volunteer=person,
        )
    assert OutboundMessage.objects.count() == 30

    limiter = limiter_get()
    real_reserve = limiter.reserve
    stop_stored = []

    def reserve_while_a_stop_arrives(seconds):
        answer = real_reserve(seconds)
        if not stop_stored:
            params = {
                "MessageSid": "SMstoprace" + "0" * 24,
                "From": stopper.phone,
                "To": "+447700900000",
                "Body": "STOP",
            }
            settings.SMS_TASKS_SYNC = True  # handled at once, as a free worker would
            response = client.post(
                INBOUND_PATH, params, HTTP_X_TWILIO_SIGNATURE=signature_for(INBOUND_PATH, params)
            )
            assert response.status_code == 200
            assert OptOut.objects.filter(phone=stopper.phone).exists()
            stop_stored.append(len(fake_twilio.creates()))
        return answer

    monkeypatch.setattr(limiter, "reserve", reserve_while_a_stop_arrives)
    outbox_drain(budget_seconds=30)

    assert stop_stored == [0]  # the STOP came before any text left
    sent_to = [r.form["To"] for r in fake_twilio.creates()]
    assert stopper.phone not in sent_to, "a text reached Twilio after the number's STOP was stored"
    assert sorted(sent_to) == sorted(p.phone for p in others)  # everyone else exactly once
    assert set(OutboundMessage.objects.filter(to=stopper.phone).values_list("state", flat=True)) == {
        OutboundMessage.State.CANCELLED
    }

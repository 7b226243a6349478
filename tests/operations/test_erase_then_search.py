"""Issue 13, item 2: erase a person, then search the whole database for them, and find nothing.

A need is walked from posting through the offers, an acceptance by text, the requester's own
texts and a coordinator's reply, to done; then the requester is erased (by the 30-day schedule, or
by ``erase_person --requester``) and every text column of every table (with django-q's pickled
task payloads and the sessions decoded) is searched for their name, number in every written form,
address and private notes. The same for a volunteer erased with ``erase_person``, who signed up at
/join/, left a second sign-up unfinished, accepted, was chased by the follow-up and had a campaign
name them to their group.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_q.models import OrmQ, Schedule, Task
from rest_framework.test import APIClient
from twilio.request_validator import RequestValidator

from messaging import transports
from messaging.inbox import inbox_reply
from messaging.models import InboundMessage, OutboundMessage
from needs.models import Need
from needs.services.followups import needs_follow_up_due
from operations.data_rights import requesters_erase_due, subject_access
from tests.factories import (
    MembershipFactory,
    MutualAidGroupFactory,
    UserFactory,
    VolunteerFactory,
    local_authority,
)
from volunteers.models import Postcode, Volunteer
from volunteers.signup import join_sends_key

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

REQUESTER = {
    "name": "Zebedee Quartermaine",
    "phone": "07700 900461",
    "e164": "+447700900461",
    "address": "14 Larkspur Mews, Sparkhill",
    "postcode": "B11 4RA",
    "details": "Key under the blue heron pot",
    "dietary": "Coeliac; kosher only",
}
HELPER = {
    "name": "Ottoline Brackenbury",
    "phone": "07700 900462",
    "e164": "+447700900462",
    "postcode": "B11 2HX",
}


def phone_forms(e164: str) -> list[str]:
    """Every way a UK mobile number is written: E.164, with and without the plus, national with
    and without spaces, and the subscriber number alone."""
    national = "0" + e164[3:]
    return [
        e164,
        e164[1:],
        national,
        f"{national[:5]} {national[5:]}",
        f"{national[:5]} {national[5:8]} {national[8:]}",
        national[1:],
        f"+44 {national[1:5]} {national[5:]}",
    ]


def everything_stored() -> list[tuple[str, str, str]]:
    """(table, column, text) for every value in every table of the database, as stored; and the
    values that are stored encoded (django-q's pickled task arguments and results, its signed
    queue, the sessions), decoded."""
    found: list[tuple[str, str, str]] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - the database's own table names
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                found += [(table, col, str(value)) for col, value in zip(columns, row, strict=True) if value]
    for task in Task.objects.all():
        found.append(
            ("django_q_task", "decoded", repr((task.name, task.func, task.args, task.kwargs, task.result)))
        )
    for queued in OrmQ.objects.all():
        found.append(("django_q_ormq", "decoded", repr(queued.task)))
    for schedule in Schedule.objects.all():
        found.append(("django_q_schedule", "decoded", repr((schedule.args, schedule.kwargs))))
    for session in Session.objects.all():
        found.append(("django_session", "decoded", json.dumps(session.get_decoded())))
    return found


def traces_of(*needles: str) -> list[tuple[str, str, str]]:
    wanted = [n.lower() for n in needles]
    return [
        (table, column, text[:120])
        for table, column, text in everything_stored()
        if any(n in text.lower() for n in wanted)
    ]


def cache_keys_with(text: str) -> list[str]:
    """Keys of the cache (in memory, or Redis with REDIS_URL) that hold ``text`` (the join code
    counter's holds the number)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return [key.decode() for key in backend._cache.get_client().scan_iter(match=f"*{text}*")]
    return [key for key in backend._cache if text in key]  # type: ignore[attr-defined]


# --- the walk -----------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def sms(settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "locmem"
    settings.SMS_TASKS_SYNC = True
    settings.SMS_QUIET_HOURS = None
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    transports.outbox.clear()
    brum = local_authority("Birmingham")
    for postcode, lat, lon in (("B11 4RA", 52.4531, -1.8620), ("B11 2HX", 52.4560, -1.8660)):
        Postcode.objects.create(
            postcode=postcode, district="B11", latitude=lat, longitude=lon, local_authority=brum
        )
    yield django_capture_on_commit_callbacks
    transports.outbox.clear()


_sids = iter(range(1, 10_000))


def texts_in(sms, client: Client, *, phone: str, body: str) -> None:
    """A text arriving through Twilio's signed webhook, and everything it sets off."""
    params = {"MessageSid": f"SM{next(_sids):032d}", "From": phone, "To": "+447700900000", "Body": body}
    signature = RequestValidator("test-auth-token").compute_signature(
        "http://testserver/sms/twilio/inbound/", params
    )
    with sms(execute=True):
        assert (
            client.post("/sms/twilio/inbound/", params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 200
        )


def a_need_walked_to_done(sms, coordinator, brum_aid, helper: Volunteer) -> Need:
    """Posted through the API, read by the coordinator (API, page, admin), offered to two, declined
    by one and accepted by the other by text, the requester texting in and answered from the
    inbox, the follow-up asked and unanswered (the alert names the helper), and done by text.
    Call at START."""
    api = APIClient()
    api.force_authenticate(user=coordinator)
    with sms(execute=True):
        created = api.post(
            "/api/v1/needs/",
            {
                "category": "shopping",
                "summary": "Weekly shop for an older person",
                "details": REQUESTER["details"],
                "requester_name": REQUESTER["name"],
                "requester_phone": REQUESTER["phone"],
                "address": REQUESTER["address"],
                "postcode": REQUESTER["postcode"],
                "dietary_notes": REQUESTER["dietary"],
            },
            format="json",
        )
    assert created.status_code == 201, created.content
    need = Need.objects.get(pk=created.json()["id"])
    Need.objects.filter(pk=need.pk).update(requester_consents_to_sms=True)
    assert api.get(f"/api/v1/needs/{need.pk}/").json()["requester_name"] == REQUESTER["name"]
    page = Client()
    page.force_login(coordinator)
    assert REQUESTER["address"] in page.get(f"/needs/{need.pk}/").content.decode()
    admin = Client()
    admin.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert admin.get(f"/admin/needs/need/{need.pk}/change/").status_code == 200
    assert REQUESTER["address"] not in admin.get("/admin/messaging/outboundmessage/").content.decode()

    decliner = VolunteerFactory(name="Percival Dunmore", latitude=52.4533, longitude=-1.8625)
    with sms(execute=True):
        assert api.post(f"/api/v1/needs/{need.pk}/offers/", {"count": 2}, format="json").json()["made"] == 2
    phones = Client()
    texts_in(
        sms,
        phones,
        phone=REQUESTER["e164"],
        body=f"Thank you. This is {REQUESTER['name']}, is someone coming?",
    )
    texts_in(sms, phones, phone=decliner.phone, body=f"no {need.ref}")
    texts_in(sms, phones, phone=helper.phone, body=f"yes please {need.ref}!")
    details = OutboundMessage.objects.get(purpose="offer_accepted")
    assert REQUESTER["address"] in details.body and details.to == helper.phone
    question = InboundMessage.objects.get(from_number=REQUESTER["e164"])
    with sms(execute=True):
        inbox_reply(
            entry_id=question.inbox_entries.get(organisation=need.organisation).pk,
            user=coordinator,
            body="Hello Zebedee, Ottoline Brackenbury is on her way.",
        )
    # Not marked done for two days: the volunteer is asked, then the coordinators are alerted.
    with time_machine.travel(START + timedelta(hours=25), tick=False), sms(execute=True):
        assert needs_follow_up_due()["asked"] == 1
    with time_machine.travel(START + timedelta(hours=50), tick=False):
        assert needs_follow_up_due()["alerted"] == 1
        # Free text, as people write it: it names the requester (found by the name, see privacy.md).
        texts_in(
            sms,
            phones,
            phone=helper.phone,
            body=f"DONE {need.ref} - Zebedee Quartermaine was in good spirits",
        )
    need.refresh_from_db()
    assert need.status == Need.Status.DONE
    return need


def requester_traces() -> list:
    return traces_of(
        REQUESTER["name"],
        "Quartermaine",
        REQUESTER["address"],
        "Larkspur",
        REQUESTER["details"],
        REQUESTER["dietary"],
        *phone_forms(REQUESTER["e164"]),
    )


@pytest.fixture
def helper(db, brum_aid):
    return VolunteerFactory(name=HELPER["name"], phone=HELPER["e164"], latitude=52.4535, longitude=-1.8628)


def test_the_requesters_subject_access_finds_every_text_to_from_and_about_them(
    sms, coordinator, brum_aid, helper
):
    with time_machine.travel(START, tick=False):
        a_need_walked_to_done(sms, coordinator, brum_aid, helper)
    doc = subject_access(phone=REQUESTER["phone"])
    assert [n["requester_name"] for n in doc["needs_as_requester"]] == [REQUESTER["name"]]
    assert sorted(m["purpose"] for m in doc["messages_sent_to_them"]) == [
        "inbox_reply",
        "reply",
        "requester_help_coming",
    ]
    assert [m["body"][:9] for m in doc["messages_from_them"]] == ["Thank you"]
    # The accepter's text carried their name, number and address: it is theirs to see too.
    (about,) = doc["messages_about_them"]
    assert about["purpose"] == "offer_accepted" and REQUESTER["address"] in about["body"]
    # ... but not the helper's link to their offer page (the key to it), nor the helper's surname.
    assert "/o/" not in about["body"] and "[link removed]" in about["body"]
    assert doc["needs_as_requester"][0]["assigned_volunteer"] == "Ottoline"
    assert "Brackenbury" not in json.dumps([doc["needs_as_requester"], doc["messages_about_them"]])
    assert {"need.create", "need.requester.read", "need.assigned"} <= {
        e["action"] for e in doc["audit_about_them"]
    }


def test_thirty_days_after_the_need_is_done_nothing_of_the_requester_is_left(
    sms, coordinator, brum_aid, helper
):
    with time_machine.travel(START, tick=False):
        a_need_walked_to_done(sms, coordinator, brum_aid, helper)
    assert requester_traces()  # the search does find them while they are held
    with time_machine.travel(START + timedelta(days=33), tick=False):  # done on day 2
        assert requesters_erase_due() == 1
    assert requester_traces() == []
    doc = subject_access(phone=REQUESTER["phone"])
    assert doc["needs_as_requester"] == [] and doc["messages_about_them"] == []
    assert doc["messages_sent_to_them"] == [] and doc["messages_from_them"] == []
    # The figures stay: the texts, their lengths and segments, the need and who helped.
    details = OutboundMessage.objects.get(purpose="offer_accepted")
    assert details.body == "[erased]" and details.body_length > 100 and details.segments >= 2
    assert details.state == OutboundMessage.State.DELIVERED or details.sent_at is not None
    assert Need.objects.get().assigned_volunteer == helper


def test_erase_person_requester_leaves_nothing_of_them_either(sms, coordinator, brum_aid, helper):
    with time_machine.travel(START, tick=False):
        a_need_walked_to_done(sms, coordinator, brum_aid, helper)
    call_command("erase_person", REQUESTER["phone"], "--requester", "--yes", stdout=io.StringIO())
    assert requester_traces() == []
    # The volunteer who helped keeps their own texts and record.
    assert Volunteer.objects.get(pk=helper.pk).name == HELPER["name"]
    assert OutboundMessage.objects.filter(to=helper.phone, purpose="offer").exists()


# --- the volunteer ------------------------------------------------------------------------------------
JOIN = {
    "name": HELPER["name"],
    "phone": HELPER["phone"],
    "postcode": HELPER["postcode"],
    "languages": ["en"],
    "max_travel_km": "3",
    "consent": "on",
}


def signed_up_at_join(sms) -> Volunteer:
    """Ottoline signs up at /join/ with the texted code; later she starts again on another phone
    and never finishes (the unfinished sign-up waits in that session, with her name)."""
    first = Client()
    with sms(execute=True):
        first.post("/join/", JOIN)
    code = re.search(r"\b(\d{6})\b", OutboundMessage.objects.latest("created_at").body).group(1)
    first.post("/join/confirm/", {"code": code})
    with sms(execute=True):
        Client().post("/join/", {**JOIN, "max_travel_km": "5"})
    return Volunteer.objects.get(phone=HELPER["e164"])


def test_a_volunteer_erased_with_erase_person_leaves_nothing_of_themselves(
    sms, coordinator, brum_aid, manager_of
):
    with time_machine.travel(START, tick=False):
        helper = signed_up_at_join(sms)
        Volunteer.objects.filter(pk=helper.pk).update(skills=["shopping"])
        group = MutualAidGroupFactory(organisation=brum_aid, name="Sparkhill Neighbours", status="dormant")
        MembershipFactory(group=group, volunteer=helper, role="organiser")
        a_need_walked_to_done(sms, coordinator, brum_aid, helper)
    manager_of(group=group)  # a campaign texts her group, naming her as its organiser
    assert traces_of(HELPER["name"], "Brackenbury", *phone_forms(HELPER["e164"]))
    assert cache_keys_with(HELPER["e164"])

    call_command("erase_person", HELPER["phone"], "--yes", stdout=io.StringIO())

    assert traces_of(HELPER["name"], "Brackenbury", *phone_forms(HELPER["e164"])) == []
    # Her first name alone too: every text that carried it was recorded as about her (the "help is
    # coming" text to the requester, the campaign's call to her group) or wrote her full name.
    assert traces_of("Ottoline") == []
    # The postcode too, but for the geocoder's reference table of every UK postcode (ONS data).
    assert [t for t in traces_of(HELPER["postcode"]) if t[0] != "volunteers_postcode"] == []
    assert cache_keys_with(HELPER["e164"]) == [] and cache.get(join_sends_key(HELPER["e164"])) is None
    # The counts stay true: who helped with the need is an erased volunteer, not nobody.
    assert Need.objects.get().assigned_volunteer_id == helper.pk


@pytest.fixture
def manager_of(brum_aid, sms):
    """Start a campaign that texts a group's members, naming its organiser."""
    from reactivation.services.campaign_lifecycle import campaign_create, campaign_start
    from reactivation.services.campaign_sending import campaign_advance
    from tests.factories import PlaybookVersionFactory, StaffRoleFactory
    from volunteers.models import StaffRole

    def run(*, group) -> None:
        manager = StaffRoleFactory(
            user=UserFactory(username="cam"), organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER
        ).user
        MembershipFactory(
            group=group,
            volunteer=VolunteerFactory(status=Volunteer.Status.DORMANT, latitude=52.4561, longitude=-1.8661),
        )
        version = PlaybookVersionFactory(
            templates={
                "en": {
                    "volunteer_call": "{sender}: {organiser} of {group} asks: can you help? "
                    "Reply READY or NOT NOW. Reply STOP to opt out"
                }
            }
        )
        area = {"latitude": 52.4560, "longitude": -1.8660, "radius_km": 2}
        with sms(execute=True):
            campaign = campaign_start(
                campaign=campaign_create(user=manager, playbook=version, area=area), user=manager
            )
            campaign_advance(campaign_id=campaign.pk)
        assert OutboundMessage.objects.filter(purpose="campaign_call", body__contains="Ottoline").exists()

    return run

"""Attack: forged and replayed webhooks, CSRF, another organisation's ids, markup in text, huge
bodies, throttles, the deployment check and ruff's security rules."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from messaging.models import InboundCall, InboundMessage, InboxEntry, OutboundMessage
from needs.models import Need
from reactivation.models import Campaign, ReadinessRound
from tests.factories import (
    CampaignFactory,
    InboundMessageFactory,
    InboxEntryFactory,
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    OfferFactory,
    PlaybookVersionFactory,
    VolunteerFactory,
    local_authority,
)
from tests.reliability.security_support import (
    INBOUND_PATH,
    PUBLIC_BASE_URL,
    ROOT,
    STATUS_PATH,
    WEBHOOK_TOKEN,
    signature_for,
)

pytestmark = [pytest.mark.reliability, pytest.mark.django_db]

SECRETS = ("Rosa Secret-Requester", "+447700900777", "07700 900777", "77 Hidden Lane")


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    settings.TWILIO_AUTH_TOKEN = WEBHOOK_TOKEN
    settings.SMS_BACKEND = "locmem"
    settings.SMS_TASKS_SYNC = True
    settings.SMS_QUIET_HOURS = None
    cache.clear()
    yield
    cache.clear()


# --- webhooks -----------------------------------------------------------------------------------
def _inbound(sid: str = "SM" + "a" * 32, body: str = "HELP") -> dict:
    return {"MessageSid": sid, "From": "+447700900123", "To": "+447700900000", "Body": body}


def test_a_forged_webhook_is_refused_and_nothing_is_stored(client):
    params = _inbound()
    for signature in ("", "bm90IGEgc2lnbmF0dXJl", signature_for(INBOUND_PATH, params, token="guessed-token")):
        response = client.post(INBOUND_PATH, params, HTTP_X_TWILIO_SIGNATURE=signature)
        assert response.status_code == 403
    tampered = {**params, "Body": "STOP"}  # signed for HELP, body changed on the way
    response = client.post(
        INBOUND_PATH, tampered, HTTP_X_TWILIO_SIGNATURE=signature_for(INBOUND_PATH, params)
    )
    assert response.status_code == 403
    status = {"MessageSid": "SM" + "b" * 32, "MessageStatus": "delivered"}
    assert client.post(STATUS_PATH, status, HTTP_X_TWILIO_SIGNATURE="forged").status_code == 403
    assert InboundMessage.objects.count() == 0
    assert OutboundMessage.objects.count() == 0


def test_a_replayed_webhook_is_stored_and_handled_once(client, django_capture_on_commit_callbacks):
    params = _inbound(body="HELP")
    signature = signature_for(INBOUND_PATH, params)
    with django_capture_on_commit_callbacks() as enqueued:
        answers = [
            client.post(INBOUND_PATH, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code for _ in range(5)
        ]
    assert answers == [200] * 5  # Twilio stops retrying
    assert InboundMessage.objects.count() == 1
    assert len(enqueued) == 1  # one handling task for five deliveries
    enqueued[0]()
    enqueued[0]()  # the worker running it twice changes nothing
    assert InboundMessage.objects.get().outcome == InboundMessage.Outcome.HANDLED
    assert OutboundMessage.objects.filter(purpose="reply").count() == 1  # one HELP answer, not five


def test_a_valid_signature_for_another_url_is_refused(client):
    params = _inbound()
    for other in (STATUS_PATH, "/sms/twilio/inbound/?x=1", "/join/"):
        response = client.post(INBOUND_PATH, params, HTTP_X_TWILIO_SIGNATURE=signature_for(other, params))
        assert response.status_code == 403, other
    # Signed for another host (an attacker's own Twilio account pointed at their server).
    response = client.post(
        INBOUND_PATH,
        params,
        HTTP_X_TWILIO_SIGNATURE=signature_for(INBOUND_PATH, params, base="https://evil.example"),
    )
    assert response.status_code == 403
    assert InboundMessage.objects.count() == 0


# --- CSRF -------------------------------------------------------------------------------------------
def _patterns(resolver=None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _example_path(route: str) -> str:
    """A concrete path for a route: every parameter filled with something plausible."""
    path = re.sub(r"<(?:int:)?pk>|<int:\w+>", "1", route)
    path = re.sub(r"<slug:\w+>|<str:\w+>|<\w+>", "x", path)
    path = re.sub(r"\(\?P<format>[^)]*\)", "json", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    return "/" + path.lstrip("^").rstrip("$").replace("\\.", ".").replace("/?", "/")


def test_every_html_form_endpoint_refuses_a_post_without_a_csrf_token(coordinator):
    """Walk every URL pattern: each view that is not csrf_exempt and not the token-authenticated
    API must answer a logged-in POST without a CSRF token with 403."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    checked, refused = [], []
    for route, pattern in _patterns():
        if route.startswith(("api/v1/", "^api/v1/")) or "api/v1/" in route:
            continue  # DRF: token auth needs no CSRF; its session auth is checked below
        if getattr(pattern.callback, "csrf_exempt", False):
            continue
        path = _example_path(route)
        response = client.post(path, {"name": "x"})
        checked.append(path)
        if response.status_code != 403:
            refused.append((path, response.status_code))
    assert refused == []
    assert {"/join/", "/login/", "/needs/new/", "/campaigns/new/", "/inbox/1/reply/"} <= set(checked)
    # The API with a session (a browser) needs the token as well.
    assert client.post("/api/v1/needs/", {"summary": "x"}).status_code == 403
    assert Need.objects.count() == 0


def test_only_the_twilio_webhooks_are_csrf_exempt():
    exempt = sorted(
        route
        for route, p in _patterns()
        if getattr(p.callback, "csrf_exempt", False) and "api/v1/" not in route
    )
    # Each webhook answers with and without its trailing slash (Twilio's console takes either).
    webhooks = ["sms/twilio/inbound", "sms/twilio/status", "voice/twilio/status", "voice/twilio/inbound"]
    webhooks += [
        f"voice/twilio/line/{step}"
        for step in ("menu", "dialled", "recorded", "postcode", "recording", "ended")
    ]
    assert exempt == sorted([*(w + end for w in webhooks for end in ("", "/")), *SIGNED_WEBHOOK_ROUTES])


# --- another organisation's ids -----------------------------------------------------------------------
@pytest.fixture
def brum_objects(brum_aid, coordinator):
    need = NeedFactory(
        organisation=brum_aid,
        requester_name=SECRETS[0],
        requester_phone=SECRETS[1],
        requester_address=SECRETS[3],
        posted_by=coordinator,
    )
    group = MutualAidGroupFactory(organisation=brum_aid)
    volunteer = VolunteerFactory(name="Brenda Brum")
    MembershipFactory(group=group, volunteer=volunteer)
    offer = OfferFactory(need=need, volunteer=volunteer)
    campaign = CampaignFactory(
        organisation=brum_aid, created_by=coordinator, playbook_version=PlaybookVersionFactory()
    )
    # A text in Brum Aid's own inbox (the route's id is its inbox entry).
    inbound = InboxEntryFactory(
        organisation=brum_aid,
        message=InboundMessageFactory(
            from_number=volunteer.phone,
            volunteer=volunteer,
            body="Can someone call me back?",
            needs_attention=True,
        ),
    )
    # A call to the phone line in Brum Aid's inbox (the recording's route id is the call's).
    call = InboundCall.objects.create(
        call_sid="CA" + "7" * 32,
        from_number=SECRETS[1],
        recording_sid="RE" + "7" * 32,
        recording_url=f"https://api.twilio.com/2010-04-01/Accounts/AC{'7' * 32}/Recordings/RE{'7' * 32}",
        outcome=InboundCall.Outcome.MESSAGE,
    )
    InboxEntry.objects.create(call=call, organisation=brum_aid, possible_request=True)
    # A readiness check waiting for a second campaign manager of Brum Aid.
    readiness_round = ReadinessRound.objects.create(
        organisation=brum_aid,
        local_authority=local_authority(),
        group_ids=[group.pk],
        requested_by=coordinator,
    )
    return {
        "need": need,
        "group": group,
        "volunteer": volunteer,
        "offer": offer,
        "campaign": campaign,
        "inbound": inbound,
        "inbound_call": call,
        "readiness_round": readiness_round,
    }


# Routes whose id belongs to an organisation, with the object type that fills them. A new route with
# an id fails test_every_object_route_is_covered until it is added here.
PAGE_ROUTES = {
    "needs/<int:pk>/": "need",
    "needs/<int:pk>/offer/": "need",
    "needs/<int:pk>/done/": "need",
    "needs/<int:pk>/cancel/": "need",
    "needs/<int:pk>/seen/": "need",
    "needs/<int:pk>/reconfirm/": "need",
    "needs/<int:pk>/edit/": "need",
    "needs/<int:pk>/hand-over/": "need",
    "groups/<int:pk>/edit/": "group",
    "volunteers/<int:pk>/edit/": "volunteer",
    "volunteers/<int:pk>/pause/": "volunteer",
    "campaigns/register/checks/<int:pk>/approve/": "readiness_round",
    "campaigns/<int:pk>/": "campaign",
    "campaigns/<int:pk>/progress.json": "campaign",
    "campaigns/<int:pk>/review/": "campaign",
    "campaigns/<int:pk>/<slug:action>/": "campaign",
    "inbox/<int:pk>/reply/": "inbound",
    "inbox/calls/<int:pk>/recording.mp3": "inbound_call",
}
# Routes to objects every organisation shares (none since each organisation has its own inbox).
SHARED_ROUTES: set[str] = set()
# Bearer-token pages: the token IS the permission (an offer link, a volunteer's own page, a
# password reset); another organisation's staff have no token to try.
CAPABILITY_ROUTES = {"o/<str:token>/", "v/<str:token>/", "reset/<uidb64>/<token>/"}
# Twilio's webhooks for a call we placed: no session, Twilio's signature over the URL is the key
# (tests/voice/test_call_outbox.py: a forged or unsigned one gets 403 and changes nothing).
SIGNED_WEBHOOK_ROUTES = {
    "voice/twilio/call/<int:call_id>",
    "voice/twilio/call/<int:call_id>/",
    "voice/twilio/call/<int:call_id>/keys",
    "voice/twilio/call/<int:call_id>/keys/",
}
# Playbooks are the region's shared memory: every staff member reads them, only campaign managers
# of the owning organisation (or of any, for a shared playbook) edit them
# (tests/reactivation/test_playbook_editor.py covers who may edit; below, a coordinator may not).
SHARED_READ_ROUTES = {
    "campaigns/playbooks/<slug:slug>/",
    "campaigns/playbooks/<slug:slug>/edit/",
    "campaigns/playbooks/<slug:slug>/compare/",
    "campaigns/playbooks/<slug:slug>/v<int:number>/",
}
# Mutual-aid groups are one regional register that every organisation's staff read (read-only).
SHARED_API = {"groups"}
API_ROUTES = {
    "needs": "need",
    "campaigns": "campaign",
    "volunteers": "volunteer",
    "groups": "group",
    "playbooks": None,
}


def test_every_object_route_is_covered():
    with_ids = {r for r, _ in _patterns() if "<" in r and "api/v1/" not in r and not r.startswith("admin/")}
    assert (
        with_ids - set(PAGE_ROUTES) - CAPABILITY_ROUTES - SHARED_READ_ROUTES - SIGNED_WEBHOOK_ROUTES == set()
    )


def test_a_coordinator_cannot_edit_a_shared_playbook(other_coordinator):
    from tests.factories import PlaybookFactory, PlaybookVersionFactory

    version = PlaybookVersionFactory(playbook=PlaybookFactory(slug="flood"))
    session = Client()
    session.force_login(other_coordinator)
    assert session.get("/campaigns/playbooks/flood/").status_code == 200
    assert session.post("/campaigns/playbooks/flood/edit/", {"change_note": "x"}).status_code == 403
    assert version.playbook.versions.count() == 1


def _api_detail_paths(objects) -> list[tuple[str, str]]:
    from config.api_urls import router

    out = []
    for prefix, viewset, _basename in router.registry:
        kind = API_ROUTES.get(prefix)
        if kind is None:
            continue
        pk = objects[kind].pk
        if prefix not in SHARED_API:
            out.append(("GET", f"/api/v1/{prefix}/{pk}/"))
        for action in viewset.get_extra_actions():
            if action.detail:
                for method in action.mapping:
                    out.append((method.upper(), f"/api/v1/{prefix}/{pk}/{action.url_path}/"))
        out += [("PATCH", f"/api/v1/{prefix}/{pk}/"), ("DELETE", f"/api/v1/{prefix}/{pk}/")]
    return out


def _no_secret(response) -> None:
    body = response.content.decode(errors="replace")
    for secret in SECRETS:
        assert secret not in body, f"{response.request['PATH_INFO']} leaked {secret!r}"


def test_another_organisations_coordinator_sees_nothing_by_session_or_token(
    brum_objects, other_coordinator, coordinator
):
    session = Client()
    session.force_login(other_coordinator)
    for route, kind in PAGE_ROUTES.items():
        path = "/" + route.replace("<int:pk>", str(brum_objects[kind].pk)).replace("<slug:action>", "pause")
        for method in ("get", "post"):
            response = getattr(session, method)(path)
            _no_secret(response)
            if route not in SHARED_ROUTES:
                assert response.status_code in (403, 404, 405), (method, path, response.status_code)
    token = Token.objects.create(user=other_coordinator)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    for method, path in _api_detail_paths(brum_objects):
        response = api.generic(method, path, "{}", content_type="application/json")
        _no_secret(response)
        assert response.status_code in (403, 404, 405), (method, path, response.status_code)
    for path in ("/api/v1/needs/", "/api/v1/volunteers/", "/needs/", "/inbox/", "/campaigns/", "/"):
        for client in (api, session):
            response = client.get(path)
            assert response.status_code in (200, 302, 403, 404)  # 302: a token is no page login
            _no_secret(response)
    # The same pages do show them to Brum Aid's coordinator: the check above can fail.
    own = Client()
    own.force_login(coordinator)
    assert SECRETS[0] in own.get(f"/needs/{brum_objects['need'].pk}/").content.decode()
    brum_objects["need"].refresh_from_db()
    assert brum_objects["need"].status == Need.Status.OPEN  # nothing was done by the attempts
    assert Campaign.objects.get().status == Campaign.Status.DRAFT
    assert ReadinessRound.objects.get().status == ReadinessRound.Status.AWAITING_APPROVAL
    brum_objects["volunteer"].refresh_from_db()
    assert brum_objects["volunteer"].status == "active"  # not paused by another organisation


# --- oversized bodies -----------------------------------------------------------------------------
def test_oversized_bodies_get_a_400_and_nothing_is_stored(client, other_coordinator, settings):
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    params = _inbound(body=huge)
    response = client.post(INBOUND_PATH, params, HTTP_X_TWILIO_SIGNATURE=signature_for(INBOUND_PATH, params))
    assert response.status_code in (400, 413)
    token = Token.objects.create(user=other_coordinator)
    response = Client(HTTP_AUTHORIZATION=f"Token {token.key}").post(
        "/api/v1/needs/", json.dumps({"summary": huge}), content_type="application/json"
    )
    assert response.status_code in (400, 413)
    assert InboundMessage.objects.count() == 0
    assert Need.objects.count() == 0


# --- the deployment check and the linter -------------------------------------------------------------
def test_check_deploy_is_clean_with_production_settings(tmp_path):
    # tests/browser/support.py sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright in this process; a
    # deployment never has it (check --deploy rightly refuses it), so the child must not inherit it.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "reliability-" + "k3y" * 20,
            "ALLOWED_HOSTS": "rekindle.example.org",
            "SMS_BACKEND": "console",
            "PUBLIC_BASE_URL": "https://rekindle.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        }
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_ruff_security_rules_are_clean():
    ruff = ROOT / ".venv" / "bin" / "ruff"
    command = [str(ruff)] if ruff.exists() else [sys.executable, "-m", "ruff"]
    done = subprocess.run(  # noqa: S603 - the project's own ruff
        [*command, "check", "--select", "S", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr

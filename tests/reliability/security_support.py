"""Shared pieces of the race, attack and upgrade tests (tests/reliability/test_{races,attack,upgrades}.py).

The race tests need real separate processes, each with its own database connection, released at
the same instant. ``processes_race`` starts ONE helper interpreter (``python -m
tests.reliability.security_support JOB PAYLOAD``) that sets Django up once and then forks the
racers: forking after ``django.setup()`` costs milliseconds, where 50 fresh interpreters would cost
a minute of CPU on a small CI machine. No connection is open at the fork, so every racer opens its
own; a ``multiprocessing.Barrier`` lets them all go at once.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_TOKEN = "reliability-auth-token"
PUBLIC_BASE_URL = "http://testserver"
INBOUND_PATH = "/sms/twilio/inbound/"
STATUS_PATH = "/sms/twilio/status/"


# --- in the test process --------------------------------------------------------------------------
def postgres_only(connection) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "separate processes racing need a database server they can all connect to: pytest-django's "
            "SQLite test database is in memory, private to this process (run with DATABASE_URL on PostgreSQL)"
        )


def database_url(connection) -> str:
    """A DATABASE_URL for the test database this process is using (PostgreSQL)."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


def local_authorities_restore() -> None:
    """Transactional tests flush every table, taking the local authorities the data migration made."""
    from django.apps import apps as django_apps
    from django.db import connection

    from volunteers.models import LocalAuthority

    if not LocalAuthority.objects.exists():
        migration = importlib.import_module("volunteers.migrations.0002_local_authorities")
        migration.create(django_apps, connection.schema_editor())


def processes_race(*, connection, job: str, payload: dict, timeout: float = 120) -> list[dict]:
    """Run ``job`` in len(payload["items"]) forked processes released together; their results."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "ALLOWED_HOSTS": "testserver",
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "TWILIO_AUTH_TOKEN": WEBHOOK_TOKEN,
        # locmem's provider sids come from a per-process counter: forked racers would all use the
        # same ones (a unique-constraint error that is the harness's, not the app's).
        "SMS_BACKEND": "tests.reliability.security_support.PerProcessLocmemTransport",
        "SMS_QUIET_HOURS": "",
        "SMS_MAX_PER_SECOND": "100000",
        "DB_CONN_MAX_AGE": "0",
    }
    env.pop("REDIS_URL", None)  # the ORM broker: nothing is left behind in a shared Redis
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, arguments we built
        [sys.executable, "-m", "tests.reliability.security_support", job, json.dumps(payload)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"racers failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def signature_for(path: str, params: dict, token: str = WEBHOOK_TOKEN, base: str = PUBLIC_BASE_URL) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(token).compute_signature(base + path, params)


class PerProcessLocmemTransport:
    """locmem, with provider sids unique across processes."""

    def __new__(cls):
        import uuid

        from messaging.transports import LocmemTransport, SendResult

        class _Transport(LocmemTransport):
            def send(self, sms):
                super().send(sms)
                return SendResult(provider_sid="SMRACE" + uuid.uuid4().hex[:26], status="sent")

        return _Transport()


# --- in the racing processes ----------------------------------------------------------------------
def _accept_by_sms(item: dict) -> dict:
    """One volunteer texts YES REF through the signed webhook; what they are told back."""
    from django.test import Client

    from messaging.models import InboundMessage, OutboundMessage

    params = {"MessageSid": item["sid"], "From": item["phone"], "To": "+447700900000", "Body": item["body"]}
    response = Client().post(
        INBOUND_PATH, params, HTTP_X_TWILIO_SIGNATURE=signature_for(INBOUND_PATH, params)
    )
    inbound = InboundMessage.objects.get(message_sid=item["sid"])
    reply = OutboundMessage.objects.filter(dedupe_key=f"reply:{item['sid']}").first()
    return {
        "phone": item["phone"],
        "status": response.status_code,
        "outcome": inbound.outcome,
        "reply": reply.body if reply else "",
    }


def _campaign_start_and_send(item: dict) -> dict:
    """A campaign manager presses Start; the worker then sends the first wave at once."""
    from django.contrib.auth import get_user_model

    from reactivation.models import Campaign
    from reactivation.services.campaign_lifecycle import campaign_start
    from reactivation.services.campaign_sending import campaign_advance

    user = get_user_model().objects.get(pk=item["user_id"])
    campaign = campaign_start(campaign=Campaign.objects.get(pk=item["campaign_id"]), user=user)
    return {
        "campaign": campaign.pk,
        "status": campaign.status,
        "advance": campaign_advance(campaign_id=campaign.pk),
    }


JOBS = {"accept_by_sms": _accept_by_sms, "campaign_start_and_send": _campaign_start_and_send}


def _racer(barrier, results, index: int, job: str, item: dict) -> None:
    from django.db import connections

    try:
        barrier.wait(timeout=60)
        result = JOBS[job](item)
    except Exception as exc:  # reported to the test, which fails on it
        result = {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        connections.close_all()
    results.put((index, result))


def _warm_up() -> None:
    """Import and build, once before forking, what every racer would otherwise load on its own."""
    import django_q.tasks  # noqa: F401
    import twilio.request_validator  # noqa: F401
    from django.test import Client
    from django.urls import get_resolver

    from messaging import inbound, tasks  # noqa: F401
    from reactivation.services import campaign_lifecycle, replies  # noqa: F401

    get_resolver().resolve(INBOUND_PATH)
    Client()


def main(argv: list[str]) -> None:
    import multiprocessing

    import django

    job, payload = argv[0], json.loads(argv[1])
    django.setup()
    from django.conf import settings
    from django.db import connections

    settings.SMS_TASKS_SYNC = True  # each racer does the worker's part too, in its own process
    _warm_up()
    # Nothing may be open when forking: every racer must open its own connection.
    connections.close_all()
    items = payload["items"]
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(items))
    results = ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(barrier, results, i, job, it)) for i, it in enumerate(items)]
    for p in procs:
        p.start()
    out = [results.get(timeout=90) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    print(json.dumps([r for _, r in sorted(out, key=lambda pair: pair[0])]))


if __name__ == "__main__":
    main(sys.argv[1:])

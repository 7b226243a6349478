"""The readiness drill: can the system itself wake up after months unused?

Each check answers PASS, FAIL or SKIP with a reason a person on call can act on. The drill runs the
health checks of /healthz/ (database, broker, worker heartbeat, schedules, outbox, static files) and
adds the ones too slow for a monitor, which talk to the real things: the migration graph, the task
worker (a round-trip task), Twilio through the official client (the account, the number's or
messaging service's inbound webhook), a number to call from, a test text and the postcode table.
``python manage.py readiness_drill`` prints them and exits non-zero on a failure.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from operations.health import (
    FAIL,
    HEALTH_CHECKS,
    PASS,
    SKIP,
    Check,
    check_guard,
    check_postcodes,
)
from volunteers.models import Volunteer

DEFAULT_TWILIO_API = "https://api.twilio.com"


def worker_ping() -> str:
    """The round-trip task: answered by whichever worker picks it up."""
    return "pong"


def check_migrations() -> Check:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        return Check(
            "migrations", FAIL, f"{len(plan)} not applied ({names}{more}): run `python manage.py migrate`"
        )
    return Check("migrations", PASS, "every migration is applied")


def check_worker(*, timeout: float = 15.0) -> Check:
    """Queue a trivial task and wait for its result: only a live worker can answer."""
    from django_q.tasks import async_task, result

    try:
        task_id = async_task("operations.drill.worker_ping", task_name="readiness drill ping")
    except Exception as exc:  # the broker itself is down (Redis refused, database gone)
        return Check("worker round trip", FAIL, f"could not queue a task: {type(exc).__name__}: {exc}")
    started = time.monotonic()
    answer = result(task_id, wait=int(timeout * 1000))
    if answer == "pong":
        return Check("worker round trip", PASS, f"a worker ran a task in {time.monotonic() - started:.1f} s")
    return Check(
        "worker round trip",
        FAIL,
        f"no worker ran a test task within {timeout:g} s: start `python manage.py qcluster` "
        "(campaigns, readiness checks and every text wait on it)",
    )


def _twilio_client():
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    client = Client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        http_client=TwilioHttpClient(timeout=settings.SMS_HTTP_TIMEOUT),
    )
    base = (settings.TWILIO_API_BASE_URL or DEFAULT_TWILIO_API).rstrip("/")
    if base != DEFAULT_TWILIO_API:
        # A local Twilio-compatible server (tests, rehearsals) answers for every domain we use.
        client.api.base_url = base
        client.messaging.base_url = base
    return client


def _twilio_skip(name: str) -> Check | None:
    if settings.SMS_BACKEND != "twilio":
        status = SKIP if settings.DEBUG else FAIL
        return Check(name, status, f"SMS_BACKEND is {settings.SMS_BACKEND!r}: no text reaches Twilio")
    return None


def _twilio_problem(exc: Exception) -> str:
    from twilio.base.exceptions import TwilioRestException

    if isinstance(exc, TwilioRestException):
        if exc.status == 401:
            return "Twilio refused the credentials (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN)"
        return f"Twilio answered {exc.status} (error {exc.code}): {exc.msg}"
    return f"could not reach Twilio: {type(exc).__name__}: {exc}"[:300]


def check_twilio_account(client=None) -> Check:
    if skipped := _twilio_skip("twilio account"):
        return skipped
    try:
        account = (client or _twilio_client()).api.v2010.accounts(settings.TWILIO_ACCOUNT_SID).fetch()
    except Exception as exc:
        return Check("twilio account", FAIL, _twilio_problem(exc))
    if account.status != "active":
        return Check("twilio account", FAIL, f"the account is {account.status}, not active: no text will go")
    return Check("twilio account", PASS, f"credentials work; account {account.friendly_name!r} is active")


def inbound_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("sms:twilio-inbound")


def check_webhook(client=None) -> Check:
    """The URL Twilio posts replies to must be ours, or READY, STOP and YES go nowhere."""
    if skipped := _twilio_skip("inbound webhook"):
        return skipped
    expected = inbound_url()
    client = client or _twilio_client()
    try:
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            where = f"messaging service {settings.TWILIO_MESSAGING_SERVICE_SID}"
            service = client.messaging.v1.services(settings.TWILIO_MESSAGING_SERVICE_SID).fetch()
            if service.use_inbound_webhook_on_number:
                return Check(
                    "inbound webhook",
                    SKIP,
                    f"{where} leaves inbound to each number's own webhook: check the numbers in the console",
                )
            actual, method = service.inbound_request_url, service.inbound_method
        else:
            where = f"number {settings.TWILIO_FROM_NUMBER}"
            numbers = client.api.v2010.accounts(settings.TWILIO_ACCOUNT_SID).incoming_phone_numbers.list(
                phone_number=settings.TWILIO_FROM_NUMBER, limit=1
            )
            if not numbers:
                return Check(
                    "inbound webhook", FAIL, f"the account has no {where}: TWILIO_FROM_NUMBER is wrong"
                )
            actual, method = numbers[0].sms_url, numbers[0].sms_method
    except Exception as exc:
        return Check("inbound webhook", FAIL, _twilio_problem(exc))
    if (actual or "") != expected:
        return Check(
            "inbound webhook",
            FAIL,
            f"Twilio posts replies for {where} to {actual or 'nowhere'!s}, not {expected} "
            "(set it in the Twilio console, or fix PUBLIC_BASE_URL)",
        )
    if (method or "POST").upper() != "POST":
        return Check("inbound webhook", FAIL, f"Twilio uses {method} for {where}; the webhook takes POST")
    return Check("inbound webhook", PASS, f"Twilio posts replies for {where} to {expected}")


def check_test_message(*, phone: str | None, timeout: float = 30.0) -> Check:
    """Queue an urgent text to an operator's phone through the outbox and wait until Twilio has it."""
    from messaging.models import OutboundMessage
    from messaging.services import message_queue
    from volunteers.phones import InvalidPhone

    if not phone:
        return Check("test message", SKIP, "no --send-test-to PHONE given")
    now = timezone.now()
    try:
        message = message_queue(
            to=phone,
            body=f"Rekindle readiness drill {now:%Y-%m-%d %H:%M}: texts are getting through. No reply needed.",
            dedupe_key=f"readiness-drill:{now.isoformat()}",
            purpose="readiness_drill",
            priority=OutboundMessage.Priority.URGENT,
            urgent=True,
        )
    except InvalidPhone as exc:
        return Check("test message", FAIL, f"{phone} is not a phone number: {exc}")
    if message is None:
        return Check("test message", FAIL, f"{phone} has opted out (texted STOP): use another number")
    deadline = time.monotonic() + timeout
    gone = (OutboundMessage.State.SENT, OutboundMessage.State.DELIVERED)
    stuck = (OutboundMessage.State.FAILED, OutboundMessage.State.UNDELIVERED, OutboundMessage.State.CANCELLED)
    while True:
        message.refresh_from_db()
        if message.state in gone:
            return Check("test message", PASS, f"Twilio took the text to {phone} ({message.provider_sid})")
        if message.state in stuck or (message.state == OutboundMessage.State.ERRORED and message.error_code):
            return Check(
                "test message",
                FAIL,
                f"the text to {phone} {message.state}: {message.error_code} {message.error_message}".strip(),
            )
        if time.monotonic() >= deadline:
            return Check(
                "test message",
                FAIL,
                f"the text to {phone} is still {message.state} after {timeout:g} s (is the worker running?)",
            )
        time.sleep(0.2)


def check_calls() -> Check:
    """Volunteers who are called, not texted, need a number to call from (a Messaging Service cannot call)."""
    if settings.SMS_BACKEND != "twilio":
        return Check("calls", SKIP, f"SMS_BACKEND is {settings.SMS_BACKEND!r}: no call reaches Twilio")
    number = settings.VOICE_FROM_NUMBER or settings.TWILIO_FROM_NUMBER
    if number:
        return Check("calls", PASS, f"calls to volunteers who are called come from {number}")
    called = (
        Volunteer.objects.filter(contact_by=Volunteer.ContactBy.VOICE)
        .exclude(status__in=(Volunteer.Status.OPTED_OUT, Volunteer.Status.ERASED))
        .count()
    )
    if called:
        return Check(
            "calls",
            FAIL,
            f"{called} volunteer(s) are called, not texted, but no number calls: set VOICE_FROM_NUMBER",
        )
    return Check(
        "calls", PASS, "nobody is called instead of texted yet; set VOICE_FROM_NUMBER before anyone is"
    )


def drill_run(
    *, send_test_to: str | None = None, worker_timeout: float = 15.0, message_timeout: float = 30.0
) -> list[Check]:
    """Every check, in the order a person would fix them. A check that itself crashes is a FAIL."""
    migrations = check_guard("migrations", check_migrations)
    checks = [migrations]
    later = [name for name, _ in HEALTH_CHECKS]
    later += ["worker round trip", "twilio account", "inbound webhook", "calls", "test message", "postcodes"]
    if migrations.status == FAIL:
        # Without the tables the other checks would only repeat the same failure less clearly.
        return checks + [Check(name, SKIP, "migrations first") for name in later]
    checks += [check_guard(name, check) for name, check in HEALTH_CHECKS]
    round_trip = check_guard("worker round trip", lambda: check_worker(timeout=worker_timeout))
    checks.append(round_trip)
    client = _twilio_client() if settings.SMS_BACKEND == "twilio" else None
    checks.append(check_guard("twilio account", lambda: check_twilio_account(client)))
    checks.append(check_guard("inbound webhook", lambda: check_webhook(client)))
    checks.append(check_guard("calls", check_calls))
    if send_test_to and round_trip.status == FAIL:
        checks.append(Check("test message", SKIP, "no worker to send it"))
    else:
        checks.append(
            check_guard(
                "test message", lambda: check_test_message(phone=send_test_to, timeout=message_timeout)
            )
        )
    checks.append(check_guard("postcodes", check_postcodes))
    return checks

"""Health checks: cheap enough for a monitor every 30 seconds, truthful enough to page someone.

Each check answers PASS, FAIL or SKIP with a reason a person on call can act on. ``/healthz/`` runs
``health_run()`` (a handful of indexed queries and one broker ping); the readiness drill runs the
same checks and adds the slow ones that talk to Twilio and wait for a task to come back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"

# The scheduler looks for due jobs about every 30 seconds: a job this late means it is not running.
SCHEDULE_GRACE = timedelta(minutes=5)
# The heartbeat job runs every minute; three missed beats and the worker is taken for gone.
HEARTBEAT_SILENCE = timedelta(minutes=3)
# Files every page needs; if they are missing, production serves pages without style or maps.
ESSENTIAL_STATIC = ("rekindle.css", "rekindle-map.js", "vendor/leaflet/leaflet.js")


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    reason: str


def _ago(moment) -> str:
    seconds = max(0, int((timezone.now() - moment).total_seconds()))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def check_database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return Check("database", PASS, f"{connection.vendor} answers")


def check_broker() -> Check:
    """The task queue: Redis when REDIS_URL is set, otherwise a table in the database."""
    from core.broker import broker_shared

    broker = broker_shared()
    kind = "Redis" if settings.Q_CLUSTER.get("redis") else "the database"
    try:
        broker.ping()
    except Exception as exc:
        return Check("broker", FAIL, f"the task queue ({kind}) does not answer: {type(exc).__name__}")
    return Check("broker", PASS, f"the task queue ({kind}) answers")


def check_worker_heartbeat() -> Check:
    """The heartbeat job proves the scheduler, the broker and a worker all work."""
    from core.models import Heartbeat
    from core.tasks import WORKER_HEARTBEAT

    beat = Heartbeat.objects.filter(name=WORKER_HEARTBEAT).first()
    start = "start `python manage.py qcluster`: texts, offers and campaigns wait on it"
    if beat is None:
        return Check("worker", FAIL, f"no task worker has ever run here: {start}")
    if timezone.now() - beat.seen_at > HEARTBEAT_SILENCE:
        return Check("worker", FAIL, f"the task worker was last seen {_ago(beat.seen_at)}: {start}")
    return Check("worker", PASS, f"the task worker was seen {_ago(beat.seen_at)}")


def check_schedules() -> Check:
    """Every periodic job the code declares exists, runs what the code says and is not overdue."""
    from django_q.models import Schedule

    from core.schedules import schedules_declared

    declared = schedules_declared()
    found = {s.name: s for s in Schedule.objects.filter(name__in=[job.name for job in declared])}
    now = timezone.now()
    problems = []
    for job in declared:
        schedule = found.get(job.name)
        if schedule is None:
            problems.append(f"{job.name!r} is missing")
        elif schedule.func != job.func:
            problems.append(f"{job.name!r} runs {schedule.func}, not {job.func}")
        elif schedule.repeats == 0:
            problems.append(f"{job.name!r} has no repeats left")
        elif schedule.next_run and now - schedule.next_run > SCHEDULE_GRACE:
            problems.append(f"{job.name!r} was due {_ago(schedule.next_run)} and has not run")
    if problems:
        fix = (
            "`python manage.py setup_schedules` restores missing jobs"
            if any("missing" in p or " runs " in p or "repeats" in p for p in problems)
            else "is `python manage.py qcluster` running?"
        )
        return Check("schedules", FAIL, "; ".join(problems) + f" ({fix})")
    return Check("schedules", PASS, f"all {len(declared)} periodic jobs are scheduled and on time")


def check_outbox() -> Check:
    """The oldest urgent text that could go now: a reply or an offer waiting minutes is a fault."""
    from messaging.selectors import outbox_oldest_waiting

    limit = timedelta(seconds=settings.HEALTH_OUTBOX_MAX_AGE_SECONDS)
    oldest = outbox_oldest_waiting()
    if oldest is not None and timezone.now() - oldest > limit:
        return Check(
            "outbox",
            FAIL,
            f"an urgent text has waited since {_ago(oldest)} (limit {limit.seconds // 60} min): "
            "is the worker sending, and is Twilio answering?",
        )
    if oldest is None:
        return Check("outbox", PASS, "no urgent text is waiting")
    return Check("outbox", PASS, f"the oldest urgent text has waited since {_ago(oldest)}")


def check_static() -> Check:
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage

    missing = []
    stored_name = getattr(staticfiles_storage, "stored_name", None)  # production: collected, hashed names
    for name in ESSENTIAL_STATIC:
        if stored_name is None:
            present = bool(finders.find(name))  # development serves straight from static/
        else:
            try:
                present = staticfiles_storage.exists(stored_name(name))
            except ValueError:  # not in the manifest: collectstatic never ran, or ran on old code
                present = False
        if not present:
            missing.append(name)
    if missing:
        return Check(
            "static files",
            FAIL,
            f"{', '.join(missing)} not found: run `python manage.py collectstatic --no-input`",
        )
    return Check("static files", PASS, "the pages' style sheet and scripts are in place")


def check_postcodes() -> Check:
    from volunteers.models import Postcode

    count = Postcode.objects.count()
    if not count:
        return Check(
            "postcodes",
            FAIL,
            "the postcode table is empty: nothing can be placed on the map; "
            "run `python manage.py load_postcodes ONSPD.csv`",
        )
    return Check("postcodes", PASS, f"{count:,} postcodes loaded")


HEALTH_CHECKS: tuple[tuple[str, Callable[[], Check]], ...] = (
    ("database", check_database),
    ("broker", check_broker),
    ("worker", check_worker_heartbeat),
    ("schedules", check_schedules),
    ("outbox", check_outbox),
    ("static files", check_static),
)


def check_guard(name: str, check: Callable[[], Check]) -> Check:
    """A check that itself crashes is a FAIL, never a 500 or a crashed drill."""
    try:
        return check()
    except Exception as exc:
        return Check(name, FAIL, f"the check itself failed: {type(exc).__name__}: {exc}"[:300])


def health_run() -> list[Check]:
    """The cheap checks, in the order a person would fix them. A database that does not answer
    makes the rest meaningless, so they are skipped rather than repeating the same failure."""
    database = check_guard("database", check_database)
    if database.status == FAIL:
        return [database] + [Check(name, SKIP, "the database first") for name, _ in HEALTH_CHECKS[1:]]
    return [database] + [check_guard(name, check) for name, check in HEALTH_CHECKS[1:]]

"""/healthz/ and its checks: each passes when the part works and fails, by name, when it does not.

The list of periodic jobs is read from the code that declares them (core/schedules.py finds each
app's schedules.py), never from a count written here."""

from __future__ import annotations

import importlib
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from core.broker import broker_reset
from core.schedules import schedules_declared
from core.tasks import worker_heartbeat
from messaging.models import OutboundMessage
from operations import health

pytestmark = pytest.mark.django_db

DECLARED = [job.name for job in schedules_declared()]


@pytest.fixture
def all_well():
    """What a running service has: a recent heartbeat (the schedules come from migrate)."""
    worker_heartbeat()


def healthz(client):
    response = client.get("/healthz/")
    return response.status_code, response.json()


# --- the schedules come from the code --------------------------------------------------------------


def test_every_schedule_in_the_database_is_declared_in_code_and_every_declared_one_exists():
    # migrate (which built this test database) creates them; none is known only to a migration.
    assert sorted(Schedule.objects.values_list("name", flat=True)) == sorted(DECLARED)
    assert len(DECLARED) >= 8  # heartbeat, 2 SMS, 2 needs, 2 reactivation, requester erasure


@pytest.mark.parametrize("name", DECLARED)
def test_every_declared_job_runs_a_function_that_exists(name):
    (job,) = [j for j in schedules_declared() if j.name == name]
    module, func = job.func.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), func))


@pytest.mark.parametrize("name", DECLARED)
def test_deleting_any_schedule_fails_the_health_check_by_name(client, all_well, name):
    assert healthz(client)[0] == 200
    Schedule.objects.filter(name=name).delete()
    status, body = healthz(client)
    assert status == 503 and body["status"] == "failing"
    assert body["checks"]["schedules"]["status"] == "fail"
    assert f"{name!r} is missing" in body["checks"]["schedules"]["detail"]
    assert "setup_schedules" in body["checks"]["schedules"]["detail"]


def test_setup_schedules_and_migrate_put_deleted_schedules_back(all_well):
    Schedule.objects.all().delete()
    call_command("setup_schedules", stdout=io.StringIO())
    assert health.check_schedules().status == "PASS"
    Schedule.objects.filter(name=DECLARED[0]).delete()
    call_command("migrate", verbosity=0)
    assert Schedule.objects.filter(name=DECLARED[0]).exists()


def test_a_schedule_that_is_long_overdue_means_the_scheduler_is_not_running(all_well):
    Schedule.objects.filter(name="needs: expire offers and re-offer").update(
        next_run=timezone.now() - timedelta(minutes=20)
    )
    check = health.check_schedules()
    assert check.status == "FAIL"
    assert "'needs: expire offers and re-offer' was due 20 min ago and has not run" in check.reason
    assert "qcluster" in check.reason


def test_a_schedule_with_no_repeats_left_fails():
    Schedule.objects.filter(name="erase-closed-requesters").update(repeats=0)
    assert "no repeats left" in health.check_schedules().reason


# --- the worker's heartbeat ----------------------------------------------------------------------


def test_no_heartbeat_ever_fails():
    check = health.check_worker_heartbeat()
    assert check.status == "FAIL" and "has ever run" in check.reason and "qcluster" in check.reason


def test_a_stopped_worker_fails_three_minutes_after_its_last_beat(client):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        worker_heartbeat()
        assert health.check_worker_heartbeat().status == "PASS"
        clock.shift(timedelta(minutes=2, seconds=50))
        assert health.check_worker_heartbeat().status == "PASS"
        clock.shift(timedelta(seconds=20))
        check = health.check_worker_heartbeat()
        assert check.status == "FAIL" and "last seen 3 min ago" in check.reason
        status, body = healthz(client)
    assert status == 503 and body["checks"]["worker"]["status"] == "fail"


# --- the outbox ------------------------------------------------------------------------------------


def _queued(*, minutes_ago: float, priority=OutboundMessage.Priority.URGENT, key="k"):
    return OutboundMessage.objects.create(
        to="+447700900123",
        body="x",
        dedupe_key=key,
        priority=priority,
        send_after=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_an_urgent_text_waiting_eleven_minutes_fails_the_outbox(client, all_well):
    _queued(minutes_ago=2)
    assert health.check_outbox().status == "PASS"
    _queued(minutes_ago=11, key="old")
    check = health.check_outbox()
    assert check.status == "FAIL" and "waited since 11 min ago" in check.reason
    assert healthz(client)[0] == 503


def test_texts_held_for_quiet_hours_or_bulk_behind_a_campaign_are_not_stuck():
    _queued(minutes_ago=-60, key="quiet")  # may go only in an hour
    _queued(minutes_ago=45, priority=OutboundMessage.Priority.BULK, key="bulk")
    assert health.check_outbox().status == "PASS"


# --- broker, static files ------------------------------------------------------------------------------


def test_an_unreachable_redis_broker_fails(settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": "redis://127.0.0.1:9/0"}
    settings.Q_CLUSTER.pop("orm", None)
    from django_q.conf import Conf

    saved = (Conf.REDIS, Conf.ORM)
    Conf.REDIS, Conf.ORM = "redis://127.0.0.1:9/0", None
    broker_reset()
    try:
        check = health.check_broker()
    finally:
        Conf.REDIS, Conf.ORM = saved
        broker_reset()
    assert check.status == "FAIL" and "Redis" in check.reason


def test_production_static_files_fail_until_collected_then_pass(settings, tmp_path):
    """The production storage (whitenoise's manifest): every file collects (a missing file that
    another refers to, like leaflet.js's source map, would stop collectstatic) and is then found."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    staticfiles_storage._setup()
    check = health.check_static()
    assert check.status == "FAIL" and "collectstatic" in check.reason
    call_command("collectstatic", "--no-input", verbosity=0)
    staticfiles_storage._setup()
    assert health.check_static().status == "PASS"
    assert (tmp_path / "vendor" / "leaflet" / "leaflet.js.map").exists()


# --- the endpoints -----------------------------------------------------------------------------------


def test_healthz_answers_json_with_every_check_and_200_when_all_pass(client, all_well):
    status, body = healthz(client)
    assert status == 200 and body["status"] == "ok"
    assert list(body["checks"]) == ["database", "broker", "worker", "schedules", "outbox", "static files"]
    assert all(check["status"] == "pass" for check in body["checks"].values())


def test_healthz_is_cheap(client, all_well, django_assert_max_num_queries):
    # For a monitor every 30 seconds: a few indexed queries, nothing that grows with the data.
    with django_assert_max_num_queries(4):
        client.get("/healthz/")


def test_the_liveness_probe_answers_while_the_worker_is_down(client):
    assert healthz(client)[0] == 503  # no heartbeat yet
    response = client.get("/healthz/live/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}

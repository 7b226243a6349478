"""readiness_drill: each line of the checklist passes when the part works and fails, with a reason
a person can act on, when it does not. Twilio is the real client talking HTTP to the local fake."""

import pytest
from django.core.management import CommandError, call_command
from django.db.migrations.recorder import MigrationRecorder
from django_q.models import Schedule

from core.tasks import worker_heartbeat
from messaging.services import optout_record
from operations import drill, health
from tests.reactivation.twilio_account_fake import FakeTwilioAccount
from volunteers.models import Postcode

pytestmark = pytest.mark.django_db

FROM = "+447700900000"
PUBLIC = "https://rekindle.example.org"
INBOUND = PUBLIC + "/sms/twilio/inbound/"
OPERATOR = "+447700900999"


@pytest.fixture
def twilio(settings):
    server = FakeTwilioAccount(account_sid="AC" + "7" * 32, auth_token="drill-token").start()
    server.numbers[FROM] = (INBOUND, "POST")
    server.settings_point(settings, from_number=FROM)
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.SMS_HTTP_TIMEOUT = 2
    yield server
    server.stop()


@pytest.fixture
def worker_inline(monkeypatch):
    """Stands in for a live worker: django-q2 runs queued tasks at once (the end-to-end test uses a real one)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


# --- migrations --------------------------------------------------------------------------------


def test_migrations_pass_when_all_are_applied():
    assert drill.check_migrations().status == "PASS"


def test_an_unapplied_migration_fails_and_is_named():
    # The app's newest migration (an older one unrecorded under a newer one is not "unapplied").
    newest = MigrationRecorder.Migration.objects.filter(app="reactivation").order_by("-name").first().name
    MigrationRecorder.Migration.objects.filter(app="reactivation", name=newest).delete()
    check = drill.check_migrations()
    assert check.status == "FAIL"
    assert f"reactivation.{newest}" in check.reason and "manage.py migrate" in check.reason


# --- worker --------------------------------------------------------------------------------------


def test_the_worker_passes_when_a_task_comes_back(worker_inline):
    check = drill.check_worker(timeout=5)
    assert check.status == "PASS", check.reason


def test_no_worker_fails_after_the_timeout():
    check = drill.check_worker(timeout=0.3)
    assert check.status == "FAIL"
    assert "qcluster" in check.reason


# --- Twilio account ------------------------------------------------------------------------------


def test_working_credentials_pass(twilio):
    check = drill.check_twilio_account()
    assert check.status == "PASS", check.reason
    assert any(r.path == f"/2010-04-01/Accounts/{twilio.account_sid}.json" for r in twilio.requests)


def test_refused_credentials_fail(twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "rotated-months-ago"
    check = drill.check_twilio_account()
    assert (check.status, check.reason) == (
        "FAIL",
        "Twilio refused the credentials (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN)",
    )


def test_a_suspended_account_fails(twilio):
    twilio.account_status = "suspended"
    assert drill.check_twilio_account().reason.startswith("the account is suspended")


def test_twilio_unreachable_fails(twilio, settings):
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"
    check = drill.check_twilio_account()
    assert check.status == "FAIL" and "could not reach Twilio" in check.reason


def test_without_twilio_it_is_skipped_in_development_and_fails_in_production(settings):
    settings.SMS_BACKEND = "console"
    settings.DEBUG = True
    assert drill.check_twilio_account().status == "SKIP"
    settings.DEBUG = False
    assert drill.check_twilio_account().status == "FAIL"


# --- inbound webhook -----------------------------------------------------------------------------


def test_the_numbers_webhook_matches_public_base_url(twilio):
    check = drill.check_webhook()
    assert check.status == "PASS", check.reason
    assert INBOUND in check.reason


def test_a_webhook_pointing_elsewhere_fails_and_says_both_urls(twilio):
    twilio.numbers[FROM] = ("https://old-host.example.org/sms/twilio/inbound/", "POST")
    check = drill.check_webhook()
    assert check.status == "FAIL"
    assert "old-host.example.org" in check.reason and INBOUND in check.reason


def test_a_webhook_called_with_get_fails(twilio):
    twilio.numbers[FROM] = (INBOUND, "GET")
    assert drill.check_webhook().status == "FAIL"


def test_a_number_the_account_does_not_have_fails(twilio, settings):
    settings.TWILIO_FROM_NUMBER = "+447700900123"
    check = drill.check_webhook()
    assert check.status == "FAIL" and "TWILIO_FROM_NUMBER is wrong" in check.reason


def test_a_messaging_service_is_checked_instead_of_the_number(twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    twilio.services[settings.TWILIO_MESSAGING_SERVICE_SID] = (INBOUND, False)
    assert drill.check_webhook().status == "PASS"
    twilio.services[settings.TWILIO_MESSAGING_SERVICE_SID] = ("https://elsewhere.example/in", False)
    assert drill.check_webhook().status == "FAIL"
    assert any(r.path.startswith("/v1/Services/MG") for r in twilio.requests)


# --- test message ----------------------------------------------------------------------------------


def test_no_phone_given_skips_the_test_message():
    assert drill.check_test_message(phone=None).status == "SKIP"


@pytest.mark.django_db(transaction=True)
def test_the_test_message_reaches_twilio(twilio):
    check = drill.check_test_message(phone="07700 900999", timeout=10)
    assert check.status == "PASS", check.reason
    (created,) = twilio.created()
    assert created["to"] == OPERATOR and "readiness drill" in created["body"]


@pytest.mark.django_db(transaction=True)
def test_the_test_message_fails_when_nothing_sends_it(twilio, settings):
    settings.SMS_TASKS_SYNC = False  # queued for a worker that is not there
    check = drill.check_test_message(phone=OPERATOR, timeout=0.5)
    assert check.status == "FAIL" and "still queued" in check.reason
    assert twilio.created() == []


def test_an_opted_out_operator_phone_fails(twilio):
    optout_record(phone=OPERATOR, source="sms", keyword="STOP")
    check = drill.check_test_message(phone=OPERATOR, timeout=1)
    assert check.status == "FAIL" and "opted out" in check.reason


def test_a_bad_phone_fails():
    assert drill.check_test_message(phone="not a phone", timeout=1).status == "FAIL"


# --- postcodes and schedules ---------------------------------------------------------------------


def test_postcodes_pass_when_loaded_and_fail_when_empty():
    check = health.check_postcodes()
    assert check.status == "FAIL" and "load_postcodes" in check.reason
    Postcode.objects.create(postcode="B11 1AA", district="B11", latitude=52.46, longitude=-1.87)
    assert health.check_postcodes().status == "PASS"


def test_schedules_pass_when_every_job_exists():
    check = health.check_schedules()
    assert check.status == "PASS", check.reason


def test_a_missing_schedule_fails_and_is_named():
    Schedule.objects.filter(name="reactivation: advance campaigns").delete()
    Schedule.objects.filter(name="sms-outbox-sweep").update(func="messaging.tasks.gone")
    check = health.check_schedules()
    assert check.status == "FAIL"
    assert "'reactivation: advance campaigns' is missing" in check.reason
    assert "'sms-outbox-sweep' runs messaging.tasks.gone" in check.reason


# --- the command -----------------------------------------------------------------------------------


def test_the_command_prints_the_checklist_and_fails_on_any_failure(twilio, capsys):
    with pytest.raises(CommandError, match="3 check\\(s\\) failed: worker, worker round trip, postcodes"):
        call_command("readiness_drill", "--worker-timeout", "0.3")
    out = capsys.readouterr().out
    for line in (
        "[PASS] migrations",
        "[PASS] database",
        "[FAIL] worker ",
        "[PASS] schedules",
        "[PASS] outbox",
        "[PASS] static files",
        "[FAIL] worker round trip",
        "[PASS] twilio account",
        "[PASS] inbound webhook",
        "[SKIP] test message",
        "[FAIL] postcodes",
    ):
        assert line in out


def test_the_command_succeeds_when_everything_is_ready(twilio, worker_inline, capsys):
    Postcode.objects.create(postcode="B11 1AA", district="B11", latitude=52.46, longitude=-1.87)
    worker_heartbeat()
    call_command("readiness_drill", "--worker-timeout", "5")
    assert "Ready: every check passed" in capsys.readouterr().out


def test_the_command_fails_when_any_declared_schedule_is_deleted(twilio, worker_inline, capsys):
    Postcode.objects.create(postcode="B11 1AA", district="B11", latitude=52.46, longitude=-1.87)
    worker_heartbeat()
    Schedule.objects.filter(name="erase-closed-requesters").delete()
    with pytest.raises(CommandError, match="1 check\\(s\\) failed: schedules"):
        call_command("readiness_drill", "--worker-timeout", "5")
    assert "'erase-closed-requesters' is missing" in capsys.readouterr().out

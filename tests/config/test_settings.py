"""Settings fail loudly: each case starts a fresh interpreter with a crafted environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, parse_quiet_hours

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "x" * 50


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO", "DEBUG", "SECRET", "REDIS", "SMS_"))
    }
    clean.pop("DATABASE_URL", None)
    clean.update(env)
    code = "import config.settings as s; print(s.DEBUG, s.Q_CLUSTER.get('redis'), 'orm' in s.Q_CLUSTER)"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings(DEBUG="false", ALLOWED_HOSTS="rekindle.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_secret_key():
    from config.settings import DEV_SECRET_KEY

    result = load_settings(DEBUG="false", SECRET_KEY=DEV_SECRET_KEY, ALLOWED_HOSTS="rekindle.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_real_key():
    result = load_settings(
        DEBUG="false",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="rekindle.example.org",
        SMS_BACKEND="console",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False")


def test_twilio_backend_without_credentials_refuses_to_start():
    result = load_settings(SMS_BACKEND="twilio")
    assert result.returncode != 0
    assert "TWILIO_ACCOUNT_SID" in result.stderr


def test_a_typo_in_debug_is_an_error_not_false():
    result = load_settings(DEBUG="flase")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_redis_url_switches_the_task_broker():
    with_redis = load_settings(REDIS_URL="redis://127.0.0.1:6379/3")
    without = load_settings()
    assert with_redis.stdout.split() == ["True", "redis://127.0.0.1:6379/3", "False"]
    assert without.stdout.split() == ["True", "None", "True"]


def test_a_malformed_redis_url_is_refused():
    result = load_settings(REDIS_URL="localhost:6379")
    assert result.returncode != 0
    assert "REDIS_URL must start with" in result.stderr


def test_bad_quiet_hours_are_refused():
    result = load_settings(SMS_QUIET_HOURS="late evening")
    assert result.returncode != 0
    assert "SMS_QUIET_HOURS must look like 21:00-08:00" in result.stderr


def test_helpers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    assert env_bool("X_BOOL", "false") is True
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_INT must be a whole number"):
        env_int("X_INT", 10)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X_INT", 10, minimum=1)
    assert parse_quiet_hours("Q", "") is None
    start, end = parse_quiet_hours("Q", "21:00-08:00")
    assert (start.hour, end.hour) == (21, 8)


def test_the_task_workers_routine_lines_are_hidden_and_a_setting_restores_them():
    import logging

    assert logging.getLogger("django-q").getEffectiveLevel() == logging.WARNING
    code = "import django; django.setup(); import logging; print(logging.getLogger('django-q').getEffectiveLevel())"
    env = {k: v for k, v in os.environ.items() if not k.startswith("Q_")}
    shown = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "Q_LOG_LEVEL": "INFO"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stdout.strip() == str(logging.INFO), shown.stderr


def test_the_phone_lines_duty_settings_fail_loudly_on_a_bad_value(monkeypatch):
    from datetime import time

    from config.env import env_e164, env_hours

    monkeypatch.setenv("PHONE_LINE_DUTY_NUMBER", "0121 496 0000")
    with pytest.raises(
        ImproperlyConfigured, match=r"PHONE_LINE_DUTY_NUMBER must be a phone number in E\.164"
    ):
        env_e164("PHONE_LINE_DUTY_NUMBER")
    monkeypatch.setenv("PHONE_LINE_DUTY_NUMBER", "+441214960000")
    assert env_e164("PHONE_LINE_DUTY_NUMBER") == "+441214960000"
    monkeypatch.setenv("PHONE_LINE_DUTY_HOURS", "nine to five")
    with pytest.raises(ImproperlyConfigured, match="PHONE_LINE_DUTY_HOURS must look like 09:00-17:00"):
        env_hours("PHONE_LINE_DUTY_HOURS", "09:00-17:00")
    monkeypatch.delenv("PHONE_LINE_DUTY_HOURS")
    assert env_hours("PHONE_LINE_DUTY_HOURS", "09:00-17:00") == (time(9), time(17))

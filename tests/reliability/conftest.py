"""Fixtures of the reliability suite: whole deployments in real processes (see harness.py).

Sizes: the quick versions run in the ordinary suite; RELIABILITY_LONG=1 (``make reliability``) runs
the long ones (5,000 recipients, Twilio hanging for a minute, minutes of load).
"""

from __future__ import annotations

import os

import pytest

from tests.reliability import harness

LONG = os.environ.get("RELIABILITY_LONG", "") == "1"


@pytest.fixture(scope="module")
def fault_stack(tmp_path_factory):
    """The service on this run's database kind (PostgreSQL: a database of our own; else SQLite)
    and broker (REDIS_URL: our own db number; else the ORM broker), 4 task workers, 2 web workers.
    Short task timeouts so that the ORM broker re-delivers a killed worker's task within the test."""
    tmp = tmp_path_factory.mktemp("faults")
    url = harness.run_database_url("rekindle_rel_faults", tmp)
    stack = harness.Stack(
        database_url=url,
        redis_url=harness.run_redis_url(),
        tmpdir=tmp,
        q_workers=4,
        hang_seconds=60 if LONG else 3,
        env={"SMS_HTTP_TIMEOUT": "10" if LONG else "1", "Q_TIMEOUT": "10", "Q_RETRY": "20"},
    )
    try:
        stack.migrate()
        stack.web_start(workers=2)
        stack.cluster_start()
        yield stack
    finally:
        stack.close()
        harness.database_drop(url)


@pytest.fixture(scope="module")
def private_stack(tmp_path_factory):
    """The service on a PostgreSQL and a Redis of its own (free ports, temp dirs), so that the tests
    may restart them; the machine's shared servers are never touched."""
    reason = harness.postgres_available() or harness.redis_available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"private PostgreSQL/Redis needed under CI: {reason}")
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("private")
    pg = harness.PrivatePostgres()
    redis = harness.PrivateRedis()
    stack = None
    try:
        pg.start()
        redis.start()
        url = pg.url("postgres")
        harness._pg_admin(url, ["CREATE DATABASE rekindle_rel_private"])
        stack = harness.Stack(
            database_url=pg.url("rekindle_rel_private"),
            redis_url=redis.url(harness.REDIS_DB),
            tmpdir=tmp,
            q_workers=4,
            env={"SMS_HTTP_TIMEOUT": "2", "Q_TIMEOUT": "10", "Q_RETRY": "20"},
        )
        stack.manage("migrate", "--no-input", "-v0")
        stack.web_start(workers=2)
        stack.cluster_start()
        stack.pg = pg
        stack.redis = redis
        yield stack
    finally:
        if stack is not None:
            stack.close()
        redis.close()
        pg.close()

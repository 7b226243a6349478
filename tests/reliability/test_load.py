"""Load: gunicorn (several workers) + the django-q2 cluster + bench.load's mixed traffic.

The quick version (tens of seconds) runs on this run's database and broker; RELIABILITY_LONG=1
runs it for three minutes at a higher concurrency. Nothing here asserts a latency: the figures are
recorded in docs/reliability.md; the test asserts what must hold at any speed.
"""

from __future__ import annotations

import json

import pytest

from bench.load import load_run
from tests.reliability import harness
from tests.reliability.conftest import LONG

pytestmark = pytest.mark.reliability


def test_mixed_load_zero_errors_and_one_assignment_per_accept(tmp_path):
    result = load_run(
        seconds=180 if LONG else 15,
        concurrency=16 if LONG else 6,
        web_workers=4,
        q_workers=4,
        volunteers=3000 if LONG else 800,
        database_url=harness.run_database_url("rekindle_rel_load", tmp_path),
        redis_url=harness.run_redis_url(),
        tmpdir=tmp_path,
    )
    print(json.dumps(result))  # the figures, for -s runs and make reliability
    checks = result["checks"]
    assert result["errors"] == 0, result["error_samples"]
    assert result["needs"] > 0 and result["accepts_requested"] > 0
    # Every need a volunteer said YES to is assigned, to exactly one volunteer, told exactly once.
    assert result["accepts_not_assigned"] == 0
    assert checks["not_assigned_with_accept"] == 0
    assert checks["assigned_without_one_accept"] == 0
    assert checks["assigned"] == checks["accepted_offers"] == checks["yes_accepted_winners"]
    assert checks["accepted_texts"] == checks["assigned"]
    assert checks["accepted_texts_per_need_max"] == 1
    # Every inbound text (retried webhooks included) stored once, handled once, answered once.
    assert checks["inbound"] == result["inbound_sent"]
    assert checks["inbound_unhandled"] == 0
    assert checks["inbound_errors"] == 0
    assert checks["replies"] == checks["inbound"]
    assert checks["outbound_unsettled"] == 0

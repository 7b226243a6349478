"""The whole path with real processes: outbox -> `manage.py qcluster` (django-q2, ORM broker) ->
twilio client -> HTTP -> the local Twilio-compatible server -> signed status callbacks -> the web
server (`runserver`) -> delivered. Runs bench.campaign small, on its own SQLite file."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_queue_worker_fake_twilio_and_callbacks(tmp_path):
    out = tmp_path / "result.json"
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.campaign", "--recipients", "40", "--mps", "0", "--workers", "2",
         "--callbacks", "--timeout", "150", "--json", str(out)],
        cwd=ROOT, check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    result = json.loads(out.read_text())
    assert (result["sent"], result["duplicates"], result["lost"]) == (40, 0, 0)
    assert result["delivered_callbacks"] == 40

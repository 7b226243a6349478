"""`make run`'s two processes: links follow the port served, and one Ctrl-C stops both, cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from operations.management.commands.serve_local import child_env
from tests.reliability.harness import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]


def test_links_follow_the_port_served_unless_public_base_url_is_set():
    env, note = child_env({}, host="127.0.0.1", port=8101)
    assert env["PUBLIC_BASE_URL"] == "http://127.0.0.1:8101" and note == ""
    env, note = child_env({"PUBLIC_BASE_URL": "https://abc.ngrok.example"}, host="127.0.0.1", port=8101)
    assert env["PUBLIC_BASE_URL"] == "https://abc.ngrok.example" and note == ""
    env, note = child_env({"PUBLIC_BASE_URL": "http://127.0.0.1:8000"}, host="127.0.0.1", port=8101)
    assert env["PUBLIC_BASE_URL"] == "http://127.0.0.1:8000"
    assert "links in texts point there, not at http://127.0.0.1:8101" in note


@pytest.mark.skipif(sys.platform != "linux", reason="process groups and signals as on the servers")
def test_one_ctrl_c_stops_the_server_and_the_worker_cleanly(tmp_path):
    port = free_port()
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "REDIS_URL", "DJANGO", "PUBLIC_BASE_URL"))
        },
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SMS_BACKEND": "console",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)  # noqa: S603
    log = (tmp_path / "out.log").open("w+")
    proc = subprocess.Popen(  # noqa: S603
        [*manage, "serve_local", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # as a terminal would: Ctrl-C reaches this group only
    )
    try:

        def answering():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/live/", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        wait_until(answering, timeout=60, what="the development server answering")
        time.sleep(2)  # the worker has started its processes
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    log.seek(0)
    out = log.read()
    assert "Stopped the web server and the task worker." in out
    assert "Traceback" not in out and "RecursionError" not in out
    assert processes_using(env["DATABASE_URL"]) == []


def processes_using(database_url: str) -> list[int]:
    """Processes still running with this test's database in their environment (server, worker and
    the worker's children all inherit it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"DATABASE_URL={database_url}".encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def test_texts_name_a_demonstration_phone_line_unless_one_is_set():
    env, _ = child_env({}, host="127.0.0.1", port=8101)
    assert env["PHONE_LINE_NUMBER"] == "+441214960000"
    env, _ = child_env({"PHONE_LINE_NUMBER": "+441214960999"}, host="127.0.0.1", port=8101)
    assert env["PHONE_LINE_NUMBER"] == "+441214960999"
    env, _ = child_env({"TWILIO_FROM_NUMBER": "+441214960998"}, host="127.0.0.1", port=8101)
    assert "PHONE_LINE_NUMBER" not in env  # the Twilio number is the line

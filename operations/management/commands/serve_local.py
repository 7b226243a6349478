"""python manage.py serve_local [--host H] [--port P]: what `make run` starts.

The development web server and the task worker side by side, each in its own process group so
that one Ctrl-C reaches each exactly once (a shell `trap 'kill 0'` signalled itself and the worker
over and over, and ended in a segmentation fault). Links in texts follow the host and port served
unless PUBLIC_BASE_URL is set; texts name a demonstration phone line unless one is set.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.parse

from django.conf import settings
from django.core.management.base import BaseCommand

STOP_WAIT_SECONDS = 15.0
# The phone line every text names ("To hear this, call ..."), for a local run with no Twilio number:
# Ofcom's range for drama (0121 496 0000), which the phone simulator can call.
DEMO_PHONE_LINE = "+441214960000"


def child_env(environ: dict[str, str], *, host: str, port: int) -> tuple[dict[str, str], str]:
    """The environment of both processes, and a note when texts' links will not open here."""
    served = f"http://{host}:{port}"
    env = dict(environ)
    if not env.get("PHONE_LINE_NUMBER", "").strip() and not env.get("TWILIO_FROM_NUMBER", "").strip():
        env["PHONE_LINE_NUMBER"] = DEMO_PHONE_LINE
    configured = env.get("PUBLIC_BASE_URL", "").strip()
    if not configured:
        env["PUBLIC_BASE_URL"] = served
        return env, ""
    if urllib.parse.urlsplit(configured).port not in (port, None):
        return env, (
            f"Note: PUBLIC_BASE_URL is {configured}, so links in texts point there, "
            f"not at {served}. Unset it to follow this server."
        )
    return env, ""


class Command(BaseCommand):
    help = "Run the web server and the task worker together (development); Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", help="The address to serve on (default 127.0.0.1)."
        )
        parser.add_argument("--port", type=int, default=8000, help="The port to serve on (default 8000).")

    def handle(self, *args, host: str, port: int, **options):
        env, note = child_env(dict(os.environ), host=host, port=port)
        if note:
            self.stderr.write(note)
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        commands = {
            "qcluster": [*manage, "qcluster"],
            "runserver": [*manage, "runserver", "--noreload", f"{host}:{port}"],
        }
        children = {
            name: subprocess.Popen(command, env=env, start_new_session=True)  # noqa: S603
            for name, command in commands.items()
        }
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children.values()):
                time.sleep(0.2)
        finally:
            self._stop(list(children.values()))
        if not stopping:
            failed = [name for name, c in children.items() if c.returncode not in (0, None)]
            self.stderr.write(f"{', '.join(failed) or 'a process'} stopped; the other was stopped too.")
            sys.exit(1)
        self.stdout.write("Stopped the web server and the task worker.")

    @staticmethod
    def _stop(children: list[subprocess.Popen]) -> None:
        for child in children:
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGTERM)  # the worker's whole group, once
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()

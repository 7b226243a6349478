"""The production smoke run: the README's deployment section, followed on this machine.

Run by .ci/run (and `make smoke`) with the test venv's Python. It copies the working tree to a
temporary folder, runs the README's "Install and migrate" commands there as written (a fresh venv
with the pip Python bundles, the runtime lock only), then the README's gunicorn and qcluster
commands, with DEBUG=false, a real SECRET_KEY, PostgreSQL, the Redis broker and SMS_BACKEND=twilio
pointed at the local Twilio-compatible server (tests/fakes/twilio_server.py, the machine's edge).
Then it makes the requests an operator would, through a TLS proxy's headers: the login page and a
sign-in, a static file, the API schema, a signed inbound text (with and without the trailing slash)
answered by SMS through the real twilio client, and /healthz/ until every check passes.

Any step that fails stops the run with what failed and the end of the service's logs; exit 1.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.twilio_server import FakeTwilio  # noqa: E402  (needs ROOT on the path)

PG_URL = os.environ.get("SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rekindle_smoke")
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/3")
ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = secrets.token_hex(16)
FROM_NUMBER = "+447700900000"
TEXTER = "+447700900321"
STAFF = ("smoke-coordinator", "a long smoke-test passphrase " + secrets.token_hex(4))


class SmokeFailed(Exception):
    pass


def step(text: str) -> None:
    print(f"-- {text}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the README ----------------------------------------------------------------------------------


def readme_deployment() -> dict[str, object]:
    """The commands the README's deployment section tells an operator to run."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    try:
        section = text.split("## Running it for a region", 1)[1].split("\n## ", 1)[0]
    except IndexError:
        raise SmokeFailed("README.md has no '## Running it for a region' section") from None
    install = re.search(r"\*\*Install and migrate\*\*.*?```sh\n(.*?)```", section, re.S)
    web = re.search(r"`(gunicorn config\.wsgi[^`]*)`", section)
    worker = re.search(r"`(python manage\.py qcluster)`", section)
    if not (install and web and worker):
        raise SmokeFailed(
            "README.md's deployment section no longer names the install block, the gunicorn command "
            "or `python manage.py qcluster`: update it and this smoke run together"
        )
    lines = [line.strip() for line in install.group(1).splitlines() if line.strip()]
    return {"install": lines, "web": web.group(1), "worker": worker.group(1)}


# --- HTTP as a proxy in front of gunicorn would send it ------------------------------------------------


class Client:
    """Plain HTTP to gunicorn with the headers a TLS-terminating proxy adds, and a cookie jar that
    keeps Secure cookies (the proxy's client spoke HTTPS)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, form: dict | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        sent = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, dict(response.getheaders()), data


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise SmokeFailed(what)


def found(pattern: str, text: str, what: str) -> re.Match:
    match = re.search(pattern, text)
    if match is None:
        raise SmokeFailed(what)
    return match


# --- the run -----------------------------------------------------------------------------------------


class Smoke:
    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="rekindle-smoke-"))
        self.tree = self.tmp / "rekindle"
        self.port = free_port()
        self.public = f"https://127.0.0.1:{self.port}"
        self.fake = FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN).start()
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO", "DATABASE_URL", "REDIS_URL", "SMS_", "TWILIO_", "VIRTUAL_ENV"))
        }
        env["PATH"] = os.pathsep.join(
            p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT / ".venv"))
        )
        self.env = {
            **env,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PUBLIC_BASE_URL": self.public,
            "DATABASE_URL": PG_URL,
            "REDIS_URL": REDIS_URL,
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": FROM_NUMBER,
            "TWILIO_API_BASE_URL": self.fake.base_url,
            "LOG_LEVEL": "WARNING",
        }
        self.client = Client(self.port)

    # processes
    def sh(self, command: str, *, stdin: str | None = None, timeout: float = 900) -> str:
        done = subprocess.run(  # noqa: S602 - the README's own shell lines, run as an operator would
            command,
            shell=True,
            cwd=self.tree,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            executable="/bin/bash",
        )
        if done.returncode:
            raise SmokeFailed(
                f"`{command}` failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
            )
        return done.stdout

    def start(self, name: str, command: str) -> None:
        log = self.logs[name] = self.tmp / f"{name}.log"
        self.procs[name] = subprocess.Popen(  # noqa: S602
            command,
            shell=True,
            cwd=self.tree,
            env=self.env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            executable="/bin/bash",
        )

    def wait_for(self, what: str, predicate, timeout: float):
        deadline = time.monotonic() + timeout
        while True:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise SmokeFailed(f"{name} exited ({proc.returncode}) while waiting for {what}")
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise SmokeFailed(f"{what}: not within {timeout:.0f} s")
            time.sleep(0.5)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.fake.stop()

    def logs_tail(self) -> str:
        out = []
        for name, path in self.logs.items():
            if path.exists():
                lines = path.read_text(errors="replace").splitlines()[-40:]
                out.append(f"--- {name} (last {len(lines)} lines) ---\n" + "\n".join(lines))
        return "\n".join(out)

    # steps
    def prepare(self) -> None:
        step(f"copy the working tree to {self.tree} and create the database {PG_URL.rsplit('/', 1)[-1]}")
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.split(b"\0")
        for raw in filter(None, listed):
            source = ROOT / raw.decode()
            if source.is_file():
                target = self.tree / raw.decode()
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        import psycopg

        parts = urllib.parse.urlsplit(PG_URL)
        name = parts.path.lstrip("/")
        with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()

    def install(self, readme: dict) -> None:
        for line in readme["install"]:
            step(f"README: {line}")
            started = time.monotonic()
            self.sh(line)
            print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
        step("README: python manage.py add_staff (password on standard input)")
        self.sh(
            f".venv/bin/python manage.py add_staff {STAFF[0]} --organisation smoke-aid --role coordinator "
            "--covers Birmingham",
            stdin=STAFF[1] + "\n",
        )

    def serve(self, readme: dict) -> None:
        web = str(readme["web"]).replace("127.0.0.1:8000", f"127.0.0.1:{self.port}")
        web = ".venv/bin/" + web
        worker = str(readme["worker"]).replace("python ", ".venv/bin/python ", 1)
        step(f"README: {web}")
        self.start("gunicorn", web)
        step(f"README: {worker}")
        self.start("qcluster", worker)

        def live():
            with contextlib.suppress(OSError):
                return self.client.request("GET", "/healthz/live/")[0] == 200
            return False

        self.wait_for("gunicorn answering", live, 60)

    def pages(self) -> None:
        step("GET /login/")
        status, _, body = self.client.request("GET", "/login/")
        html = body.decode()
        expect(status == 200 and "<form" in html, f"the sign-in page answered {status}")
        step("GET the page's style sheet (collected, hashed name)")
        css = found(r'href="(/static/[^"]+\.css)"', html, "the sign-in page links no style sheet")
        expect(re.search(r"\.[0-9a-f]{12}\.css$", css.group(1)) is not None, f"{css.group(1)} is not hashed")
        status, headers, body = self.client.request("GET", css.group(1))
        expect(status == 200 and len(body) > 100, f"{css.group(1)} answered {status}")
        expect("text/css" in headers.get("Content-Type", ""), f"{css.group(1)} is not served as CSS")
        step("sign in as a coordinator and open the home page")
        token = found(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', html, "the sign-in form has no CSRF token"
        )
        status, headers, _ = self.client.request(
            "POST",
            "/login/",
            form={"username": STAFF[0], "password": STAFF[1], "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": self.public + "/login/", "Origin": self.public},
        )
        expect(status == 302, f"signing in answered {status}, not a redirect")
        status, _, body = self.client.request("GET", "/")
        expect(status == 200 and STAFF[0] in body.decode(), f"the home page after sign-in answered {status}")
        step("GET /api/v1/schema/")
        status, _, body = self.client.request("GET", "/api/v1/schema/")
        expect(status == 200 and b"openapi:" in body[:200], f"the API schema answered {status}")

    def texts(self) -> None:
        from twilio.request_validator import RequestValidator

        validator = RequestValidator(AUTH_TOKEN)
        for n, path in enumerate(("/sms/twilio/inbound/", "/sms/twilio/inbound"), start=1):
            step(f"POST {path} signed as Twilio signs it, a text saying HELP")
            params = {"MessageSid": f"SMsmoke{n:026d}", "From": TEXTER, "To": FROM_NUMBER, "Body": "HELP"}
            signature = validator.compute_signature(self.public + path, params)
            status, _, body = self.client.request(
                "POST", path, form=params, headers={"X-Twilio-Signature": signature}
            )
            expect(status == 200 and b"<Response" in body, f"the inbound webhook answered {status}")
            self.wait_for(
                f"the HELP reply {n} through the worker, the twilio client and Twilio",
                lambda n=n: len([m for m in self.fake.created() if m["to"] == TEXTER]) >= n,
                90,
            )
        replies = [m for m in self.fake.created() if m["to"] == TEXTER]
        expect(len(replies) == 2, f"{len(replies)} replies for 2 texts")
        expect(
            "YES" in replies[0]["body"], f"the HELP reply does not list the commands: {replies[0]['body']!r}"
        )
        step("POST a forged inbound text: refused")
        status, _, _ = self.client.request(
            "POST",
            "/sms/twilio/inbound/",
            form={"MessageSid": "SMforged", "From": TEXTER, "Body": "STOP"},
            headers={"X-Twilio-Signature": "forged"},
        )
        expect(status == 403, f"a forged webhook answered {status}")

    def health(self) -> None:
        step("GET /healthz/ until every check passes (the scheduler runs the heartbeat within a minute)")
        last: dict = {}

        def healthy():
            status, _, body = self.client.request("GET", "/healthz/")
            last.update(status=status, body=body.decode())
            return status == 200

        try:
            self.wait_for("/healthz/ answering 200", healthy, 150)
        except SmokeFailed as exc:
            raise SmokeFailed(f"{exc}; last answer {last.get('status')}: {last.get('body')}") from None
        checks = json.loads(last["body"])["checks"]
        expect(all(c["status"] == "pass" for c in checks.values()), f"not every check passed: {checks}")
        print("   " + ", ".join(f"{name}: {c['status']}" for name, c in checks.items()), flush=True)

    def run(self) -> None:
        readme = readme_deployment()
        self.prepare()
        self.install(readme)
        self.serve(readme)
        self.pages()
        self.texts()
        self.health()


def main() -> int:
    smoke = Smoke()
    started = time.monotonic()
    try:
        smoke.run()
    except SmokeFailed as exc:
        print(f"\nSMOKE FAILED: {exc}\n\n{smoke.logs_tail()}", file=sys.stderr, flush=True)
        return 1
    finally:
        smoke.stop()
    print(f"Production smoke passed in {time.monotonic() - started:.0f} s.", flush=True)
    shutil.rmtree(smoke.tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

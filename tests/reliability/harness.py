"""Process helpers for the reliability suite and bench.load: the real service in real processes.

A ``Stack`` is one deployment on loopback: a database (its own PostgreSQL database or SQLite file),
optionally Redis (its own db number), gunicorn with several workers, ``manage.py qcluster`` and the
fake Twilio server (tests/fakes/twilio_server.py) in this process. ``PrivatePostgres`` and
``PrivateRedis`` are throw-away servers on free ports in temp dirs, for the tests that restart them:
the machine's shared PostgreSQL and Redis are never stopped or restarted.

Everything Django-side runs in subprocesses (``Stack.op``: ``python -m tests.reliability.harness
OP JSON``), so the pytest process never opens the stack's database and pytest-django's test
database plays no part. Every wait is bounded; ``Stack.close`` and the servers' ``stop`` are safe to
call twice and are called from finalizers.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PG_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_DB = 12  # this suite's Redis database number on a shared server
TWILIO_SID = "AC" + "e" * 32
TWILIO_TOKEN = "reliability-token"
FROM_NUMBER = "+447700900000"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} not reached within {timeout:.0f}s")
        time.sleep(interval)


def port_open(port: int) -> bool:
    with contextlib.closing(socket.socket()) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


# --- databases and Redis -------------------------------------------------------------------------


def postgres_available() -> str:
    """'' when a private PostgreSQL can be started here, else the reason it cannot."""
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL server binaries in {PG_BIN}"
    if os.geteuid() != 0 or not shutil.which("runuser"):
        return "starting a private PostgreSQL needs root (runuser -u postgres)"
    return ""


def redis_available() -> str:
    return "" if shutil.which("redis-server") else "no redis-server on PATH"


def _pg_admin(url: str, sql: list[str]) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        for statement in sql:
            conn.execute(statement)


def database_fresh(url: str) -> str:
    """Drop and create the PostgreSQL database named in ``url`` (SQLite: remove the file)."""
    if url.startswith("sqlite"):
        path = Path(urllib.parse.urlsplit(url).path)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return url
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unexpected database name {name!r}")
    _pg_admin(url, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'])
    return url


def database_drop(url: str) -> None:
    if url.startswith("sqlite"):
        return
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with contextlib.suppress(Exception):
        _pg_admin(url, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


def run_database_url(name: str, tmpdir: Path) -> str:
    """A database of this run's kind: on the run's PostgreSQL (DATABASE_URL) a database of our own
    called ``name``; otherwise an SQLite file in ``tmpdir``."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        return urllib.parse.urlsplit(base)._replace(path=f"/{name}").geturl()
    return f"sqlite:///{tmpdir / (name + '.sqlite3')}"


def run_redis_url() -> str:
    """This run's Redis (REDIS_URL) with our own db number, or '' (the ORM broker)."""
    base = os.environ.get("REDIS_URL", "")
    if not base:
        return ""
    return urllib.parse.urlsplit(base)._replace(path=f"/{REDIS_DB}").geturl()


def redis_flush(url: str) -> None:
    if url:
        import redis

        redis.Redis.from_url(url, socket_timeout=5).flushdb()


class PrivatePostgres:
    """A PostgreSQL 15 cluster of our own: initdb in a temp dir, trust auth, a free port."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="rekindle-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.started = False

    def _pg(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(  # noqa: S603 - fixed binaries, our own arguments
            [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--", *args],
            check=True,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def start(self) -> PrivatePostgres:
        if not self.data.exists():
            shutil.chown(self.dir, "postgres", "postgres")
            self._pg(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )
        self.started = True
        return self

    def stop(self, mode: str = "fast") -> None:
        if self.started:
            self._pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
            self.started = False

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop (fast: open connections are cut, as in a failover or an upgrade), stay down, start."""
        self.stop("fast")
        time.sleep(down_seconds)
        self.start()

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """A redis-server of our own on a free port, nothing persisted: a restart loses every key."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="rekindle-redis-"))
        self.proc: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        self.proc = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: port_open(self.port), timeout=15, what="redis-server listening")
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def restart(self, down_seconds: float = 0.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# --- the service --------------------------------------------------------------------------------


class Stack:
    """One deployment of the service on loopback, driven from this process."""

    def __init__(
        self,
        *,
        database_url: str,
        redis_url: str = "",
        tmpdir: Path | None = None,
        q_workers: int = 4,
        hang_seconds: float = 3.0,
        env: dict | None = None,
    ) -> None:
        from tests.fakes.twilio_server import FakeTwilio

        self.tmpdir = Path(tmpdir or tempfile.mkdtemp(prefix="rekindle-stack-"))
        self.tmpdir.mkdir(parents=True, exist_ok=True)
        self.database_url = database_url
        self.redis_url = redis_url
        self.web_port = free_port()
        self.fake = FakeTwilio(account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN, hang_seconds=hang_seconds)
        self.fake.start()
        self.web: subprocess.Popen | None = None
        self.cluster: subprocess.Popen | None = None
        self._logs: list = []
        base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))}
        self.env = {
            **base,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT),
            "DEBUG": "true",
            "DATABASE_URL": database_url,
            "DB_CONN_MAX_AGE": "60",
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_FROM_NUMBER": FROM_NUMBER,
            "TWILIO_MESSAGING_SERVICE_SID": "",
            "TWILIO_API_BASE_URL": self.fake.base_url,
            "PUBLIC_BASE_URL": self.base_url,
            "SMS_MAX_PER_SECOND": "1000",
            "SMS_QUIET_HOURS": "",
            "SMS_HTTP_TIMEOUT": "10",
            "Q_WORKERS": str(q_workers),
            # One coordinator token drives the whole load: the per-user throttle is an abuse guard,
            # not what is measured here.
            "API_USER_RATE": "1000000/minute",
            "API_ANON_RATE": "1000000/minute",
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        if redis_url:
            self.env["REDIS_URL"] = redis_url

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def _log(self, name: str):
        handle = open(self.tmpdir / f"{name}.log", "ab")  # noqa: SIM115 - closed in close()
        self._logs.append(handle)
        return handle

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.tmpdir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(  # noqa: S603
            [PY, str(ROOT / "manage.py"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def migrate(self) -> None:
        database_fresh(self.database_url)
        redis_flush(self.redis_url)
        self.manage("migrate", "--no-input", "-v0")

    def op(self, name: str, timeout: float = 300, **kwargs) -> dict:
        """Run one of this module's Django-side operations in a subprocess; its JSON answer."""
        done = subprocess.run(  # noqa: S603
            [PY, "-m", "tests.reliability.harness", name, json.dumps(kwargs)],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"op {name} failed:\n{done.stdout}\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def web_start(self, workers: int = 4, threads: int = 1) -> None:
        self.web = subprocess.Popen(  # noqa: S603
            [
                PY,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--backlog",
                "2048",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self._log("web"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._healthy, timeout=60, interval=0.3, what="gunicorn answering /healthz/live/")

    def _healthy(self) -> bool:
        if self.web is not None and self.web.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + self.log_tail("web"))
        try:
            with urllib.request.urlopen(self.base_url + "/healthz/live/", timeout=2) as resp:  # noqa: S310
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def cluster_start(self) -> None:
        self.cluster = subprocess.Popen(  # noqa: S603
            [PY, str(ROOT / "manage.py"), "qcluster"],
            env=self.env,
            cwd=ROOT,
            stdout=self._log("qcluster"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a SIGKILL takes every worker at once
        )

    def cluster_kill(self, sig: int = signal.SIGKILL) -> None:
        if self.cluster is not None and self.cluster.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.cluster.pid, sig)
            try:
                self.cluster.wait(timeout=8)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.cluster.pid, signal.SIGKILL)
                self.cluster.wait(timeout=10)
        if self.cluster is not None:
            # Workers of a killed cluster are in the same process group: make sure none is left.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.cluster.pid, signal.SIGKILL)
        self.cluster = None

    def web_stop(self) -> None:
        if self.web is not None and self.web.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.web.pid, signal.SIGTERM)
            try:
                self.web.wait(timeout=8)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.web.pid, signal.SIGKILL)
                self.web.wait(timeout=10)
        self.web = None

    def inbound(self, *, phone: str, body: str, sid: str) -> int:
        """A signed inbound SMS webhook, as Twilio sends it; the HTTP status."""
        return self.fake.inbound_send(self.base_url + "/sms/twilio/inbound/", from_=phone, body=body, sid=sid)

    def close(self) -> None:
        self.cluster_kill(signal.SIGTERM)
        self.web_stop()
        with contextlib.suppress(Exception):
            self.fake.stop()
        for handle in self._logs:
            handle.close()
        self._logs.clear()


# --- Django-side operations (run by Stack.op in a subprocess) ---------------------------------------


def recipient_phone(i: int) -> str:
    """The i-th test recipient: Ofcom's drama range 07700 900000-900999 is too small for 5,000, so
    the 07700 9xxxxx block the fake server accepts (never a real network)."""
    return f"+4477009{i:05d}"


def _op_queue_bulk(n: int, start: int = 0, tag: str = "rel") -> dict:
    from django.db import transaction

    from messaging.models import OutboundMessage
    from messaging.services import message_queue

    queued = 0
    for first in range(start, start + n, 500):
        with transaction.atomic():
            for i in range(first, min(start + n, first + 500)):
                queued += bool(
                    message_queue(
                        to=recipient_phone(i),
                        body=f"Brum Aid: are you free to help this week? Reply READY or NOT NOW. {tag}-{i}",
                        dedupe_key=f"{tag}:{i}",
                        purpose="reactivation",
                        priority=OutboundMessage.Priority.BULK,
                    )
                )
    return {"queued": queued}


def _op_settle(stale_seconds: float | None = None, grace_seconds: float | None = None) -> dict:
    """One run of the two scheduled jobs, with their thresholds optionally shortened (the tests
    call this only when they know no worker is mid-send, so that a shorter threshold cannot mistake
    a live send for a dead one)."""
    from django.conf import settings

    # The functions the schedules run (messaging/schedules.py), not the sending module's parts:
    # the one-minute sweep also queues inbound texts whose handling task a broker restart lost.
    from messaging.recovery import outbox_reconcile
    from messaging.tasks import outbox_sweep

    if stale_seconds is not None:
        settings.SMS_STALE_SENDING_SECONDS = stale_seconds
    if grace_seconds is not None:
        settings.SMS_UNKNOWN_GRACE_SECONDS = grace_seconds
    return {"sweep": outbox_sweep(), "reconcile": outbox_reconcile(limit=10_000)}


def _op_backoff_skip() -> dict:
    """Errored rows wait 5 then 10 minutes before their next attempt: stand in for that wait by
    making them due now, then let the sweeper kick the senders as it would on its next run."""
    from django.utils import timezone

    from messaging.models import OutboundMessage
    from messaging.tasks import outbox_sweep

    due = OutboundMessage.objects.filter(state=OutboundMessage.State.ERRORED).update(
        send_after=timezone.now()
    )
    return {"made_due": due, "sweep": outbox_sweep()}


def _op_outbox_report(prefix: str = "") -> dict:
    from collections import Counter

    from django.db.models import Count

    from messaging.models import InboundMessage, OutboundMessage

    qs = OutboundMessage.objects.all()
    if prefix:
        qs = qs.filter(dedupe_key__startswith=prefix)
    states = dict(qs.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    inbound = InboundMessage.objects.all()
    replies = Counter(
        OutboundMessage.objects.filter(dedupe_key__startswith="reply:").values_list("dedupe_key", flat=True)
    )
    return {
        "states": states,
        "outbound": qs.count(),
        "inbound": inbound.count(),
        "inbound_unhandled": inbound.filter(handled_at__isnull=True).count(),
        "inbound_sids": sorted(inbound.values_list("message_sid", flat=True)),
        "inbound_outcomes": dict(
            inbound.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n")
        ),
        "replies": len(replies),
        "replies_sent": OutboundMessage.objects.filter(
            dedupe_key__startswith="reply:", state__in=["sent", "delivered"]
        ).count(),
        "reply_keys": sorted(replies),
    }


def _op_provider_sids(prefix: str) -> dict:
    from messaging.models import OutboundMessage

    return dict(
        OutboundMessage.objects.filter(dedupe_key__startswith=prefix).values_list("to", "provider_sid")
    )


def _op_seed_load(volunteers: int, seed: int = 1) -> dict:
    """An organisation covering Birmingham, its coordinator, and ``volunteers`` active volunteers
    spread over a 10 km square of Birmingham (available any time, two open tasks each)."""
    import random

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from volunteers.models import LocalAuthority, Organisation, StaffRole, Volunteer

    rng = random.Random(seed)
    brum = LocalAuthority.objects.get(name="Birmingham")
    with transaction.atomic():
        org, _ = Organisation.objects.get_or_create(
            slug="brum-aid", defaults={"name": "Brum Aid", "kind": Organisation.Kind.CHARITY}
        )
        org.local_authorities.add(brum)
        user, created = get_user_model().objects.get_or_create(username="loadcoord")
        if created:
            user.set_password(f"load-{rng.random()}")
            user.save()
        StaffRole.objects.get_or_create(user=user, organisation=org, role=StaffRole.Role.COORDINATOR)
        now = timezone.now()
        rows = []
        for i in range(volunteers):
            v = Volunteer(
                name=f"Load Volunteer {i}",
                phone=f"+4477008{i:05d}",
                postcode="B1 1AA",
                local_authority=brum,
                languages=["en"],
                consent_at=now,
                consent_text="I agree to be texted when a neighbour needs help. Reply STOP to opt out.",
                consent_channel=Volunteer.ConsentChannel.WEB,
                consent_source="load",
            )
            v.set_location(52.4796 + rng.uniform(-0.045, 0.045), -1.9026 + rng.uniform(-0.075, 0.075))
            rows.append(v)
        Volunteer.objects.bulk_create(rows, batch_size=1000)
    phones = dict(Volunteer.objects.filter(phone__startswith="+4477008").values_list("id", "phone"))
    return {"username": user.username, "phones": {str(k): v for k, v in phones.items()}}


def _op_load_check() -> dict:
    """What the load left behind, for the exactly-once checks."""
    from django.db.models import Count, Q

    from messaging.models import InboundMessage, OutboundMessage
    from needs.models import Need, Offer

    needs = Need.objects.annotate(accepted=Count("offers", filter=Q(offers__status=Offer.Status.ACCEPTED)))
    assigned = needs.filter(status=Need.Status.ASSIGNED)
    accepted_texts = OutboundMessage.objects.filter(purpose="offer_accepted")
    yes = InboundMessage.objects.filter(command="YES")
    return {
        "needs": needs.count(),
        "assigned": assigned.count(),
        "assigned_refs": sorted(assigned.values_list("ref", flat=True)),
        "assigned_without_one_accept": assigned.exclude(accepted=1).count(),
        "accepted_offers": Offer.objects.filter(status=Offer.Status.ACCEPTED).count(),
        "not_assigned_with_accept": needs.filter(accepted__gt=0).exclude(status=Need.Status.ASSIGNED).count(),
        "accepted_texts": accepted_texts.count(),
        "accepted_texts_per_need_max": max(
            accepted_texts.values("dedupe_key").annotate(n=Count("id")).values_list("n", flat=True), default=0
        ),
        "yes_inbound": yes.count(),
        "yes_accepted_winners": Offer.objects.filter(
            status=Offer.Status.ACCEPTED, response_channel=Offer.Channel.SMS
        ).count(),
        "inbound": InboundMessage.objects.count(),
        "inbound_unhandled": InboundMessage.objects.filter(handled_at__isnull=True).count(),
        "inbound_errors": InboundMessage.objects.filter(outcome="error").count(),
        "replies": OutboundMessage.objects.filter(dedupe_key__startswith="reply:").count(),
        "outbound_unsettled": OutboundMessage.objects.filter(
            state__in=["queued", "errored", "sending", "unknown"]
        ).count(),
    }


OPS = {
    "queue_bulk": _op_queue_bulk,
    "settle": _op_settle,
    "backoff_skip": _op_backoff_skip,
    "outbox_report": _op_outbox_report,
    "provider_sids": _op_provider_sids,
    "seed_load": _op_seed_load,
    "load_check": _op_load_check,
}


def _main(argv: list[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    name, payload = argv[0], json.loads(argv[1] if len(argv) > 1 else "{}")
    result = OPS[name](**payload)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    _main(sys.argv[1:])

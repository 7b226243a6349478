"""bench.campaign: N texts through the real path vs a bare loop of the same twilio client.

    python -m bench.campaign --recipients N --mps R [--workers W] [--json PATH]
        [--database-url URL] [--redis-url URL] [--kill-after SECONDS] [--callbacks]

The real path: message_queue -> outbox rows -> django-q2 workers (`manage.py qcluster`, a separate
process) -> claim -> shared rate limiter -> TwilioTransport -> the official twilio client -> HTTP ->
the local Twilio-compatible server (tests/fakes). ``--kill-after`` SIGKILLs the whole cluster that
many seconds in and starts a new one; the sweeper and reconciliation (run here every 2 s, standing
in for their one-minute schedules) then settle what the dead workers left. ``--mps 0`` is uncapped.

Keys: recipients, sent, duplicates, lost, achieved_mps, client_limit_mps, ratio (achieved/client).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.twilio_server import FakeTwilio  # noqa: E402

UNCAPPED = 1_000_000


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bare_loop(fake: FakeTwilio, n: int) -> float:
    """Messages per second of one plain loop over the same client against the same server."""
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    client = Client(fake.account_sid, fake.auth_token, http_client=TwilioHttpClient(timeout=10))
    client.api.base_url = fake.base_url
    messages = client.api.v2010.accounts(fake.account_sid).messages
    start = time.perf_counter()
    for i in range(n):
        messages.create(to=f"+4477009{i % 100000:05d}", from_="+447700900000", body=f"bare {i}")
    return n / (time.perf_counter() - start)


def steady_rates(times: list[float]) -> dict:
    """The rate over the steady part of a run, as the server saw it: the first and last 10% of the
    sending time (start-up, the tail) are left out. ``max_1s`` is the most creates in any window
    of one second that ends at a create (a sliding window, half-open), ``max_10s_mps`` the same over ten
    seconds divided by ten: what "never above the cap" is checked against."""
    if len(times) < 20:
        return {"steady_mps": None, "max_1s": None, "max_10s_mps": None, "steady_pauses": None}
    span = times[-1] - times[0]
    lo, hi = times[0] + 0.1 * span, times[-1] - 0.1 * span
    mid = [t for t in times if lo <= t <= hi]
    steady = (len(mid) - 1) / (mid[-1] - mid[0]) if len(mid) > 1 and mid[-1] > mid[0] else None

    def max_window(width: float) -> int:
        best, j = 0, 0
        for i, t in enumerate(mid):
            while mid[j] <= t - width:  # half-open (t - width, t]: ten evenly spaced a second count 10
                j += 1
            best = max(best, i - j + 1)
        return best

    gaps = [b - a for a, b in itertools.pairwise(mid)]
    slow = [g for g in gaps if g > 0.25]
    return {
        # Pauses in the steady part longer than a quarter second: nobody was sending.
        "steady_pauses": len(slow),
        "steady_pause_seconds": round(sum(slow), 2),
        "steady_mps": round(steady, 2) if steady else None,
        "max_1s": max_window(1.0),
        "max_10s_mps": round(max_window(10.0) / 10.0, 2) if span >= 12 else None,
    }


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--recipients", type=int, default=1000)
    p.add_argument("--mps", type=int, default=0, help="segments per second cap; 0 = uncapped")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--json", dest="json_path")
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    p.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    p.add_argument("--kill-after", type=float, default=0.0)
    p.add_argument("--callbacks", action="store_true", help="the fake fires status callbacks at a web server")
    p.add_argument("--timeout", type=float, default=0.0, help="give up after this many seconds")
    args = p.parse_args(argv)

    load_start = [round(x, 2) for x in os.getloadavg()]
    tmp = Path(tempfile.mkdtemp(prefix="rekindle-bench-"))
    db_url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    mps = args.mps or UNCAPPED
    fake = FakeTwilio(
        account_sid="AC" + "b" * 32,
        auth_token="bench-token",  # noqa: S106
        auto_callbacks=args.callbacks,
    ).start()
    web_port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": db_url,
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM_NUMBER": "+447700900000",
        "TWILIO_API_BASE_URL": fake.base_url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
        "SMS_MAX_PER_SECOND": str(mps),
        "SMS_QUIET_HOURS": "",
        # The lowest values settings accept: a dead worker's rows become `unknown` after 10 s, and
        # a row Twilio never received is sent again 60 s after its claim.
        "SMS_STALE_SENDING_SECONDS": "10",
        "SMS_UNKNOWN_GRACE_SECONDS": "60",
        "SMS_BULK_BACKLOG_MAX": str(10 * args.recipients + 1000),
        "Q_WORKERS": str(args.workers),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    else:
        env.pop("REDIS_URL", None)
    os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL" or args.redis_url})
    if not args.redis_url:
        os.environ.pop("REDIS_URL", None)
    py = sys.executable
    manage = str(ROOT / "manage.py")
    subprocess.run([py, manage, "migrate", "-v0", "--no-input"], env=env, check=True, cwd=ROOT)  # noqa: S603

    import django

    django.setup()
    from django.db import connection, transaction

    from messaging.models import InboundMessage, OutboundMessage
    from messaging.ratelimit import limiter_get
    from messaging.recovery import outbox_reconcile, outbox_sweep
    from messaging.services import message_queue

    # A clean slate, so that a reused database measures only this run. Inbound texts too: stored by
    # bench.webhook and not yet handled, their replies (one body each) once counted as duplicates.
    InboundMessage.objects.all().delete()
    OutboundMessage.objects.all().delete()
    limiter_get().reset()
    from django_q.models import OrmQ

    OrmQ.objects.all().delete()
    if args.redis_url:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    connection.close()

    client_mps = bare_loop(fake, min(args.recipients, 2000))
    fake.requests.clear()
    fake.messages.clear()

    procs: list[subprocess.Popen] = []
    if args.callbacks:
        procs.append(
            subprocess.Popen(  # noqa: S603
                [py, manage, "runserver", "--noreload", f"127.0.0.1:{web_port}"],
                env=env,
                cwd=ROOT,
                stdout=open(tmp / "runserver.log", "ab"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
            )
        )

    cluster_log = open(tmp / "qcluster.log", "ab")  # noqa: SIM115 - kept open for the run

    def start_cluster() -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603
            [py, manage, "qcluster"],
            env=env,
            cwd=ROOT,
            stdout=cluster_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so SIGKILL takes every worker
        )

    n = args.recipients
    t_queue = time.perf_counter()
    batch = 500
    for start in range(0, n, batch):
        with transaction.atomic():
            for i in range(start, min(n, start + batch)):
                message_queue(
                    to=f"+4477009{i % 100000:05d}",
                    body=f"Brum Aid: are you free to help this week? Reply READY or NOT NOW. #{i}",
                    dedupe_key=f"bench:{i}",
                    purpose="bench",
                    priority=OutboundMessage.Priority.BULK,
                )
    queue_seconds = time.perf_counter() - t_queue
    # The cluster starts once everything is queued: achieved_mps measures sending, and the kicks
    # enqueued while queueing are waiting for it in the broker.
    cluster = start_cluster()

    deadline = time.monotonic() + (args.timeout or (n / min(mps, 1000) * 3 + 120))
    killed = False
    t_start = time.monotonic()
    last_sweep = 0.0
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if args.kill_after and not killed and time.monotonic() - t_start >= args.kill_after:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait()
            cluster = start_cluster()
            killed = True
        if time.monotonic() - last_sweep > 2:
            outbox_sweep()
            outbox_reconcile()
            connection.close()
            last_sweep = time.monotonic()
        bodies = {m["body"] for m in fake.created()}
        if len(bodies) >= n:
            settled = not OutboundMessage.objects.exclude(
                state__in=["sent", "delivered", "undelivered", "failed", "cancelled"]
            ).exists()
            if settled and (
                not args.callbacks or OutboundMessage.objects.filter(state="delivered").count() == n
            ):
                break
    os.killpg(cluster.pid, signal.SIGTERM)
    for proc in procs:
        proc.terminate()

    creates = fake.created()
    times = sorted(m["_created"].timestamp() for m in creates)
    per_body = Counter(m["body"] for m in creates)
    sent = len(per_body)
    achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0
    steady = steady_rates(times)
    result = {
        "recipients": n,
        "sent": sent,
        "duplicates": sum(c - 1 for c in per_body.values()),
        "lost": n - sent,
        "achieved_mps": round(achieved, 1),
        "client_limit_mps": round(client_mps, 1),
        "ratio": round(achieved / client_mps, 3) if client_mps else None,
        "cap_mps": args.mps or None,
        "workers": args.workers,
        "killed_mid_run": killed,
        "delivered_callbacks": OutboundMessage.objects.filter(state="delivered").count()
        if args.callbacks
        else None,
        "queue_seconds": round(queue_seconds, 2),
        **steady,
        "send_seconds": round(times[-1] - times[0], 2) if times else None,
        "loadavg_start": load_start,
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        "threads_per_worker": int(env.get("SMS_SEND_THREADS") or 8),
        "cluster_log": str(tmp / "qcluster.log"),
        "database": connection.vendor,
        "broker": "redis" if args.redis_url else "orm",
    }
    try:
        cluster.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(cluster.pid, signal.SIGKILL)
    fake.stop()
    print(json.dumps(result))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()

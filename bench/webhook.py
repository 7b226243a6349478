"""bench.webhook: signed inbound webhooks vs a trivial view, on the same gunicorn server.

    python -m bench.webhook --seconds S [--json PATH] [--database-url URL] [--redis-url URL]
        [--concurrency C] [--gunicorn-workers G]

gunicorn runs 2 x cores sync workers unless told otherwise. Each inbound request carries a fresh MessageSid and a valid X-Twilio-Signature, so the real path
runs: signature check, store once, enqueue the handling task (answered with empty TwiML). The
trivial view is /healthz/live/ (one `SELECT 1`). Keys: inbound_rps, trivial_rps, ratio, p99_ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-webhook-token"  # noqa: S105


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load(port: int, seconds: float, concurrency: int, make_request) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            method, path, body, headers = make_request()
            t = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            if resp.status >= 300:
                raise RuntimeError(f"{path}: HTTP {resp.status}")
            mine.append(time.perf_counter() - t)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    start = time.monotonic()
    [t.start() for t in threads]
    [t.join() for t in threads]
    return len(latencies) / (time.monotonic() - start), latencies


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--json", dest="json_path")
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    p.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument(
        "--gunicorn-workers", type=int, default=2 * (os.cpu_count() or 1), help="default: 2 x cores"
    )
    args = p.parse_args(argv)

    load_start = [round(x, 2) for x in os.getloadavg()]
    tmp = Path(tempfile.mkdtemp(prefix="rekindle-bench-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        "SMS_BACKEND": "locmem",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "PUBLIC_BASE_URL": base,
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("REDIS_URL", None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "-v0", "--no-input"], env=env, cwd=ROOT, check=True)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603
        [
            py, "-m", "gunicorn", "config.wsgi:application",
            "-b", f"127.0.0.1:{port}", "-w", str(args.gunicorn_workers), "--threads", "1",
            "--log-level", "warning",
        ],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz/live/")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        validator = RequestValidator(TOKEN)
        url = base + "/sms/twilio/inbound/"
        run = uuid.uuid4().hex[:8]
        counter = iter(range(10**9))

        def inbound():
            params = {
                "MessageSid": f"SMbench{run}{next(counter):020d}",
                "AccountSid": "AC" + "0" * 32,
                "From": "+447700900123",
                "To": "+447700900000",
                "Body": "yes please 7KQ2",
            }
            headers = {
                "X-Twilio-Signature": validator.compute_signature(url, params),
                "Content-Type": "application/x-www-form-urlencoded",
            }
            return "POST", "/sms/twilio/inbound/", urllib.parse.urlencode(params), headers

        def trivial():
            return "GET", "/healthz/live/", None, {}

        _load(port, 1.0, args.concurrency, trivial)  # warm up both paths
        _load(port, 1.0, args.concurrency, inbound)
        trivial_rps, _ = _load(port, args.seconds, args.concurrency, trivial)
        inbound_rps, lat = _load(port, args.seconds, args.concurrency, inbound)
    finally:
        server.terminate()
        server.wait(timeout=20)
    lat.sort()
    result = {
        "inbound_rps": round(inbound_rps, 1),
        "trivial_rps": round(trivial_rps, 1),
        "ratio": round(inbound_rps / trivial_rps, 3) if trivial_rps else None,
        "p99_ms": round(lat[int(len(lat) * 0.99) - 1] * 1000, 1) if lat else None,
        "seconds": args.seconds,
        "concurrency": args.concurrency,
        "gunicorn_workers": args.gunicorn_workers,
        "database": env["DATABASE_URL"].split(":", 1)[0],
        "broker": "redis" if args.redis_url else "orm",
        "loadavg_start": load_start,
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()

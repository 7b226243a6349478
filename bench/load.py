"""bench.load: mixed traffic against gunicorn + the django-q2 cluster, for a bounded time.

    python -m bench.load --seconds S [--concurrency C] [--web-workers W] [--q-workers Q]
        [--database-url URL] [--redis-url URL] [--volunteers N] [--json PATH]

Starts the whole service on loopback (tests/reliability/harness.py: a fresh database, gunicorn,
``manage.py qcluster``, the fake Twilio server) and runs C virtual coordinators-and-phones, each in
a loop until S seconds have passed:

  1. POST /api/v1/needs/ (token auth; a coordinator posts a need at a random point in Birmingham)
  2. GET  /api/v1/needs/{id}/, GET /api/v1/volunteers/?page_size=20, GET /api/v1/groups/ (reads)
  3. POST /api/v1/needs/{id}/offers/ {"count": 2} (the matcher picks two volunteers, texts them)
  4. signed inbound SMS "YES REF" from the first offered volunteer's phone; in one loop in three the
     second volunteer says YES too (a race for the same need), in one in five Twilio retries the
     webhook (same MessageSid), in one in four a volunteer texts HELP.

Then it waits (bounded) for the worker to handle every text and send every reply, and checks what a
user would see: every need somebody said YES to is assigned to exactly one volunteer, with exactly
one "it's yours" text; every inbound text is stored and handled once and answered once.

Keys: seconds, concurrency, requests, throughput_rps, p50_ms, p99_ms, errors, error_samples,
by_kind {kind: {n, p50_ms, p99_ms, errors}}, needs, accepts_requested, assigned, checks (the
exactly-once figures), database, broker. Without --database-url: an SQLite file (the embedded default).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reliability import harness  # noqa: E402

BRUM = (52.4796, -1.9026)
INBOUND_PATH = "/sms/twilio/inbound/"
EXPECTED = {
    "need_create": {201},
    "need_read": {200},
    "volunteers_read": {200},
    "groups_read": {200},
    "offers_make": {200, 201},
    "sms_inbound": {200},
}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    needs: int = 0
    accepts: set[str] = field(default_factory=set)  # REFs somebody offered said YES to
    inbound_sids: set[str] = field(default_factory=set)

    def record(self, kind: str, ms: float, ok: bool, detail: str = "") -> None:
        self.latencies.setdefault(kind, []).append(ms)
        if not ok:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if len(self.samples) < 10:
                self.samples.append(f"{kind}: {detail}"[:300])


class Client:
    def __init__(self, session, base_url: str, token: str, twilio_token: str, tally: Tally, deadline: float):
        from twilio.request_validator import RequestValidator

        self.session = session
        self.base_url = base_url
        self.headers = {"Authorization": f"Token {token}"}
        self.validator = RequestValidator(twilio_token)
        self.tally = tally
        self.deadline = deadline

    async def call(self, kind: str, method: str, path: str, **kwargs):
        import aiohttp

        start = time.perf_counter()
        try:
            async with self.session.request(method, self.base_url + path, **kwargs) as resp:
                body = await resp.read()
                ms = (time.perf_counter() - start) * 1000
                ok = resp.status in EXPECTED[kind]
                self.tally.record(kind, ms, ok, f"{resp.status} {body[:200]!r}")
                if ok and resp.content_type == "application/json":
                    return json.loads(body)
                return {} if ok else None
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.tally.record(kind, (time.perf_counter() - start) * 1000, False, repr(exc))
            return None

    async def api(self, kind: str, method: str, path: str, payload: dict | None = None):
        return await self.call(kind, method, path, headers=self.headers, json=payload)

    async def sms(self, *, phone: str, body: str, sid: str) -> None:
        params = {
            "MessageSid": sid,
            "AccountSid": harness.TWILIO_SID,
            "From": phone,
            "To": harness.FROM_NUMBER,
            "Body": body,
            "NumMedia": "0",
        }
        signature = self.validator.compute_signature(self.base_url + INBOUND_PATH, params)
        self.tally.inbound_sids.add(sid)
        await self.call(
            "sms_inbound", "POST", INBOUND_PATH, data=params, headers={"X-Twilio-Signature": signature}
        )


async def user_loop(client: Client, rng: random.Random, phones: dict[int, str], sids) -> None:
    all_phones = list(phones.values())
    while time.monotonic() < client.deadline:
        lat = BRUM[0] + rng.uniform(-0.04, 0.04)
        lon = BRUM[1] + rng.uniform(-0.07, 0.07)
        need = await client.api(
            "need_create",
            "POST",
            "/api/v1/needs/",
            {
                "category": "shopping",
                "summary": "Weekly shop for an older neighbour",
                "details": "Milk, bread, tea.",
                "requester_name": "Edna Example",
                "requester_phone": "07700 900123",
                "address": "1 Example Road",
                "latitude": round(lat, 5),
                "longitude": round(lon, 5),
                "urgency": "high",
            },
        )
        if not need:
            continue
        client.tally.needs += 1
        await client.api("need_read", "GET", f"/api/v1/needs/{need['id']}/")
        await client.api("volunteers_read", "GET", "/api/v1/volunteers/?page_size=20")
        await client.api("groups_read", "GET", "/api/v1/groups/")
        made = await client.api("offers_make", "POST", f"/api/v1/needs/{need['id']}/offers/", {"count": 2})
        offered = [phones[o["volunteer"]["id"]] for o in (made or {}).get("offers", [])]
        if offered:
            sid = f"SMload{next(sids):026d}"
            await client.sms(phone=offered[0], body=f"yes please {need['ref']}", sid=sid)
            client.tally.accepts.add(need["ref"])
            if rng.random() < 0.2:
                await client.sms(phone=offered[0], body=f"yes please {need['ref']}", sid=sid)  # a retry
            if len(offered) > 1 and rng.random() < 1 / 3:
                await client.sms(phone=offered[1], body=f"YES {need['ref']}", sid=f"SMload{next(sids):026d}")
        if rng.random() < 0.25:
            await client.sms(phone=rng.choice(all_phones), body="HELP", sid=f"SMload{next(sids):026d}")


async def traffic(
    *, base_url: str, token: str, phones: dict[int, str], seconds: float, concurrency: int, seed: int
) -> tuple[Tally, float]:
    import aiohttp

    tally = Tally()
    deadline = time.monotonic() + seconds
    sids = itertools.count(1)
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    start = time.perf_counter()
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        client = Client(session, base_url, token, harness.TWILIO_TOKEN, tally, deadline)
        await asyncio.gather(
            *(user_loop(client, random.Random(seed * 1000 + i), phones, sids) for i in range(concurrency))
        )
    return tally, time.perf_counter() - start


def _run_coroutine(coro):
    """``asyncio.run``, also from a thread whose event loop is already running (Playwright's sync
    API leaves one running in pytest's main thread once a browser test has run): then in a thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coro)
        except BaseException as exc:  # handed back to the caller below
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def load_run(
    *,
    seconds: float,
    concurrency: int = 8,
    web_workers: int = 4,
    q_workers: int = 4,
    volunteers: int = 2000,
    database_url: str = "",
    redis_url: str = "",
    tmpdir: Path | None = None,
    settle_seconds: float = 90,
    seed: int = 1,
) -> dict:
    """Start the stack, run the traffic, wait for the worker to finish, check, stop. One dict."""
    tmpdir = Path(tmpdir or tempfile.mkdtemp(prefix="rekindle-load-"))
    database_url = database_url or f"sqlite:///{tmpdir / 'load.sqlite3'}"
    stack = harness.Stack(database_url=database_url, redis_url=redis_url, tmpdir=tmpdir, q_workers=q_workers)
    try:
        stack.migrate()
        seeded = stack.op("seed_load", volunteers=volunteers, seed=seed)
        token = stack.manage("drf_create_token", seeded["username"]).split()[2]
        phones = {int(k): v for k, v in seeded["phones"].items()}
        stack.web_start(workers=web_workers)
        stack.cluster_start()
        tally, elapsed = _run_coroutine(
            traffic(
                base_url=stack.base_url,
                token=token,
                phones=phones,
                seconds=seconds,
                concurrency=concurrency,
                seed=seed,
            )
        )
        # Let the worker finish: every text handled and every reply and offer text sent.
        settle_deadline = time.monotonic() + settle_seconds
        checks = stack.op("load_check")
        while time.monotonic() < settle_deadline and (
            checks["inbound_unhandled"] or checks["outbound_unsettled"]
        ):
            time.sleep(1)
            checks = stack.op("load_check")
        created = stack.fake.created()
    finally:
        stack.close()
        harness.database_drop(database_url)
    all_ms = [ms for values in tally.latencies.values() for ms in values]
    requests = len(all_ms)
    by_kind = {
        kind: {
            "n": len(values),
            "p50_ms": round(percentile(values, 0.5), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "errors": tally.errors.get(kind, 0),
        }
        for kind, values in sorted(tally.latencies.items())
    }
    refs = set(checks.pop("assigned_refs"))
    return {
        "seconds": round(elapsed, 1),
        "concurrency": concurrency,
        "web_workers": web_workers,
        "q_workers": q_workers,
        "requests": requests,
        "throughput_rps": round(requests / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(all_ms, 0.5), 1),
        "p99_ms": round(percentile(all_ms, 0.99), 1),
        "errors": sum(tally.errors.values()),
        "error_samples": tally.samples,
        "by_kind": by_kind,
        "needs": tally.needs,
        "accepts_requested": len(tally.accepts),
        "accepts_not_assigned": len(tally.accepts - refs),
        "inbound_sent": len(tally.inbound_sids),
        "texts_at_twilio": len(created),
        "checks": checks,
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 1),  # the machine may be shared: read figures with it
        "broker": "redis" if redis_url else "orm",
    }


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--web-workers", type=int, default=4)
    p.add_argument("--q-workers", type=int, default=4)
    p.add_argument("--volunteers", type=int, default=2000)
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    p.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    p.add_argument("--json", dest="json_path")
    args = p.parse_args(argv)
    result = load_run(
        seconds=args.seconds,
        concurrency=args.concurrency,
        web_workers=args.web_workers,
        q_workers=args.q_workers,
        volunteers=args.volunteers,
        database_url=args.database_url,
        redis_url=args.redis_url,
    )
    print(json.dumps(result))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()

"""bench.record: what recording one sent batch costs (messaging.sending._batch_record).

    python -m bench.record [--batches B] [--size S] [--database-url URL] [--json PATH]

Migrates a temporary database (an SQLite file, or a temporary database on the --database-url
PostgreSQL server, created and dropped here), puts B x S outbox rows in ``sending`` and records
them S at a time, as a sender does after sending a batch. Keys: ``record_p50_ms``,
``record_p95_ms`` (wall clock per batch), ``cpu_ms_per_batch`` (this process: Python and, on
SQLite, the database), ``database``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.matcher import _pct, _pg_admin_url, _pg_create, _pg_drop  # noqa: E402


def _run(batches: int, size: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from messaging import sending
    from messaging.models import OutboundMessage
    from messaging.transports import SendResult

    call_command("migrate", verbosity=0)
    rows = OutboundMessage.objects.bulk_create(
        OutboundMessage(
            to=f"+4477009{i:05d}", body=f"b {i}", dedupe_key=f"r:{i}", purpose="bench", state="sending"
        )
        for i in range(batches * size)
    )
    times, cpu0 = [], time.process_time()
    for b in range(batches):
        chunk = rows[b * size : (b + 1) * size]
        outcomes = [
            (sending.Claimed(m.pk, m.to, m.body, 1, 1, 1), SendResult(f"SM{uuid.uuid4().hex}")) for m in chunk
        ]
        t = time.perf_counter()
        sending._batch_record(outcomes, {})
        times.append((time.perf_counter() - t) * 1000)
    cpu = (time.process_time() - cpu0) * 1000 / batches
    if OutboundMessage.objects.filter(state="sent").count() != batches * size:
        raise SystemExit("not every row was recorded as sent")
    return {
        "database": connection.vendor,
        "batches": batches,
        "size": size,
        "record_p50_ms": _pct(times, 50),
        "record_p95_ms": _pct(times, 95),
        "cpu_ms_per_batch": round(cpu, 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", default="")
    args = parser.parse_args(argv)
    name = f"rekindle_bench_{uuid.uuid4().hex[:8]}"
    path = Path(tempfile.gettempdir()) / f"rekindle_bench_record_{os.getpid()}.sqlite3"
    if args.database_url:
        _pg_create(args.database_url, name)
        os.environ["DATABASE_URL"] = _pg_admin_url(args.database_url, name)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        result = _run(args.batches, args.size)
    finally:
        if args.database_url:
            from django.db import connections

            connections.close_all()
            _pg_drop(args.database_url, name)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    return result


if __name__ == "__main__":
    main()

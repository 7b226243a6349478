"""Benchmark the matcher: the nearest 10 volunteers who can be offered a need, side by side.

    python -m bench.matcher --volunteers N --queries Q --seed S [--database-url URL] [--json PATH]

Builds a synthetic West Midlands (volunteers clustered round the seven town centres, 80% active,
about 2% with an enhanced DBS check and Punjabi, 1% of numbers opted out, 3% with consent too old
to offer on) in a temporary database: an SQLite file by default, or a temporary database on the
PostgreSQL server named by --database-url (created and dropped here). ``VACUUM (ANALYZE)`` after
loading (index-only scans need the visibility map). Then, at the same query points, each
contender in turn before the next point (bench.matcher_contenders), through one Django connection:

- ``service_*`` (the headline): ``needs.matching.candidates.candidates_find`` with every rule,
  ranked and explained; ``service_filtered_*`` for enhanced DBS + Punjabi; ``orm_*`` are the same
  figures under their earlier names;
- ``postgis_rules_*``: PostGIS KNN with the same hard rules in its WHERE (PostgreSQL runs, PostGIS
  in the same database); ``postgis_*``: bare PostGIS KNN over the active rows;
- ``indexed_*`` / ``filtered_*``: the earlier raw ring (status and cell keys only);
- ``naive_*``: a full scan applying every rule in Python (skipped above 200,000);
  ``top10_agreement`` compares the service's answers with it;
- ``service_statements_per_match_*`` over 50 matches; ``restart_*``: the first match in a fresh
  process (shared map in the cache) against a warm one; ``no_map_*``: before any map exists;
- ``density_map_ms``: building the start-level map (a background task in the service).

Prints one JSON object; writes it to --json PATH too. Timings are wall-clock per query.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import matcher_contenders as C  # noqa: E402

TOWNS = [  # (lat, lon, weight, sigma_km): the seven constituent authorities' centres
    (52.4796, -1.9026, 0.40, 5.0),  # Birmingham
    (52.4068, -1.5197, 0.14, 3.5),  # Coventry
    (52.5862, -2.1288, 0.11, 3.0),  # Wolverhampton
    (52.5123, -2.0811, 0.11, 3.0),  # Dudley
    (52.5860, -1.9829, 0.10, 3.0),  # Walsall
    (52.5187, -1.9945, 0.08, 2.5),  # West Bromwich (Sandwell)
    (52.4128, -1.7781, 0.06, 3.0),  # Solihull
]
K = 10
NAIVE_LIMIT = 200_000


def _point(rng: random.Random) -> tuple[float, float]:
    if rng.random() < 0.1:  # a thin rural spread across the region
        return rng.uniform(52.30, 52.70), rng.uniform(-2.30, -1.40)
    lat, lon, _w, sigma = rng.choices(TOWNS, weights=[t[2] for t in TOWNS])[0]
    return (
        lat + rng.gauss(0, sigma) / 111.32,
        lon + rng.gauss(0, sigma) / (111.32 * math.cos(math.radians(lat))),
    )


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))], 3)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _pg_admin_url(url: str, dbname: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path="/" + dbname))


def _pg_create(url: str, name: str) -> None:
    import psycopg

    # CREATE/DROP DATABASE run from the server's maintenance database, which always exists.
    with psycopg.connect(_pg_admin_url(url, "postgres"), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')


def _pg_drop(url: str, name: str) -> None:
    import psycopg

    # CREATE/DROP DATABASE run from the server's maintenance database, which always exists.
    with psycopg.connect(_pg_admin_url(url, "postgres"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--volunteers", type=int, required=True)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", default="")
    parser.add_argument(
        "--skip", action="append", default=[], help="leave out a contender (e.g. postgis_rules_filtered)"
    )
    parser.add_argument(
        "--reuse-database",
        default="",
        help="a database an interrupted run with the same --volunteers and --seed left on the server; kept",
    )
    args = parser.parse_args(argv)

    tmp_pg: tuple[str, str] | None = None
    if args.reuse_database:
        os.environ["DATABASE_URL"] = _pg_admin_url(args.database_url, args.reuse_database)
    elif args.database_url.startswith(("postgres://", "postgresql://")):
        name = f"rekindle_bench_{uuid.uuid4().hex[:8]}"
        _pg_create(args.database_url, name)
        tmp_pg = (args.database_url, name)
        os.environ["DATABASE_URL"] = _pg_admin_url(args.database_url, name)
    elif args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        path = Path(tempfile.gettempdir()) / f"rekindle_bench_matcher_{os.getpid()}.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        result = _run(args)
    finally:
        if tmp_pg:
            from django.db import connections

            connections.close_all()
            _pg_drop(*tmp_pg)
        elif not args.database_url:
            for suffix in ("", "-wal", "-shm"):
                Path(urlparse(os.environ["DATABASE_URL"]).path + suffix).unlink(missing_ok=True)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    return result


def _load(args, rng: random.Random, now, *, write: bool = True) -> list[tuple[float, float]]:
    """The synthetic region, with the rules biting: 1% of numbers opted out, 3% old consent."""
    from django.db import connection

    from volunteers.geography import cell_keys

    cols = (
        "name, phone, email, postcode, skills, languages, dbs_level, has_car, max_travel_km, availability, "
        "max_open_assignments, status, consent_at, consent_text, consent_channel, consent_source, created_at, "
        "updated_at, latitude, longitude, cell_0, cell_1, cell_2, cell_3, cell_4, cell_5, cell_6, cell_7"
    )
    sql = f"INSERT INTO volunteers_volunteer ({cols}) VALUES ({', '.join(['%s'] * 28)})"  # noqa: S608 - constant columns
    old = now - timedelta(days=3 * 365)
    points: list[tuple[float, float]] = []
    batch: list[tuple] = []
    optouts: list[tuple] = []
    with connection.cursor() as cur:
        for i in range(args.volunteers):
            lat, lon = _point(rng)
            points.append((lat, lon))
            status = "active" if rng.random() < 0.8 else rng.choice(["paused", "dormant", "opted_out"])
            special = rng.random() < 0.02
            langs = '["en", "pa"]' if special else ('["en", "ur"]' if rng.random() < 0.1 else '["en"]')
            dbs = "enhanced" if special else rng.choice(["none", "none", "basic", "standard"])
            consent = old if rng.random() < 0.03 else now
            if rng.random() < 0.01:
                optouts.append((f"+4477{i:08d}", now, "sms", ""))
            batch.append(
                (f"V{i}", f"+4477{i:08d}", "", "", "[]", langs, dbs, rng.random() < 0.4, 25.0, "{}", 2,
                 status, consent, "", "", "bench", now, now, lat, lon, *cell_keys(lat, lon))
            )  # fmt: skip
            if len(batch) >= 5000:
                if write:
                    cur.executemany(sql, batch)
                batch.clear()
        if batch and write:
            cur.executemany(sql, batch)
        if write:
            cur.executemany(
                "INSERT INTO messaging_optout (phone, created_at, source, keyword) VALUES (%s, %s, %s, %s)",
                optouts,
            )
    return points


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            # Every table: the rules' tables (opt-outs) need their statistics too.
            "VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE"
        )


def _run(args) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    rng = random.Random(args.seed)
    now = timezone.now()
    t0 = time.perf_counter()
    if args.reuse_database:  # loaded, PostGIS added and vacuumed by the interrupted run
        points = _load(args, rng, now, write=False)
        load_s, no_postgis = 0.0, None
        with connection.cursor() as cur:
            cur.execute("SET jit = off")
    else:
        _log(f"migrating {connection.vendor} database ...")
        call_command("migrate", verbosity=0)
        _log(f"inserting {args.volunteers} volunteers ...")
        points = _load(args, rng, now)
        load_s = time.perf_counter() - t0
        no_postgis = C.postgis_prepare()
        if no_postgis:
            _log(f"postgis: {no_postgis}")
        _vacuum()
    _log(f"  loaded in {load_s:.1f} s, vacuumed and analysed in {time.perf_counter() - t0 - load_s:.1f} s")
    queries = [_point(rng) for _ in range(args.queries)]
    result = {"n": args.volunteers, "queries": args.queries, "database": connection.vendor}
    result.update(_measure(args, queries, now, postgis=no_postgis is None))
    if no_postgis:
        bare = _postgis(args, connection, points, queries)
        result.update(postgis_p50_ms=bare[0], postgis_p95_ms=bare[1], postgis_rules_p95_ms=None)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return result


def _maps_build(now) -> dict:
    from needs.matching.density import density_rebuild
    from needs.matching.ranking import NeedSpec

    t = time.perf_counter()
    density_rebuild(NeedSpec(0, 0, 0))
    plain_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    density_rebuild(NeedSpec(0, 0, 0, requires_dbs="enhanced", language="pa"))
    special_ms = (time.perf_counter() - t) * 1000
    _log(f"density maps: {plain_ms:.0f} ms, filtered {special_ms:.0f} ms (built by a background task)")
    return {"density_map_ms": round(plain_ms, 1), "filtered_density_map_ms": round(special_ms, 1)}


def _measure(args, queries, now, *, postgis: bool) -> dict:
    from needs.matching import density

    out = _maps_build(now)
    rings = C.RawRings()
    contenders = {
        "service": C.service_fn(now=now),
        "service_filtered": C.service_fn(now=now, requires_dbs="enhanced", language="pa"),
        "indexed": rings.plain,
        "filtered": rings.special,
    }
    if postgis:
        consent_after = now - timedelta(days=730)
        contenders["postgis_rules"] = C.postgis_rules_fn(consent_after=consent_after)
        contenders["postgis_rules_filtered"] = C.postgis_rules_fn(
            consent_after=consent_after, extra=C.special_sql().replace("%", "%%")
        )
        contenders["postgis"] = C.postgis_bare
    for name in args.skip:
        contenders.pop(name, None)
    _log(f"interleaved, point by point: {', '.join(contenders)} ...")
    times, answers = C.interleaved(contenders, queries)
    for name, ts in times.items():
        _log(f"  {name}: p50 {_pct(ts, 50)} ms, p95 {_pct(ts, 95)} ms")
    out.update(_keys(times))
    out.update(_statements(contenders["service"], queries[:50]))
    out.update(_restart(contenders["service"], queries[:30], density))
    if args.volunteers <= NAIVE_LIMIT:
        _log("naive full scan with every rule ...")
        naive = C.naive_with_rules(now=now)
        naive_t, naive_a = [], []
        for lat, lon in queries:
            t = time.perf_counter()
            naive_a.append(naive(lat, lon))
            naive_t.append((time.perf_counter() - t) * 1000)
        agree = sum(a == b for a, b in zip(answers["service"], naive_a, strict=True)) / len(queries)
        out.update(
            naive_p50_ms=_pct(naive_t, 50), naive_p95_ms=_pct(naive_t, 95), top10_agreement=round(agree, 4)
        )
        if postgis:
            same = sum(a == b for a, b in zip(answers["postgis_rules"], naive_a, strict=True)) / len(queries)
            out["postgis_rules_top10_agreement"] = round(same, 4)
    else:
        out.update(naive_p50_ms=None, naive_p95_ms=None, top10_agreement=None)
    return out


def _keys(times: dict[str, list[float]]) -> dict:
    out = {}
    for name, ts in times.items():
        out[f"{name}_p50_ms"], out[f"{name}_p95_ms"] = _pct(ts, 50), _pct(ts, 95)
    # Earlier names, kept: orm_* was candidates_find, which is the service.
    out["orm_p50_ms"], out["orm_p95_ms"] = out["service_p50_ms"], out["service_p95_ms"]
    out["orm_filtered_p95_ms"] = out["service_filtered_p95_ms"]
    return out


def _statements(service, points) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    per_match = []
    for lat, lon in points:
        with CaptureQueriesContext(connection) as ctx:
            service(lat, lon)
        per_match.append(len(ctx.captured_queries))
    mean = round(sum(per_match) / len(per_match), 2)
    return {
        "service_statements_per_match_max": max(per_match),
        "service_statements_per_match_mean": mean,
        "service_one_statement_share": round(per_match.count(1) / len(per_match), 3),
        "orm_queries_per_match_max": max(per_match),
        "orm_queries_per_match_mean": mean,
    }


def _restart(service, points, density) -> dict:
    """The first match in a fresh process (map in the shared cache, not yet in the process) against
    a warm one, at the same points; and a match before any map exists (the climb from level 0)."""
    first, warm, nomap = [], [], []
    for lat, lon in points:
        density._local.clear()
        t = time.perf_counter()
        service(lat, lon)
        first.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        service(lat, lon)
        warm.append((time.perf_counter() - t) * 1000)
    saved = density._local.copy()
    gen = density._generation
    density.density_cache_clear()
    for lat, lon in points:
        t = time.perf_counter()
        service(lat, lon)
        nomap.append((time.perf_counter() - t) * 1000)
    density._generation = gen
    density._local.update(saved)
    return {
        "restart_first_match_p50_ms": _pct(first, 50),
        "restart_warm_match_p50_ms": _pct(warm, 50),
        "restart_ratio": round(_pct(first, 50) / _pct(warm, 50), 2),
        "no_map_match_p50_ms": _pct(nomap, 50),
        "no_map_match_p95_ms": _pct(nomap, 95),
    }


def _postgis(args, connection, points, queries) -> tuple[float | None, float | None]:
    """PostGIS KNN over the same active rows in a temporary database; (None, None) without it."""
    try:
        import psycopg
    except ImportError:
        _log("postgis: null (psycopg is not installed)")
        return None, None
    base = os.environ.get("BENCH_POSTGIS_URL") or (
        args.database_url
        if args.database_url.startswith(("postgres://", "postgresql://"))
        else "postgres://postgres@127.0.0.1:5432/postgres"
    )
    name = f"rekindle_postgis_{uuid.uuid4().hex[:8]}"
    try:
        _pg_create(base, name)
    except Exception as exc:
        _log(f"postgis: null (no PostgreSQL server reachable at {base}: {exc})")
        return None, None
    try:
        with psycopg.connect(_pg_admin_url(base, name), autocommit=True) as pg:
            try:
                pg.execute("CREATE EXTENSION postgis")
            except Exception as exc:
                _log(
                    f"postgis: null (CREATE EXTENSION postgis failed: {exc}; apt-get install postgresql-15-postgis-3)"
                )
                return None, None
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT id, latitude, longitude FROM volunteers_volunteer WHERE status = 'active'"
                )
                rows = cur.fetchall()
            pg.execute("CREATE TABLE vol (id bigint PRIMARY KEY, geog geography(Point, 4326) NOT NULL)")
            with pg.cursor().copy("COPY vol (id, geog) FROM STDIN") as copy:
                for vid, lat, lon in rows:
                    copy.write_row((vid, f"SRID=4326;POINT({lon} {lat})"))
            pg.execute("CREATE INDEX vol_geog ON vol USING gist (geog)")
            pg.execute("ANALYZE vol")
            sql = "SELECT id FROM vol ORDER BY geog <-> ST_MakePoint(%s, %s)::geography LIMIT 10"
            pg.execute(sql, (queries[0][1], queries[0][0])).fetchall()
            times = []
            for lat, lon in queries:
                t = time.perf_counter()
                pg.execute(sql, (lon, lat)).fetchall()
                times.append((time.perf_counter() - t) * 1000)
            _log(f"  postgis KNN: p50 {_pct(times, 50)} ms, p95 {_pct(times, 95)} ms")
            return _pct(times, 50), _pct(times, 95)
    finally:
        _pg_drop(base, name)


if __name__ == "__main__":
    main()

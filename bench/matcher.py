"""Benchmark the matcher: nearest-10 active volunteers, side by side in one run.

    python -m bench.matcher --volunteers N --queries Q --seed S [--database-url URL] [--json PATH]

Builds a synthetic West Midlands (volunteers clustered round the seven town centres, 80% active,
about 2% with an enhanced DBS check and Punjabi) in a temporary database: an SQLite file by
default, or a temporary database on the PostgreSQL server named by --database-url (created and
dropped here; the database in the URL is only used to connect). Then, for the same query points:

- indexed: the multi-level cell ring search in raw SQL (the contract's ``indexed_*``);
- indexed through the ORM: ``needs.matching.candidates.candidates_find`` with every rule;
- filtered: the raw ring search for enhanced DBS + Punjabi (about 2% of volunteers);
- naive: a full scan of active rows sorted by distance in Python (skipped above 200,000);
- PostGIS KNN: ``ORDER BY geog <-> point LIMIT 10`` over a GiST index on the same rows, in a
  temporary PostgreSQL database (BENCH_POSTGIS_URL, default the --database-url server or
  postgres://postgres@127.0.0.1:5432/postgres); null, with the reason on stderr, without PostGIS.

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
    parser.add_argument("--explain", action="store_true", help="print the ring query plans first")
    args = parser.parse_args(argv)

    tmp_pg: tuple[str, str] | None = None
    if args.database_url.startswith(("postgres://", "postgresql://")):
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


def _run(args) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from volunteers.geography import CELL_SIDES_KM, cell_block, cell_keys, haversine_km

    rng = random.Random(args.seed)
    _log(f"migrating {connection.vendor} database ...")
    call_command("migrate", verbosity=0)

    _log(f"inserting {args.volunteers} volunteers ...")
    now = timezone.now()
    cols = (
        "name, phone, email, postcode, skills, languages, dbs_level, has_car, max_travel_km, availability, "
        "max_open_assignments, status, consent_at, consent_text, consent_channel, consent_source, created_at, "
        "updated_at, latitude, longitude, cell_0, cell_1, cell_2, cell_3, cell_4, cell_5, cell_6, cell_7"
    )
    sql = f"INSERT INTO volunteers_volunteer ({cols}) VALUES ({', '.join(['%s'] * 28)})"  # noqa: S608 - constant columns
    points: list[tuple[float, float]] = []
    t0 = time.perf_counter()
    batch: list[tuple] = []
    with connection.cursor() as cur:
        for i in range(args.volunteers):
            lat, lon = _point(rng)
            points.append((lat, lon))
            status = "active" if rng.random() < 0.8 else rng.choice(["paused", "dormant", "opted_out"])
            special = rng.random() < 0.02
            langs = '["en", "pa"]' if special else ('["en", "ur"]' if rng.random() < 0.1 else '["en"]')
            dbs = "enhanced" if special else rng.choice(["none", "none", "basic", "standard"])
            batch.append(
                (f"V{i}", f"+4477{i:08d}", "", "", "[]", langs, dbs, rng.random() < 0.4, 25.0, "{}", 2,
                 status, now, "", "", "bench", now, now, lat, lon, *cell_keys(lat, lon))
            )  # fmt: skip
            if len(batch) >= 5000:
                cur.executemany(sql, batch)
                batch.clear()
        if batch:
            cur.executemany(sql, batch)
        cur.execute("ANALYZE")
    _log(f"  inserted in {time.perf_counter() - t0:.1f} s")

    queries = [_point(rng) for _ in range(args.queries)]

    # --- indexed, raw SQL: the service's algorithm (needs.matching) without the ORM ------------
    from needs.matching.rings import DENSITY_LEVELS, start_level

    def density(extra: str = "") -> dict[int, dict[int, int]]:
        """The start-level map (needs.matching.candidates.density_map), in raw SQL."""
        fine, coarse = DENSITY_LEVELS
        maps: dict[int, dict[int, int]] = {fine: {}, coarse: {}}
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT cell_{fine}, cell_{coarse}, count(*) FROM volunteers_volunteer "  # noqa: S608
                f"WHERE status = 'active'{extra} GROUP BY 1, 2"
            )
            for a, b, n in cur.fetchall():
                maps[fine][a] = maps[fine].get(a, 0) + n
                maps[coarse][b] = maps[coarse].get(b, 0) + n
        return maps

    def ring(lat: float, lon: float, extra: str = "", maps=None) -> list[int]:
        counts = {lv: sum(maps[lv].get(k, 0) for k in cell_block(lat, lon, lv)) for lv in DENSITY_LEVELS}
        first = start_level(block_counts=counts, sides_km=CELL_SIDES_KM, want=K, radius_km=CELL_SIDES_KM[-1])
        with connection.cursor() as cur:
            for level in range(first, len(CELL_SIDES_KM)):
                side = CELL_SIDES_KM[level]
                keys = ",".join(str(k) for k in cell_block(lat, lon, level))
                cur.execute(
                    f"SELECT id, latitude, longitude FROM volunteers_volunteer "  # noqa: S608 - ints only
                    f"WHERE status = 'active' AND cell_{level} IN ({keys}){extra}"
                )
                rows = [(haversine_km(lat, lon, r[1], r[2]), r[0]) for r in cur.fetchall()]
                if sum(1 for d, _ in rows if d <= side) >= K or level == len(CELL_SIDES_KM) - 1:
                    rows.sort()
                    return [i for _, i in rows[:K]]
        return []

    def explain(lat: float, lon: float, extra: str, maps) -> None:
        counts = {lv: sum(maps[lv].get(k, 0) for k in cell_block(lat, lon, lv)) for lv in DENSITY_LEVELS}
        level = start_level(block_counts=counts, sides_km=CELL_SIDES_KM, want=K, radius_km=CELL_SIDES_KM[-1])
        keys = ",".join(str(k) for k in cell_block(lat, lon, level))
        sql = (
            f"SELECT id, latitude, longitude FROM volunteers_volunteer "  # noqa: S608 - ints only
            f"WHERE status = 'active' AND cell_{level} IN ({keys}){extra}"
        )
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        with connection.cursor() as cur:
            cur.execute(prefix + sql)
            _log(f"  level {level}: " + "\n    ".join(str(r[-1]) for r in cur.fetchall()))

    def timed(fn, label: str) -> tuple[list[float], list]:
        fn(*queries[0])  # warm the cache and the connection
        times, answers = [], []
        for lat, lon in queries:
            t = time.perf_counter()
            answers.append(fn(lat, lon))
            times.append((time.perf_counter() - t) * 1000)
        _log(f"  {label}: p50 {_pct(times, 50)} ms, p95 {_pct(times, 95)} ms")
        return times, answers

    if connection.vendor == "postgresql":
        special = " AND dbs_level = 'enhanced' AND languages::text ILIKE '%\"pa\"%'"
    else:
        special = " AND dbs_level = 'enhanced' AND languages LIKE '%\"pa\"%'"
    t = time.perf_counter()
    maps = density()
    density_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    special_maps = density(special)
    special_density_ms = (time.perf_counter() - t) * 1000
    _log(f"density maps: {density_ms:.0f} ms, filtered {special_density_ms:.0f} ms (once per TTL)")
    if args.explain:
        for lat, lon in queries[:3]:
            explain(lat, lon, "", maps)
            explain(lat, lon, special, special_maps)
    _log("indexed (raw) ...")
    indexed_t, indexed_a = timed(lambda lat, lon: ring(lat, lon, "", maps), "indexed raw")
    _log("filtered (raw, enhanced DBS + Punjabi) ...")
    filtered_t, _ = timed(lambda lat, lon: ring(lat, lon, special, special_maps), "filtered raw")

    # --- indexed through the ORM, with every rule -----------------------------------------------
    from needs.matching.candidates import candidates_find
    from needs.matching.ranking import NeedSpec
    from needs.models import Need

    # The consent rule too: consent known and younger than the limit (every bench row consented now).
    consent = {"consent_after": now - timedelta(days=730), "consent_max_days": 730}

    def orm(lat: float, lon: float) -> list[int]:
        spec = NeedSpec(latitude=lat, longitude=lon, radius_km=25.6, **consent)
        need = Need(latitude=lat, longitude=lon, search_radius_km=25.6)
        return [c.volunteer_id for c in candidates_find(need=need, spec=spec, limit=K).candidates]

    def orm_filtered(lat: float, lon: float) -> list[int]:
        spec = NeedSpec(
            latitude=lat, longitude=lon, radius_km=25.6, requires_dbs="enhanced", language="pa", **consent
        )
        need = Need(latitude=lat, longitude=lon, search_radius_km=25.6)
        return [c.volunteer_id for c in candidates_find(need=need, spec=spec, limit=K).candidates]

    _log("indexed (ORM, candidates_find with every rule) ...")
    orm_t, _ = timed(orm, "orm")
    orm_filtered_t, _ = timed(orm_filtered, "orm filtered")
    from django.db import reset_queries
    from django.test.utils import CaptureQueriesContext

    per_match = []
    for lat, lon in queries[:50]:
        with CaptureQueriesContext(connection) as ctx:
            orm(lat, lon)
        per_match.append(len(ctx.captured_queries))
    reset_queries()

    # --- naive full scan ----------------------------------------------------------------------
    naive_p95 = naive_p50 = agreement = None
    if args.volunteers <= NAIVE_LIMIT:
        _log("naive full scan ...")

        def naive(lat: float, lon: float) -> list[int]:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT id, latitude, longitude FROM volunteers_volunteer WHERE status = 'active'"
                )
                rows = sorted((haversine_km(lat, lon, r[1], r[2]), r[0]) for r in cur.fetchall())
            return [i for _, i in rows[:K]]

        naive_t, naive_a = timed(naive, "naive")
        naive_p50, naive_p95 = _pct(naive_t, 50), _pct(naive_t, 95)
        agreement = round(sum(a == b for a, b in zip(indexed_a, naive_a, strict=True)) / len(queries), 4)

    postgis = _postgis(args, connection, points, queries)
    return {
        "n": args.volunteers,
        "queries": args.queries,
        "database": connection.vendor,
        "indexed_p50_ms": _pct(indexed_t, 50),
        "indexed_p95_ms": _pct(indexed_t, 95),
        "orm_p50_ms": _pct(orm_t, 50),
        "orm_p95_ms": _pct(orm_t, 95),
        "orm_filtered_p95_ms": _pct(orm_filtered_t, 95),
        "orm_queries_per_match_max": max(per_match),
        "orm_queries_per_match_mean": round(sum(per_match) / len(per_match), 2),
        "filtered_p50_ms": _pct(filtered_t, 50),
        "filtered_p95_ms": _pct(filtered_t, 95),
        "density_map_ms": round(density_ms, 1),
        "filtered_density_map_ms": round(special_density_ms, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "naive_p50_ms": naive_p50,
        "naive_p95_ms": naive_p95,
        "top10_agreement": agreement,
        "postgis_p50_ms": postgis[0],
        "postgis_p95_ms": postgis[1],
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

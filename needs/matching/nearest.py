"""The matcher's one statement per ring level: every rule and the top k, in the database.

``nearest_fetch`` sends one statement for one ring level (the 3x3 block of cells around the need):

- ``near``: the nearest ``m`` active volunteers in the block passing the need's rules on the row
  itself (``row_conditions``), ordered by an equirectangular squared distance (only ``+`` and
  ``*``, so SQLite builds without math functions run it too) and ``id``, ``LIMIT m``. Without a
  selective rule this reads only the covering partial index per level (volunteers 0009).
- the rules that read other columns or tables, on those ``m`` rows only: unreachable phone, their
  own travel distance, consent, opt-outs (``NOT EXISTS``), already offered this need (``NOT
  EXISTS``), workload (open assignments against their cap); and their offers history for the
  ranking, as grouped joins over the ``m`` rows.
- ``edge``: how many rows ``near`` returned and the farthest one's distance, on a row of its own so
  it comes back even when nobody passes: the caller knows how far the answer is complete.

Only rows that can be offered come back (plus the row-level columns the exact rules in
``ranking.exclusion_reason`` read: language, availability, DBS expiry, travel distance, decided
again in Python on the haversine). The equirectangular distance is within a factor ``slack(d)`` of
the haversine at distance ``d`` anywhere in the UK (0.15% at 27 km, 0.0005% at 50 m; measured:
tests/needs/test_nearest_sql.py), so bounds in SQL are widened by it and what is complete is
narrowed by it.
"""

# ruff: noqa: S608 - only table and column names and placeholders are put in the SQL text; every value
# goes as a parameter

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection

from messaging.models import OptOut
from needs.matching.ranking import DBS_ORDER, NeedSpec, VolunteerRow, dbs_rank
from needs.models import Need, Offer
from volunteers.geography import EARTH_RADIUS_KM, cell_block
from volunteers.models import Volunteer

# Relative error of the equirectangular distance against the haversine: at most 5.5e-5 per km
# (measured over the UK); twice that here.
SLACK_BASE, SLACK_PER_KM = 1.00002, 0.0001
PREPARE_AFTER = 1
KM_PER_DEG = EARTH_RADIUS_KM * math.pi / 180
V = Volunteer._meta.db_table
_ROW_COLUMNS = ("id", "latitude", "longitude", "max_travel_km", "dbs_level", "dbs_expires_on", "has_car")
_HISTORY = ("open_assignments", "offers_made", "accepted", "completed", "recent_tasks")


def slack(km: float) -> float:
    """The factor within which the equirectangular distance lies of the haversine, at ``km``."""
    return SLACK_BASE + SLACK_PER_KM * km


@dataclass
class Fetched:
    rows: list[VolunteerRow]  # passing every rule the database applies, nearest first (roughly)
    near: int  # rows the nearest-first scan returned (== m: the LIMIT was reached)
    far_km: float  # the farthest of those, in equirectangular km (0 when none)


def distance_sql(spec: NeedSpec, table: str = V) -> tuple[str, list[float]]:
    """The equirectangular squared distance in km^2 from the need, as SQL and its parameters."""
    kx = KM_PER_DEG * math.cos(math.radians(spec.latitude))
    dy = f"(({table}.latitude - %s) * %s)"
    dx = f"(({table}.longitude - %s) * %s)"
    sql = f"({dy} * {dy} + {dx} * {dx})"
    lat, lon = [spec.latitude, KM_PER_DEG], [spec.longitude, kx]
    return sql, [*lat, *lat, *lon, *lon]


def row_conditions(spec: NeedSpec, *, table: str = V) -> tuple[list[str], list]:
    """The need's hard rules on the volunteer's own row, as SQL conditions and their parameters.

    Exact where SQL can be, a superset where it cannot (language); ``ranking.exclusion_reason``
    decides again on the rows that come back. One more hard rule on the row (a skills list, say)
    goes here as one more condition, and in ``exclusion_reason`` for its words.
    """
    # ``status`` written literally: SQLite uses a partial index (``WHERE status = 'active'``) only
    # when the query repeats its condition literally.
    where: list[str] = [f"{table}.status = '{Volunteer.Status.ACTIVE.value}'"]
    params: list[Any] = []
    if spec.requires_dbs != "none":
        levels = DBS_ORDER[dbs_rank(spec.requires_dbs) :]
        where.append(f"{table}.dbs_level IN ({', '.join(['%s'] * len(levels))})")
        params.extend(levels)
        if spec.dbs_day is not None:
            where.append(f"({table}.dbs_expires_on IS NULL OR {table}.dbs_expires_on >= %s)")
            params.append(connection.ops.adapt_datefield_value(spec.dbs_day))
    if spec.needs_car:
        where.append(f"{table}.has_car = %s")
        params.append(True)
    if spec.language:
        like, cast = ("ILIKE", "::text") if connection.vendor == "postgresql" else ("LIKE", "")
        where.append(f"{table}.languages{cast} {like} %s")
        params.append(f'%"{spec.language}"%')
    for skill in spec.skills:  # every skill the need asks for (slugs, lower case: exact as text)
        cast = "::text" if connection.vendor == "postgresql" else ""
        where.append(f"{table}.skills{cast} LIKE %s")
        params.append(f'%"{skill}"%')
    return where, params


def _near_cte(spec: NeedSpec, *, level: int, bound_km: float, m: int | None) -> tuple[str, list]:
    d2, d2_params = distance_sql(spec)
    where, params = row_conditions(spec)
    block = cell_block(spec.latitude, spec.longitude, level)
    where.append(f"{V}.cell_{level} IN ({', '.join(['%s'] * len(block))})")
    where.append(f"{d2} <= %s")
    limit = "" if m is None else f" LIMIT {int(m)}"
    sql = f"SELECT {V}.id AS id, {d2} AS d2 FROM {V} WHERE {' AND '.join(where)} ORDER BY d2, {V}.id{limit}"
    return sql, [*d2_params, *params, *block, *d2_params, (bound_km * slack(bound_km)) ** 2]


def _check_conditions(spec: NeedSpec, *, need_pk: int) -> tuple[list[str], list]:
    """The rules that read other columns or tables, on the ``near`` rows (as ``v``)."""
    optout, offer = OptOut._meta.db_table, Offer._meta.db_table
    travel = f"(v.max_travel_km * ({SLACK_BASE!r} + {SLACK_PER_KM!r} * v.max_travel_km))"
    where = [
        "v.phone_unreachable_at IS NULL",
        f"nr.d2 <= {travel} * {travel}",
        f"NOT EXISTS (SELECT 1 FROM {optout} oo WHERE oo.phone = v.phone)",
        f"NOT EXISTS (SELECT 1 FROM {offer} oa WHERE oa.need_id = %s AND oa.volunteer_id = v.id)",
        "COALESCE(w.open_assignments, 0) < v.max_open_assignments",
    ]
    params: list = [need_pk]
    if spec.consent_after is not None:
        where.append("v.consent_at >= %s")
        params.append(connection.ops.adapt_datetimefield_value(spec.consent_after))
    return where, params


def _joins(*, since: datetime) -> tuple[str, list]:
    """Open assignments and the offers history of the ``near`` rows, one grouped join each."""
    need, offer = Need._meta.db_table, Offer._meta.db_table
    accepted = f"oh.status = '{Offer.Status.ACCEPTED.value}'"
    # Each grouped join is driven by the ``near`` rows (an index probe per row), never by the
    # other table's rows (all assigned needs, all offers): SQLite keeps a CROSS JOIN's order,
    # and ``status || ''`` keeps it off the status index (every assigned need) for the volunteer's.
    sql = (
        " LEFT JOIN (SELECT na.assigned_volunteer_id AS vid, COUNT(*) AS open_assignments"
        f" FROM near nw CROSS JOIN {need} na WHERE na.assigned_volunteer_id = nw.id"
        f" AND na.status || '' = '{Need.Status.ASSIGNED.value}' GROUP BY na.assigned_volunteer_id) w ON w.vid = v.id"
        " LEFT JOIN (SELECT oh.volunteer_id AS vid, COUNT(*) AS offers_made,"
        f" SUM(CASE WHEN {accepted} THEN 1 ELSE 0 END) AS accepted,"
        f" SUM(CASE WHEN {accepted} AND oh.completed_at IS NOT NULL THEN 1 ELSE 0 END) AS completed,"
        f" SUM(CASE WHEN {accepted} AND oh.responded_at >= %s THEN 1 ELSE 0 END) AS recent_tasks"
        f" FROM near nh CROSS JOIN {offer} oh WHERE oh.volunteer_id = nh.id GROUP BY oh.volunteer_id) h"
        " ON h.vid = v.id"
    )
    return sql, [connection.ops.adapt_datetimefield_value(since)]


def _columns(spec: NeedSpec) -> tuple[str, ...]:
    """Only the columns the exact rules need: a JSON column costs a decode per row."""
    extra = (
        (("languages",) if spec.language else ())
        + (("skills",) if spec.skills else ())
        + (("availability",) if spec.window_start else ())
    )
    return _ROW_COLUMNS + extra + ("max_open_assignments",)


def nearest_sql(
    spec: NeedSpec, *, level: int, bound_km: float, m: int | None, need_pk: int, since: datetime
) -> tuple[str, list]:
    near, near_params = _near_cte(spec, level=level, bound_km=bound_km, m=m)
    checks, check_params = _check_conditions(spec, need_pk=need_pk)
    joins, join_params = _joins(since=since)
    columns = ", ".join(f"v.{c}" for c in _columns(spec))
    history = ", ".join(
        f"COALESCE({'w' if h == 'open_assignments' else 'h'}.{h}, 0) AS {h}" for h in _HISTORY
    )
    # SQLite does not know a CTE's row count: joined to the volunteers it builds a Bloom filter over
    # the whole table (30 ms at 100,000 rows). The same rows as a subquery with its LIMIT it looks
    # up by id (0.4 ms); PostgreSQL reads the CTE it has.
    inline = connection.vendor == "sqlite"
    source, source_params = (f"({near}) nr", near_params) if inline else ("near nr", [])
    sql = (
        f"WITH near AS ({near}), edge AS (SELECT COUNT(*) AS n, MAX(d2) AS far FROM near)"
        " SELECT edge.n, edge.far, ok.* FROM edge LEFT JOIN ("
        f"SELECT {columns}, nr.d2 AS d2, {history}"
        f" FROM {source} JOIN {V} v ON v.id = nr.id{joins} WHERE {' AND '.join(checks)}"
        ") ok ON 1 = 1 ORDER BY ok.d2, ok.id"
    )
    return sql, [*near_params, *source_params, *join_params, *check_params]


def nearest_fetch(
    spec: NeedSpec, *, level: int, bound_km: float, m: int | None, need_pk: int, since: datetime
) -> Fetched:
    """One statement: the rows at ``level`` within ``bound_km`` (widened by SLACK) that pass every
    rule the database can apply, with their history; see the module docstring."""
    sql, params = nearest_sql(spec, level=level, bound_km=bound_km, m=m, need_pk=need_pk, since=since)
    raw = statement_run(sql, params)
    names = _columns(spec)
    n, far = raw[0][0], raw[0][1]
    rows = [_row(names, r[2:]) for r in raw if r[2] is not None]
    return Fetched(rows, n, math.sqrt(far) if far is not None else 0.0)


def statement_run(sql: str, params: list) -> list[tuple]:
    """Run one statement and fetch its rows. On PostgreSQL, bound on the server (a psycopg
    RawCursor, ``$n`` placeholders) and prepared once its text has run ``PREPARE_AFTER`` times on
    the connection (psycopg keeps the 100 most recent): the matcher has only a few shapes (level,
    filters, ``m``), so the server stops planning it (planning was 0.85 of 1.5 ms at 100,000
    volunteers). Wrapped like any Django cursor, so query capture and execute wrappers see it."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    import psycopg

    parts = sql.split("%s")
    numbered = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))
    connection.ensure_connection()
    pg = connection.connection
    raw = psycopg.RawCursor(pg)
    if not getattr(pg, "_matcher_generic", False):
        # Prepared statements only (Django's own cursors bind on the client and are never prepared):
        # plan once per connection, not per call; the plan does not depend on the values.
        pg.execute("SET plan_cache_mode = force_generic_plan")
        pg._matcher_generic = True
    saved = pg.prepare_threshold  # Django turns preparing off (None); only for this statement
    pg.prepare_threshold = PREPARE_AFTER
    try:
        # _prepare_cursor is Django's own (private) way to wrap a driver cursor: not in django-stubs.
        with connection._prepare_cursor(raw) as cursor:  # type: ignore[attr-defined]
            cursor.execute(numbered, params)
            return cursor.fetchall()
    finally:
        pg.prepare_threshold = saved


def _row(names: tuple[str, ...], values: tuple) -> VolunteerRow:
    data = dict(zip(names, values, strict=False))
    for name in ("languages", "skills", "availability"):
        if isinstance(data.get(name), str):
            data[name] = json.loads(data[name])
    if isinstance(data["dbs_expires_on"], str):
        data["dbs_expires_on"] = date.fromisoformat(data["dbs_expires_on"])
    data["has_car"] = bool(data["has_car"])
    row = VolunteerRow(**data)
    for name, value in zip(_HISTORY, values[len(names) + 1 :], strict=True):
        setattr(row, name, int(value))
    return row

"""The contenders bench.matcher times, point by point, through one Django connection.

- ``service``: ``needs.matching.candidates.candidates_find`` with every rule (the headline);
- ``service_filtered``: the same for enhanced DBS + Punjabi (about 2% of volunteers);
- ``indexed`` / ``filtered``: the earlier raw ring search (status and cell keys only), kept for
  comparison with earlier figures;
- ``postgis_rules``: PostGIS KNN (``ORDER BY geog <-> point LIMIT 10`` over a GiST index on the
  active rows) with the same hard rules in its ``WHERE`` (opt-outs, already offered, consent,
  workload, unreachable, travel distance, radius);
- ``postgis``: bare PostGIS KNN over the same active rows.

PostGIS lives in the same PostgreSQL database as the volunteers (a ``geog`` column and its index
are added there) and is asked through the same Django cursor as the service.
"""

# ruff: noqa: S608 - benchmark SQL: table names and integers only; values go as parameters

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connection

K = 10
RADIUS_KM = 25.6
SPECIAL_SQL = " AND dbs_level = 'enhanced' AND languages{cast} {like} '%\"pa\"%'"


def special_sql() -> str:
    pg = connection.vendor == "postgresql"
    return SPECIAL_SQL.format(cast="::text" if pg else "", like="ILIKE" if pg else "LIKE")


def postgis_prepare() -> str | None:
    """Add PostGIS to the bench database: None when ready, else why not."""
    if connection.vendor != "postgresql":
        return "the bench database is SQLite (PostGIS figures come from the PostgreSQL run)"
    with connection.cursor() as cur:
        try:
            cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except Exception as exc:
            return f"CREATE EXTENSION postgis failed: {exc}"
        cur.execute("ALTER TABLE volunteers_volunteer ADD COLUMN geog geography(Point, 4326)")
        cur.execute(
            "UPDATE volunteers_volunteer SET geog = ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography"
            " WHERE latitude IS NOT NULL"
        )
        cur.execute("CREATE INDEX vol_geog ON volunteers_volunteer USING gist (geog) WHERE status = 'active'")
        # The KNN-with-rules plan's cost (a poor row estimate under the LIMIT) crosses jit_above_cost:
        # 350 ms compiling for a 10 ms query. Off for the session, as an OLTP deployment would have
        # it; the service's statement never reaches that cost.
        cur.execute("SET jit = off")
    return None


def postgis_bare(lat: float, lon: float) -> list[int]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM volunteers_volunteer WHERE status = 'active'"
            " ORDER BY geog <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography LIMIT 10",
            [lon, lat],
        )
        return [r[0] for r in cur.fetchall()]


def postgis_rules_fn(*, consent_after: datetime, extra: str = "") -> Callable[[float, float], list[int]]:
    """PostGIS KNN with the service's hard rules in its WHERE (the need is unsaved: offered is
    checked against need 0, as the service does)."""
    sql = (
        "SELECT v.id FROM volunteers_volunteer v WHERE v.status = 'active'"
        " AND v.phone_unreachable_at IS NULL AND v.consent_at >= %s"
        " AND NOT EXISTS (SELECT 1 FROM messaging_optout o WHERE o.phone = v.phone)"
        " AND NOT EXISTS (SELECT 1 FROM needs_offer f WHERE f.need_id = 0 AND f.volunteer_id = v.id)"
        " AND (SELECT COUNT(*) FROM needs_need n WHERE n.assigned_volunteer_id = v.id"
        " AND n.status = 'assigned') < v.max_open_assignments"
        " AND ST_DWithin(v.geog, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, LEAST(v.max_travel_km, %s) * 1000)"
        f"{extra.replace('dbs_level', 'v.dbs_level').replace('languages', 'v.languages')}"
        " ORDER BY v.geog <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography LIMIT 10"
    )

    def run(lat: float, lon: float) -> list[int]:
        with connection.cursor() as cur:
            cur.execute(sql, [consent_after, lon, lat, RADIUS_KM, lon, lat])
            return [r[0] for r in cur.fetchall()]

    return run


def service_fn(*, now: datetime, **rules) -> Callable[[float, float], list[int]]:
    from needs.matching.candidates import candidates_find
    from needs.matching.ranking import NeedSpec
    from needs.models import Need

    consent = {"consent_after": now - timedelta(days=730), "consent_max_days": 730}

    def run(lat: float, lon: float) -> list[int]:
        spec = NeedSpec(latitude=lat, longitude=lon, radius_km=RADIUS_KM, **consent, **rules)
        need = Need(latitude=lat, longitude=lon, search_radius_km=RADIUS_KM)
        return [c.volunteer_id for c in candidates_find(need=need, spec=spec, limit=K).candidates]

    return run


def interleaved(contenders: dict[str, Callable], points: list[tuple[float, float]]) -> tuple[dict, dict]:
    """Time every contender at each point before moving to the next point, in an order that
    rotates with the point, so load changes and caches fall on all of them alike."""
    names = list(contenders)
    for fn in contenders.values():
        fn(*points[0])  # warm the connection and the caches
    times: dict[str, list[float]] = {n: [] for n in names}
    answers: dict[str, list] = {n: [] for n in names}
    for i, (lat, lon) in enumerate(points):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            t = time.perf_counter()
            answer = contenders[name](lat, lon)
            times[name].append((time.perf_counter() - t) * 1000)
            answers[name].append(answer)
    return times, answers


def naive_with_rules(*, now: datetime) -> Callable[[float, float], list[int]]:
    """A full scan of the active rows with every rule applied in Python (ranking.exclusion_reason,
    consent, opt-outs), nearest first: what the service's top 10 must equal (equal histories)."""
    from needs.matching.ranking import NeedSpec, VolunteerRow, consent_reason, exclusion_reason
    from volunteers.geography import haversine_km

    with connection.cursor() as cur:
        cur.execute("SELECT phone FROM messaging_optout")
        opted = {r[0] for r in cur.fetchall()}
        cur.execute(
            "SELECT id, latitude, longitude, max_travel_km, phone, consent_at FROM volunteers_volunteer"
            " WHERE status = 'active' AND phone_unreachable_at IS NULL"
        )
        rows = cur.fetchall()
    after = now - timedelta(days=730)

    def run(lat: float, lon: float) -> list[int]:
        spec = NeedSpec(
            latitude=lat, longitude=lon, radius_km=RADIUS_KM, consent_after=after, consent_max_days=730
        )
        ok = []
        for vid, vlat, vlon, travel, phone, consent_at in rows:
            row = VolunteerRow(id=vid, latitude=vlat, longitude=vlon, max_travel_km=travel)
            row.distance_km = haversine_km(lat, lon, vlat, vlon)
            if row.distance_km > RADIUS_KM or phone in opted or exclusion_reason(spec, row) is not None:
                continue
            if consent_reason(spec, _aware(consent_at)) is None:
                ok.append((row.distance_km, vid))
        ok.sort()
        return [vid for _, vid in ok[:K]]

    return run


def _aware(value):
    from datetime import UTC

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class RawRings:
    """The earlier raw ring search (status and cell keys only, ranked in Python), for indexed_*."""

    def __init__(self) -> None:
        self.maps = self._density("")
        self.special_maps = self._density(special_sql())

    def _density(self, extra: str) -> dict[int, dict[int, int]]:
        from django.db import connection

        from needs.matching.rings import DENSITY_LEVELS

        fine, coarse = DENSITY_LEVELS
        maps: dict[int, dict[int, int]] = {fine: {}, coarse: {}}
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT cell_{fine}, cell_{coarse}, count(*) FROM volunteers_volunteer "
                f"WHERE status = 'active'{extra} GROUP BY 1, 2"
            )
            for a, b, n in cur.fetchall():
                maps[fine][a] = maps[fine].get(a, 0) + n
                maps[coarse][b] = maps[coarse].get(b, 0) + n
        return maps

    def plain(self, lat: float, lon: float) -> list[int]:
        return self._ring(lat, lon, "", self.maps)

    def special(self, lat: float, lon: float) -> list[int]:
        return self._ring(lat, lon, special_sql(), self.special_maps)

    def _ring(self, lat: float, lon: float, extra: str, maps) -> list[int]:
        from django.db import connection

        from needs.matching.rings import DENSITY_LEVELS, start_level
        from volunteers.geography import CELL_SIDES_KM, cell_block, haversine_km

        counts = {lv: sum(maps[lv].get(k, 0) for k in cell_block(lat, lon, lv)) for lv in DENSITY_LEVELS}
        first = start_level(block_counts=counts, sides_km=CELL_SIDES_KM, want=K, radius_km=CELL_SIDES_KM[-1])
        with connection.cursor() as cur:
            for level in range(first, len(CELL_SIDES_KM)):
                side = CELL_SIDES_KM[level]
                keys = ",".join(str(k) for k in cell_block(lat, lon, level))
                cur.execute(
                    f"SELECT id, latitude, longitude FROM volunteers_volunteer "
                    f"WHERE status = 'active' AND cell_{level} IN ({keys}){extra}"
                )
                rows = [(haversine_km(lat, lon, r[1], r[2]), r[0]) for r in cur.fetchall()]
                if sum(1 for d, _ in rows if d <= side) >= K or level == len(CELL_SIDES_KM) - 1:
                    rows.sort()
                    return [i for _, i in rows[:K]]
        return []

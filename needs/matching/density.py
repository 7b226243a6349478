"""The density map that picks where the ring search starts: built once per deployment, shared by
every process through the cache, rebuilt in the background.

The map (active volunteers passing a need's selective rules, per 1.6 km and 12.8 km cell) is one
grouped query over the whole table: 0.26 s on PostgreSQL and 7.2 s on SQLite at a million rows, too
slow for a coordinator's first match after a restart. So a match never builds it: it reads it from
the cache (kept a while in the process too); when the map is missing or older than
``NEEDS_MATCHER_DENSITY_TTL_SECONDS`` it enqueues ``needs.tasks.density_rebuild_task`` (once: a
cache flag) and goes on with what it has. With no map at all the search starts at the smallest
ring and climbs (needs.matching.rings): the map only picks where to start, never the answer.
"""

# ruff: noqa: S608 - only table and column names and placeholders are put in the SQL text; every value
# goes as a parameter

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections, transaction

from needs.matching.nearest import V, row_conditions
from needs.matching.ranking import NeedSpec
from needs.matching.rings import DENSITY_LEVELS

Maps = dict[int, dict[int, int]]
_local: dict[str, tuple[float, Maps]] = {}
_generation = 0  # bumped by density_cache_clear, so a test never reads another test's map
BUILDING_SECONDS = 300  # a rebuild is asked for at most this often per filter


def density_cache_clear() -> None:
    global _generation
    _generation += 1
    _local.clear()


def density_key(
    *, alias: str, requires_dbs: str, needs_car: bool, language: str, skills: tuple[str, ...] = ()
) -> str:
    wanted = ",".join(sorted(skills))
    return f"matcher:density:{_generation}:{alias}:{requires_dbs}:{int(needs_car)}:{language}:{wanted}"


def _spec_key(spec: NeedSpec, alias: str | None = None) -> str:
    return density_key(
        alias=alias or connection.alias,
        requires_dbs=spec.requires_dbs,
        needs_car=spec.needs_car,
        language=spec.language,
        skills=tuple(spec.skills),
    )


def density_build(spec: NeedSpec, *, alias: str = "default") -> Maps:
    """One grouped query: active volunteers passing ``spec``'s selective rules per map cell."""
    fine, coarse = (f"cell_{level}" for level in DENSITY_LEVELS)
    where, params = row_conditions(spec)
    where += [f"{V}.phone_unreachable_at IS NULL", f"{V}.{fine} IS NOT NULL"]
    sql = f"SELECT {fine}, {coarse}, COUNT(*) FROM {V} WHERE {' AND '.join(where)} GROUP BY {fine}, {coarse}"
    maps: Maps = {level: {} for level in DENSITY_LEVELS}
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        for cell_fine, cell_coarse, n in cursor.fetchall():
            maps[DENSITY_LEVELS[0]][cell_fine] = maps[DENSITY_LEVELS[0]].get(cell_fine, 0) + n
            maps[DENSITY_LEVELS[1]][cell_coarse] = maps[DENSITY_LEVELS[1]].get(cell_coarse, 0) + n
    return maps


def density_rebuild(spec: NeedSpec, *, alias: str = "default") -> Maps:
    """Build the map for ``spec``'s filter and share it through the cache (no expiry: a newer
    build replaces it)."""
    key = _spec_key(spec, alias)
    maps = density_build(spec, alias=alias)
    cache.set(key, {"built": time.time(), "maps": maps}, timeout=None)
    cache.delete(key + ":building")
    _local[key] = (time.monotonic(), maps)
    return maps


def _rebuild_soon(spec: NeedSpec, key: str) -> None:
    if not cache.add(key + ":building", 1, timeout=BUILDING_SECONDS):
        return  # another process asked already
    from django_q.tasks import async_task

    args = (connection.alias, spec.requires_dbs, spec.needs_car, spec.language, sorted(spec.skills))
    sync = settings.SMS_TASKS_SYNC
    transaction.on_commit(
        lambda: async_task("needs.tasks.density_rebuild_task", *args, sync=sync, task_name="density_rebuild")
    )


def density_map(spec: NeedSpec) -> Maps | None:
    """The shared map for ``spec``'s filter, or None while it is being built. Never queries the
    volunteers: a missing or stale map is rebuilt in the background."""
    key = _spec_key(spec)
    ttl = settings.NEEDS_MATCHER_DENSITY_TTL_SECONDS
    local = _local.get(key)
    if local is not None and time.monotonic() - local[0] < ttl:
        return local[1]
    entry = cache.get(key)
    if entry is None or time.time() - entry["built"] >= ttl:
        _rebuild_soon(spec, key)
    if entry is None:
        return None
    _local[key] = (time.monotonic(), entry["maps"])
    return entry["maps"]

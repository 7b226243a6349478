"""Who was left out of a match, and why: grouped counts in the database, only when asked for.

The coordinator's "Who was left out, and why" (the need's page, the API, the "nobody left" alert)
counts the active, reachable volunteers within the distance the match searched, each under the
first rule that keeps them out, in the order ``ranking.exclusion_reason`` and the matcher apply
them: their own travel distance, DBS level, DBS expiry, car, language, skills, availability, then opted
out, already offered this need, consent, workload. One statement; the rows are never fetched one
by one (language and availability, which SQL cannot judge exactly, are grouped by their value and
judged once per distinct value).
"""

# ruff: noqa: S608 - only table and column names and placeholders are put in the SQL text; every value
# goes as a parameter

from __future__ import annotations

import json
from typing import Any

from django.db import connection

from messaging.models import OptOut
from needs.matching.nearest import V, distance_sql, row_conditions
from needs.matching.ranking import (
    CONSENT_UNKNOWN,
    DBS_ORDER,
    SKILLS_MISSING,
    NeedSpec,
    available_in_window,
    consent_too_old,
    dbs_rank,
)
from needs.models import Need, Offer
from volunteers.geography import cell_block

TRAVEL = "further away than they will travel"


def _early_case(spec: NeedSpec) -> tuple[str, list]:
    """The rules on the row itself that SQL judges exactly, as a CASE naming the first that fails."""
    whens = ["WHEN x.d2 > x.max_travel_km * x.max_travel_km THEN 'travel'"]
    params: list[Any] = []
    if spec.requires_dbs != "none":
        levels = DBS_ORDER[dbs_rank(spec.requires_dbs) :]
        whens.append(f"WHEN x.dbs_level NOT IN ({', '.join(['%s'] * len(levels))}) THEN 'dbs'")
        params.extend(levels)
        if spec.dbs_day is not None:
            whens.append("WHEN x.dbs_expires_on < %s THEN 'expiry'")
            params.append(connection.ops.adapt_datefield_value(spec.dbs_day))
    if spec.needs_car:
        whens.append("WHEN x.has_car = %s THEN 'car'")
        params.append(False)
    return f"CASE {' '.join(whens)} ELSE '' END", params


def _late_case(spec: NeedSpec, *, need_pk: int) -> tuple[str, list]:
    """The rules that read other tables or columns, as a CASE naming the first that fails."""
    optout, offer = OptOut._meta.db_table, Offer._meta.db_table
    whens = [
        f"WHEN EXISTS (SELECT 1 FROM {optout} oo WHERE oo.phone = x.phone) THEN 'optout'",
        f"WHEN EXISTS (SELECT 1 FROM {offer} oa WHERE oa.need_id = %s AND oa.volunteer_id = x.id) THEN 'offered'",
    ]
    params: list = [need_pk]
    if spec.consent_after is not None:
        whens += ["WHEN x.consent_at IS NULL THEN 'unknown'", "WHEN x.consent_at < %s THEN 'old'"]
        params.append(connection.ops.adapt_datetimefield_value(spec.consent_after))
    whens.append("WHEN x.open_n >= x.max_open_assignments THEN 'busy'")
    return f"CASE {' '.join(whens)} ELSE '' END", params


def left_out_sql(*, spec: NeedSpec, need_pk: int, level: int, searched_km: float) -> tuple[str, list]:
    d2, d2_params = distance_sql(spec)
    # Only the selective rules' status test; the others are what is being counted.
    where, params = row_conditions(NeedSpec(spec.latitude, spec.longitude, spec.radius_km))
    block = cell_block(spec.latitude, spec.longitude, level)
    where += [
        f"{V}.phone_unreachable_at IS NULL",
        f"{V}.cell_{level} IN ({', '.join(['%s'] * len(block))})",
        f"{d2} <= %s",
    ]
    need = Need._meta.db_table
    open_n = (
        f"(SELECT COUNT(*) FROM {need} na WHERE na.assigned_volunteer_id = {V}.id"
        f" AND na.status = '{Need.Status.ASSIGNED.value}')"
    )
    base = f"SELECT {V}.*, {d2} AS d2, {open_n} AS open_n FROM {V} WHERE {' AND '.join(where)}"
    early, early_params = _early_case(spec)
    late, late_params = _late_case(spec, need_pk=need_pk)
    languages = "x.languages" if spec.language else "NULL"
    skills = "x.skills" if spec.skills else "NULL"
    availability = "x.availability" if spec.window_start else "NULL"
    sql = (
        f"SELECT early, late, CASE WHEN early = 'dbs' THEN dbs_level END,"
        " CASE WHEN early = 'expiry' THEN dbs_expires_on END,"
        " CASE WHEN late = 'busy' THEN open_n END, CASE WHEN late = 'busy' THEN max_open_assignments END,"
        " CASE WHEN early = '' THEN languages END, CASE WHEN early = '' THEN skills END,"
        " CASE WHEN early = '' THEN availability END, COUNT(*)"
        f" FROM (SELECT {early} AS early, {late} AS late, x.dbs_level, x.dbs_expires_on, x.open_n,"
        f" x.max_open_assignments, {languages} AS languages, {skills} AS skills,"
        f" {availability} AS availability FROM ({base}) x) y GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9"
    )
    all_params = [*early_params, *late_params, *d2_params, *params, *block, *d2_params, searched_km**2]
    return sql, all_params


def _decoded(value):
    return json.loads(value) if isinstance(value, str) else value


def _reason(spec: NeedSpec, group: tuple) -> str | None:
    early, late, dbs_level, expires, open_n, max_open, languages, skills, availability = group
    words = {
        "travel": TRAVEL,
        "dbs": f"needs a {spec.requires_dbs} DBS check, has {dbs_level}",
        "expiry": f"DBS check expires {expires}, before the need",
        "car": "needs a car",
    }
    if early:
        return words[early]
    spoken = {lang.lower() for lang in _decoded(languages) or ()}
    if spec.language and spec.language.lower() not in spoken:
        return f"does not speak {spec.language}"
    if spec.skills and not set(spec.skills) <= set(_decoded(skills) or ()):
        return SKILLS_MISSING
    if not available_in_window(_decoded(availability), spec.window_start, spec.window_end):
        return "not available in the need's window"
    return {
        "optout": "opted out",
        "offered": "already offered this need",
        "unknown": CONSENT_UNKNOWN,
        "old": consent_too_old(spec.consent_max_days),
        "busy": f"already has {open_n} open tasks (limit {max_open})",
        "": None,
    }[late]


def left_out_count(*, spec: NeedSpec, need_pk: int, level: int, searched_km: float) -> dict[str, int]:
    """Reason -> number of active, reachable volunteers within ``searched_km`` it left out."""
    sql, params = left_out_sql(spec=spec, need_pk=need_pk, level=level, searched_km=searched_km)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        groups = cursor.fetchall()
    counts: dict[str, int] = {}
    for *group, n in groups:
        reason = _reason(spec, tuple(group))
        if reason is not None:
            counts[reason] = counts.get(reason, 0) + n
    return counts

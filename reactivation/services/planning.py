"""Who a campaign would text, in what order, and who is left out and why.

The plan is computed fresh for the dry run and again when the campaign starts (people may have
opted out in between); it never writes. ``campaign_start`` turns it into CampaignRecipient rows.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from core.i18n import call_line, text_language
from messaging.encoding import sms_batch_estimate, sms_segments
from messaging.timing import quiet_hours_end
from reactivation.models import CampaignRecipient, PlaybookVersion
from reactivation.selectors.campaigns import reply_rate_for
from reactivation.services.areas import Area, area_dormant_memberships, area_need_places, area_people_rows
from reactivation.waves import first_wave_size, wave_rules_read, widening_steps
from reactivation.wording import (
    SAMPLE_VALUES,
    call_line_insert,
    template_for,
    template_language,
    template_render,
)
from volunteers.geography import CELL_SIDES_KM, haversine_km
from volunteers.models import Membership, Organisation, Volunteer

# Why someone is left out: a code (stable, for the API) and the words shown to people.
LEFT_OUT = {
    "opted_out": "Opted out (texted STOP or asked not to be contacted)",
    "unreachable": "Phone unreachable (Twilio said the number cannot receive texts)",
    "stale_contact": "Stale contact: did not answer two readiness checks (the deputy is asked instead)",
    "other_campaign": "Texted by another campaign in the last {hours} hours",
    "paused": "Paused: asked not to be offered anything for now",
    "outside_area": "Lives in a local authority the organisation does not cover",
}
CONTACT_ROLES = (Membership.Role.ORGANISER, Membership.Role.DEPUTY)


def in_quiet_hours(now: datetime | None = None) -> tuple[bool, str]:
    """(whether bulk texts are held now, when the hold ends as HH:MM) per SMS_QUIET_HOURS."""
    end = quiet_hours_end(now or timezone.now(), settings.SMS_QUIET_HOURS)
    return (True, end.strftime("%H:%M")) if end else (False, "")


@dataclass
class Planned:
    volunteer_id: int
    group_id: int | None
    kind: str  # CampaignRecipient.Kind
    tier: int
    distance_km: float | None
    local_authority: str
    body: str
    # The same text with sample names for the dry run's preview, which is stored with the campaign:
    # it must not keep a real person's name after they are erased.
    preview: str = ""
    language: str = "en"


@dataclass
class LeftOut:
    volunteer_id: int
    group_id: int | None
    code: str
    reason: str


@dataclass
class Plan:
    area: Area
    included: list[Planned] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    target: int = 0
    reply_rate: float = 0.2
    first_wave: int = 0
    segments: int = 0
    estimated_cost_pence: int = 0
    previews: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    group_names: dict[int, str] = field(default_factory=dict)
    widening: list[str] = field(default_factory=list)


def _first_name(name: str) -> str:
    return (name or "").split(" ")[0]


def template_name(*, kind: str, is_contact: bool) -> str:
    """Which of the playbook's texts a person gets: the re-consent request, or the call worded for
    a group's contact or for a volunteer."""
    if kind == CampaignRecipient.Kind.RECONSENT:
        return "reconsent"
    return "organiser_call" if is_contact else "volunteer_call"


@dataclass(frozen=True)
class _Criteria:
    """What a plan asks of each person: the playbook's targeting and the register's rules."""

    group_kinds: set[str]
    skills: set[str]
    near_km: float
    consent_cutoff: datetime
    overlap_hours: int
    stale_after: int
    covered_ids: set[int]


def _criteria_read(*, version: PlaybookVersion, area: Area, now: datetime) -> _Criteria:
    targeting = version.targeting or {}
    return _Criteria(
        group_kinds=set(targeting.get("group_kinds") or []),
        skills=set(targeting.get("skills") or []),
        near_km=float(targeting.get("radius_km") or 3),
        consent_cutoff=now - timedelta(days=settings.REACTIVATION_CONSENT_MAX_AGE_DAYS),
        overlap_hours=settings.REACTIVATION_OVERLAP_HOURS,
        stale_after=settings.REACTIVATION_STALE_AFTER_MISSES,
        covered_ids={la.pk for la in area.local_authorities},
    )


@dataclass(frozen=True)
class _Wording:
    """What a person's text is filled in with, besides their own name and place."""

    templates: dict[str, Any]
    language: str
    sender: str
    area_label: str
    group_names: dict[int, str]
    group_organiser: dict[int, str]


def _distances_from(*, area: Area, needs_here: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Where distances are measured from: the circle's centre, or (for local authorities) the
    middle of the open needs, so the nearest suitable people still go first."""
    if area.circle is not None:
        return area.circle[0], area.circle[1]
    if not needs_here:
        return None
    return (
        sum(lat for lat, _ in needs_here) / len(needs_here),
        sum(lon for _, lon in needs_here) / len(needs_here),
    )


def _left_out_code(
    row: Mapping[str, Any],
    *,
    groups: list[Mapping[str, Any]],
    contact_groups: list[Mapping[str, Any]],
    criteria: _Criteria,
) -> str | None:
    """Why this person must not be texted (a key of LEFT_OUT, the first that applies), or None."""
    stale_only = contact_groups and all(
        g["role"] == Membership.Role.ORGANISER and g["group__missed_checks"] >= criteria.stale_after
        for g in groups
    )
    if row["opted"] or row["status"] in (Volunteer.Status.OPTED_OUT, Volunteer.Status.ERASED):
        return "opted_out"
    if row["phone_unreachable_at"] is not None:
        return "unreachable"
    if stale_only:
        return "stale_contact"
    if row["local_authority_id"] not in criteria.covered_ids:
        return "outside_area"
    if row["other_campaign"]:
        return "other_campaign"
    if row["status"] == Volunteer.Status.PAUSED:
        return "paused"
    return None


def _planned(
    row: Mapping[str, Any],
    *,
    groups: list[Mapping[str, Any]],
    group_id: int | None,
    distance: float | None,
    criteria: _Criteria,
    wording: _Wording,
) -> Planned:
    """Someone who will be texted: their tier (group contacts first, then people who suit the
    playbook and live near, then those who suit it, then the rest) and their text."""
    matching = [g for g in groups if not criteria.group_kinds or g["group__kind"] in criteria.group_kinds]
    is_contact = any(
        g["role"] in CONTACT_ROLES and g["group__missed_checks"] < criteria.stale_after for g in matching
    )
    suits = bool(matching) or bool(criteria.skills & set(row["skills"] or []))
    near = distance is None or distance <= criteria.near_km
    tier = 0 if is_contact else 1 if (suits and near) else 2 if suits else 3
    # Unknown consent (an import without a consent date) counts as stale: it is asked for first.
    stale = row["consent_at"] is None or row["consent_at"] < criteria.consent_cutoff
    kind = CampaignRecipient.Kind.RECONSENT if stale else CampaignRecipient.Kind.CALL
    values = {
        "sender": wording.sender,
        "group": wording.group_names.get(group_id, "") if group_id is not None else "",
        "organiser": wording.group_organiser.get(group_id, "") if group_id is not None else "",
        "area": row["local_authority__name"] or wording.area_label,
        "name": _first_name(row["name"]),
    }
    name = template_name(kind=kind, is_contact=is_contact)
    language = template_language(
        wording.templates, name=name, preferred=row["preferred_language"], fallback=wording.language
    )
    template = template_for(wording.templates, name=name, language=language)
    with translation.override(text_language(language)):
        call = call_line()  # as the send adds it: the cost counts it
    body = call_line_insert(template_render(template, values), call)
    sample = {
        "name": SAMPLE_VALUES["name"],
        "organiser": SAMPLE_VALUES["organiser"] if values["organiser"] else "",
    }
    preview = call_line_insert(template_render(template, {**values, **sample}), call)
    return Planned(
        row["id"],
        group_id,
        kind,
        tier,
        distance,
        row["local_authority__name"] or "",
        body,
        preview=preview,
        language=language,
    )


def _person_place(
    plan: Plan,
    row: Mapping[str, Any],
    *,
    groups: list[Mapping[str, Any]],
    centre: tuple[float, float] | None,
    criteria: _Criteria,
    wording: _Wording,
) -> None:
    """Put one person of the area in the plan: included, left out with a reason, or not at all."""
    distance = None
    if centre is not None and row["latitude"] is not None:
        distance = haversine_km(centre[0], centre[1], row["latitude"], row["longitude"])
    circle = plan.area.circle
    if circle is not None and (distance is None or distance > circle[2]):
        return  # in the cell block but outside the circle: not in the area at all
    if row["status"] == Volunteer.Status.ACTIVE and not groups:
        return  # active people are reached by offers, not by a reactivation campaign
    contact_groups = [g for g in groups if g["role"] in CONTACT_ROLES]
    group_id = (contact_groups or groups or [{}])[0].get("group_id")
    code = _left_out_code(row, groups=groups, contact_groups=contact_groups, criteria=criteria)
    if code:
        reason = LEFT_OUT[code].format(hours=criteria.overlap_hours)
        plan.left_out.append(LeftOut(row["id"], group_id, code, reason))
        return
    plan.included.append(
        _planned(row, groups=groups, group_id=group_id, distance=distance, criteria=criteria, wording=wording)
    )


def _waves_size(
    plan: Plan, *, version: PlaybookVersion, target_ready: int | None, open_needs: int, reply_rate: float
) -> None:
    """The target, the reply rate and the first wave it leads to, and what the texts would cost."""
    rules = wave_rules_read(version.wave_rules)
    plan.target = target_ready or open_needs or rules.stop_when_ready
    plan.reply_rate = reply_rate
    plan.first_wave = min(
        len(plan.included), first_wave_size(rules=rules, target=plan.target, reply_rate=plan.reply_rate)
    )
    price = settings.REACTIVATION_PRICE_PER_SEGMENT_PENCE
    plan.segments, plan.estimated_cost_pence = sms_batch_estimate(
        (p.body for p in plan.included), price_per_segment_pence=price
    )


def widening_sentences(*, version: PlaybookVersion, area: Area, target: int) -> list[str]:
    """The playbook's escalation said in sentences for this area: "Wave 2 widens to 8 km if fewer
    than 20 say READY." Whole council areas do not widen: they are the organisation's area already."""
    rules = wave_rules_read(version.wave_rules)
    if not rules.widens:
        return []
    if area.circle is None:
        return ["The playbook widens waves around a place; whole council areas do not widen."]
    steps = widening_steps(rules=rules, start_km=area.circle[2], target=target, limit_km=CELL_SIDES_KM[-1])
    sentences = [
        f"Wave {wave} widens to {km:g} km if fewer than {below} say READY." for wave, km, below in steps
    ]
    if sentences:
        sentences.append(
            "Never beyond the council areas the organisation covers: people further out are left out."
        )
    return sentences


def _previews_collect(plan: Plan, *, language: str) -> None:
    """One preview of each kind of text the plan sends, from the first person who gets it; and one
    of each kind in every other language someone gets it in ("volunteer_call.pa"): a text in
    Punjabi or Urdu goes as UCS-2, and its cost in segments is shown beside it."""
    for p in plan.included:
        label = template_name(kind=p.kind, is_contact=p.tier == 0)
        key = label if p.language == language else f"{label}.{p.language}"
        if key not in plan.previews:
            info = sms_segments(p.body)
            plan.previews[key] = {
                "body": p.preview or p.body,
                "language": p.language,
                "segments": info.segments,
                "encoding": info.encoding,
                "warnings": list(info.warnings),
            }


def plan_build(
    *,
    version: PlaybookVersion,
    organisation: Organisation,
    area: Area,
    language: str = "en",
    target_ready: int | None = None,
    exclude_campaign_id: int | None = None,
    now: datetime | None = None,
) -> Plan:
    """Everyone the campaign would text, ranked for the waves, and everyone left out with a reason."""
    now = now or timezone.now()
    criteria = _criteria_read(version=version, area=area, now=now)
    plan = Plan(area=area)
    rows = area_people_rows(
        area=area, now=now, overlap_hours=criteria.overlap_hours, exclude_campaign_id=exclude_campaign_id
    )
    memberships, plan.group_names, group_organiser = area_dormant_memberships(area=area)
    needs_here = area_need_places(area=area)
    centre = _distances_from(area=area, needs_here=needs_here)
    wording = _Wording(
        templates=version.templates or {},
        language=language,
        sender=organisation.name,
        area_label=area.label,
        group_names=plan.group_names,
        group_organiser=group_organiser,
    )
    for row in rows:
        _person_place(
            plan,
            row,
            groups=memberships.get(row["id"], []),
            centre=centre,
            criteria=criteria,
            wording=wording,
        )
    plan.included.sort(
        key=lambda p: (p.tier, p.distance_km if p.distance_km is not None else math.inf, p.volunteer_id)
    )
    _waves_size(
        plan,
        version=version,
        target_ready=target_ready,
        open_needs=len(needs_here),
        reply_rate=reply_rate_for(local_authority_ids=[la.pk for la in area.local_authorities]),
    )
    _previews_collect(plan, language=language)
    plan.widening = widening_sentences(version=version, area=area, target=plan.target)
    return plan


def plan_report(plan: Plan, *, now: datetime | None = None) -> dict[str, Any]:
    """The dry run as the campaign page and the API show it (JSON-safe)."""
    by_group = Counter(p.group_id for p in plan.included if p.group_id)
    by_la = Counter(p.local_authority for p in plan.included)
    left = Counter(x.code for x in plan.left_out)
    quiet, until = in_quiet_hours(now)
    overlap_hours = settings.REACTIVATION_OVERLAP_HOURS
    return {
        "area": plan.area.label,
        "contact_total": len(plan.included),
        "organisers": sum(1 for p in plan.included if p.tier == 0),
        "reconsent_first": sum(1 for p in plan.included if p.kind == CampaignRecipient.Kind.RECONSENT),
        "by_group": sorted(
            (
                {"group_id": gid, "group": plan.group_names.get(gid, ""), "count": n}
                for gid, n in by_group.items()
            ),
            key=lambda r: (-r["count"], r["group"]),
        ),
        "by_local_authority": sorted(
            ({"local_authority": name or "unknown", "count": n} for name, n in by_la.items()),
            key=lambda r: (-r["count"], r["local_authority"]),
        ),
        "left_out": [
            {"code": code, "reason": LEFT_OUT[code].format(hours=overlap_hours), "count": left[code]}
            for code in LEFT_OUT
            if left[code]
        ],
        "left_out_total": len(plan.left_out),
        "quiet_hours": {
            "now": quiet,
            "until": until,
            "held": len(plan.included) if quiet else 0,
            "note": f"Texts are held until {until} (quiet hours); no wave starts before then."
            if quiet
            else "",
        },
        "previews": plan.previews,
        "segments": plan.segments,
        "estimated_cost_pence": plan.estimated_cost_pence,
        "target_ready": plan.target,
        "reply_rate": round(plan.reply_rate, 3),
        "first_wave": plan.first_wave,
        "widening": plan.widening,
    }

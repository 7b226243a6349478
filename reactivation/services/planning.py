"""Who a campaign would text, in what order, and who is left out and why.

The plan is computed fresh for the dry run and again when the campaign starts (people may have
opted out in between); it never writes. ``campaign_start`` turns it into CampaignRecipient rows.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from messaging.encoding import sms_batch_estimate, sms_segments
from messaging.models import OptOut
from messaging.timing import quiet_hours_end
from needs.models import Need
from reactivation.models import CampaignRecipient, PlaybookVersion
from reactivation.waves import first_wave_size, wave_rules_read
from reactivation.wording import template_for, template_render
from volunteers.geography import (
    CELL_FIELDS,
    CELL_SIDES_KM,
    LocationError,
    cell_block,
    haversine_km,
    location_validate,
)
from volunteers.models import LocalAuthority, Membership, MutualAidGroup, Organisation, Volunteer
from volunteers.services import local_authorities_resolve

# Why someone is left out: a code (stable, for the API) and the words shown to people.
LEFT_OUT = {
    "opted_out": "Opted out (texted STOP or asked not to be contacted)",
    "unreachable": "Phone unreachable (Twilio said the number cannot receive texts)",
    "no_consent": "No consent on record",
    "stale_contact": "Stale contact: did not answer two readiness checks (the deputy is asked instead)",
    "other_campaign": "Texted by another campaign in the last {hours} hours",
    "paused": "Paused: asked not to be offered anything for now",
    "outside_area": "Lives in a local authority the organisation does not cover",
}
CONTACT_ROLES = (Membership.Role.ORGANISER, Membership.Role.DEPUTY)


@dataclass(frozen=True)
class Area:
    label: str
    local_authorities: tuple[LocalAuthority, ...]  # what the organisation may reach here
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None

    @property
    def is_circle(self) -> bool:
        return self.radius_km is not None

    def as_json(self) -> dict[str, Any]:
        if self.is_circle:
            return {"latitude": self.latitude, "longitude": self.longitude, "radius_km": self.radius_km}
        return {"local_authorities": [la.name for la in self.local_authorities]}


def area_resolve(*, area: dict[str, Any], organisation: Organisation) -> Area:
    """Read an area and refuse what the organisation does not cover (clear error, nothing written)."""
    covered = list(organisation.local_authorities.order_by("name"))
    covered_names = ", ".join(la.name for la in covered) or "nowhere yet"
    if not isinstance(area, dict):
        raise ValidationError(
            'An area is {"latitude", "longitude", "radius_km"} or {"local_authorities": [...]}.'
        )
    if area.get("local_authorities"):
        names = area["local_authorities"]
        if isinstance(names, str):
            names = [names]
        wanted = local_authorities_resolve(names=names)
        refused = [la.name for la in wanted if la not in covered]
        if refused:
            raise ValidationError(
                f"{organisation.name} does not cover {', '.join(refused)}; it covers {covered_names}."
            )
        return Area(label=", ".join(la.name for la in wanted), local_authorities=tuple(wanted))
    try:
        lat, lon = location_validate(area.get("latitude"), area.get("longitude"))
        radius = float(area.get("radius_km"))
    except LocationError as exc:
        raise ValidationError(f"The area's centre cannot be used: {exc}.") from None
    except (TypeError, ValueError):
        raise ValidationError("radius_km must be a number of kilometres.") from None
    if not 0 < radius <= CELL_SIDES_KM[-1]:
        raise ValidationError(f"radius_km must be above 0 and at most {CELL_SIDES_KM[-1]:g}.")
    if not covered:
        raise ValidationError(f"{organisation.name} covers no local authority, so it cannot run a campaign.")
    return Area(
        label=f"{radius:g} km around {lat:.4f}, {lon:.4f}",
        local_authorities=tuple(covered),
        latitude=lat,
        longitude=lon,
        radius_km=radius,
    )


def _cell_level(radius_km: float) -> int:
    return next(i for i, side in enumerate(CELL_SIDES_KM) if side >= radius_km)


def area_volunteers(area: Area):
    """Volunteers in the area, as a queryset (the circle is pre-filtered by spatial cells)."""
    if area.is_circle:
        level = _cell_level(area.radius_km)
        return Volunteer.objects.filter(
            **{f"{CELL_FIELDS[level]}__in": cell_block(area.latitude, area.longitude, level)}
        )
    return Volunteer.objects.filter(local_authority__in=area.local_authorities)


def area_needs(area: Area):
    open_needs = Need.objects.filter(status__in=[Need.Status.OPEN, Need.Status.OFFERED])
    if area.is_circle:
        level = _cell_level(area.radius_km)
        return open_needs.filter(
            **{f"{CELL_FIELDS[level]}__in": cell_block(area.latitude, area.longitude, level)}
        )
    return open_needs.filter(local_authority__in=area.local_authorities)


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
    previews: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_names: dict[int, str] = field(default_factory=dict)


def _first_name(name: str) -> str:
    return (name or "").split(" ")[0]


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
    from reactivation.selectors import reply_rate_for

    now = now or timezone.now()
    targeting = version.targeting or {}
    group_kinds = set(targeting.get("group_kinds") or [])
    skills = set(targeting.get("skills") or [])
    near_km = float(targeting.get("radius_km") or 3)
    consent_cutoff = now - timedelta(days=settings.REACTIVATION_CONSENT_MAX_AGE_DAYS)
    overlap_hours = settings.REACTIVATION_OVERLAP_HOURS
    covered_ids = {la.pk for la in area.local_authorities}
    plan = Plan(area=area)

    recent = CampaignRecipient.objects.filter(
        volunteer=OuterRef("pk"), messaged_at__gte=now - timedelta(hours=overlap_hours)
    )
    if exclude_campaign_id is not None:
        recent = recent.exclude(campaign_id=exclude_campaign_id)
    people = area_volunteers(area)
    rows = list(
        people.annotate(
            opted=Exists(OptOut.objects.filter(phone=OuterRef("phone"))),
            other_campaign=Exists(recent),
        ).values(
            "id",
            "name",
            "status",
            "consent_at",
            "phone_unreachable_at",
            "latitude",
            "longitude",
            "local_authority_id",
            "local_authority__name",
            "skills",
            "opted",
            "other_campaign",
        )
    )
    stale_after = settings.REACTIVATION_STALE_AFTER_MISSES
    memberships: dict[int, list[dict]] = defaultdict(list)
    group_organiser: dict[int, str] = {}
    for m in Membership.objects.filter(
        group__status=MutualAidGroup.Status.DORMANT, volunteer__in=people.values("pk")
    ).values(
        "volunteer_id",
        "volunteer__name",
        "group_id",
        "group__name",
        "group__kind",
        "group__missed_checks",
        "role",
    ):
        memberships[m["volunteer_id"]].append(m)
        plan.group_names[m["group_id"]] = m["group__name"]
        if m["role"] == Membership.Role.ORGANISER:
            group_organiser[m["group_id"]] = _first_name(m["volunteer__name"])

    # Distances: from the circle's centre, or (for local authorities) from where the open needs
    # are, so the nearest suitable people still go first.
    centre = (area.latitude, area.longitude) if area.is_circle else None
    needs_here = list(area_needs(area).exclude(latitude=None).values_list("latitude", "longitude"))
    if centre is None and needs_here:
        centre = (
            sum(lat for lat, _ in needs_here) / len(needs_here),
            sum(lon for _, lon in needs_here) / len(needs_here),
        )

    templates = version.templates or {}
    sender = organisation.name
    for row in rows:
        vid = row["id"]
        distance = None
        if centre is not None and row["latitude"] is not None:
            distance = haversine_km(centre[0], centre[1], row["latitude"], row["longitude"])
        if area.is_circle and (distance is None or distance > area.radius_km):
            continue  # in the cell block but outside the circle: not in the area at all
        groups = memberships.get(vid, [])
        if row["status"] == Volunteer.Status.ACTIVE and not groups:
            continue  # active people are reached by offers, not by a reactivation campaign
        contact_groups = [g for g in groups if g["role"] in CONTACT_ROLES]
        stale_only = contact_groups and all(
            g["role"] == Membership.Role.ORGANISER and g["group__missed_checks"] >= stale_after
            for g in groups
        )
        group_id = (contact_groups or groups or [{}])[0].get("group_id")
        code = None
        if row["opted"] or row["status"] == Volunteer.Status.OPTED_OUT:
            code = "opted_out"
        elif row["phone_unreachable_at"] is not None:
            code = "unreachable"
        elif row["consent_at"] is None:
            code = "no_consent"
        elif stale_only:
            code = "stale_contact"
        elif row["local_authority_id"] not in covered_ids:
            code = "outside_area"
        elif row["other_campaign"]:
            code = "other_campaign"
        elif row["status"] == Volunteer.Status.PAUSED:
            code = "paused"
        if code:
            plan.left_out.append(LeftOut(vid, group_id, code, LEFT_OUT[code].format(hours=overlap_hours)))
            continue
        matching = [g for g in groups if not group_kinds or g["group__kind"] in group_kinds]
        is_contact = any(
            g["role"] in CONTACT_ROLES and g["group__missed_checks"] < stale_after for g in matching
        )
        suits = bool(matching) or bool(skills & set(row["skills"] or []))
        near = distance is None or distance <= near_km
        tier = 0 if is_contact else 1 if (suits and near) else 2 if suits else 3
        kind = (
            CampaignRecipient.Kind.RECONSENT
            if row["consent_at"] < consent_cutoff
            else CampaignRecipient.Kind.CALL
        )
        name = (
            "reconsent"
            if kind == CampaignRecipient.Kind.RECONSENT
            else ("organiser_call" if is_contact else "volunteer_call")
        )
        values = {
            "sender": sender,
            "group": plan.group_names.get(group_id, ""),
            "organiser": group_organiser.get(group_id, ""),
            "area": row["local_authority__name"] or area.label,
            "name": _first_name(row["name"]),
        }
        body = template_render(template_for(templates, name=name, language=language), values)
        plan.included.append(
            Planned(vid, group_id, kind, tier, distance, row["local_authority__name"] or "", body)
        )

    plan.included.sort(
        key=lambda p: (p.tier, p.distance_km if p.distance_km is not None else math.inf, p.volunteer_id)
    )
    rules = wave_rules_read(version.wave_rules)
    plan.target = target_ready or len(needs_here) or rules.stop_when_ready
    plan.reply_rate = reply_rate_for(local_authority_ids=[la.pk for la in area.local_authorities])
    plan.first_wave = min(
        len(plan.included), first_wave_size(rules=rules, target=plan.target, reply_rate=plan.reply_rate)
    )
    price = settings.REACTIVATION_PRICE_PER_SEGMENT_PENCE
    plan.segments, plan.estimated_cost_pence = sms_batch_estimate(
        (p.body for p in plan.included), price_per_segment_pence=price
    )
    for p in plan.included:
        label = (
            "reconsent"
            if p.kind == CampaignRecipient.Kind.RECONSENT
            else ("organiser_call" if p.tier == 0 else "volunteer_call")
        )
        if label not in plan.previews:
            info = sms_segments(p.body)
            plan.previews[label] = {
                "body": p.body,
                "segments": info.segments,
                "encoding": info.encoding,
                "warnings": list(info.warnings),
            }
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
    }

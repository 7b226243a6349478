"""Reads of playbooks: the list, one playbook with its versions and lessons, and the comparison
of two versions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet

from messaging.encoding import sms_batch_estimate
from reactivation.models import AfterActionReview, Playbook, PlaybookVersion
from reactivation.playbook_labels import (
    ENCODING_WORDS,
    GROUP_KIND_NAMES,
    LABELS,
    RULE_LABELS,
    SKILL_NAMES,
    TARGETING_LABELS,
    language_name,
    languages_in_order,
    message_title,
    messages_in_order,
)
from reactivation.versions_diff import Section, list_compare, mapping_compare, templates_compare
from reactivation.wording import SAMPLE_VALUES, template_preview, template_problems


def playbook_versions(*, playbook: Playbook) -> QuerySet[PlaybookVersion]:
    """Every version, newest first, each with ``runs``: how many campaigns ran it (a version a
    campaign ran can never change). Old ones stay readable for the campaigns that ran them."""
    return (
        playbook.versions.select_related("created_by").annotate(runs=Count("campaigns")).order_by("-number")
    )


def playbooks_listed(*, with_lessons: bool = False) -> QuerySet[Playbook]:
    """Every playbook by title, each with its versions newest first (and its lessons, for one
    playbook's page)."""
    newest_first = Prefetch("versions", queryset=PlaybookVersion.objects.order_by("-number"))
    playbooks = (
        Playbook.objects.select_related("organisation").prefetch_related(newest_first).order_by("title")
    )
    if with_lessons:
        playbooks = playbooks.prefetch_related("lessons")
    return playbooks


def playbooks_runnable() -> list[Playbook]:
    """The playbooks a campaign can run (those with a version), by title."""
    return list(Playbook.objects.filter(versions__isnull=False).distinct().order_by("title"))


def playbook_get(*, slug: str) -> Playbook | None:
    return Playbook.objects.select_related("organisation").filter(slug=slug).first()


def playbook_version_get(*, playbook: Playbook, number: int) -> PlaybookVersion | None:
    return (
        playbook.versions.select_related("created_by")
        .annotate(runs=Count("campaigns"))
        .filter(number=number)
        .first()
    )


def playbook_lessons(*, playbook: Playbook) -> list[AfterActionReview]:
    """What campaigns taught, newest first, each with the campaign and the version it ran."""
    return list(
        playbook.lessons.select_related("campaign__playbook_version", "written_by").order_by("-created_at")
    )


# --- two versions side by side --------------------------------------------------------------------


def _step_text(step: Any) -> str:
    if not isinstance(step, dict):
        return str(step)
    parts = [str(step.get("title") or ""), str(step.get("detail") or "")]
    if step.get("role"):
        parts.append(f"Who: {step['role']}")
    return "\n".join(p for p in parts if p)


def _role_text(role: Any) -> str:
    if not isinstance(role, dict):
        return str(role)
    return f"{role.get('name') or ''}: {role.get('duties') or ''}".rstrip(": ")


def _value_text(key: str, value: Any) -> str:
    names = {"group_kinds": GROUP_KIND_NAMES, "skills": SKILL_NAMES}.get(key, {})
    if isinstance(value, list):
        return ", ".join(names.get(str(v), str(v)) for v in value) or "none"
    return f"{value} km" if key == "radius_km" else str(value)


def versions_compare(*, old: PlaybookVersion, new: PlaybookVersion) -> list[Section]:
    """The two versions part by part: steps, roles, texts, targeting, wave rules."""
    templates_old, templates_new = old.templates or {}, new.templates or {}
    languages = languages_in_order({*templates_old, *templates_new})
    messages = messages_in_order({m for t in (templates_old, templates_new) for v in t.values() for m in v})
    return [
        Section(
            "Steps",
            list_compare([_step_text(s) for s in old.steps], [_step_text(s) for s in new.steps], noun="Step"),
        ),
        Section(
            "Roles",
            list_compare([_role_text(r) for r in old.roles], [_role_text(r) for r in new.roles], noun="Role"),
        ),
        Section(
            "Texts",
            templates_compare(
                templates_old,
                templates_new,
                languages=languages,
                messages=messages,
                label=lambda lang, msg: f"{language_name(lang)}: {message_title(msg).lower()}",
            ),
        ),
        Section(
            "Who it wakes",
            mapping_compare(
                old.targeting or {},
                new.targeting or {},
                order=list(TARGETING_LABELS),
                label=lambda k: LABELS.get(k, k),
                show=_value_text,
            ),
        ),
        Section(
            "Waves",
            mapping_compare(
                old.wave_rules or {},
                new.wave_rules or {},
                order=list(RULE_LABELS),
                label=lambda k: LABELS.get(k, k),
                show=_value_text,
            ),
        ),
    ]


# --- a text as it will be sent --------------------------------------------------------------------


def text_preview(*, text: str) -> dict[str, Any]:
    """One template as a campaign would send it, filled with sample names: the text, its encoding,
    segments and cost per text, worked out by the code the campaigns use (reactivation.wording,
    messaging.encoding) at the configured price; and what is wrong with it, in plain words."""
    preview = template_preview(text)
    _, cost = sms_batch_estimate(
        [preview.body], price_per_segment_pence=settings.REACTIVATION_PRICE_PER_SEGMENT_PENCE
    )
    return {
        "body": preview.body,
        "encoding": preview.encoding,
        "encoding_words": ENCODING_WORDS.get(preview.encoding, preview.encoding),
        "segments": preview.segments,
        "length": preview.length,
        "cost_pence": cost,
        "warnings": list(preview.warnings),
        "problems": template_problems(text, label="This text") if text.strip() else [],
    }


SAMPLE_NOTE = "Shown with sample names: " + ", ".join(
    f"{{{key}}} as \u201c{SAMPLE_VALUES[key]}\u201d" for key in ("sender", "group", "area", "organiser")
)

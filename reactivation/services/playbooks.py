"""Writes for playbooks: create, edit (every content change is a new version), import, export,
and the after-action review that appends a campaign's lessons to its playbook."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from reactivation.models import AfterActionReview, Campaign, Playbook, PlaybookVersion
from reactivation.permissions import can_edit_playbook
from reactivation.selectors.campaigns import campaign_figures
from reactivation.services.campaign_lifecycle import is_campaign_staff
from reactivation.waves import wave_rules_problems
from reactivation.wording import templates_problems
from volunteers.models import Organisation

EXPORT_FORMAT = "rekindle-playbook/1"
VERSIONED_FIELDS: tuple[tuple[str, Any], ...] = (
    ("steps", list),
    ("roles", list),
    ("templates", dict),
    ("targeting", dict),
    ("wave_rules", dict),
)
META_FIELDS = ("title", "crisis_type", "summary")


class PlaybookInvalid(ValidationError):
    """A playbook document or edit that breaks the rules; ``.messages`` lists every problem."""


class PlaybookConflict(PlaybookInvalid):
    """Someone saved a newer version while this edit was being written: saving it would undo theirs."""


def _conflict_check(*, playbook: Playbook, based_on: int | None) -> None:
    """Refuse an edit written against a version that is no longer the current one."""
    current = playbook.current_version
    if based_on is None or current is None or current.number == based_on:
        return
    who = current.created_by.get_username() if current.created_by else "someone"
    raise PlaybookConflict(
        [
            f"While you were editing version {based_on}, {who} saved version {current.number}. "
            "Look at what they changed, then make your changes again on the newest version."
        ]
    )


def _content_problems(content: dict[str, Any]) -> list[str]:
    problems = templates_problems(content.get("templates"))
    problems += wave_rules_problems(content.get("wave_rules"))
    steps = content.get("steps")
    if not isinstance(steps, list) or any(not isinstance(s, dict) or not s.get("title") for s in steps):
        problems.append('steps must be a list of {"title", "detail", "role"}, each with a title')
    roles = content.get("roles")
    if not isinstance(roles, list) or any(not isinstance(r, dict) or not r.get("name") for r in roles):
        problems.append('roles must be a list of {"name", "duties"}, each with a name')
    if not isinstance(content.get("targeting"), dict):
        problems.append('targeting must be an object such as {"skills": [...], "radius_km": 3}')
    return problems


def _meta_problems(meta: dict[str, Any]) -> list[str]:
    problems = [f"{key} is required" for key in META_FIELDS if not str(meta.get(key) or "").strip()]
    if meta.get("crisis_type") and meta["crisis_type"] not in Playbook.CrisisType.values:
        problems.append(
            f"crisis_type {meta['crisis_type']!r} is not one of {', '.join(Playbook.CrisisType.values)}"
        )
    return problems


def _content_of(source: dict[str, Any], base: PlaybookVersion | None = None) -> dict[str, Any]:
    content = {}
    for key, factory in VERSIONED_FIELDS:
        if key in source and source[key] is not None:
            content[key] = source[key]
        elif base is not None:
            content[key] = getattr(base, key)
        else:
            content[key] = factory()
    return content


def _version_add(
    *, playbook: Playbook, content: dict[str, Any], user: User | None, change_note: str
) -> PlaybookVersion | None:
    """Add a version when the content differs from the current one; None when nothing changed."""
    # Lock the playbook so two editors saving at once get numbers 2 and 3, not a clash.
    Playbook.objects.select_for_update().filter(pk=playbook.pk).first()
    current = playbook.current_version
    if current is not None and all(getattr(current, k) == v for k, v in content.items()):
        return None
    return PlaybookVersion.objects.create(
        playbook=playbook,
        number=(current.number + 1) if current else 1,
        change_note=change_note[:300],
        created_by=user if user is not None and user.is_authenticated else None,
        **content,
    )


@transaction.atomic
def playbook_create(
    *,
    user: User | None,
    title: str,
    crisis_type: str,
    summary: str,
    slug: str = "",
    organisation: Organisation | None = None,
    steps: list | None = None,
    roles: list | None = None,
    templates: dict | None = None,
    targeting: dict | None = None,
    wave_rules: dict | None = None,
    change_note: str = "First version",
) -> Playbook:
    meta = {"title": title, "crisis_type": crisis_type, "summary": summary}
    content = _content_of(
        {
            "steps": steps,
            "roles": roles,
            "templates": templates,
            "targeting": targeting,
            "wave_rules": wave_rules,
        }
    )
    slug = slugify(slug or title)[:100]
    problems = _meta_problems(meta) + _content_problems(content)
    if not slug:
        problems.append("slug is required")
    elif Playbook.objects.filter(slug=slug).exists():
        problems.append(f"a playbook with the slug {slug!r} already exists")
    if problems:
        raise PlaybookInvalid(problems)
    playbook = Playbook.objects.create(slug=slug, organisation=organisation, **meta)
    _version_add(playbook=playbook, content=content, user=user, change_note=change_note)
    return playbook


@transaction.atomic
def playbook_update(
    *,
    playbook: Playbook,
    user: User | None,
    change_note: str = "",
    based_on: int | None = None,
    **changes: Any,
) -> PlaybookVersion | None:
    """Edit a playbook. Title, type and summary change in place; steps, roles, templates,
    targeting and wave rules make a new version, so campaigns that ran the old one keep it: a
    version is never changed once written. Returns the new version, or None when the content did
    not change.

    ``user`` None is a trusted caller (a management command); a person must be allowed to edit it
    (``can_edit_playbook``). ``based_on``: the version number the edit was written against; when
    someone has saved a newer one since, the edit is refused (PlaybookConflict) rather than
    silently undoing theirs."""
    if user is not None and not can_edit_playbook(user=user, organisation_id=playbook.organisation_id):
        raise PermissionDenied("Only a campaign manager may change a playbook.")
    # Lock first, so the conflict check and the new number see the same current version.
    Playbook.objects.select_for_update().filter(pk=playbook.pk).first()
    _conflict_check(playbook=playbook, based_on=based_on)
    unknown = set(changes) - set(META_FIELDS) - {k for k, _ in VERSIONED_FIELDS}
    if unknown:
        raise PlaybookInvalid([f"{k} cannot be edited" for k in sorted(unknown)])
    meta = {k: changes.get(k, getattr(playbook, k)) for k in META_FIELDS}
    content = _content_of(changes, base=playbook.current_version)
    problems = _meta_problems(meta) + _content_problems(content)
    if problems:
        raise PlaybookInvalid(problems)
    for key, value in meta.items():
        setattr(playbook, key, value)
    playbook.save(update_fields=[*META_FIELDS, "updated_at"])
    return _version_add(playbook=playbook, content=content, user=user, change_note=change_note or "Edited")


def playbook_export(*, playbook: Playbook, version: PlaybookVersion | None = None) -> dict[str, Any]:
    """The JSON form a region shares: metadata, one version's content and the lessons learnt."""
    version = version or playbook.current_version
    if version is None or version.playbook_id != playbook.pk:
        raise PlaybookInvalid([f"{playbook.slug} has no such version"])
    return {
        "format": EXPORT_FORMAT,
        "slug": playbook.slug,
        "title": playbook.title,
        "crisis_type": playbook.crisis_type,
        "summary": playbook.summary,
        "version": version.number,
        "change_note": version.change_note,
        **{key: getattr(version, key) for key, _ in VERSIONED_FIELDS},
        "lessons": [
            {
                "written_at": review.created_at.isoformat(),
                "what_worked": review.what_worked,
                "what_did_not": review.what_did_not,
                "change_next_time": review.change_next_time,
                "figures": review.figures,
            }
            for review in playbook.lessons.all()
        ],
    }


@transaction.atomic
def playbook_import(*, document: dict[str, Any], user: User | None = None) -> Playbook:
    """Create a playbook from its JSON form, or add a version when its content has changed.

    Every problem is reported at once and nothing is written when there is one. Importing the same
    document twice adds nothing, so a region can re-import a shared playbook. Lessons in the
    document are not imported: they belong to the region that learnt them.
    """
    if not isinstance(document, dict):
        raise PlaybookInvalid(["a playbook document must be a JSON object"])
    fmt = document.get("format", EXPORT_FORMAT)
    problems = [] if fmt == EXPORT_FORMAT else [f"format {fmt!r} is not {EXPORT_FORMAT!r}"]
    slug = str(document.get("slug") or "")
    if not slug or slugify(slug) != slug:
        problems.append("slug is required and must be lower-case letters, digits and hyphens")
    content = _content_of(document)
    problems += _meta_problems(document) + _content_problems(content)
    if problems:
        raise PlaybookInvalid(problems)
    playbook, _ = Playbook.objects.update_or_create(
        slug=slug, defaults={key: document[key] for key in META_FIELDS}
    )
    _version_add(
        playbook=playbook, content=content, user=user, change_note=document.get("change_note") or "Imported"
    )
    return playbook


@transaction.atomic
def review_append(
    *,
    campaign: Campaign,
    user: User,
    what_worked: str,
    what_did_not: str,
    change_next_time: str = "",
) -> AfterActionReview:
    """Append a finished campaign's after-action review to its playbook's lessons, with the
    campaign's numbers filled in. Writing it again replaces the words and refreshes the numbers."""
    if campaign.status not in (Campaign.Status.COMPLETED, Campaign.Status.CANCELLED):
        raise ValidationError("Write the review once the campaign has finished or been cancelled.")
    if not (what_worked.strip() or what_did_not.strip()):
        raise ValidationError("Say what worked or what did not: a review with no words teaches nothing.")
    if not is_campaign_staff(user=user, organisation=campaign.organisation):
        raise PermissionDenied("Only staff of the campaign's organisation may review it.")
    review, _ = AfterActionReview.objects.update_or_create(
        campaign=campaign,
        defaults={
            "playbook": campaign.playbook,
            "what_worked": what_worked.strip(),
            "what_did_not": what_did_not.strip(),
            "change_next_time": change_next_time.strip(),
            "figures": campaign_figures(campaign=campaign),
            "written_by": user,
            "created_at": timezone.now(),
        },
    )
    return review

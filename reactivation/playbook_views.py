"""Playbook pages: the list, one playbook (its current version, its lessons as a timeline and every
version), any older version, two versions side by side, and the editor with a live preview of each
text. Everyone on staff reads; campaign managers edit, and every save is a new version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from reactivation.models import Playbook, PlaybookVersion
from reactivation.permissions import can_edit_playbook, can_read_playbooks
from reactivation.playbook_forms import PlaybookEditor
from reactivation.playbook_labels import (
    language_name,
    languages_in_order,
    message_title,
    messages_in_order,
    targeting_readable,
    wave_rules_readable,
)
from reactivation.selectors.playbooks import (
    SAMPLE_NOTE,
    playbook_get,
    playbook_lessons,
    playbook_version_get,
    playbook_versions,
    playbooks_listed,
    text_preview,
    versions_compare,
)
from reactivation.services.playbooks import PlaybookInvalid, playbook_update

# The longest text the preview endpoint looks at: ten segments of GSM-7 and then some.
PREVIEW_MAX_CHARS = 1600


def _readers_only(request: HttpRequest) -> None:
    if not can_read_playbooks(user=request.user):
        raise PermissionDenied("Playbooks are for staff.")


def _signed_in(request: HttpRequest) -> User:
    """The person signed in (every page here is behind login_required; this narrows the type)."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in first.")
    return request.user


def _playbook(slug: str) -> Playbook:
    playbook = playbook_get(slug=slug)
    if playbook is None:
        raise Http404("No such playbook")
    return playbook


@login_required
def playbook_list(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    return render(request, "reactivation/playbook_list.html", {"playbooks": playbooks_listed()})


def _texts_readable(version: PlaybookVersion) -> list[dict]:
    templates = version.templates or {}
    names = messages_in_order({m for by_name in templates.values() for m in by_name})
    return [
        {
            "language": language_name(language),
            "texts": [
                {
                    "title": message_title(m),
                    "text": templates[language][m],
                    "preview": text_preview(text=templates[language][m]),
                }
                for m in names
                if (templates[language] or {}).get(m)
            ],
        }
        for language in languages_in_order(templates)
        if templates.get(language)
    ]


def _version_page(request: HttpRequest, playbook: Playbook, version: PlaybookVersion | None) -> HttpResponse:
    versions = list(playbook_versions(playbook=playbook))
    current = versions[0] if versions else None
    return render(
        request,
        "reactivation/playbook_detail.html",
        {
            "playbook": playbook,
            "version": version,
            "is_current": version is not None and current is not None and version.number == current.number,
            "current": current,
            "versions": versions,
            "lessons": playbook_lessons(playbook=playbook),
            "texts": _texts_readable(version) if version else [],
            "targeting": targeting_readable(version.targeting or {}) if version else [],
            "wave_rules": wave_rules_readable(version.wave_rules or {}) if version else [],
            "may_edit": can_edit_playbook(user=request.user, organisation_id=playbook.organisation_id),
            "sample_note": SAMPLE_NOTE,
        },
    )


@login_required
def playbook_detail(request: HttpRequest, slug: str) -> HttpResponse:
    _readers_only(request)
    playbook = _playbook(slug)
    current = playbook.current_version
    version = playbook_version_get(playbook=playbook, number=current.number) if current else None
    return _version_page(request, playbook, version)


@login_required
def playbook_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    _readers_only(request)
    playbook = _playbook(slug)
    version = playbook_version_get(playbook=playbook, number=number)
    if version is None:
        raise Http404("No such version")
    return _version_page(request, playbook, version)


def _number(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@login_required
def playbook_compare(request: HttpRequest, slug: str) -> HttpResponse:
    """Two versions side by side: ``?old=N&new=M``, by default the one before the current and the
    current."""
    _readers_only(request)
    playbook = _playbook(slug)
    versions = list(playbook_versions(playbook=playbook))
    numbers = [v.number for v in versions]
    new_number = _number(request.GET.get("new")) or (numbers[0] if numbers else None)
    old_number = _number(request.GET.get("old")) or (numbers[1] if len(numbers) > 1 else new_number)
    by_number = {v.number: v for v in versions}
    old, new = by_number.get(old_number or 0), by_number.get(new_number or 0)
    if old is None or new is None:
        raise Http404("No such version")
    return render(
        request,
        "reactivation/playbook_compare.html",
        {
            "playbook": playbook,
            "old": old,
            "new": new,
            "versions": versions,
            "sections": versions_compare(old=old, new=new),
        },
    )


@login_required
def playbook_edit(request: HttpRequest, slug: str) -> HttpResponse:
    _readers_only(request)
    playbook = _playbook(slug)
    if not can_edit_playbook(user=request.user, organisation_id=playbook.organisation_id):
        raise PermissionDenied("Only a campaign manager may change a playbook; you can read it.")
    current = playbook.current_version
    if current is None:
        raise Http404("This playbook has no version to start from")
    editor = PlaybookEditor(version=current, data=request.POST if request.method == "POST" else None)
    saving = request.method == "POST" and "preview" not in request.POST
    problems: list[tuple[str, str]] = []
    if saving and editor.is_valid():
        try:
            new = playbook_update(playbook=playbook, user=_signed_in(request), **editor.changes())
        except PlaybookInvalid as exc:
            problems = [(message, "") for message in exc.messages]
        else:
            if new is None:
                messages.info(request, "Nothing in the playbook changed, so no new version was made.")
                return redirect("reactivation:playbook", slug=playbook.slug)
            messages.success(
                request, f"Saved as version {new.number}. Version {current.number} is kept as it was."
            )
            return redirect("reactivation:playbook", slug=playbook.slug)
    if saving:
        problems = editor.problems() + problems
    elif request.method == "POST":
        editor.is_valid()  # a preview shows the problems beside the fields, without the summary
    return render(
        request,
        "reactivation/playbook_edit.html",
        {
            "playbook": playbook,
            "current": current,
            "editor": editor,
            "text_groups": editor.text_groups(preview=lambda text: text_preview(text=text)),
            "problems": problems,
            "sample_note": SAMPLE_NOTE,
        },
    )


@login_required
@require_GET
def playbook_text_preview(request: HttpRequest) -> JsonResponse:
    """``?text=...``: the text as it will be sent, for the editor's live preview."""
    if not can_read_playbooks(user=request.user):
        return JsonResponse({"detail": "Playbooks are for staff."}, status=403)
    text = request.GET.get("text", "")[:PREVIEW_MAX_CHARS]
    return JsonResponse(text_preview(text=text))

"""What changed between two versions of a playbook, part by part, for the side-by-side page.
Pure: no Django. Every row says in words whether it was added, removed, changed or is the same,
so the page never relies on colour alone."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"
CHANGE_WORDS = {SAME: "Same", CHANGED: "Changed", ADDED: "Added", REMOVED: "Removed"}


@dataclass(frozen=True)
class Row:
    label: str
    left: str
    right: str
    change: str

    @property
    def change_words(self) -> str:
        return CHANGE_WORDS[self.change]


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...]

    @property
    def changes(self) -> int:
        return sum(1 for row in self.rows if row.change != SAME)


def _row(label: str, left: str | None, right: str | None) -> Row:
    if left is None:
        return Row(label, "", right or "", ADDED)
    if right is None:
        return Row(label, left, "", REMOVED)
    return Row(label, left, right, SAME if left == right else CHANGED)


def list_compare(old: Sequence[str], new: Sequence[str], *, noun: str) -> tuple[Row, ...]:
    """Ordered items (steps, roles) lined up so that an inserted step shows as one addition, not
    as every later step changed. Rows are numbered as in the newer version (removed ones as in
    the older)."""
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=list(old), b=list(new), autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [Row(f"{noun} {j1 + k + 1}", old[i1 + k], new[j1 + k], SAME) for k in range(i2 - i1)]
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        rows += [Row(f"{noun} {j1 + k + 1}", old[i1 + k], new[j1 + k], CHANGED) for k in range(paired)]
        rows += [_row(f"{noun} {i + 1}", old[i], None) for i in range(i1 + paired, i2)]
        rows += [_row(f"{noun} {j + 1}", None, new[j]) for j in range(j1 + paired, j2)]
    return tuple(rows)


def mapping_compare(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    order: Sequence[str],
    label: Callable[[str], str],
    show: Callable[[str, Any], str],
) -> tuple[Row, ...]:
    """Keyed values (targeting, wave rules), in ``order`` then any other key alphabetically."""
    keys = [k for k in order if k in old or k in new]
    keys += sorted(k for k in {*old, *new} if k not in order)
    return tuple(
        _row(
            label(key),
            show(key, old[key]) if key in old else None,
            show(key, new[key]) if key in new else None,
        )
        for key in keys
    )


def templates_compare(
    old: Mapping[str, Mapping[str, str]],
    new: Mapping[str, Mapping[str, str]],
    *,
    languages: Sequence[str],
    messages: Sequence[str],
    label: Callable[[str, str], str],
) -> tuple[Row, ...]:
    """Every text in either version, by language then message. An empty text counts as none."""
    rows = []
    for language in languages:
        for message in messages:
            left = (old.get(language) or {}).get(message) or None
            right = (new.get(language) or {}).get(message) or None
            if left is not None or right is not None:
                rows.append(_row(label(language, message), left, right))
    return tuple(rows)

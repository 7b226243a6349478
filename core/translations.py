"""The translation files read as data (pure: no Django): what is translated, what a native speaker
has reviewed, and the placeholders each string carries.

A ``locale/<code>/LC_MESSAGES/django.po`` entry is *translated* when its msgstr is filled and it
is not marked fuzzy (msgfmt leaves fuzzy entries out, so they would not be shown). It is
*reviewed* when a translator comment says who checked it::

    # Reviewed-by: Amina Hussain, 2026-12-01
    msgid "Can you help?"
    msgstr "کیا آپ مدد کر سکتے ہیں؟"

Every translation written without a native speaker carries ``# Review: needed`` instead.
Translator comments (``# ``) are the ones ``makemessages`` keeps when it merges new strings in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

REVIEW_NEEDED = "Review: needed (written without a native speaker)"
REVIEWED_PREFIX = "reviewed-by:"

# %(name)s, %s, %d ...: what Python's % operator fills; {name} as str.format would.
_PERCENT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*\d*(?:\.\d+)?(?P<kind>[sdifr%])")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


@dataclass
class Entry:
    msgid: str
    msgstr: str = ""
    msgid_plural: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    msgctxt: str | None = None
    comments: list[str] = field(default_factory=list)  # translator comments, without "# "
    extracted: list[str] = field(default_factory=list)  # "#." lines (from the source)
    references: list[str] = field(default_factory=list)  # "#:" lines
    flags: list[str] = field(default_factory=list)  # "#," flags: fuzzy, python-format
    previous: list[str] = field(default_factory=list)  # "#|" lines, kept as they were

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        if self.fuzzy:
            return False
        if self.msgid_plural:
            return bool(self.msgstr_plural) and all(self.msgstr_plural.values())
        return bool(self.msgstr)

    @property
    def reviewed(self) -> bool:
        return self.translated and any(c.strip().lower().startswith(REVIEWED_PREFIX) for c in self.comments)

    @property
    def reviewer(self) -> str:
        for c in self.comments:
            if c.strip().lower().startswith(REVIEWED_PREFIX):
                return c.strip()[len(REVIEWED_PREFIX) :].strip()
        return ""


def _unquote(text: str) -> str:
    """The value of one "..." line of a .po file."""
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted string: {text!r}")
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _quote(text: str) -> str:
    return (
        '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'
    )


def po_parse(text: str) -> list[Entry]:
    """Every entry of a .po file, the header first. Obsolete (#~) entries are left out. Entries
    are separated by blank lines, as gettext's tools (and ``po_write``) write them."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#~")]
        if any(not line.startswith("#") for line in lines):
            entries.append(_entry_parse(lines))
    return entries


def _comment_read(entry: Entry, line: str) -> None:
    kind, rest = line[:2], line[2:].strip()
    if kind == "#.":
        entry.extracted.append(rest)
    elif kind == "#:":
        entry.references.append(rest)
    elif kind == "#,":
        entry.flags.extend(f.strip() for f in rest.split(",") if f.strip())
    elif kind == "#|":
        entry.previous.append(rest)
    else:
        entry.comments.append(line[1:].strip())


def _entry_parse(lines: list[str]) -> Entry:
    entry = Entry(msgid="")
    target: tuple[str, int] | None = None
    for line in lines:
        if line.startswith("#"):
            _comment_read(entry, line)
        elif line.startswith('"'):
            if target is None:
                raise ValueError(f"a string with no keyword before it: {line!r}")
            _append(entry, target, _unquote(line))
        else:
            keyword, _, value = line.partition(" ")
            target = _target(keyword)
            _set(entry, target, _unquote(value))
    return entry


def _target(keyword: str) -> tuple[str, int]:
    match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
    if match:
        return ("msgstr_plural", int(match.group(1)))
    if keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
        return (keyword, 0)
    raise ValueError(f"unknown keyword {keyword!r}")


def _set(entry: Entry, target: tuple[str, int], value: str) -> None:
    name, index = target
    if name == "msgstr_plural":
        entry.msgstr_plural[index] = value
    else:
        setattr(entry, name, value)


def _append(entry: Entry, target: tuple[str, int], value: str) -> None:
    name, index = target
    if name == "msgstr_plural":
        entry.msgstr_plural[index] = entry.msgstr_plural.get(index, "") + value
    else:
        setattr(entry, name, (getattr(entry, name) or "") + value)


def _lines(keyword: str, value: str) -> list[str]:
    """``keyword "value"``, split after each \\n as gettext writes long strings."""
    if "\n" not in value.rstrip("\n"):
        return [f"{keyword} {_quote(value)}"]
    parts = value.splitlines(keepends=True)
    return [f'{keyword} ""'] + [_quote(p) for p in parts]


def po_write(entries: list[Entry]) -> str:
    """A .po file's text (no wrapping of long lines: ``make messages`` keeps it so)."""
    blocks = []
    for e in entries:
        lines = [f"# {c}" if c else "#" for c in e.comments]
        lines += [f"#. {c}" for c in e.extracted]
        lines += [f"#: {r}" for r in e.references]
        if e.flags:
            lines.append("#, " + ", ".join(e.flags))
        lines += [f"#| {p}" for p in e.previous]
        if e.msgctxt is not None:
            lines += _lines("msgctxt", e.msgctxt)
        lines += _lines("msgid", e.msgid)
        if e.msgid_plural:
            lines += _lines("msgid_plural", e.msgid_plural)
            for index in sorted(e.msgstr_plural):
                lines += _lines(f"msgstr[{index}]", e.msgstr_plural[index])
        else:
            lines += _lines("msgstr", e.msgstr)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def placeholders(text: str) -> list[str]:
    """The %-placeholders in ``text``, in order: "%(ref)s" as "ref", a bare "%s" as "s" ("%%" is
    a percent sign, not one)."""
    found = []
    for m in _PERCENT.finditer(text):
        if m.group("kind") == "%":
            continue
        found.append(m.group("name") if m.group("name") is not None else m.group("kind"))
    return found


def placeholder_problems(entry: Entry) -> list[str]:
    """Where a translation's placeholders differ from its msgid's (each must appear, none added)."""
    if not entry.translated or entry.is_header:
        return []
    wanted = sorted(set(placeholders(entry.msgid)))
    strings = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
    problems = []
    for text in strings:
        got = sorted(set(placeholders(text)))
        if got != wanted:
            problems.append(f"{entry.msgid!r}: the translation has {got}, the original {wanted}")
    return problems


@dataclass(frozen=True)
class CatalogueStatus:
    code: str
    total: int
    translated: int
    reviewed: int
    not_reviewed: list[Entry]
    untranslated: list[Entry]


def catalogue_status(path: Path, *, code: str) -> CatalogueStatus:
    """How far one language's .po file is: counts, and the strings not yet reviewed."""
    entries = (
        [e for e in po_parse(path.read_text(encoding="utf-8")) if not e.is_header] if path.exists() else []
    )
    translated = [e for e in entries if e.translated]
    return CatalogueStatus(
        code=code,
        total=len(entries),
        translated=len(translated),
        reviewed=sum(1 for e in translated if e.reviewed),
        not_reviewed=[e for e in translated if not e.reviewed],
        untranslated=[e for e in entries if not e.translated],
    )


def po_path(locale_dir: Path, code: str) -> Path:
    return locale_dir / code / "LC_MESSAGES" / "django.po"

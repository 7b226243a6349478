"""Reading spreadsheets as people really save them. Pure: no Django here.

Google Sheets and Excel exports arrive with a byte-order mark, in UTF-8 or Windows-1252 (or a
mixture, when rows were pasted in from elsewhere), with blank rows and columns, and with headers
typed by hand ("  Phone ", "Full Name", "Mobile Number"). This module turns such a file into
(line number, {column: text}) pairs with the contract's column names, says how it understood each
header, and reports each line it could not read rather than guessing at it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


class FileProblem(ValueError):
    """The file as a whole cannot be read (wrong columns, not a CSV); the message says why."""


SAVE_AS_UTF8 = "in Excel, save the file as 'CSV UTF-8' and import it again"


def _bad_byte(line: bytes) -> str:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"0x{line[exc.start]:02X} at character {exc.start + 1}"
    return "a NUL character"


def text_decode(data: bytes) -> tuple[str, str, list[tuple[int, str]]]:
    """Return (text, encoding name, unreadable lines as (line number, why)).

    UTF-8 (with or without a BOM) is read as it is. A file with no valid UTF-8 beyond plain ASCII
    is Windows-1252, which Excel on a UK Windows PC writes for "CSV (Comma delimited)" (Latin-1 as
    the last resort: it maps every byte). A file that mixes the two is read line by line: the
    UTF-8 lines are kept and every other line is reported and left out, never guessed at (a guess
    turns "José Martínez" into "JosÃ© MartÃ­nez" with no warning). A line holding a NUL byte is
    left out too: no database keeps one in a text column.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        good_utf8 = sum(1 for line in lines if not line.isascii() and _decodes(line))
        if good_utf8 == 0:
            try:
                text, encoding = data.decode("cp1252"), "windows-1252"
            except UnicodeDecodeError:
                text, encoding = data.decode("latin-1"), "latin-1"
        else:
            return _mixed_decode(lines)
    if "\x00" in text:
        return _mixed_decode(lines, encoding=encoding)
    return text, encoding, []


def _decodes(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mixed_decode(lines: list[bytes], encoding: str = "utf-8") -> tuple[str, str, list[tuple[int, str]]]:
    kept: list[str] = []
    unreadable: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        codec = "utf-8" if encoding == "utf-8" else "cp1252"
        try:
            text = line.decode(codec)
        except UnicodeDecodeError:
            text = "\x00"
        if "\x00" in text:
            unreadable.append(
                (
                    number,
                    f"this line could not be read ({_bad_byte(line)} is not text in the rest of the "
                    f"file's encoding, {encoding}); {SAVE_AS_UTF8}",
                )
            )
            text = ""  # kept as an empty line, so every later line keeps its number
        kept.append(text)
    label = "utf-8, with unreadable lines" if encoding == "utf-8" else encoding
    return "\n".join(kept), label, unreadable


def header_normalise(raw: str) -> str:
    """``"  Has Car "`` -> ``"has_car"``, ``"Mobile No."`` -> ``"mobile_no"``; a stray BOM or
    non-breaking space is dropped too."""
    text = (raw or "").replace("\ufeff", "").replace("\xa0", " ").strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    encoding: str = "utf-8"
    ignored_columns: list[str] = field(default_factory=list)
    # (the header as typed, the column it was read as, or "" when ignored), in the file's order
    understood: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[tuple[int, str]] = field(default_factory=list)


def _header_read(
    cells: list[str], line: int, synonyms: Mapping[str, str]
) -> tuple[list[str], list[tuple[str, str]]]:
    """The column name each header cell stands for ("" for a blank one), and how each was read."""
    names: list[str] = []
    typed_by_name: dict[str, list[str]] = {}
    for cell in cells:
        key = header_normalise(cell)
        name = synonyms.get(key, key)
        names.append(name)
        if name:
            typed_by_name.setdefault(name, []).append(cell.strip().lstrip("\ufeff"))
    twice = {name: typed for name, typed in typed_by_name.items() if len(typed) > 1}
    if twice:
        said = "; ".join(
            f"{name} ({' and '.join(repr(t) for t in typed)})" for name, typed in sorted(twice.items())
        )
        raise FileProblem(
            f"The header (line {line}) names the same column more than once: {said}. Keep one of each."
        )
    understood = [
        (cell.strip().lstrip("\ufeff"), name) for cell, name in zip(cells, names, strict=True) if name
    ]
    return names, understood


def table_read(
    data: bytes, *, required: Iterable[str], known: Iterable[str], synonyms: Mapping[str, str] | None = None
) -> Table:
    """Parse a CSV file's bytes. Blank rows are skipped; blank columns and unknown ones ignored;
    headers are read through ``synonyms`` (``{"mobile_number": "phone"}``, normalised keys).

    Each row carries the line number where it starts in the file (the header is line 1), which is
    what a person sees in a text editor and, for files without line breaks inside cells, the row
    number in their spreadsheet.
    """
    text, encoding, unreadable = text_decode(data)
    # Sniff only the delimiter people actually use instead of commas (Excel in some locales: ";").
    first_line = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    understood: list[tuple[str, str]] = []
    header_line = 0
    rows: list[tuple[int, dict[str, str]]] = []
    previous_end = 0
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank row, or the header's blank rows above it
            if header is None:
                header, understood = _header_read(cells, start, synonyms or {})
                header_line = start
                continue
            row = {}
            for name, cell in zip(header, cells, strict=False):
                if name and name not in row:
                    row[name] = cell.strip()
            rows.append((start, row))
    except csv.Error as exc:
        raise FileProblem(f"line {reader.line_num}: the file is not a readable CSV ({exc})") from None
    if header is None:
        raise FileProblem("The file is empty: it needs a header row and at least one row.")
    names = [h for h in header if h]
    missing = [c for c in required if c not in names]
    if missing:
        raise FileProblem(
            f"The header (line {header_line}) lacks the column(s) {', '.join(missing)}; "
            f"it has {', '.join(typed for typed, _ in understood) or 'none'}."
        )
    known_set = set(known)
    return Table(
        columns=names,
        rows=rows,
        encoding=encoding,
        ignored_columns=[h for h in names if h not in known_set],
        understood=[(typed, name if name in known_set else "") for typed, name in understood],
        unreadable=unreadable,
    )

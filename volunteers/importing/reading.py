"""Reading spreadsheets as people really save them. Pure: no Django here.

Google Sheets and Excel exports arrive with a byte-order mark, in UTF-8 or Windows-1252, with blank
rows and columns, and with headers typed by hand ("  Phone ", "HAS CAR"). This module turns such a
file into (line number, {column: text}) pairs with clean keys, so the row checks never see the mess.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field


class FileProblem(ValueError):
    """The file as a whole cannot be read (wrong columns, not a CSV); the message says why."""


def text_decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). UTF-8 (with or without a BOM) first, then Windows-1252.

    Windows-1252 is what Excel on a UK Windows PC writes for "CSV (Comma delimited)"; every byte
    sequence that is not valid UTF-8 is almost certainly that. cp1252 leaves five bytes undefined,
    so the last resort is Latin-1, which maps every byte and never fails.
    """
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def header_normalise(raw: str) -> str:
    """``"  Has Car "`` -> ``"has_car"``; a stray BOM or non-breaking space is dropped too."""
    text = (raw or "").replace("\ufeff", "").replace("\xa0", " ").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    encoding: str = "utf-8"
    ignored_columns: list[str] = field(default_factory=list)


def table_read(data: bytes, *, required: Iterable[str], known: Iterable[str]) -> Table:
    """Parse a CSV file's bytes. Blank rows are skipped; blank columns and unknown ones ignored.

    Each row carries the line number where it starts in the file (the header is line 1), which is
    what a person sees in a text editor and, for files without line breaks inside cells, the row
    number in their spreadsheet.
    """
    text, encoding = text_decode(data)
    # Sniff only the delimiter people actually use instead of commas (Excel in some locales: ";").
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
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
                header = [header_normalise(c) for c in cells]
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
    duplicates = sorted({h for h in names if names.count(h) > 1})
    if duplicates:
        raise FileProblem(
            f"The header (line {header_line}) names the column(s) {', '.join(duplicates)} more than once."
        )
    missing = [c for c in required if c not in names]
    if missing:
        raise FileProblem(
            f"The header (line {header_line}) lacks the column(s) {', '.join(missing)}; "
            f"it has {', '.join(names) or 'none'}."
        )
    known_set = set(known)
    return Table(
        columns=names,
        rows=rows,
        encoding=encoding,
        ignored_columns=[h for h in names if h not in known_set],
    )

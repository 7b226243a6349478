"""Reading postcode files as they are published, with no Django: what ``load_postcodes`` loads.

Two formats, told apart by their first line:

- the ONS Postcode Directory's (and the shipped file's): a header naming ``pcds``, ``lat`` and
  ``long``, with ``oslaua`` (the council) and ``oscty`` (the county) used when present and every
  other column ignored;
- OS Code-Point Open's own: no header, ten columns (postcode, positional quality, easting,
  northing, country, two NHS codes, county, district, ward), places on the National Grid, turned
  into latitude and longitude here (volunteers.national_grid, to within a few metres).

A file may be plain (``.csv``), gzipped (``.csv.gz``) or a zip: Code-Point Open's download as it
comes (every ``Data/CSV/*.csv`` in it), or a zip holding one CSV.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from volunteers.geography import LocationError, PostcodeError, location_validate, postcode_normalise
from volunteers.national_grid import GridError, grid_to_wgs84

# The West Midlands' postcodes from OS Code-Point Open (scripts/postcodes_extract.py says how).
SHIPPED = Path(__file__).resolve().parent / "data" / "postcodes-west-midlands.csv.gz"
SHIPPED_ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2025. "
    "Contains Royal Mail data © Royal Mail copyright and database right 2025. "
    "Contains National Statistics data © Crown copyright and database right 2025. "
    "Postcodes from OS Code-Point Open, licensed under the Open Government Licence v3.0."
)

ONS_NEEDS = ("pcds", "lat", "long")
CODE_POINT_COLUMNS = 10
_PC, _PQ, _EA, _NO, _CC, _DC = 0, 1, 2, 3, 7, 8
_NO_PLACE = "90"  # Code-Point Open's positional quality for a postcode it cannot place


class PostcodeFileError(ValueError):
    """The file cannot be read as a postcode file at all; the message says why."""


@dataclass(frozen=True)
class PostcodeRecord:
    line: int
    postcode: str
    latitude: float
    longitude: float
    area_codes: tuple[str, ...]  # ONS codes of its council then its county, most specific first


Rejection = tuple[int, str]
_CsvReader = Any  # what csv.reader returns (its class is not importable by name)


def _is_code_point(row: list[str]) -> bool:
    if len(row) != CODE_POINT_COLUMNS:
        return False
    try:
        postcode_normalise(row[_PC])
    except PostcodeError:
        return False
    return row[_EA].strip().isdigit() and row[_NO].strip().isdigit()


def _code_point_record(line: int, row: list[str]) -> PostcodeRecord | Rejection:
    try:
        postcode = postcode_normalise(row[_PC])
        if row[_PQ].strip() == _NO_PLACE:
            return line, f"{postcode} has no place in the file (Code-Point Open's positional quality 90)"
        lat, lon = location_validate(*grid_to_wgs84(row[_EA], row[_NO]))
    except (PostcodeError, LocationError, GridError) as exc:
        return line, str(exc)
    return PostcodeRecord(line, postcode, lat, lon, (row[_DC].strip(), row[_CC].strip()))


def _ons_records(reader: _CsvReader, header: list[str]) -> Iterator[PostcodeRecord | Rejection]:
    names = [(name or "").strip().lstrip("\ufeff").lower() for name in header]
    missing = [name for name in ONS_NEEDS if name not in names]
    if missing:
        raise PostcodeFileError(
            f"The file lacks the column(s) {', '.join(missing)}; it needs pcds,lat,long "
            "(the ONS Postcode Directory's names), or Code-Point Open's own rows with no header."
        )
    for values in reader:
        line = reader.line_num
        row = dict(zip(names, values, strict=False))
        try:
            postcode = postcode_normalise(row.get("pcds", ""))
            lat, lon = location_validate(row.get("lat"), row.get("long"))
        except (PostcodeError, LocationError) as exc:
            yield line, str(exc)
            continue
        codes = tuple((row.get(name) or "").strip() for name in ("oslaua", "oscty"))
        yield PostcodeRecord(line, postcode, lat, lon, codes)


def records_read(lines: Iterable[str]) -> Iterator[PostcodeRecord | Rejection]:
    """Each row of a postcode file as a record, or as (line number, why it is not loaded).

    Raises PostcodeFileError when the file is in neither format."""
    reader = csv.reader(lines)
    first = next(reader, None)
    if first is None:
        return
    if _is_code_point(first):
        yield _code_point_record(1, first)
        for line, row in enumerate(reader, start=2):
            yield (
                _code_point_record(line, row)
                if len(row) == CODE_POINT_COLUMNS
                else (
                    line,
                    f"has {len(row)} columns, not Code-Point Open's {CODE_POINT_COLUMNS}",
                )
            )
        return
    yield from _ons_records(reader, first)


def _text(raw: IO[bytes] | gzip.GzipFile) -> io.TextIOWrapper:
    # utf-8-sig: a spreadsheet's byte-order mark is not part of the first column's name.
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def sources_open(path: Path) -> Iterator[tuple[str, Iterable[str]]]:
    """(name, lines) for each CSV in ``path``: the file itself, gunzipped, or each CSV of a zip
    (Code-Point Open's ``Data/CSV/*.csv``). Raises PostcodeFileError for a zip with no CSV."""
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as packed:
            yield path.name, _text(packed)
        return
    if not zipfile.is_zipfile(path):
        with path.open("rb") as plain:
            yield path.name, _text(plain)
        return
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.lower().endswith(".csv"))
        code_point = [n for n in names if n.startswith("Data/CSV/")]
        members = code_point or names
        if not members or (not code_point and len(members) > 1):
            raise PostcodeFileError(
                f"{path.name} is a zip, but not Code-Point Open's (Data/CSV/*.csv) nor one holding "
                f"a single CSV; unzip it and load the CSV ({len(names)} found)."
            )
        for name in members:
            with archive.open(name) as member:
                yield f"{path.name}:{name}", _text(member)

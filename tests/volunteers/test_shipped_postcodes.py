"""The West Midlands' real postcodes, shipped (OS Code-Point Open): loaded, geocoded to within metres
of the file, read in Code-Point Open's own format, and taken alike by /join/ and "Post a need"."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client

from volunteers.geocoding import GeocodeError, geocode_postcode
from volunteers.geography import haversine_km
from volunteers.models import Postcode
from volunteers.postcode_files import SHIPPED
from volunteers.selectors import postcodes_shipped_loaded
from volunteers.services import postcodes_shipped_load

pytestmark = pytest.mark.django_db

SLICE = {"B15", "B23", "CV1", "WV1"}


def shipped_rows(districts: set[str]) -> dict[str, dict[str, str]]:
    """The shipped file's own rows for ``districts``, read here independently of the loader."""
    with gzip.open(SHIPPED, "rt", encoding="utf-8", newline="") as handle:
        return {row["pcds"]: row for row in csv.DictReader(handle) if row["pcds"].split()[0] in districts}


@pytest.fixture
def slice_loaded():
    report = postcodes_shipped_load(districts=SLICE)
    assert report.loaded > 1000 and not report.rejected
    return shipped_rows(SLICE)


@pytest.mark.parametrize(
    "postcode, council",
    [
        ("B15 2TT", "Birmingham"),  # refused before: the demo's table was invented
        ("B23 6SN", "Birmingham"),  # accepted on one page and refused on the other before
        ("CV1 5FB", "Coventry"),
        ("WV1 1AA", "Wolverhampton"),
    ],
)
def test_real_postcodes_geocode_to_the_shipped_place(slice_loaded, postcode, council):
    row = slice_loaded[postcode]
    place = geocode_postcode(postcode.lower().replace(" ", ""))
    assert place.precision == "postcode" and place.postcode == postcode
    assert haversine_km(place.latitude, place.longitude, float(row["lat"]), float(row["long"])) < 0.001
    assert Postcode.objects.get(postcode=postcode).local_authority.name == council


def test_every_postcode_of_the_slice_is_where_the_file_says(slice_loaded):
    stored = {p.postcode: p for p in Postcode.objects.filter(district__in=SLICE)}
    assert stored.keys() == slice_loaded.keys()
    worst = max(
        haversine_km(
            p.latitude, p.longitude, float(slice_loaded[code]["lat"]), float(slice_loaded[code]["long"])
        )
        for code, p in stored.items()
    )
    assert worst < 0.001  # within a metre: the file's own figures


def code_point_line(row: dict[str, str], quality: str = "10") -> str:
    """The row as OS Code-Point Open writes it: no header, ten columns, a place on the National Grid."""
    return (
        f'"{row["pcds"]}",{quality},{row["oseast1m"]},{row["osnrth1m"]},"E92000001","E19000001",'
        f'"E18000005","{row["oscty"]}","{row["oslaua"]}","E05011151"\n'
    )


def test_code_point_open_s_own_rows_load_within_metres_of_the_ostn15_places(tmp_path):
    rows = shipped_rows({"B23", "CV1"})
    path = tmp_path / "b.csv"
    path.write_text("".join(code_point_line(r) for r in rows.values()), encoding="ascii")
    out = io.StringIO()
    call_command("load_postcodes", str(path), stdout=out)
    assert f"Loaded {len(rows)} postcodes; rejected 0." in out.getvalue()
    for code, row in rows.items():
        place = geocode_postcode(code)
        # The loader's Helmert transformation against the shipped file's OSTN15 conversion.
        assert haversine_km(place.latitude, place.longitude, float(row["lat"]), float(row["long"])) < 0.005
    assert Postcode.objects.get(postcode="CV1 5FB").local_authority.name == "Coventry"


def test_code_point_open_s_zip_loads_as_downloaded_and_unplaced_rows_are_reported(tmp_path):
    rows = list(shipped_rows({"WV1"}).values())
    path = tmp_path / "codepo_gb.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Doc/licence.txt", "ORDNANCE SURVEY DATA LICENCE\n")
        archive.writestr("Data/CSV/wv.csv", "".join(code_point_line(r) for r in rows[:-1]))
        # Positional quality 90: Code-Point Open has no place for this postcode.
        archive.writestr(
            "Data/CSV/zz.csv", code_point_line(rows[-1], quality="90").replace(rows[-1]["oseast1m"], "0")
        )
    out, err = io.StringIO(), io.StringIO()
    call_command("load_postcodes", str(path), stdout=out, stderr=err)
    assert f"Loaded {len(rows) - 1} postcodes; rejected 1." in out.getvalue()
    assert (
        f"codepo_gb.zip:Data/CSV/zz.csv line 1: {rows[-1]['pcds']} has no place in the file" in err.getvalue()
    )
    assert Postcode.objects.filter(district="WV1").count() == len(rows) - 1


def test_with_no_path_the_shipped_file_is_loaded_once(monkeypatch, tmp_path):
    # A small file in the shipped file's place keeps the test quick; the code path is the same.
    small = tmp_path / "postcodes.csv.gz"
    with gzip.open(SHIPPED, "rt", encoding="utf-8") as full, gzip.open(small, "wt", encoding="utf-8") as part:
        for index, line in enumerate(full):
            if index > 300:
                break
            part.write(line)
    monkeypatch.setattr("volunteers.postcode_files.SHIPPED", small)
    monkeypatch.setattr("volunteers.selectors.SHIPPED", small)
    monkeypatch.setattr("volunteers.management.commands.load_postcodes.SHIPPED", small)
    assert not postcodes_shipped_loaded(every=50)
    out = io.StringIO()
    call_command("load_postcodes", stdout=out)
    assert "Loaded 300 postcodes; rejected 0." in out.getvalue()
    assert postcodes_shipped_loaded(every=50)
    again = io.StringIO()
    call_command("load_postcodes", if_needed=True, stdout=again)
    assert "already loaded" in again.getvalue()


def test_a_file_in_neither_format_is_refused_whole(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("postcode,latitude\nB1 1AA,52.4\n", encoding="utf-8")
    with pytest.raises(Exception, match="lacks the column"):
        call_command("load_postcodes", str(path), stdout=io.StringIO())
    assert not Postcode.objects.exists()


# --- /join/ and "Post a need" take the same postcodes ----------------------------------------------

JOIN = {
    "name": "Priya Patel",
    "phone": "07700 900123",
    "languages": ["en"],
    "max_travel_km": "3",
    "consent": "on",
}


def join_answer(postcode: str) -> str:
    """What /join/ says about ``postcode``: "" when it is taken (the next step is the code)."""
    response = Client().post("/join/", {**JOIN, "postcode": postcode})
    if response.status_code == 302:
        return ""
    form = response.context["form"]
    return " ".join(form.errors.get("postcode", [])) or "(taken)"


def need_answer(client: Client, brum_aid, postcode: str) -> str:
    response = client.post(
        "/needs/new/",
        {"organisation": brum_aid.id, "category": "shopping", "summary": "Weekly shop", "postcode": postcode}
        | {"urgency": "normal", "requires_dbs": "none"},
    )
    if response.status_code == 302:
        return ""
    return " ".join(response.context["form"].errors.get("postcode", [])) or "(taken)"


@pytest.mark.parametrize(
    "postcode, refused_because",
    [
        ("B15 2TT", ""),  # real, in the file
        ("b23 6sn", ""),
        ("B23 9ZZ", ""),  # well formed, not in the file, in a known district: its district's centre
        ("TR99 9ZZ", "is not in this service's list of postcodes"),
        ("B23-6AB", "has '-' in it"),
        ("B23 6CB", "never C, I, K, M, O or V"),
        ("QA1 1AA", "none starts with Q"),
    ],
)
def test_join_and_post_a_need_accept_the_same_postcodes(
    slice_loaded, client, coordinator, brum_aid, postcode, refused_because
):
    assert "B23 9ZZ" not in slice_loaded
    client.force_login(coordinator)
    on_join, on_need = join_answer(postcode), need_answer(client, brum_aid, postcode)
    if refused_because:
        assert refused_because in on_join and refused_because in on_need
    else:
        assert on_join == "" and on_need == ""


def test_a_district_alone_is_a_place_for_a_need_but_not_a_home(slice_loaded):
    assert geocode_postcode("B23").approximate
    with pytest.raises(GeocodeError, match="only a postcode district; the full postcode is needed"):
        geocode_postcode("B23", allow_district=False)

"""import_volunteers with files as people really save them (each test writes its own file)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from messaging.models import OptOut
from tests.factories import MembershipFactory, MutualAidGroupFactory, VolunteerFactory
from volunteers.contact_state import Event, contact_event_record
from volunteers.models import AuditEvent, LocalAuthority, Membership, Postcode, Volunteer

pytestmark = pytest.mark.django_db

HEADER = "name,phone,postcode,latitude,longitude,skills,languages,dbs,has_car,groups\n"


@pytest.fixture(autouse=True)
def postcodes(db):
    brum = LocalAuthority.objects.get(name="Birmingham")
    sandwell = LocalAuthority.objects.get(name="Sandwell")
    for code, lat, lon, la in [
        ("B23 6AB", 52.5236, -1.8396, brum),
        ("B1 1AA", 52.4790, -1.9030, brum),
        ("B70 9LD", 52.5180, -1.9950, sandwell),
    ]:
        Postcode.objects.create(
            postcode=code, district=code.split()[0], latitude=lat, longitude=lon, local_authority=la
        )


@pytest.fixture
def groups(db):
    return [
        MutualAidGroupFactory(slug="erdington-helpers", name="Erdington Helpers"),
        MutualAidGroupFactory(slug="west-brom-aid", name="West Brom Aid"),
    ]


def run(tmp_path, content: bytes | str, *args, name="vols.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_volunteers", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_clean_file_imports_every_row_with_consent_recorded(tmp_path, groups):
    out, _err = run(
        tmp_path,
        HEADER
        + "Asha Khan,07700 900001,b23 6ab,,,shopping;driving,English;Punjabi,enhanced,yes,erdington-helpers\n"
        + "Bob Price,+44 7700 900002,,52.52,-1.99,,,,,\n",
    )
    assert "2 new, 0 updated, 0 unchanged; 0 rejected" in out
    asha = Volunteer.objects.get(phone="+447700900001")
    assert (asha.name, asha.postcode, asha.local_authority.name) == ("Asha Khan", "B23 6AB", "Birmingham")
    assert (asha.skills, asha.languages, asha.dbs_level, asha.has_car) == (
        ["shopping", "driving"],
        ["en", "pa"],
        "enhanced",
        True,
    )
    assert asha.cell_0 is not None  # bulk path kept the matcher's cell keys
    assert asha.availability == {} and asha.status == "active"  # any time, active
    assert asha.consent_channel == "import" and "vols.csv" in asha.consent_source
    # Issue 14: a file without consent columns no longer gets the import time and invented words.
    assert (asha.consent_at, asha.consent_text) == (None, "")
    assert asha.consent_source == "unknown, imported from vols.csv"
    assert list(asha.memberships.values_list("group__slug", "role")) == [("erdington-helpers", "member")]
    bob = Volunteer.objects.get(phone="+447700900002")
    assert (bob.latitude, bob.longitude, bob.dbs_level, bob.has_car) == (52.52, -1.99, "none", False)
    assert AuditEvent.objects.filter(action="import.volunteers").count() == 1


def test_bom_cp1252_blank_rows_and_columns_and_messy_headers(tmp_path, groups):
    content = (
        "\r\n"
        "  NAME , Phone,,PostCode ,Latitude,LONGITUDE, Skills ,Languages,DBS,Has Car,Groups\r\n"
        ",,,,,,,,,,\r\n"
        "Zoë Brontë,07700900003,,B1 1AA,,,cooking \u2013 £5 budget,,,no,\r\n"
        "\r\n"
        "José Álvarez,07700-900-004,,B23 6AB,,,,,basic,Y,west-brom-aid\r\n"
    ).encode("cp1252")
    out, _err = run(tmp_path, content)
    assert "(windows-1252)" in out and "2 new" in out and "0 rejected" in out
    zoe = Volunteer.objects.get(phone="+447700900003")
    assert zoe.name == "Zoë Brontë" and zoe.skills == ["cooking \u2013 £5 budget"]
    assert Volunteer.objects.get(phone="+447700900004").name == "José Álvarez"

    # The same rows from Google Sheets: UTF-8 with a BOM.
    Volunteer.objects.all().delete()
    out, _ = run(tmp_path, "\ufeff" + HEADER + "Zoë Brontë,07700900003,B1 1AA,,,,,,,\n", name="sheets.csv")
    assert "(utf-8)" in out and Volunteer.objects.get().name == "Zoë Brontë"


@pytest.mark.parametrize(
    "written",
    [
        "07700 900123",
        "07700900123",
        "+447700900123",
        "+44 (0)7700 900123",
        "0044 7700 900123",
        "447700900123",
        "(07700) 900-123",
        "+44 7700 900 123",
        " 07700.900.123 ",
    ],
)
def test_every_way_people_write_a_uk_mobile(tmp_path, written):
    run(tmp_path, HEADER + f'Cat Jones,"{written}",B1 1AA,,,,,,,\n')
    assert Volunteer.objects.get().phone == "+447700900123"


def test_bad_rows_are_reported_by_line_and_the_good_ones_imported(tmp_path, groups):
    content = (
        HEADER
        + "Good One,07700900010,B1 1AA,,,,,,,\n"  # line 2
        + "Landline Larry,0121 496 0000,B1 1AA,,,,,,,\n"  # line 3
        + "Short Sam,07700 9001,B1 1AA,,,,,,,\n"  # line 4
        + "Bad Postcode,07700900011,NOTAPOSTCODE,,,,,,,\n"  # line 5
        + "Nowhere Nell,07700900012,TR99 9ZZ,,,,,,,\n"  # line 6: a well-formed postcode that does not exist
        + "Paris Pat,07700900013,,48.8566,2.3522,,,,,\n"  # line 7: outside the UK
        + "Group Gus,07700900014,B1 1AA,,,,,,,no-such-group\n"  # line 8
        + "No Name,,B1 1AA,,,,,,,\n"  # line 9
        + "Good Two,07700900015,B70 9LD,,,,,,,west-brom-aid\n"  # line 10
    )
    out, err = run(tmp_path, content)
    assert "2 new" in out and "7 rejected" in out
    assert set(Volunteer.objects.values_list("name", flat=True)) == {"Good One", "Good Two"}
    assert "line 3: rejected: phone:" in err and "not a mobile" in err
    assert "line 4: rejected: phone:" in err and "number of digits" in err
    assert "line 5: rejected: postcode: 'NOTAPOSTCODE' is not the shape of a UK postcode" in err
    assert (
        "line 6: rejected: postcode: The postcode TR99 9ZZ is not in this service's list of postcodes" in err
    )
    assert "line 7: rejected: latitude/longitude: (48.8566, 2.3522) is outside the UK" in err
    assert "line 8: rejected: groups: no group with the slug no-such-group" in err
    assert "line 9: rejected: phone: no phone number given" in err


def test_a_postcode_missing_from_the_table_in_a_known_district_is_placed_approximately(tmp_path):
    out, err = run(tmp_path, HEADER + "Di Strict,07700900020,B23 7ZZ,,,,,,,\n")
    assert "1 new" in out and "line 2: located approximately: B23 7ZZ" in err
    assert Volunteer.objects.get().latitude == pytest.approx(52.5236)


def test_a_duplicate_inside_the_file_merges_into_one_volunteer_last_line_wins(tmp_path, groups):
    content = (
        HEADER
        + "Dee Dupe,07700900030,B1 1AA,,,shopping,,basic,yes,erdington-helpers\n"  # line 2
        + "Other Person,07700900031,B1 1AA,,,,,,,\n"
        + "Dee Duplicate,+447700900030,B23 6AB,,,,,,,west-brom-aid\n"  # line 4
    )
    out, err = run(tmp_path, content)
    assert "2 new" in out and "1 duplicate lines merged" in out
    assert "line 4: duplicates line 2 (same phone" in err
    dee = Volunteer.objects.get(phone="+447700900030")
    assert (dee.name, dee.postcode) == ("Dee Duplicate", "B23 6AB")  # the later line's values
    assert (dee.skills, dee.dbs_level, dee.has_car) == (
        ["shopping"],
        "basic",
        True,
    )  # blanks kept the earlier
    assert sorted(dee.memberships.values_list("group__slug", flat=True)) == [
        "erdington-helpers",
        "west-brom-aid",
    ]


def test_a_number_already_registered_is_updated_never_duplicated(tmp_path, groups):
    existing = VolunteerFactory(
        phone="+447700900040",
        name="Old Name",
        skills=["gardening"],
        dbs_level="enhanced",
        status="paused",
        consent_channel="web",
        consent_text="I agree (typed on the web form)",
    )
    MembershipFactory(volunteer=existing, group=groups[0], role="organiser")
    out, _ = run(tmp_path, HEADER + "New Name,07700 900040,B70 9LD,,,,,,,erdington-helpers;west-brom-aid\n")
    assert "0 new, 1 updated" in out
    existing.refresh_from_db()
    assert Volunteer.objects.count() == 1
    assert (existing.name, existing.postcode, existing.local_authority.name) == (
        "New Name",
        "B70 9LD",
        "Sandwell",
    )
    assert (
        existing.skills == ["gardening"] and existing.dbs_level == "enhanced"
    )  # blank cells changed nothing
    assert existing.status == "paused"  # the file did not say otherwise
    assert existing.consent_channel == "web"  # their own consent is kept, not overwritten by the file's
    roles = dict(existing.memberships.values_list("group__slug", "role"))
    assert roles == {"erdington-helpers": "organiser", "west-brom-aid": "member"}


def test_an_opted_out_number_stays_opted_out_and_an_erased_one_is_refused(tmp_path):
    OptOut.objects.create(phone="+447700900050", source="sms")
    OptOut.objects.create(phone="+447700900051", source="erasure")
    contact_event_record(phone="+447700900051", event=Event.ERASE)  # the tombstone erasure leaves
    stopped = VolunteerFactory(phone="+447700900052", status="opted_out")
    content = (
        "name,phone,postcode,status\n"
        "Stop Stan,07700900050,B1 1AA,\n"
        "Erased Ed,07700900051,B1 1AA,\n"
        "Stopped Sue,07700900052,B1 1AA,active\n"
    )
    out, err = run(tmp_path, content)
    assert Volunteer.objects.get(phone="+447700900050").status == "opted_out"
    assert "1 kept opted out" in out
    assert not Volunteer.objects.filter(phone="+447700900051").exists()
    assert "line 3: rejected: phone: this person asked for their data to be erased" in err
    stopped.refresh_from_db()
    assert stopped.status == "opted_out"  # only START brings them back, never a spreadsheet


def test_dry_run_writes_nothing_but_reports_what_would_happen(tmp_path, groups):
    out, err = run(
        tmp_path,
        HEADER + "Dry Don,07700900060,B1 1AA,,,,,,,erdington-helpers\nBad,123,,,,,,,,\n",
        "--dry-run",
    )
    assert "Would import 1 volunteers" in out and "1 new" in out and "1 rejected" in out
    assert "Dry run: nothing was written" in out and "line 3: rejected" in err
    assert not Volunteer.objects.exists() and not Membership.objects.exists()
    assert not AuditEvent.objects.exists()


def test_importing_the_same_file_twice_changes_nothing(tmp_path, groups):
    content = (
        HEADER
        + "Asha Khan,07700 900001,B23 6AB,,,shopping,en,basic,yes,erdington-helpers\n"
        + "Bob Price,07700 900002,,52.52,-1.99,,,,,\n"
    )
    run(tmp_path, content)
    before = list(Volunteer.objects.order_by("id").values())
    out, _ = run(tmp_path, content)
    assert "0 new, 0 updated, 2 unchanged" in out
    assert list(Volunteer.objects.order_by("id").values()) == before
    assert Membership.objects.count() == 1


def test_a_file_without_the_needed_columns_is_refused_whole(tmp_path):
    # "full name,mobile" is read as name and phone since issue 19; headers nobody could read are not.
    with pytest.raises(CommandError, match="lacks the column"):
        run(tmp_path, "who,digits\nA,07700900001\n")
    with pytest.raises(CommandError, match="empty"):
        run(tmp_path, "\n\n")

"""Consent provenance in imports (issue 14): the consent columns are read when a file has them;
without a date consent is recorded as unknown, never as the time of the import."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from tests.factories import VolunteerFactory, local_authority
from volunteers.importing.group_import import groups_import
from volunteers.models import Postcode, Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postcode(db):
    Postcode.objects.create(
        postcode="B1 1AA", district="B1", latitude=52.479, longitude=-1.903, local_authority=local_authority()
    )


def run(tmp_path, content: str, name="helpers-2020.csv"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_volunteers", str(path), "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_consent_columns_are_kept_as_the_file_gives_them(tmp_path):
    out, err = run(
        tmp_path,
        "name,phone,postcode,consent_date,consent_wording,consent_source\n"
        "Asha Khan,07700900001,B1 1AA,14/04/2020,I am happy to be texted about helping,paper form at the library\n"
        "Bob Price,07700900002,B1 1AA,,,\n",
    )
    asha = Volunteer.objects.get(phone="+447700900001")
    assert asha.consent_at == datetime(2020, 4, 14, 12, tzinfo=UTC)
    assert asha.consent_text == "I am happy to be texted about helping"
    assert asha.consent_source == "imported from helpers-2020.csv (paper form at the library)"
    bob = Volunteer.objects.get(phone="+447700900002")
    assert (bob.consent_at, bob.consent_text) == (None, "")
    assert bob.consent_source == "unknown, imported from helpers-2020.csv"
    assert "consent columns read: consent_date, consent_wording, consent_source" in err
    assert "1 with consent unknown" in out


def test_a_file_without_consent_columns_says_so_and_records_consent_as_unknown(tmp_path):
    out, err = run(tmp_path, "name,phone,postcode\nCal Cole,07700900003,B1 1AA\n")
    cal = Volunteer.objects.get()
    assert cal.consent_at is None and cal.consent_source == "unknown, imported from helpers-2020.csv"
    assert "consent columns: none" in err and "recorded as unknown" in err
    assert "1 with consent unknown (no consent_date: they are asked to re-consent" in out


def test_the_older_consent_text_column_is_read_as_the_wording(tmp_path):
    run(
        tmp_path,
        "name,phone,postcode,consent_date,consent_text\nDee,07700900004,B1 1AA,2021-05-01,Yes text me\n",
    )
    assert Volunteer.objects.get().consent_text == "Yes text me"


def test_a_consent_date_in_the_future_is_refused(tmp_path):
    _out, err = run(tmp_path, "name,phone,postcode,consent_date\nEve,07700900005,B1 1AA,2099-01-01\n")
    assert "line 2: rejected: consent_date: '2099-01-01' is in the future" in err
    assert not Volunteer.objects.exists()


def test_a_known_volunteers_own_consent_is_never_replaced_by_the_file(tmp_path):
    own = VolunteerFactory(phone="+447700900006", consent_text="The words on /join/")
    run(
        tmp_path,
        "name,phone,postcode,consent_date,consent_wording\nFin,07700900006,B1 1AA,2020-01-01,Old words\n",
    )
    own.refresh_from_db()
    assert own.consent_text == "The words on /join/" and own.consent_channel == "web"


def test_a_group_contact_s_consent_is_unknown(brum_aid):
    content = (
        "name,slug,local_authority,latitude,longitude,contact_name,contact_phone\n"
        "Street Champions,street-champions,Birmingham,52.48,-1.90,Gita Gill,07700900007\n"
    )
    groups_import(data=content.encode(), source="groups-2020.csv", organisation=brum_aid)
    gita = Volunteer.objects.get(phone="+447700900007")
    assert gita.consent_at is None and gita.status == "active"
    assert gita.consent_source == "unknown, imported from groups-2020.csv (contact of street-champions)"

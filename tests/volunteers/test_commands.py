import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from volunteers.models import Organisation, Postcode, StaffRole

pytestmark = pytest.mark.django_db


def test_add_staff_creates_the_organisation_and_the_login(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    out = io.StringIO()
    call_command(
        "add_staff",
        "sam",
        organisation="sandwell-aid",
        role="coordinator",
        covers="Sandwell;Dudley",
        stdout=out,
    )
    org = Organisation.objects.get(slug="sandwell-aid")
    assert sorted(org.local_authorities.values_list("name", flat=True)) == ["Dudley", "Sandwell"]
    assert StaffRole.objects.get(user__username="sam").role == "coordinator"
    assert authenticate(username="sam", password="a long enough password") is not None
    assert "Created sam" in out.getvalue()


def test_add_staff_with_no_password_prints_a_one_time_link(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdin", Tty())
    out = io.StringIO()
    call_command("add_staff", "pat", organisation="brum-aid", role="viewer", stdout=out)
    assert "/reset/" in out.getvalue()


def test_add_staff_rejects_an_unknown_local_authority(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("pw pw pw pw\n"))
    with pytest.raises(CommandError, match="Unknown local authority: Narnia"):
        call_command("add_staff", "x", organisation="o", role="viewer", covers="Narnia")
    assert not Organisation.objects.filter(slug="o").exists()  # nothing half-written


def test_load_postcodes_keeps_good_rows_and_reports_bad_ones(tmp_path):
    path = tmp_path / "ons.csv"
    path.write_text(
        "\ufeffpcds,lat,long,oslaua\n"
        "B23 6AB,52.5236,-1.8396,E08000025\n"
        "wv11aa,52.5862,-2.1288,E08000031\n"
        "ZZ99 9ZZ,99.999999,0.000000,\n"
        "not a postcode,52.5,-1.9,\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    call_command("load_postcodes", str(path), stdout=io.StringIO(), stderr=err)
    assert set(Postcode.objects.values_list("postcode", "district")) == {
        ("B23 6AB", "B23"),
        ("WV1 1AA", "WV1"),
    }
    assert Postcode.objects.get(postcode="B23 6AB").local_authority.name == "Birmingham"
    assert "line 4" in err.getvalue() and "line 5" in err.getvalue()

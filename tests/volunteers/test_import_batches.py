"""import_volunteers' write path: what the raw batch insert puts in the table, queries per batch,
and a batch that fails half-way."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MutualAidGroupFactory, VolunteerFactory
from volunteers.geography import cell_fields
from volunteers.importing import volunteer_import
from volunteers.importing.volunteer_import import volunteers_import
from volunteers.models import LocalAuthority, Membership, Postcode, Volunteer

pytestmark = pytest.mark.django_db

HEADER = "name,phone,postcode,latitude,longitude,skills,languages,dbs,has_car,groups\n"


@pytest.fixture(autouse=True)
def setting(db):
    brum = LocalAuthority.objects.get(name="Birmingham")
    Postcode.objects.create(
        postcode="B1 1AA", district="B1", latitude=52.479, longitude=-1.903, local_authority=brum
    )
    MutualAidGroupFactory(slug="erdington-helpers")
    MutualAidGroupFactory(slug="west-brom-aid")


def rows(n: int, start: int = 0) -> str:
    return "".join(
        f"Person {i},077009{i:05d},B1 1AA,,,shopping;cooking,Urdu,basic,yes,erdington-helpers;west-brom-aid\n"
        for i in range(start, start + n)
    )


def test_a_new_volunteer_is_stored_as_the_model_would_store_it():
    volunteers_import(
        data=(HEADER + "Asha Khan,07700900001,,52.4801,-1.9025,Shopping,pa,,,\n").encode(), source="a.csv"
    )
    asha = Volunteer.objects.get()
    fresh = Volunteer()  # every column the file does not give keeps the model's default
    for name in ("email", "max_open_assignments", "phone_unreachable_at", "last_active_at", "erased_at"):
        assert getattr(asha, name) == getattr(fresh, name), name
    assert (asha.max_travel_km, asha.availability, asha.dbs_level, asha.has_car) == (3.0, {}, "none", False)
    assert (asha.skills, asha.languages) == (["shopping"], ["pa"])
    assert {f"cell_{n}": getattr(asha, f"cell_{n}") for n in range(8)} == cell_fields(52.4801, -1.9025)
    assert asha.local_authority.name == "Birmingham"  # the nearest postcode's council
    assert asha.created_at == asha.updated_at
    # Issue 14: no consent columns, so consent is unknown (never the import time).
    assert asha.consent_at is None
    assert asha.consent_channel == "import" and asha.consent_source == "unknown, imported from a.csv"
    asha.full_clean()  # what was written passes the model's own validation


def test_queries_grow_with_batches_not_rows():
    def count(n: int, batch_size: int) -> int:
        Volunteer.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            report = volunteers_import(
                data=(HEADER + rows(n)).encode(), source="q.csv", batch_size=batch_size
            )
        assert report.created == n and report.memberships_created == 2 * n
        return len(ctx)

    assert count(20, batch_size=10) == count(200, batch_size=100)


def test_an_unchanged_reimport_writes_nothing_and_a_changed_row_only_itself():
    data = (HEADER + rows(30)).encode()
    volunteers_import(data=data, source="r.csv", batch_size=10)
    before = {v["phone"]: v for v in Volunteer.objects.values()}
    with CaptureQueriesContext(connection) as ctx:
        report = volunteers_import(data=data, source="r.csv", batch_size=10)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 30)
    assert not [q for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]

    changed = data.replace(b"Person 7,", b"Person Seven,").replace(
        b"07700900012,B1 1AA,,,", b"07700900012,,52.5,-1.9,"
    )
    report = volunteers_import(data=changed, source="r.csv", batch_size=10)
    assert (report.created, report.updated, report.unchanged) == (0, 2, 28)
    after = {v["phone"]: v for v in Volunteer.objects.values()}
    assert after["+447700900007"]["name"] == "Person Seven"
    moved = after["+447700900012"]
    assert (moved["latitude"], moved["longitude"]) == (52.5, -1.9)
    assert {k: moved[k] for k in cell_fields(52.5, -1.9)} == cell_fields(52.5, -1.9)
    for phone in set(before) - {"+447700900007", "+447700900012"}:
        assert after[phone] == before[phone]


def test_a_batch_that_fails_half_way_leaves_the_register_as_it_was(monkeypatch):
    VolunteerFactory(phone="+447700900099", name="Already here")

    real = volunteer_import.RowsInsert

    class FailingMemberships(real):
        calls = 0

        def execute(self, rows):
            if self.model is Membership:
                FailingMemberships.calls += 1
                if FailingMemberships.calls == 2:  # the second batch: its volunteers are in, memberships not
                    raise RuntimeError("the disk is full")
            super().execute(rows)

    monkeypatch.setattr(volunteer_import, "RowsInsert", FailingMemberships)
    with pytest.raises(RuntimeError, match="disk is full"):
        volunteers_import(data=(HEADER + rows(30)).encode(), source="f.csv", batch_size=10)
    assert list(Volunteer.objects.values_list("name", flat=True)) == ["Already here"]
    assert not Membership.objects.exists()

"""Exports: a coordinator gets their own organisations' people, never requesters' details."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from reactivation.exporting import campaign_results_export
from tests.factories import (
    CampaignFactory,
    CampaignRecipientFactory,
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    VolunteerFactory,
)
from volunteers.exporting import groups_export, volunteers_export
from volunteers.models import AuditEvent, Postcode, Volunteer
from volunteers.selectors import organisations_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(brum_aid, coventry_together):
    brum_group = MutualAidGroupFactory(
        slug="erdington-helpers", organisation=brum_aid, notes="Met at the library"
    )
    cov_group = MutualAidGroupFactory(slug="cov-cares", organisation=coventry_together)
    asha = VolunteerFactory(name="Asha Brum", phone="+447700900101", skills=["shopping", "driving"])
    MembershipFactory(volunteer=asha, group=brum_group, role="organiser")
    MembershipFactory(volunteer=asha, group=cov_group)  # in both: Brum sees only its own group
    cal = VolunteerFactory(name="Cal Coventry", phone="+447700900102")
    MembershipFactory(volunteer=cal, group=cov_group)
    stopped = VolunteerFactory(name="Stan Stopped", phone="+447700900103", status="opted_out")
    MembershipFactory(volunteer=stopped, group=brum_group)
    NeedFactory(
        organisation=brum_aid,
        requester_name="Edna Requester",
        requester_phone="+447700900199",
        requester_address="1 Private Road",
    )
    return brum_group


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_coordinator_exports_only_their_organisations_volunteers(coordinator, register):
    export = volunteers_export(
        organisations=organisations_for_user(user=coordinator), fmt="csv", actor=coordinator
    )
    rows = parse_csv(export.content)
    assert [r["name"] for r in rows] == ["Asha Brum"]  # not Coventry's, not the opted-out
    assert rows[0]["phone"] == "+447700900101" and rows[0]["groups"] == "erdington-helpers"
    assert rows[0]["skills"] == "shopping;driving"
    assert (
        "Edna" not in export.content
        and "900199" not in export.content
        and "Private Road" not in export.content
    )
    event = AuditEvent.objects.get(action="export.volunteers")
    assert event.actor == coordinator and event.detail == {
        "format": "csv",
        "rows": 1,
        "organisations": ["brum-aid"],
    }


def test_the_other_coordinator_sees_theirs_and_not_brum_aids(other_coordinator, register):
    export = volunteers_export(organisations=organisations_for_user(user=other_coordinator), fmt="json")
    data = json.loads(export.content)
    assert sorted(v["name"] for v in data) == ["Asha Brum", "Cal Coventry"]
    assert {v["name"]: v["groups"] for v in data}["Asha Brum"] == ["cov-cares"]


def test_groups_export_as_json_and_csv_with_their_organiser(coordinator, register):
    data = json.loads(
        groups_export(organisations=organisations_for_user(user=coordinator), fmt="json").content
    )
    assert [(g["slug"], g["contact_name"], g["members"]) for g in data] == [
        ("erdington-helpers", "Asha Brum", 2)
    ]
    rows = parse_csv(groups_export(organisations=organisations_for_user(user=coordinator), fmt="csv").content)
    assert rows[0]["notes"] == "Met at the library" and rows[0]["contact_phone"] == "+447700900101"
    assert AuditEvent.objects.filter(action="export.groups").count() == 2


def test_campaign_results_show_only_the_last_digits_and_only_own_campaigns(
    brum_aid, coventry_together, register
):
    mine = CampaignFactory(organisation=brum_aid, name="Winter 2026")
    CampaignRecipientFactory(campaign=mine, volunteer=Volunteer.objects.get(name="Asha Brum"), state="ready")
    CampaignRecipientFactory(campaign=CampaignFactory(organisation=coventry_together, name="Not ours"))
    rows = parse_csv(campaign_results_export(organisations=[brum_aid], fmt="csv").content)
    assert [(r["campaign"], r["volunteer"], r["phone_ending"], r["state"]) for r in rows] == [
        ("Winter 2026", "Asha Brum", "101", "ready")
    ]


def test_a_formula_in_a_cell_is_neutralised_for_spreadsheets(brum_aid):
    group = MutualAidGroupFactory(organisation=brum_aid, notes='=HYPERLINK("http://evil.example")')
    MembershipFactory(
        group=group, volunteer=VolunteerFactory(name="Ann", phone="+447700900111"), role="organiser"
    )
    content = groups_export(organisations=[brum_aid], fmt="csv").content
    assert parse_csv(content)[0]["notes"].startswith("'=HYPERLINK")
    assert "+447700900111" in content  # a phone number is data, not a formula


def test_export_command_and_a_round_trip_through_the_importer(brum_aid, register, tmp_path):
    Postcode.objects.create(postcode="B1 1AA", district="B1", latitude=52.479, longitude=-1.903)
    path = tmp_path / "brum.csv"
    call_command(
        "export_data", "volunteers", "--organisation", "brum-aid", "--output", str(path), stderr=io.StringIO()
    )
    out = io.StringIO()
    call_command("import_volunteers", str(path), stdout=out, stderr=io.StringIO())
    assert "0 new, 0 updated, 1 unchanged" in out.getvalue()

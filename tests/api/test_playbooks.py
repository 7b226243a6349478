"""Editing a playbook through the API: PUT and PATCH make a new version (campaign managers only;
everyone on staff reads), the versions campaigns ran never change."""

from __future__ import annotations

import pytest

from reactivation.models import PlaybookVersion
from reactivation.services.playbooks import playbook_update
from tests.factories import CampaignFactory, PlaybookFactory, StaffRoleFactory, UserFactory
from tests.reactivation.conftest import TEMPLATES
from volunteers.models import StaffRole

pytestmark = pytest.mark.django_db
URL = "/api/v1/playbooks/pandemic/"


@pytest.fixture
def manager(brum_aid):
    """Cam, a campaign manager of Brum Aid."""
    return StaffRoleFactory(
        user=UserFactory(username="cam"), organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER
    ).user


@pytest.fixture
def version() -> PlaybookVersion:
    playbook = PlaybookFactory(slug="pandemic", title="Pandemic")
    return PlaybookVersion.objects.create(
        playbook=playbook,
        number=1,
        steps=[{"title": "Wake the organisers", "detail": "", "role": "Campaign manager"}],
        roles=[{"name": "Campaign manager", "duties": "Runs it"}],
        templates=TEMPLATES,
        targeting={"skills": ["shopping"], "radius_km": 3},
        wave_rules={"first_wave": 30},
    )


def whole(version: PlaybookVersion, **changes) -> dict:
    body = {k: getattr(version, k) for k in ("steps", "roles", "templates", "targeting", "wave_rules")}
    return {**body, "change_note": "Edited by API", **changes}


def test_a_campaign_manager_puts_a_new_version_and_the_run_one_is_unchanged(api, manager, version):
    CampaignFactory(playbook_version=version)
    response = api.as_(manager).put(URL, whole(version, wave_rules={"first_wave": 10}), format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["current_version"] == 2 and body["versions"] == [2, 1]
    assert body["version"]["wave_rules"] == {"first_wave": 10}
    assert body["version"]["change_note"] == "Edited by API"
    version.refresh_from_db()
    assert version.wave_rules == {"first_wave": 30}


def test_a_patch_changes_only_what_it_names(api, manager, version):
    response = api.as_(manager).patch(
        URL, {"targeting": {"skills": ["driving"]}, "change_note": "Drivers"}, format="json"
    )
    assert response.status_code == 200
    v2 = version.playbook.versions.get(number=2)
    assert v2.targeting == {"skills": ["driving"]}
    assert (v2.steps, v2.templates, v2.wave_rules) == (version.steps, version.templates, version.wave_rules)


def test_a_patch_that_changes_nothing_makes_no_version(api, manager, version):
    response = api.as_(manager).patch(
        URL, {"wave_rules": {"first_wave": 30}, "change_note": "same"}, format="json"
    )
    assert response.status_code == 200 and response.json()["current_version"] == 1


def test_a_bad_edit_is_refused_with_every_problem_named(api, manager, version):
    templates = {"en": {"volunteer_call": "Help {area}?"}}
    response = api.as_(manager).patch(
        URL, {"templates": templates, "wave_rules": {"first_wave": -1}, "change_note": "x"}, format="json"
    )
    assert response.status_code == 400
    text = str(response.json())
    assert "must say who it is from" in text and "opt out" in text and "first_wave" in text
    assert version.playbook.versions.count() == 1


def test_a_change_note_is_required(api, manager, version):
    response = api.as_(manager).patch(URL, {"wave_rules": {"first_wave": 5}}, format="json")
    assert response.status_code == 400
    assert "change_note" in response.json()["error"]["fields"]


def test_an_edit_against_an_old_version_is_refused_as_a_conflict(api, manager, version):
    playbook_update(
        playbook=version.playbook, user=manager, wave_rules={"first_wave": 5}, change_note="first"
    )
    response = api.as_(manager).patch(
        URL, {"wave_rules": {"first_wave": 7}, "change_note": "late", "based_on_version": 1}, format="json"
    )
    assert response.status_code == 409
    assert "saved version 2" in response.json()["error"]["message"]
    assert version.playbook.versions.count() == 2


@pytest.mark.parametrize("who", ["coordinator", "viewer"])
def test_coordinators_and_viewers_read_playbooks_but_cannot_change_them(api, request, version, who):
    client = api.as_(request.getfixturevalue(who))
    assert client.get(URL).status_code == 200
    response = client.patch(URL, {"wave_rules": {"first_wave": 5}, "change_note": "x"}, format="json")
    assert response.status_code == 403
    assert version.playbook.versions.count() == 1


def test_someone_signed_out_neither_reads_nor_changes(api, version):
    assert api.get(URL).status_code in (401, 403)
    assert api.put(URL, whole(version), format="json").status_code in (401, 403)
    assert version.playbook.versions.count() == 1


def test_the_schema_documents_put_and_patch(api, viewer):
    schema = api.as_(viewer).get("/api/v1/schema/", {"format": "json"}).json()
    operations = schema["paths"]["/api/v1/playbooks/{slug}/"]
    assert {"get", "put", "patch"} <= set(operations)
    assert "new version" in operations["put"]["summary"]
    assert "delete" not in operations

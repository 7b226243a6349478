"""Playbooks and campaigns through the API, as the named people see them."""

from __future__ import annotations

import pytest

from reactivation.models import Campaign
from tests.factories import (
    CampaignFactory,
    MembershipFactory,
    MutualAidGroupFactory,
    PlaybookVersionFactory,
    StaffRoleFactory,
    UserFactory,
    VolunteerFactory,
)
from volunteers.models import AuditEvent, MutualAidGroup, StaffRole, Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaigner(brum_aid):
    """A campaign manager of Brum Aid, which covers Birmingham only."""
    return StaffRoleFactory(
        user=UserFactory(username="cam"), organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER
    ).user


@pytest.fixture
def playbook():
    return PlaybookVersionFactory(playbook__slug="pandemic-food").playbook


@pytest.fixture
def dormant_group(brum_aid):
    group = MutualAidGroupFactory(organisation=brum_aid, status=MutualAidGroup.Status.DORMANT)
    for i in range(3):
        MembershipFactory(
            group=group, volunteer=VolunteerFactory(name=f"Dormant {i}", status=Volunteer.Status.DORMANT)
        )
    return group


def campaign_request(**overrides):
    return {
        "playbook": "pandemic-food",
        "area": {"local_authorities": ["Birmingham"]},
        "dry_run": True,
        **overrides,
    }


def test_playbooks_are_listed_and_read_by_slug(api, viewer, playbook):
    client = api.as_(viewer)
    assert [p["slug"] for p in client.get("/api/v1/playbooks/").json()["results"]] == ["pandemic-food"]
    body = client.get("/api/v1/playbooks/pandemic-food/").json()
    assert body["current_version"] == 1
    assert "volunteer_call" in body["version"]["templates"]["en"]


def test_a_dry_run_writes_nothing(api, campaigner, playbook, dormant_group):
    response = api.as_(campaigner).post("/api/v1/campaigns/", campaign_request(), format="json")
    assert response.status_code == 200, response.json()
    report = response.json()["report"]
    assert "contact_total" in report and "left_out" in report and "estimated_cost_pence" in report
    assert not Campaign.objects.exists()


def test_a_campaign_manager_cannot_campaign_outside_the_areas_their_organisation_covers(
    api, campaigner, playbook
):
    request = campaign_request(area={"local_authorities": ["Birmingham", "Sandwell"]}, dry_run=False)
    response = api.as_(campaigner).post("/api/v1/campaigns/", request, format="json")
    assert response.status_code == 403
    assert not Campaign.objects.exists()
    assert not AuditEvent.objects.filter(action="campaign.start").exists()


def test_a_coordinator_or_viewer_cannot_start_a_campaign(api, coordinator, viewer, playbook):
    assert (
        api.as_(coordinator)
        .post("/api/v1/campaigns/", campaign_request(dry_run=False), format="json")
        .status_code
        == 403
    )
    assert api.as_(viewer).post("/api/v1/campaigns/", campaign_request(), format="json").status_code == 403
    assert not Campaign.objects.exists()


def test_starting_a_campaign_is_audited_and_its_progress_readable(
    api, campaigner, viewer, playbook, dormant_group
):
    client = api.as_(campaigner)
    plan_id = client.post("/api/v1/campaigns/", campaign_request(), format="json").json()["report"]["plan_id"]
    response = client.post(
        "/api/v1/campaigns/", campaign_request(dry_run=False, dry_run_plan=plan_id), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] in ("running", "awaiting_approval")
    assert body["playbook"] == "pandemic-food"
    if body["status"] == "running":
        assert AuditEvent.objects.filter(action="campaign.start", actor=campaigner).exists()
    progress = api.as_(viewer).get(f"/api/v1/campaigns/{body['id']}/").json()["progress"]
    assert {"ready", "contacted", "by_wave", "by_local_authority"} <= set(progress)


def test_a_viewer_cannot_pause_or_cancel(api, viewer, brum_aid):
    campaign = CampaignFactory(organisation=brum_aid, status=Campaign.Status.RUNNING)
    assert api.as_(viewer).post(f"/api/v1/campaigns/{campaign.id}/pause/").status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == "running"


def test_another_organisations_campaign_is_invisible(api, other_coordinator, brum_aid):
    campaign = CampaignFactory(organisation=brum_aid)
    client = api.as_(other_coordinator)
    assert client.get("/api/v1/campaigns/").json()["results"] == []
    assert client.get(f"/api/v1/campaigns/{campaign.id}/").status_code == 404


def test_a_campaign_manager_pauses_and_cancels_their_campaign(api, campaigner, brum_aid):
    campaign = CampaignFactory(organisation=brum_aid, status=Campaign.Status.RUNNING)
    client = api.as_(campaigner)
    assert client.post(f"/api/v1/campaigns/{campaign.id}/pause/").json()["status"] == "paused"
    assert client.post(f"/api/v1/campaigns/{campaign.id}/cancel/").json()["status"] == "cancelled"
    again = client.post(f"/api/v1/campaigns/{campaign.id}/pause/")
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid"


def test_the_campaign_list_costs_the_same_queries_for_one_or_twenty(
    api, campaigner, brum_aid, django_assert_num_queries
):
    from volunteers.permissions import roles_forget

    client = api.as_(campaigner)
    CampaignFactory(organisation=brum_aid)
    with django_assert_num_queries(3):
        assert len(client.get("/api/v1/campaigns/").json()["results"]) == 1
    CampaignFactory.create_batch(19, organisation=brum_aid)
    roles_forget(campaigner)
    with django_assert_num_queries(3):
        assert len(client.get("/api/v1/campaigns/").json()["results"]) == 20


def test_we_have_enough_through_the_api_ends_a_running_campaign_once(api, campaigner, viewer, brum_aid):
    campaign = CampaignFactory(organisation=brum_aid, status=Campaign.Status.RUNNING)
    assert api.as_(viewer).post(f"/api/v1/campaigns/{campaign.id}/enough/").status_code == 403
    body = api.as_(campaigner).post(f"/api/v1/campaigns/{campaign.id}/enough/").json()
    assert body["status"] == "completed" and body["stood_down_at"]
    assert body["stop_reason"].startswith("We have enough")
    again = api.as_(campaigner).post(f"/api/v1/campaigns/{campaign.id}/enough/")
    assert again.status_code == 400

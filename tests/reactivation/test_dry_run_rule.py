"""A dry run always comes first: on the web a campaign is a draft holding its dry run before it can
start; the API refuses a start without a dry run of the current plan, with a clear 400."""

import pytest
from rest_framework.test import APIClient

from messaging.models import OutboundMessage
from reactivation.models import Campaign, PlaybookVersion
from tests.factories import CampaignFactory
from tests.reactivation.conftest import dormant, dormant_group

pytestmark = pytest.mark.django_db

AREA = {"local_authorities": ["Birmingham"]}


def request(**overrides):
    return {"playbook": "pandemic", "area": AREA, "dry_run": True, **overrides}


@pytest.fixture
def api():
    client = APIClient()

    def as_(user):
        client.force_authenticate(user=user)
        return client

    client.as_ = as_
    return client


@pytest.fixture
def people():
    people = dormant(4)
    dormant_group(organiser=people[0])
    return people


def test_the_api_refuses_a_start_without_a_dry_run(api, manager, version, people):
    response = api.as_(manager).post("/api/v1/campaigns/", request(dry_run=False), format="json")
    assert response.status_code == 400
    assert "A campaign starts only after a dry run of its plan" in response.json()["error"]["message"]
    assert not Campaign.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_the_api_starts_after_a_dry_run_of_the_same_plan(api, manager, version, people):
    client = api.as_(manager)
    dry = client.post("/api/v1/campaigns/", request(), format="json").json()
    assert dry["dry_run"] is True and dry["report"]["plan_id"]
    started = client.post(
        "/api/v1/campaigns/", request(dry_run=False, dry_run_plan=dry["report"]["plan_id"]), format="json"
    )
    assert started.status_code == 201, started.json()
    assert started.json()["status"] == "running"


def test_the_api_refuses_a_dry_run_of_another_plan(api, manager, version, people):
    client = api.as_(manager)
    plan_id = client.post("/api/v1/campaigns/", request(), format="json").json()["report"]["plan_id"]
    # Another target is another plan...
    other = client.post(
        "/api/v1/campaigns/", request(dry_run=False, dry_run_plan=plan_id, target_ready=2), format="json"
    )
    assert (
        other.status_code == 400
        and "The plan has changed since that dry run" in other.json()["error"]["message"]
    )
    # ...and so is a new version of the playbook saved since the dry run.
    PlaybookVersion.objects.create(
        playbook=version.playbook, number=2, templates=version.templates, wave_rules=version.wave_rules
    )
    edited = client.post("/api/v1/campaigns/", request(dry_run=False, dry_run_plan=plan_id), format="json")
    assert edited.status_code == 400
    assert not Campaign.objects.exists()


def test_a_draft_holds_its_dry_run_and_starts_from_it(api, manager, version, people):
    client = api.as_(manager)
    draft = client.post("/api/v1/campaigns/", request(dry_run=False, start=False), format="json").json()
    assert draft["status"] == "draft" and draft["dry_run_report"]["contact_total"] == 4
    assert client.post(f"/api/v1/campaigns/{draft['id']}/start/").json()["status"] == "running"


def test_a_campaign_without_a_dry_run_never_starts(api, client, manager, version, brum_aid):
    campaign = CampaignFactory(organisation=brum_aid, playbook_version=version, dry_run_report={})
    response = api.as_(manager).post(f"/api/v1/campaigns/{campaign.pk}/start/")
    assert response.status_code == 400 and "dry run first" in response.json()["error"]["message"]
    client.force_login(manager)
    page = client.post(f"/campaigns/{campaign.pk}/start/", follow=True).content.decode()
    assert "Look at the dry run first" in page
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT


def test_on_the_web_the_dry_run_is_shown_before_the_start_button(client, manager, version, people):
    client.force_login(manager)
    response = client.post(
        "/campaigns/new/",
        {
            "organisation": "brum-aid",
            "playbook": "pandemic",
            "area_kind": "local_authorities",
            "local_authorities": ["Birmingham"],
            "spend_cap_pounds": "50",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Dry run: what it would do" in page and "Start the campaign" in page
    assert Campaign.objects.get().status == Campaign.Status.DRAFT
    assert not OutboundMessage.objects.exists()

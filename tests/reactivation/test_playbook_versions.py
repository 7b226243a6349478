import json

import pytest

from operations.demo.playbooks import PLAYBOOK_DIR
from reactivation.models import Campaign, Playbook
from reactivation.selectors.playbooks import playbook_versions
from reactivation.services.playbooks import (
    PlaybookInvalid,
    playbook_create,
    playbook_export,
    playbook_import,
    playbook_update,
)
from tests.factories import CampaignFactory
from tests.reactivation.conftest import TEMPLATES

pytestmark = pytest.mark.django_db


def make(user):
    return playbook_create(
        user=user,
        title="Heatwave check-ins",
        crisis_type="heatwave",
        summary="Phone older neighbours daily.",
        steps=[{"title": "Call the organisers", "detail": "", "role": "Campaign manager"}],
        roles=[{"name": "Campaign manager", "duties": "Runs it"}],
        templates=TEMPLATES,
        wave_rules={"first_wave": 20},
    )


def test_editing_content_adds_a_version_and_the_campaign_keeps_the_one_it_ran(manager):
    playbook = make(manager)
    v1 = playbook.current_version
    campaign = CampaignFactory(playbook_version=v1)

    v2 = playbook_update(playbook=playbook, user=manager, wave_rules={"first_wave": 40}, change_note="Bigger")

    assert (v1.number, v2.number) == (1, 2)
    campaign.refresh_from_db()
    assert campaign.playbook_version.wave_rules == {"first_wave": 20}  # the old version is still readable
    assert [v.number for v in playbook_versions(playbook=playbook)] == [2, 1]
    assert v2.created_by == manager and v2.change_note == "Bigger"


def test_editing_only_the_title_makes_no_new_version(manager):
    playbook = make(manager)
    assert playbook_update(playbook=playbook, user=manager, title="Heat and cold") is None
    playbook.refresh_from_db()
    assert playbook.title == "Heat and cold" and playbook.versions.count() == 1


def test_export_then_import_elsewhere_round_trips(manager):
    playbook = make(manager)
    document = json.loads(json.dumps(playbook_export(playbook=playbook)))
    Campaign.objects.all().delete()
    Playbook.objects.all().delete()

    imported = playbook_import(document=document)

    assert playbook_export(playbook=imported) == document
    assert playbook_import(document=document).versions.count() == 1  # same again adds nothing


def test_a_changed_import_adds_a_version(manager):
    document = playbook_export(playbook=make(manager))
    document["steps"].append({"title": "Thank everyone", "detail": "", "role": "Coordinator"})
    assert playbook_import(document=document).current_version.number == 2


def test_demo_playbooks_pass_the_rules():
    for path in sorted(PLAYBOOK_DIR.glob("*.json")):
        playbook_import(document=json.loads(path.read_text()))
    assert Playbook.objects.count() == 3


def test_a_bad_document_is_refused_whole_with_every_problem():
    with pytest.raises(PlaybookInvalid) as caught:
        playbook_import(
            document={
                "slug": "Bad Slug",
                "title": "",
                "crisis_type": "zombies",
                "summary": "x",
                "templates": {},
            }
        )
    text = " ".join(caught.value.messages)
    assert "slug" in text and "title is required" in text and "zombies" in text and "templates" in text
    assert not Playbook.objects.exists()

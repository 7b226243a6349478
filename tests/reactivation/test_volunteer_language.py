"""A campaign text goes in the volunteer's preferred language when the playbook has it in it, and
in the campaign's (here English) otherwise."""

import pytest

from messaging.models import OutboundMessage
from reactivation.models import PlaybookVersion
from reactivation.services.campaign_lifecycle import campaign_create, campaign_start
from reactivation.services.campaign_sending import campaign_advance
from tests.reactivation.conftest import CIRCLE, TEMPLATES, dormant

pytestmark = pytest.mark.django_db

PUNJABI = (
    "{sender}: {area} vich gavandhiaan nu madad di lorh hai. READY jaan NOT NOW likho. Reply STOP to opt out"
)


@pytest.fixture
def bilingual(version: PlaybookVersion) -> PlaybookVersion:
    version.templates = {**TEMPLATES, "pa": {"volunteer_call": PUNJABI}}
    version.wave_rules = {**version.wave_rules, "first_wave": 10}
    version.save()
    return version


def body_for(volunteer) -> str:
    return OutboundMessage.objects.get(volunteer=volunteer).body


def test_each_volunteer_gets_the_call_in_their_language_or_english(manager, bilingual):
    punjabi_first, english_first, somali, nothing_said = dormant(4)
    for person, languages in [
        (punjabi_first, ["pa", "en"]),
        (english_first, ["en", "pa"]),
        (somali, ["so"]),
        (nothing_said, []),
    ]:
        person.languages = languages
        person.preferred_language = languages[0] if languages else "en"
        person.save()
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=bilingual, area=CIRCLE, target_ready=4), user=manager
    )
    campaign_advance(campaign_id=campaign.pk)
    assert "gavandhiaan nu madad" in body_for(punjabi_first)
    for person in (english_first, somali, nothing_said):
        assert body_for(person).startswith("Brum Aid: neighbours in")

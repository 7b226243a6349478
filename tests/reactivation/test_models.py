import pytest
from django.db import IntegrityError

from tests.factories import CampaignRecipientFactory, PlaybookVersionFactory

pytestmark = pytest.mark.django_db


def test_a_volunteer_has_one_row_per_campaign():
    row = CampaignRecipientFactory()
    with pytest.raises(IntegrityError):
        CampaignRecipientFactory(campaign=row.campaign, volunteer=row.volunteer)


def test_playbook_version_numbers_are_unique_per_playbook():
    version = PlaybookVersionFactory(number=1)
    with pytest.raises(IntegrityError):
        PlaybookVersionFactory(playbook=version.playbook, number=1)

"""Unknown consent counts as stale (issue 14): someone imported without a consent date is asked to
re-consent before any call, and their READY records consent now, in the words they answered."""

from __future__ import annotations

import pytest
from django.utils import timezone
from twilio.request_validator import RequestValidator

from messaging.models import OutboundMessage
from reactivation.models import CampaignRecipient
from reactivation.services.campaign_lifecycle import campaign_create, campaign_start
from reactivation.services.campaign_sending import campaign_advance
from tests.factories import local_authority
from tests.reactivation.conftest import CIRCLE, SPARKBROOK
from volunteers.importing.volunteer_import import volunteers_import
from volunteers.models import Postcode, Volunteer

pytestmark = pytest.mark.django_db
INBOUND = "/sms/twilio/inbound/"


@pytest.fixture
def imported(db):
    """Imran, from a 2020 list with no consent columns, dormant since."""
    Postcode.objects.create(
        postcode="B11 1AA",
        district="B11",
        latitude=SPARKBROOK[0],
        longitude=SPARKBROOK[1],
        local_authority=local_authority(),
    )
    content = f"name,phone,latitude,longitude,skills,status\nImran Iqbal,07700900444,{SPARKBROOK[0]},{SPARKBROOK[1]},shopping,dormant\n"
    volunteers_import(data=content.encode(), source="sparkbrook-2020.csv")
    return Volunteer.objects.get(phone="+447700900444")


def ready_by_text(client, settings, django_capture_on_commit_callbacks, phone):
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.PUBLIC_BASE_URL = "http://testserver"
    params = {"MessageSid": "SMready1", "From": phone, "To": "+447700900000", "Body": "READY"}
    sig = RequestValidator("test-auth-token").compute_signature("http://testserver" + INBOUND, params)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=sig).status_code == 200


def test_an_imported_person_is_asked_to_re_consent_first_and_ready_records_it(
    client, settings, django_capture_on_commit_callbacks, manager, version, imported
):
    assert (imported.consent_at, imported.status) == (None, "dormant")
    campaign = campaign_create(user=manager, playbook=version, area=CIRCLE)
    assert campaign.dry_run_report["reconsent_first"] == 1
    campaign = campaign_start(campaign=campaign, user=manager)
    campaign_advance(campaign_id=campaign.pk)
    (asked,) = OutboundMessage.objects.filter(to=imported.phone)
    assert asked.purpose == "campaign_reconsent" and "may we still text you" in asked.body

    before = timezone.now()
    ready_by_text(client, settings, django_capture_on_commit_callbacks, imported.phone)
    imported.refresh_from_db()
    assert imported.consent_at >= before and imported.consent_channel == "sms"
    assert imported.consent_text.startswith(asked.body)  # the words of the text they answered
    row = CampaignRecipient.objects.get(campaign=campaign, volunteer=imported)
    # READY to the re-consent text is their answer to the campaign too: no second "reply READY".
    assert row.state == CampaignRecipient.State.READY
    campaign_advance(campaign_id=campaign.pk)
    assert OutboundMessage.objects.filter(to=imported.phone, purpose__startswith="campaign_").count() == 1

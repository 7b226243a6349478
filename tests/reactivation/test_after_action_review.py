import pytest
from django.core.exceptions import ValidationError

from needs.models import Offer
from reactivation.services.campaign_lifecycle import campaign_cancel, campaign_create, campaign_start
from reactivation.services.campaign_sending import campaign_advance
from reactivation.services.playbooks import review_append
from reactivation.services.replies import reply_record
from tests.factories import OfferFactory
from tests.reactivation.conftest import CIRCLE, dormant

pytestmark = pytest.mark.django_db


def test_the_review_lands_in_the_playbooks_lessons_with_the_numbers_filled_in(manager, version):
    people = dormant(5)
    campaign = campaign_start(
        campaign=campaign_create(user=manager, playbook=version, area=CIRCLE), user=manager
    )
    campaign_advance(campaign_id=campaign.pk)
    reply_record(phone=people[0].phone, ready=True)
    reply_record(phone=people[1].phone, ready=False)
    OfferFactory(volunteer=people[0], status=Offer.Status.ACCEPTED, responded_at=campaign.started_at)

    with pytest.raises(ValidationError, match="once the campaign has finished"):
        review_append(campaign=campaign, user=manager, what_worked="x", what_did_not="y")
    campaign = campaign_cancel(campaign=campaign, user=manager)
    review = review_append(
        campaign=campaign,
        user=manager,
        what_worked="Organisers answered within the hour.",
        what_did_not="Texts at 8am were ignored.",
        change_next_time="Send at 10am.",
    )

    assert list(version.playbook.lessons.all()) == [review]
    figures = review.figures
    assert (figures["contacted"], figures["ready"], figures["not_now"], figures["deployed"]) == (2, 1, 1, 1)
    assert figures["ready_rate"] == 0.5 and figures["playbook_version"] == 1
    # The third text was still in the outbox at the cancel: withdrawn, refunded, not counted.
    assert figures["spent_pence"] == 8 and figures["left_out"] == 1
    assert figures["stop_reason"] == "Cancelled by cam"

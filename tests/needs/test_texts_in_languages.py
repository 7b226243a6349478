"""Every text about a need in its reader's language: the offer, the details to the one who
accepted, a withdrawal and the follow-up in the volunteer's preferred language, and "help is on
its way" in the requester's (the need's language when it is one of ours, else English); each with
the phone line to call, the reply words in Latin capitals, and its segments counted as sent."""

from __future__ import annotations

import pytest
from django.utils import translation

from messaging.encoding import GSM7, UCS2, sms_segments
from messaging.models import OutboundMessage
from needs import texts
from needs.models import Offer
from needs.services.claim import offer_accept
from needs.services.lifecycle import need_cancel
from needs.services.offers import offers_make
from tests.factories import BIRMINGHAM, NeedFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
LAT, LON = BIRMINGHAM
CALL_EN = "To hear this, call 0121 496 0000."
CALL_PL = "Aby to odsłuchać, zadzwoń pod 0121 496 0000."
CALL_UR = "سننے کے لیے 0121 496 0000 پر کال کریں۔"  # noqa: RUF001 (Urdu full stop)


@pytest.fixture(autouse=True)
def phone_line(settings):
    settings.PHONE_LINE_NUMBER = "+441214960000"


def person(language: str, km: float):
    return VolunteerFactory(
        preferred_language=language, skills=["shopping"], latitude=LAT + km / 111.32, longitude=LON
    )


def body(purpose: str, volunteer) -> OutboundMessage:
    return OutboundMessage.objects.get(purpose=purpose, to=volunteer.phone)


def test_a_polish_volunteer_gets_a_polish_offer_and_an_urdu_one_an_urdu_offer(brum_aid):
    english, polish, urdu = person("en", 0.2), person("pl", 0.4), person("ur", 0.6)
    need = NeedFactory(organisation=brum_aid, latitude=LAT, longitude=LON, summary="Bread and milk")
    assert len(offers_make(need=need, count=3)) == 3
    ref = need.ref

    en = body("offer", english)
    assert en.body.startswith(f"Rekindle: can you help? {ref} Shopping, near ")
    assert en.body.endswith(CALL_EN) and en.encoding == GSM7

    pl = body("offer", polish)
    assert pl.body.startswith(f"Rekindle: czy możesz pomóc? {ref} Zakupy, blisko ")
    assert f"Odpisz YES {ref} lub NO {ref} w ciągu" in pl.body and pl.body.endswith(CALL_PL)

    ur = body("offer", urdu)
    assert ur.body.startswith(f"Rekindle: کیا آپ مدد کر سکتے ہیں؟ {ref} خریداری")
    assert f"YES {ref} یا NO {ref} لکھیں" in ur.body and ur.body.endswith(CALL_UR)
    assert "Bread and milk" in ur.body  # the coordinator's words go as typed

    # Letters outside GSM-7 (ż, Urdu script): UCS-2, 70 characters a segment (67 when split).
    for sms in (pl, ur):
        info = sms_segments(sms.body)
        assert sms.encoding == UCS2 == info.encoding
        assert sms.segments == info.segments == -(-len(sms.body) // 67)
        assert 2 <= sms.segments <= texts.MAX_OFFER_SEGMENTS * texts.UCS2_SEGMENTS_PER_GSM
    assert en.segments == sms_segments(en.body).segments <= texts.MAX_OFFER_SEGMENTS


def test_the_details_go_to_the_urdu_winner_in_urdu_and_a_withdrawal_to_the_polish_one_in_polish(brum_aid):
    urdu, polish = person("ur", 0.2), person("pl", 0.4)
    need = NeedFactory(organisation=brum_aid, latitude=LAT, longitude=LON, requester_name="Edna Example")
    offers = {o.volunteer_id: o for o in offers_make(need=need, count=2)}
    OutboundMessage.objects.filter(purpose="offer").update(state=OutboundMessage.State.SENT)  # they arrived
    offer_accept(offer=offers[urdu.pk], channel=Offer.Channel.SMS)

    details = body("offer_accepted", urdu).body
    assert details.startswith(f"Rekindle: شکریہ، {need.ref} آپ کا ہے۔ Edna Example")  # noqa: RUF001
    assert f"DONE {need.ref}" in details and details.endswith(CALL_UR)
    withdrawn = body("offer_withdrawn", polish).body
    assert withdrawn == (
        f"Rekindle: {need.ref} zostało wzięte przez innego wolontariusza. Dziękujemy za gotowość do pomocy. "
        f"Nie trzeba odpisywać. {CALL_PL}"
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pl",
            f"Rekindle: pomoc jest w drodze. Priya przyjdzie o dowolnej porze. {CALL_PL} Odpisz STOP, aby zrezygnować.",
        ),
        (
            "so",
            f"Rekindle: help is on its way. Priya will come any time. {CALL_EN} Reply STOP to opt out.",
        ),  # not ours
        ("", f"Rekindle: help is on its way. Priya will come any time. {CALL_EN} Reply STOP to opt out."),
    ],
)
def test_the_requester_hears_help_is_coming_in_the_needs_language_when_it_is_ours(
    brum_aid, language, expected
):
    priya = VolunteerFactory(
        name="Priya Patel",
        preferred_language="ur",
        languages=["en", language] if language else ["en"],  # the need asks for someone who speaks it
        skills=["shopping"],
        latitude=LAT,
        longitude=LON,
    )
    need = NeedFactory(
        organisation=brum_aid, latitude=LAT, longitude=LON, language=language, requester_consents_to_sms=True
    )
    offer = offers_make(need=need, count=1)[0]
    assert offer.volunteer_id == priya.pk
    offer_accept(offer=offer, channel=Offer.Channel.WEB)
    coming = OutboundMessage.objects.get(purpose="requester_help_coming").body
    assert coming == expected


def test_a_cancelled_need_is_explained_in_each_volunteers_language(brum_aid, coordinator):
    polish = person("pl", 0.2)
    need = NeedFactory(organisation=brum_aid, latitude=LAT, longitude=LON)
    offers_make(need=need, count=1)
    OutboundMessage.objects.filter(purpose="offer").update(state=OutboundMessage.State.SENT)
    need_cancel(need=need, actor=coordinator, reason="family helped")
    assert body("offer_withdrawn", polish).body.startswith(
        f"Rekindle: {need.ref} nie jest już potrzebne (odwołane)."
    )


def test_without_a_phone_line_no_number_is_named(settings):
    settings.PHONE_LINE_NUMBER = ""
    with translation.override("pl"):
        assert texts.followup_text(sender="Rekindle", ref="7KQ2").endswith("koordynator to przeczyta.")

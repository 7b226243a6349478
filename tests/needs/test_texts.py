"""The needs app's texts keep every letter: names, addresses and details in any script arrive as
typed; a summary that must be short loses whole words from its end, never letters."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from messaging import transports
from messaging.encoding import GSM7, UCS2, sms_normalise, sms_segments
from messaging.models import OutboundMessage
from needs import texts
from needs.models import Need
from tests.factories import NeedFactory, OfferFactory, VolunteerFactory
from tests.needs.sms_support import text_in

ZOE_NAME = "Zoë Łukasiewicz"
ZOE_ADDRESS = "Flat 2, Ćwik Court, 5 Łąka Road"
URDU_NAME = "زینب بی بی"
PUNJABI_DETAILS = "ਗੁਰਪ੍ਰੀਤ ਕੌਰ ਨੂੰ ਦਵਾਈ ਚਾਹੀਦੀ ਹੈ, ਦਰਵਾਜ਼ਾ ਦੋ ਵਾਰ ਖੜਕਾਓ"
LINK = "https://rekindle.example/o/abcdefghijklmnopqrstuvwxyz012345/"


def accepted(**kwargs):
    values = dict(
        sender="Rekindle",
        ref="7KQ2",
        requester_name=ZOE_NAME,
        requester_phone="07700 900001",
        address=ZOE_ADDRESS,
        postcode="B11 1AA",
        details="Ring twice.",
        window="any time",
        link=LINK,
    )
    return texts.accepted_text(**{**values, **kwargs})


def offer(summary: str) -> str:
    return texts.offer_text(
        sender="Rekindle",
        ref="7KQ2",
        category="Shopping",
        summary=summary,
        district="B11",
        distance_km=1.2,
        window="any time",
        link=LINK,
        minutes_to_reply=60,
    )


def test_the_accepters_text_carries_a_polish_name_and_address_letter_for_letter():
    body = accepted()
    assert ZOE_NAME in body and ZOE_ADDRESS in body
    assert sms_segments(body).encoding == UCS2


def test_a_name_in_urdu_and_details_in_punjabi_arrive_whole():
    body = accepted(requester_name=URDU_NAME, details=PUNJABI_DETAILS)
    assert URDU_NAME in body and PUNJABI_DETAILS in body


def test_smart_punctuation_is_swapped_and_nothing_else_changes():
    body = accepted(requester_name="Mary O\u2019Neill", address="12 \u201cThe Willows\u201d", details="")
    assert "Mary O'Neill" in body and '12 "The Willows"' in body
    assert sms_segments(body).encoding == GSM7


def test_a_brace_in_an_address_is_a_character_like_any_other():
    body = accepted(address="Flat {2}, 5 Łąka Road")
    assert "Flat {2}, 5 Łąka Road" in body


def test_help_coming_and_withdrawn_texts_keep_the_letters():
    assert "Łukasz will come" in texts.help_coming_text(
        sender="Rekindle", volunteer_first_name="Łukasz", window="today"
    )
    assert "Ćwik" in texts.withdrawn_text(sender="Ćwik Aid", ref="7KQ2", reason="has been taken")


def test_a_long_summary_in_punjabi_is_shortened_by_whole_words():
    summary = " ".join([PUNJABI_DETAILS] * 6)
    body = offer(summary)
    shown = body.split("(1.2 km). ", 1)[1].split("... When:", 1)[0]
    assert shown and summary.startswith(shown)
    assert summary[len(shown)] == " "  # it stopped between two words
    info = sms_segments(body)
    assert info.encoding == UCS2 and info.segments <= texts.MAX_OFFER_SEGMENTS * texts.UCS2_SEGMENTS_PER_GSM


def test_a_summary_that_fits_is_shown_whole_and_an_english_one_stays_gsm7_in_two_segments():
    assert "Zoë needs milk." in offer("Zoë needs milk")
    body = offer("Weekly shop, heavy bags, two trips to the big supermarket on the ring road " * 4)
    assert sms_segments(body).encoding == GSM7 and sms_segments(body).segments <= 2
    assert "..." in body


words = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="\u200b\ufeff"
    ),
    min_size=1,
    max_size=12,
)
phrases = st.lists(words, min_size=1, max_size=30).map(" ".join)


def shown_part(body: str, *, after: str, before: str) -> str:
    return body.split(after, 1)[1].split(before, 1)[0].strip()


def assert_whole_words(shown: str, text: str) -> None:
    """``shown`` is ``text`` (perhaps with a full stop), or its first words and "...", or nothing."""
    if shown.endswith("..."):
        kept = shown[:-3]
        assert text.startswith(kept) and text[len(kept)] == " "
    elif shown:
        assert shown in (text, text + ".")


@settings(deadline=None)
@given(name=phrases, address=phrases, details=phrases)
def test_any_name_address_and_details_arrive_whole(name, address, details):
    body = accepted(requester_name=name, address=address, details=details, postcode="")
    assert f"is yours. {sms_normalise(name)}, 07700 900001. {sms_normalise(address)}. When:" in body
    assert_whole_words(
        shown_part(body, after="When: any time.", before=" Reply DONE"), sms_normalise(details)
    )


@settings(deadline=None)
@given(summary=phrases)
def test_any_offer_summary_is_a_run_of_whole_words(summary):
    body = offer(summary)
    assert_whole_words(shown_part(body, after="(1.2 km).", before=" When: any time."), sms_normalise(summary))
    info = sms_segments(body)
    limit = texts.MAX_OFFER_SEGMENTS * (1 if info.encoding == GSM7 else texts.UCS2_SEGMENTS_PER_GSM)
    assert info.segments <= limit


# --- end to end: YES through the signed webhook, the text as the transport sent it -------------------
@pytest.mark.django_db
def test_the_accepter_gets_zoes_name_and_address_as_typed(client, sms):
    need = NeedFactory(
        status=Need.Status.OFFERED,
        requester_name=ZOE_NAME,
        requester_address=ZOE_ADDRESS,
        details=PUNJABI_DETAILS,
    )
    volunteer = VolunteerFactory(name="Amrit Kaur")
    OfferFactory(need=need, volunteer=volunteer, expires_at=timezone.now() + timedelta(hours=1))
    assert text_in(client, sms, phone=volunteer.phone, body=f"yes {need.ref}", sid="SMzoe").status_code == 200
    sent = [m.body for m in transports.outbox if m.to == volunteer.phone and "thank you, " in m.body]
    assert len(sent) == 1
    assert f"{ZOE_NAME}, " in sent[0] and ZOE_ADDRESS in sent[0] and PUNJABI_DETAILS in sent[0]
    stored = OutboundMessage.objects.get(purpose="offer_accepted")
    assert stored.body == sent[0] and stored.encoding == UCS2

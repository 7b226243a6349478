"""/join/ (issue 13): the same answer whatever a number's history, and the code's tries counted
atomically, so that many requests at once cannot try more than five codes."""

from __future__ import annotations

import copy
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import Client, RequestFactory

from messaging.models import OutboundMessage
from messaging.services import optout_record
from operations.data_rights import person_erase
from tests.factories import VolunteerFactory, local_authority
from volunteers import join_views, signup
from volunteers.models import Postcode, Volunteer

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Priya Patel",
    "postcode": "B1 1AA",
    "languages": ["en"],
    "max_travel_km": "3",
    "consent": "on",
}


@pytest.fixture(autouse=True)
def postcode(db):
    Postcode.objects.create(
        postcode="B1 1AA",
        district="B1",
        latitude=52.4796,
        longitude=-1.9026,
        local_authority=local_authority(),
    )


def answer_for(phone: str) -> str:
    """What a stranger sees after asking for a code for ``phone``: the page, with the number (which
    they typed themselves) and the form's CSRF token taken out."""
    response = Client().post("/join/", {**FORM, "phone": phone}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    digits = phone.removeprefix("+44")
    return html.replace(f"0{digits[:4]} {digits[4:]}", "THE NUMBER")


def test_join_answers_the_same_whatever_the_number_s_history():
    VolunteerFactory(phone="+447700900002")  # already on the register
    optout_record(phone="+447700900003", source="sms", keyword="STOP")  # texted STOP
    VolunteerFactory(phone="+447700900004")
    person_erase(phone="+447700900004")  # erased on request
    cache.set("join:sends:+447700900005", 99, timeout=3600)  # had many codes this hour
    fresh = answer_for("+447700900001")
    assert "If <strong>THE NUMBER</strong> can take our texts" in fresh
    for phone in ("+447700900002", "+447700900003", "+447700900004", "+447700900005"):
        assert answer_for(phone) == fresh, phone
    texted = set(OutboundMessage.objects.filter(purpose="signup_code").values_list("to", flat=True))
    assert texted == {"+447700900001", "+447700900002"}  # and only where a text may go


class _Session(dict):
    def cycle_key(self) -> None:
        pass


THREADS = 200


def test_two_hundred_parallel_guesses_evaluate_five_and_the_sixth_is_refused(client, monkeypatch):
    client.post("/join/", {**FORM, "phone": "07700 900123"})
    code = re.search(r"\b(\d{6})\b", OutboundMessage.objects.get(purpose="signup_code").body).group(1)
    pending = dict(client.session[join_views.SESSION_KEY])
    compared: list[str] = []
    lock = threading.Lock()
    real_hash = signup.code_hash

    def counting_hash(**kwargs):
        with lock:
            compared.append(kwargs["code"])
        return real_hash(**kwargs)

    monkeypatch.setattr(signup, "code_hash", counting_hash)
    guesses = [g for g in (f"{n:06d}" for n in range(THREADS + 1)) if g != code][:THREADS]
    start = threading.Barrier(THREADS)

    def guess(attempt: str) -> str:
        # Each request carries its own copy of the session, as parallel requests read it before any
        # of them writes it back: only the shared count can stop them.
        request = RequestFactory().post("/join/confirm/", {"code": attempt})
        request.session = _Session({join_views.SESSION_KEY: copy.deepcopy(pending)})
        request.user = AnonymousUser()
        start.wait()
        return join_views.join_confirm(request).content.decode()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        pages = list(pool.map(guess, guesses))

    assert len(compared) == 5
    assert sum("That code is not right" in page for page in pages) == 4
    assert sum("That was the last try" in page for page in pages) == THREADS - 4
    response = client.post("/join/confirm/", {"code": code})  # even the right code is too late now
    assert "That was the last try" in response.content.decode()
    assert not Volunteer.objects.exists()

"""Plain words on the need's page (issue 15): languages by name, each candidate's place explained
in sentences (no "distance band", no "reliability 0.50"), each reason for leaving people out with
its count, and the accepting volunteer's phone for the posting coordinators."""

from __future__ import annotations

import pytest

from needs.models import Need
from needs.words import candidate_sentences, language_name, left_out_lines
from tests.factories import NeedFactory, OfferFactory, VolunteerFactory
from volunteers.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_left_out_reasons_are_counted_together_in_words():
    excluded = {
        "1.2 km away": 2,
        "3.4 km away": 1,
        "opted out": 1,
        "does not speak so": 2,
        "already has 2 open tasks (limit 2)": 1,
        "something new": 1,
    }
    assert left_out_lines(excluded) == [
        "3 live too far away (beyond the need's reach or their own)",
        "2 do not speak Somali",
        "1 is already helping with as many needs as they take on",
        "1 has opted out of texts",
        "1 left out: something new",
    ]


def test_a_candidate_is_explained_in_sentences():
    words = " ".join(candidate_sentences({"distance_km": 1.24, "recent_tasks": 2, "reliability": 0.5}))
    assert words.startswith("Helped twice in the last 30 days")
    assert "band" not in words and "0.5" not in words and "reliability" not in words
    assert language_name("so") == "Somali" and language_name("xx") == "xx"


def test_the_need_page_speaks_plainly(client, coordinator, brum_aid):
    need = NeedFactory(organisation=brum_aid, language="so", latitude=52.4796, longitude=-1.9026)
    VolunteerFactory(name="Near Nadia", latitude=52.4801, longitude=-1.9030, languages=["en", "so"])
    VolunteerFactory(
        name="Homebody Hal", latitude=52.4830, longitude=-1.9040, languages=["so"], max_travel_km=0.1
    )
    client.force_login(coordinator)
    html = client.get(f"/needs/{need.pk}/").content.decode()
    assert "<dt>Language</dt><dd>Somali</dd>" in html
    assert "Near Nadia</strong>: 0.1 km away" in html and "Has not helped in the last 30 days" in html
    assert "distance band" not in html and "reliability" not in html
    # Hal is within the need's reach but further than he will go himself.
    assert "<li>1 lives further away than they will travel</li>" in html, html[html.find("Who could help") :][
        :1500
    ]


def test_the_posting_coordinators_see_the_helpers_phone_and_viewers_do_not(
    client, coordinator, viewer, brum_aid
):
    helper = VolunteerFactory(name="Hana Helper", phone="+447700900555")
    need = NeedFactory(organisation=brum_aid, status=Need.Status.ASSIGNED, assigned_volunteer=helper)
    OfferFactory(need=need, volunteer=helper, status="accepted")
    client.force_login(coordinator)
    html = client.get(f"/needs/{need.pk}/").content.decode()
    assert 'id="helper-phone">07700 900555</a>' in html
    event = AuditEvent.objects.get(action="volunteer.contact.read")
    assert event.detail["volunteer_ids"] == [helper.pk]
    client.force_login(viewer)
    assert "07700 900555" not in client.get(f"/needs/{need.pk}/").content.decode()

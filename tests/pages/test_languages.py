"""The volunteer pages in the volunteer's language (and only those: staff pages stay English),
the language picked at /join/, and the staff page that says how far each translation is."""

from __future__ import annotations

import re

import pytest

from messaging.models import OutboundMessage
from tests.factories import OfferFactory, UserFactory, VolunteerFactory, local_authority
from volunteers.links import page_link_issue
from volunteers.models import Postcode, Volunteer

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Priya Patel",
    "phone": "07700 900123",
    "postcode": "B1 1AA",
    "languages": ["en", "ur"],
    "max_travel_km": "3",
    "consent": "on",
}


@pytest.fixture(autouse=True)
def postcode(db, settings):
    settings.PHONE_LINE_NUMBER = "+441214960000"
    Postcode.objects.create(
        postcode="B1 1AA",
        district="B1",
        latitude=52.4796,
        longitude=-1.9026,
        local_authority=local_authority(),
    )


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


@pytest.mark.parametrize(
    ("how", "expected_tag", "heading"),
    [
        ({}, '<html lang="en-GB" dir="ltr">', "Help your neighbours"),
        ({"HTTP_ACCEPT_LANGUAGE": "pl-PL,pl;q=0.9,en;q=0.5"}, '<html lang="pl" dir="ltr">', "Pomóż sąsiadom"),
        ({"HTTP_ACCEPT_LANGUAGE": "ur"}, '<html lang="ur" dir="rtl">', "اپنے پڑوسیوں کی مدد کریں"),
        ({"HTTP_ACCEPT_LANGUAGE": "ar-SA"}, '<html lang="ar" dir="rtl">', "ساعد جيرانك"),
        (
            {"HTTP_ACCEPT_LANGUAGE": "de-DE"},
            '<html lang="en-GB" dir="ltr">',
            "Help your neighbours",
        ),  # not ours
    ],
)
def test_join_is_shown_in_the_language_the_browser_asks_for(client, how, expected_tag, heading):
    response = client.get("/join/", **how)
    assert html_tag(response) == expected_tag
    assert f"<h1>{heading}</h1>" in response.content.decode()
    assert response["Content-Language"] and "Accept-Language" in response["Vary"]


def test_the_switcher_chooses_and_the_choice_is_kept_until_changed(client):
    page = client.get("/join/?lang=bn", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert '<html lang="bn" dir="ltr">' in page
    # Every language is offered in its own name, marked with its language for screen readers.
    for code, name in [
        ("en", "English"),
        ("pa", "ਪੰਜਾਬੀ"),
        ("ur", "اردو"),
        ("pl", "Polski"),
        ("ar", "العربية"),
    ]:
        assert f'lang="{code}" hreflang="{code}"' in page and f">{name}</a>" in page
    assert 'aria-current="true">বাংলা</a>' in page
    assert '<html lang="bn"' in client.get("/join/").content.decode()  # remembered for the visit


def test_the_language_chosen_in_the_form_is_the_volunteers_and_the_codes(client):
    client.get("/join/?lang=pl")
    response = client.post("/join/", {**FORM, "preferred_language": "ur"}, follow=True)
    assert '<html lang="ur" dir="rtl">' in response.content.decode()  # the code page follows the choice
    code_text = OutboundMessage.objects.get(purpose="signup_code").body
    assert code_text.startswith("آپ کا Rekindle کوڈ") and "0121 496 0000" in code_text
    code = re.search(r"\b(\d{6})\b", code_text).group(1)
    response = client.post("/join/confirm/", {"code": code}, follow=True)
    volunteer = Volunteer.objects.get(phone="+447700900123")
    assert volunteer.preferred_language == "ur" and volunteer.languages == ["en", "ur"]
    # The consent is kept in the words they read.
    assert volunteer.consent_text.startswith("میں اتفاق کرتا ہوں کہ Rekindle")
    assert "خوش آمدید، Priya Patel" in response.content.decode()


def test_without_a_choice_the_volunteer_gets_the_pages_language(client):
    client.post("/join/", FORM, HTTP_ACCEPT_LANGUAGE="pl")
    assert OutboundMessage.objects.get(purpose="signup_code").body.startswith("Twój kod Rekindle to")


def test_the_own_page_changes_the_language_and_says_so_in_the_new_one(client):
    volunteer = VolunteerFactory(preferred_language="pl")
    path = page_link_issue(volunteer=volunteer)
    page = client.get(path).content.decode()
    assert '<html lang="pl"' in page and "<h1>Dzień dobry," in page
    response = client.post(
        path, {"status": "active", "max_travel_km": "3", "preferred_language": "ar"}, follow=True
    )
    page = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in page and "تم الحفظ." in page
    assert Volunteer.objects.get(pk=volunteer.pk).preferred_language == "ar"


def test_the_offer_page_is_in_the_volunteers_language_whatever_the_browser_says(client):
    from needs.offer_links import offer_links_issue

    offer = OfferFactory(volunteer=VolunteerFactory(preferred_language="ur"))
    link = offer_links_issue(offers=[offer])[offer.pk]
    page = client.get(link.split("testserver")[-1], HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert '<html lang="ur" dir="rtl">' in page and "<h1>کیا آپ مدد کر سکتے ہیں؟</h1>" in page
    assert "خریداری" in page  # the kind of help, in Urdu


def test_staff_pages_stay_english_whatever_the_browser_asks(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ur")
    assert html_tag(response) == '<html lang="en-GB" dir="ltr">'
    assert "Skip to main content" in response.content.decode()


def test_staff_see_how_far_each_translation_is(client, viewer):
    client.force_login(viewer)
    page = client.get("/languages/").content.decode()
    rows = re.findall(
        r'<th scope="row">(\w+) \(<span lang="(\w+)">[^<]+</span>\)</th>\s*<td class="num">(\d+)</td>\s*'
        r'<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>',
        page,
    )
    assert [r[:2] for r in rows] == [
        ("Punjabi", "pa"),
        ("Urdu", "ur"),
        ("Bengali", "bn"),
        ("Polish", "pl"),
        ("Arabic", "ar"),
    ]
    for _name, _code, total, translated, reviewed, waiting in rows:
        assert int(total) == int(translated) > 150 and int(reviewed) == 0 and int(waiting) == int(total)
    assert '<td lang="ur" dir="rtl">کیا آپ مدد کر سکتے ہیں؟</td>' in page


def test_the_translations_page_is_for_staff_only(client):
    assert client.get("/languages/").status_code == 302  # to the sign-in
    client.force_login(UserFactory(username="newcomer"))
    assert client.get("/languages/").status_code == 403

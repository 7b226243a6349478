"""The volunteer pages in Urdu (right to left) and Polish, at 200% zoom and as a screen reader
reads them: /join/ from the first visit to the volunteer's own page, and an offer accepted.
axe-core finds no WCAG 2.1 AA violation on any of them."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from messaging.models import OutboundMessage
from needs.offer_links import offer_links_issue
from tests.browser.support import axe_check, login, screenshot
from tests.factories import NeedFactory, OfferFactory, VolunteerFactory, local_authority
from volunteers.links import page_link_issue
from volunteers.models import Postcode, Volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postcode(db):
    Postcode.objects.create(
        postcode="B23 5AA", district="B23", latitude=52.52, longitude=-1.84, local_authority=local_authority()
    )


def phone_in(browser, locale: str) -> Iterator:
    """A small phone whose browser asks for ``locale`` first (Accept-Language)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale=locale)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def urdu_phone(browser, live_server) -> Iterator:
    yield from phone_in(browser, "ur-PK")


@pytest.fixture
def zoomed(browser, live_server) -> Iterator:
    """200% zoom on a 1280 x 800 screen: 640 x 400 CSS pixels, each drawn as two."""
    context = browser.new_context(
        viewport={"width": 640, "height": 400}, device_scale_factor=2, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def path_of(url: str) -> str:
    return re.search(r"/o/[^/]+/", url).group(0)


def direction(page) -> tuple[str, str]:
    return tuple(page.evaluate("[document.documentElement.lang, document.documentElement.dir]"))


def read_like_a_screen_reader(page) -> str:
    """What assistive technology is given: the landmarks, one h1, every control with its name."""
    assert page.get_by_role("banner").count() == 1
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("contentinfo").count() == 1
    assert page.locator("h1").count() == 1
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
             .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                           && !(el.tagName === 'BUTTON' && el.textContent.trim()))
             .map(el => el.outerHTML)"""
    )
    assert unnamed == [], f"controls a screen reader cannot name: {unnamed}"
    return page.locator("body").aria_snapshot()


def test_join_in_urdu_right_to_left_from_the_first_visit_to_the_own_page(urdu_phone, live_server, postcode):
    page = urdu_phone
    page.goto(f"{live_server.url}/join/")
    assert direction(page) == ("ur", "rtl")  # the browser asked for Urdu
    tree = read_like_a_screen_reader(page)
    assert 'heading "اپنے پڑوسیوں کی مدد کریں" [level=1]' in tree
    assert 'navigation "زبان"' in tree and 'textbox "آپ کا نام"' in tree
    axe_check(page)

    page.get_by_label("آپ کا نام").fill("Amina Hussain")
    page.get_by_label("موبائل نمبر").fill("07700 900123")
    page.get_by_label("پوسٹ کوڈ").fill("b23 5aa")
    page.get_by_label("خریداری").check()
    page.get_by_role("button", name="مجھے کوڈ بھیجیں").click()
    # Forgot to agree: the error is announced (role=alert) and tied to the box that needs it.
    page.get_by_role("alert").filter(has_text="براہ کرم نیچے نشان زدہ جوابات دیکھیں").wait_for()
    consent = page.get_by_label("میں اتفاق کرتا ہوں", exact=True)
    assert consent.get_attribute("aria-invalid") == "true"
    described = consent.get_attribute("aria-describedby") or ""
    assert "اتفاق" in " ".join(page.locator(f"#{i}").inner_text() for i in described.split())
    assert page.get_by_label("آپ کا نام").input_value() == "Amina Hussain"  # nothing typed is lost
    axe_check(page)
    consent.check()
    page.get_by_role("button", name="مجھے کوڈ بھیجیں").click()

    page.get_by_role("heading", name="ہمارا بھیجا ہوا کوڈ لکھیں").wait_for()
    assert direction(page) == ("ur", "rtl")
    sms = OutboundMessage.objects.get(to="+447700900123", purpose="signup_code")
    assert sms.body.startswith("آپ کا Rekindle کوڈ")
    axe_check(page)
    page.get_by_label("ہمارا بھیجا ہوا 6 ہندسوں کا کوڈ").fill(re.search(r"\b(\d{6})\b", sms.body).group(1))
    page.get_by_role("button", name="میرا نمبر تصدیق کریں").click()

    page.get_by_text("خوش آمدید، Amina Hussain").wait_for()
    assert direction(page) == ("ur", "rtl")
    volunteer = Volunteer.objects.get(phone="+447700900123")
    assert volunteer.preferred_language == "ur" and volunteer.skills == ["shopping"]
    read_like_a_screen_reader(page)
    axe_check(page)
    # The text flows right to left: the page's start edge is on the right.
    box = page.locator("h1").bounding_box()
    assert box is not None and box["x"] + box["width"] > 360 - 40


def test_join_in_polish_chosen_with_the_switcher(phone_page, live_server, postcode):
    page = phone_page
    page.goto(f"{live_server.url}/join/")
    assert direction(page) == ("en-GB", "ltr")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Polski").click()
    page.get_by_role("heading", name="Pomóż sąsiadom").wait_for()
    assert direction(page) == ("pl", "ltr")
    assert page.get_by_role("link", name="Polski").get_attribute("aria-current") == "true"
    assert page.get_by_label("Polski", exact=True).is_checked()  # texts in the page's language unless changed
    read_like_a_screen_reader(page)
    axe_check(page)
    page.get_by_label("Imię i nazwisko").fill("Jan Kowalski")
    page.get_by_label("Numer komórki").fill("07700 900124")
    page.get_by_label("Kod pocztowy").fill("B23 5AA")
    page.get_by_label("Zgadzam się", exact=True).check()
    page.get_by_role("button", name="Wyślij mi kod").click()
    page.get_by_role("heading", name="Wpisz kod z naszego SMS-a").wait_for()
    sms = OutboundMessage.objects.get(to="+447700900124", purpose="signup_code")
    assert sms.body.startswith("Twój kod Rekindle to")
    axe_check(page)


@pytest.mark.parametrize(
    ("language", "dir_", "heading", "accept", "thanks"),
    [
        ("ur", "rtl", "کیا آپ مدد کر سکتے ہیں؟", "جی ہاں، میں مدد کر سکتا ہوں", "شکریہ! یہ آپ کا ہے۔"),  # noqa: RUF001
        ("pl", "ltr", "Czy możesz pomóc?", "Tak, mogę pomóc", "Dziękujemy! Zadanie jest Twoje."),
    ],
)
def test_an_offer_page_in_the_volunteers_language_accepted(
    phone_page, live_server, brum_aid, language, dir_, heading, accept, thanks
):
    volunteer = VolunteerFactory(preferred_language=language)
    need = NeedFactory(organisation=brum_aid, requester_name="Edna Example", status="offered")
    offer = OfferFactory(need=need, volunteer=volunteer)
    link = offer_links_issue(offers=[offer])[offer.pk]
    page = phone_page  # its browser asks for English: the volunteer's choice wins
    page.goto(live_server.url + path_of(link))
    assert direction(page) == (language, dir_)
    assert page.get_by_role("heading", name=heading, level=1).is_visible()
    assert not page.get_by_text("Edna Example").count()  # nobody's details before accepting
    read_like_a_screen_reader(page)
    axe_check(page)
    if language == "pl":  # this machine's Chromium has no Urdu Nastaliq font: a picture would show boxes
        screenshot(page, "offer-in-polish")
    page.get_by_role("button", name=accept).click()
    page.get_by_role("status").filter(has_text=thanks).wait_for()
    assert page.get_by_text("Edna Example").is_visible()
    assert direction(page) == (language, dir_)
    axe_check(page)


def test_the_volunteer_pages_work_at_200_percent_zoom(zoomed, live_server, brum_aid):
    """No sideways scrolling, and every control can be reached by keyboard and is on screen when
    it has the focus, in English, in Urdu (right to left) and in Polish."""
    urdu = VolunteerFactory(preferred_language="ur", name="Amina Hussain")
    offer = OfferFactory(need=NeedFactory(organisation=brum_aid, status="offered"), volunteer=urdu)
    pages = [
        "/join/",
        "/join/?lang=ur",
        "/join/?lang=pl",
        path_of(offer_links_issue(offers=[offer])[offer.pk]),
        page_link_issue(volunteer=urdu),
        page_link_issue(volunteer=VolunteerFactory(preferred_language="pl")),
    ]
    page = zoomed
    for path in pages:
        page.goto(live_server.url + path)
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{path} scrolls sideways at 200% zoom: {widths}"
        controls = page.locator("a[href], button, input:not([type=hidden]), select, textarea")
        for i in range(controls.count()):
            control = controls.nth(i)
            control.focus()
            box = page.evaluate(
                """() => { const r = document.activeElement.getBoundingClientRect();
                           return [r.left, r.right, r.width, r.height, innerWidth]; }"""
            )
            left, right, width, height, inner = box
            assert width > 0 and height > 0, f"{path}: a control has no size when focused"
            assert left >= -1 and right <= inner + 1, f"{path}: a focused control is off screen: {box}"
        axe_check(page)


def test_staff_read_how_far_each_translation_is(page, live_server, coordinator):
    login(page, live_server, "cora")
    page.get_by_role("link", name="Languages").click()
    page.get_by_role("heading", name="Languages", level=1).wait_for()
    urdu_row = page.get_by_role("row").filter(has_text="Urdu (")
    assert urdu_row.get_by_role("cell").nth(2).inner_text() == "0"  # reviewed by a native speaker
    page.locator("section[aria-labelledby=lang-ur] summary").click()
    assert page.get_by_role("cell", name="کیا آپ مدد کر سکتے ہیں؟").first.get_attribute("dir") == "rtl"
    axe_check(page)

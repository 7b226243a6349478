"""The main menu offers each person only the pages they may open: no link leads to a 403."""

import re

import pytest

from tests.factories import CampaignFactory, StaffRoleFactory, UserFactory
from volunteers.models import StaffRole

pytestmark = pytest.mark.django_db

REGISTER = {"Groups", "Volunteers"}
LANGUAGES = {"Languages"}  # how far the translations are: every staff member of an organisation
ALL_LINKS = (
    {
        "Home",
        "Needs",
        "Post a need",
        "Offer many at once",
        "Inbox",
        "Campaigns",
        "Coverage",
        "Audit log",
        "Your account",
    }
    | REGISTER
    | LANGUAGES
)


def menu(client, user) -> dict[str, str]:
    client.force_login(user)
    html = client.get("/").content.decode()
    nav = html[html.find('<nav aria-label="Main">') : html.find("</nav>")]
    return {text: href for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)}


@pytest.fixture
def campaigner(brum_aid):
    return StaffRoleFactory(
        user=UserFactory(username="cam"), organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER
    ).user


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("coordinator", ALL_LINKS),
        ("viewer", {"Home", "Needs", "Campaigns", "Coverage", "Your account"} | REGISTER | LANGUAGES),
        ("campaigner", {"Home", "Needs", "Campaigns", "Coverage", "Your account"} | REGISTER | LANGUAGES),
        # An infrastructure body's campaign manager keeps the regional desk: an inbox of their own.
        (
            "infrastructure_staff",
            {"Home", "Needs", "Inbox", "Campaigns", "Coverage", "Your account"} | REGISTER | LANGUAGES,
        ),
    ],
)
def test_each_menu_link_is_one_the_person_may_follow(client, request, who, expected):
    links = menu(client, request.getfixturevalue(who))
    assert set(links) == expected
    for text, href in links.items():
        assert client.get(href).status_code == 200, f"{who} follows {text} ({href})"


def test_a_login_with_no_organisation_is_offered_no_staff_pages(client, db):
    links = menu(client, UserFactory(username="newcomer"))
    assert set(links) == {"Home", "Needs", "Your account"}


def test_a_superuser_sees_every_link_and_the_admin(client, brum_aid):
    links = menu(client, UserFactory(username="root", is_superuser=True, is_staff=True))
    assert set(links) == ALL_LINKS | {"Admin"}


def test_the_dry_run_names_each_message_in_plain_words(client, coordinator, brum_aid):
    sms = {
        "body": "Hello from Brum Aid. Reply STOP to opt out",
        "segments": 1,
        "encoding": "GSM-7",
        "warnings": [],
    }
    campaign = CampaignFactory(
        organisation=brum_aid,
        dry_run_report={
            "contact_total": 3,
            # Stored out of order, as PostgreSQL's jsonb may hand them back: the page orders them.
            "previews": {"thanks": sms, "reconsent": sms, "volunteer_call": sms, "organiser_call": sms},
        },
    )
    client.force_login(coordinator)
    html = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    headings = re.findall(r"<h4>([^<]+)</h4>", html)
    assert headings == ["To group organisers", "To volunteers", "Asking to renew consent", "Thank you"]
    assert "organiser_call" not in html and "volunteer_call" not in html


def test_the_dry_run_says_the_size_of_each_text_in_words(client, coordinator, brum_aid):
    long_text = {"body": "Witaj " * 40, "segments": 2, "encoding": "ucs2", "warnings": []}
    campaign = CampaignFactory(
        organisation=brum_aid, dry_run_report={"contact_total": 1, "previews": {"volunteer_call": long_text}}
    )
    client.force_login(coordinator)
    html = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "Goes as 2 text messages joined into one on the phone (each is billed)" in html
    assert "(ucs2)" not in html and "segments" not in html.split("<h3>The messages</h3>")[-1]

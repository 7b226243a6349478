"""A volunteer is given the link to their own page where they need it: after confirming their
number at /join/, and on the offer page once they have accepted. The link shown is the full
address (PUBLIC_BASE_URL), so it can be bookmarked or saved, and it opens their page."""

import html as html_module
import re

import pytest

from needs.models import Need, Offer
from needs.services.claim import offer_accept
from tests.factories import OfferFactory, local_authority, offer_path
from volunteers.models import Postcode, Volunteer, VolunteerLink

pytestmark = pytest.mark.django_db

BASE = "https://rekindle.example.org"


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE


def kept_link(html: str, section_id: str) -> str:
    start = html.find(f'id="{section_id}"')
    assert start != -1, f"no #{section_id} on the page"
    found = re.search(r'<a href="[^"]+">(https://[^<]+)</a>', html[start:])
    return found.group(1)


def test_the_join_confirmation_gives_the_volunteer_their_own_link(client):
    from messaging.models import OutboundMessage

    Postcode.objects.create(
        postcode="B1 1AA",
        district="B1",
        latitude=52.4796,
        longitude=-1.9026,
        local_authority=local_authority(),
    )
    form = {
        "name": "Priya Patel",
        "phone": "07700 900123",
        "postcode": "B1 1AA",
        "languages": ["en"],
        "max_travel_km": "3",
        "consent": "on",
    }
    client.post("/join/", form)
    code = re.search(r"\b(\d{6})\b", OutboundMessage.objects.get(purpose="signup_code").body).group(1)
    html = client.post("/join/confirm/", {"code": code}, follow=True).content.decode()
    assert "Welcome, Priya Patel" in html
    link = kept_link(html, "keep-link")
    assert link.startswith(f"{BASE}/v/")
    client.logout()
    page = client.get(link.removeprefix(BASE))
    assert page.status_code == 200 and "Hello Priya Patel" in page.content.decode()


def test_after_accepting_the_offer_page_opens_their_own_page_on_request(client, brum_aid):
    """Changed with issue 13: the offer page used to mint a fresh page link on every visit (so links
    renewed for ever); now it makes one only when the volunteer asks, and the page shows that link."""
    offer = OfferFactory(need__organisation=brum_aid, need__status=Need.Status.OFFERED)
    path = offer_path(offer)
    offer_accept(offer=offer, channel=Offer.Channel.WEB)
    html = client.get(path).content.decode()
    assert "Thank you for helping" in html and 'value="my_page"' in html
    assert not VolunteerLink.objects.filter(purpose="page").exists()  # visiting made no link

    response = client.post(path, {"action": "my_page"})
    assert response.status_code == 302 and response["Location"].startswith("/v/")
    page = html_module.unescape(client.get(response["Location"]).content.decode())
    volunteer = Volunteer.objects.get(pk=offer.volunteer_id)
    assert f"Hello {volunteer.name}" in page  # names like O'Brien come back escaped
    assert kept_link(page, "keep-link") == BASE + response["Location"]

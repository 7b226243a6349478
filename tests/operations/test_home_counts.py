"""The home page's figures (issue 15): each links to the list behind it and counts what that list
shows, for every role; a viewer's home and needs page count the same needs."""

from __future__ import annotations

import re

import pytest

from tests.factories import MembershipFactory, MutualAidGroupFactory, NeedFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def figure(html: str, href: str) -> int:
    match = re.search(rf'<a href="{re.escape(href)}"><span class="figure">(\d+)</span>', html)
    assert match, f"no figure linking to {href}"
    return int(match.group(1))


def caption_count(html: str, table_id: str) -> int:
    match = re.search(rf'<table class="data" id="{table_id}">\s*<caption>(\d+) ', html)
    return int(match.group(1)) if match else 0


@pytest.fixture
def region(brum_aid, coventry_together):
    for summary in ("Shop", "Prescription"):
        NeedFactory(organisation=brum_aid, summary=summary)
    NeedFactory(organisation=brum_aid, summary="Done one", status="done")
    for i in range(3):
        NeedFactory(organisation=coventry_together, summary=f"Coventry {i}")
    larder = MutualAidGroupFactory(organisation=brum_aid, status="dormant")
    MutualAidGroupFactory(organisation=brum_aid, status="active")
    MutualAidGroupFactory(organisation=coventry_together, status="active")
    MembershipFactory(volunteer=VolunteerFactory(), group=larder)
    MembershipFactory(volunteer=VolunteerFactory(status="paused"), group=larder)
    VolunteerFactory()  # in no group: on nobody's list


@pytest.mark.parametrize("who", ["viewer", "coordinator"])
def test_each_figure_is_the_length_of_the_list_it_links_to(client, region, who, request):
    client.force_login(request.getfixturevalue(who))
    home = client.get("/").content.decode()
    needs_page = client.get("/needs/").content.decode()
    listed = re.findall(r'<td><a href="/needs/\d+/">', needs_page)
    assert figure(home, "/needs/") == len(listed) == 2
    assert "No open needs" not in needs_page
    groups = client.get("/groups/", {"status": "active"}).content.decode()
    assert figure(home, "/groups/?status=active") == caption_count(groups, "groups") == 1
    dormant = client.get("/groups/", {"status": "dormant"}).content.decode()
    assert figure(home, "/groups/?status=dormant") == caption_count(dormant, "groups") == 1
    volunteers = client.get("/volunteers/", {"status": "active"}).content.decode()
    assert figure(home, "/volunteers/?status=active") == caption_count(volunteers, "volunteers") == 1
    assert "5 needs open across the region" in home  # said as the region's, not theirs

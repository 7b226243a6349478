"""Errors a person meets are plain pages that say what happened and lead back, in development
(DEBUG on, as `make run` serves the demo) and in production alike; the API keeps its JSON."""

import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def test_a_missing_page_says_so_and_leads_home(client, coordinator, debug):
    client.force_login(coordinator)
    response = client.get("/needs/999999/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that page" in html and 'href="/"' in html
    assert "Traceback" not in html and "Page not found at" not in html


def test_a_stranger_is_offered_sign_in_on_a_missing_page(client, debug):
    html = client.get("/nowhere/").content.decode()
    assert "We could not find that page" in html and "Staff sign in" in html


def test_a_refused_page_gives_the_reason(client, viewer, debug):
    client.force_login(viewer)
    response = client.get("/inbox/")
    html = response.content.decode()
    assert response.status_code == 403
    assert (
        "You cannot open this page" in html
        and "The inbox is for the coordinators of an organisation." in html
    )


def test_the_api_keeps_its_own_error_format(client, coordinator, debug):
    client.force_login(coordinator)
    response = client.get("/api/v1/needs/999999/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_server_error_page_stands_alone():
    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html and 'href="/"' in html

"""The requester's own consent to the "help is coming" text (issue 19): given on the "Post a need"
form or through the API, stored word for word with when and who recorded it, refused without a
number, and the one thing that lets the text go."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from needs.models import REQUESTER_CONSENT_WORDING, Need
from tests.factories import local_authority
from volunteers.models import Postcode

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)
API_NEED = {
    "category": "shopping",
    "summary": "Weekly shop for an older neighbour",
    "requester_name": "Edna Example",
    "requester_phone": "07700 900999",
    "latitude": 52.4796,
    "longitude": -1.9026,
    "requester_consents_to_sms": True,
}


@pytest.fixture
def api_as_coordinator(coordinator):
    client = APIClient()
    client.force_authenticate(coordinator)
    return client


def test_the_api_keeps_the_requester_s_consent_with_its_words_time_and_recorder(
    api_as_coordinator, coordinator, brum_aid
):
    with time_machine.travel(NOW, tick=False):
        response = api_as_coordinator.post("/api/v1/needs/", API_NEED, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["requester_consents_to_sms"] is True  # no longer dropped without a word
    need = Need.objects.get(id=response.json()["id"])
    assert need.requester_consents_to_sms is True
    assert need.requester_consent_wording == REQUESTER_CONSENT_WORDING
    assert need.requester_consent_at == NOW
    assert need.requester_consent_recorded_by == coordinator


def test_the_api_refuses_consent_without_a_phone(api_as_coordinator, brum_aid):
    response = api_as_coordinator.post("/api/v1/needs/", {**API_NEED, "requester_phone": ""}, format="json")
    assert response.status_code == 400
    assert "there is no phone number" in str(response.json()["error"]["fields"]["requester_consents_to_sms"])
    assert not Need.objects.exists()


def test_without_consent_nothing_of_it_is_recorded(api_as_coordinator, brum_aid):
    response = api_as_coordinator.post(
        "/api/v1/needs/", {**API_NEED, "requester_consents_to_sms": False}, format="json"
    )
    need = Need.objects.get(id=response.json()["id"])
    assert (need.requester_consents_to_sms, need.requester_consent_wording, need.requester_consent_at) == (
        False,
        "",
        None,
    )


@pytest.fixture
def b1(db):
    Postcode.objects.create(
        postcode="B1 1AA",
        district="B1",
        latitude=52.4796,
        longitude=-1.9026,
        local_authority=local_authority(),
    )


FORM = {
    "category": "prescription",
    "summary": "Collect a repeat prescription",
    "postcode": "B1 1AA",
    "requester_name": "Edna Example",
    "urgency": "normal",
    "requires_dbs": "none",
}


def test_the_form_asks_for_consent_with_the_words_to_read_out(client, coordinator, brum_aid, b1):
    client.force_login(coordinator)
    page = client.get("/needs/new/").content.decode()
    assert "They agree to a text when a volunteer is on the way" in page
    assert REQUESTER_CONSENT_WORDING in page


def test_the_form_records_consent_given_with_a_phone(client, coordinator, brum_aid, b1):
    client.force_login(coordinator)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            "/needs/new/",
            {
                **FORM,
                "organisation": brum_aid.id,
                "requester_phone": "07700 900888",
                "requester_consents_to_sms": "on",
            },
        )
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.requester_consents_to_sms and need.requester_consent_at == NOW
    assert need.requester_consent_recorded_by == coordinator
    assert need.requester_consent_wording == REQUESTER_CONSENT_WORDING


def test_the_form_refuses_consent_without_a_phone_and_says_why(client, coordinator, brum_aid, b1):
    client.force_login(coordinator)
    response = client.post(
        "/needs/new/", {**FORM, "organisation": brum_aid.id, "requester_consents_to_sms": "on"}
    )
    assert response.status_code == 200
    assert "They agreed to a text, but there is no phone number" in response.content.decode()
    assert not Need.objects.exists()

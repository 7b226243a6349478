"""One error format everywhere, and throttling on what is reachable without a login."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_no_login_gets_401_in_the_error_format(api):
    assert_error(api.get("/api/v1/needs/"), 401, "not_authenticated")


def test_a_wrong_token_gets_401_in_the_error_format(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(api.get("/api/v1/groups/"), 401, "authentication_failed")


def test_a_token_made_for_a_coordinator_works(api, coordinator):
    token = Token.objects.create(user=coordinator)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/groups/").status_code == 200


def test_an_unknown_address_under_the_api_is_a_404_in_the_error_format(api, coordinator):
    assert_error(api.as_(coordinator).get("/api/v1/nothing-here/"), 404, "not_found")
    assert_error(api.get("/api/v1/needs/999999/"), 404, "not_found")


def test_a_wrong_method_is_a_405_in_the_error_format(api, coordinator):
    assert_error(api.as_(coordinator).delete("/api/v1/groups/"), 405, "method_not_allowed")


def test_a_bad_filter_is_a_400_naming_the_field(api, coordinator):
    error = assert_error(api.as_(coordinator).get("/api/v1/needs/?status=lost"), 400, "invalid")
    assert "status" in error["fields"]


def test_half_an_area_is_refused_with_a_plain_message(api, coordinator):
    error = assert_error(api.as_(coordinator).get("/api/v1/groups/?latitude=52.4"), 400, "invalid")
    assert "latitude, longitude and radius_km together" in error["message"]


def test_a_staff_login_without_an_organisation_is_refused(api, django_user_model):
    stranger = django_user_model.objects.create_user("stranger", password="x" * 12)
    assert_error(api.as_(stranger).get("/api/v1/groups/"), 403, "permission_denied")


def test_requests_without_a_login_are_throttled(api, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/minute", raising=False)
    for _ in range(3):
        assert api.get("/api/v1/needs/").status_code == 401
    error = assert_error(api.get("/api/v1/needs/"), 429, "throttled")
    assert "Retry-After" in api.get("/api/v1/needs/").headers
    assert error["fields"] == {}


def test_guessing_tokens_is_throttled_too(api, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/minute", raising=False)
    api.credentials(HTTP_AUTHORIZATION="Token guess")
    for _ in range(3):
        assert api.get("/api/v1/groups/").status_code == 401
    assert_error(api.get("/api/v1/groups/"), 429, "throttled")


def test_the_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/needs/{id}/candidates/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html

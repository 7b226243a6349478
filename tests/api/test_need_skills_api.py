"""The API's ``skills`` on a need: a list of skill slugs on create and read; an unknown one is 400."""

from __future__ import annotations

import pytest

from needs.models import Need
from tests.api.test_needs import NEW_NEED

pytestmark = pytest.mark.django_db


def test_a_need_is_posted_with_skills_and_read_back_with_them(api, coordinator, brum_aid):
    response = api.as_(coordinator).post(
        "/api/v1/needs/", {**NEW_NEED, "skills": ["shopping"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["skills"] == ["shopping"]
    need = Need.objects.get()
    assert need.skills == ["shopping"]
    read = api.as_(coordinator).get(f"/api/v1/needs/{need.pk}/").json()
    assert read["skills"] == ["shopping"]


def test_skills_are_optional(api, coordinator, brum_aid):
    response = api.as_(coordinator).post("/api/v1/needs/", NEW_NEED, format="json")
    assert response.status_code == 201
    assert response.json()["skills"] == []


def test_an_unknown_skill_is_a_400_naming_it(api, coordinator, brum_aid):
    response = api.as_(coordinator).post(
        "/api/v1/needs/", {**NEW_NEED, "skills": ["shopping", "juggling"]}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "juggling" in str(fields["skills"])
    assert not Need.objects.exists()

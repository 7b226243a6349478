"""The register's freshness (`freshness` on groups, `?freshness=`) and coverage gaps
(`/api/v1/coverage-gaps/`) through the API, and who may read them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from needs.models import Need
from tests.factories import MutualAidGroupFactory, NeedFactory, UserFactory

pytestmark = pytest.mark.django_db

COVENTRY = {"latitude": 52.4068, "longitude": -1.5197}


@pytest.fixture
def register():
    now = timezone.now()
    return {
        "stale": MutualAidGroupFactory(status="dormant", name="Stale Street", missed_checks=2),
        "never": MutualAidGroupFactory(status="dormant", name="Never Lane"),
        "due": MutualAidGroupFactory(
            status="dormant", name="Due Drive", last_verified_at=now - timedelta(days=200)
        ),
        "fresh": MutualAidGroupFactory(
            status="dormant", name="Fresh Fields", last_verified_at=now - timedelta(days=5)
        ),
    }


def test_every_group_says_how_fresh_its_contact_is(api, viewer, register):
    rows = {g["name"]: g for g in api.as_(viewer).get("/api/v1/groups/").json()["results"]}
    assert {name: rows[name]["freshness"] for name in rows} == {
        "Stale Street": "stale",
        "Never Lane": "never",
        "Due Drive": "due",
        "Fresh Fields": "fresh",
    }
    assert rows["Due Drive"]["days_since_verified"] == 200
    assert rows["Never Lane"]["days_since_verified"] is None
    assert rows["Fresh Fields"]["readiness_check_open"] is False
    one = api.get(f"/api/v1/groups/{register['stale'].pk}/").json()
    assert one["freshness"] == "stale"


@pytest.mark.parametrize("freshness", ["stale", "never", "due", "fresh"])
def test_groups_filter_by_freshness(api, viewer, register, freshness):
    rows = api.as_(viewer).get(f"/api/v1/groups/?freshness={freshness}").json()
    assert [g["id"] for g in rows["results"]] == [register[freshness].id]
    assert rows["count"] == 1


def test_freshness_combines_with_the_other_filters(api, viewer, register):
    MutualAidGroupFactory(status="dormant", name="Far Stale", missed_checks=3, **COVENTRY)
    client = api.as_(viewer)
    both = client.get("/api/v1/groups/?freshness=stale").json()["results"]
    assert {g["name"] for g in both} == {"Stale Street", "Far Stale"}
    near = client.get("/api/v1/groups/?freshness=stale&latitude=52.4796&longitude=-1.9026&radius_km=5").json()
    assert [g["name"] for g in near["results"]] == ["Stale Street"]


def test_an_unknown_freshness_is_refused_in_the_error_format(api, viewer):
    response = api.as_(viewer).get("/api/v1/groups/?freshness=rotten")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "freshness" in response.json()["error"]["fields"]


def test_coverage_gaps_rank_places_where_need_outstrips_capacity(api, viewer):
    for _ in range(3):
        NeedFactory(status=Need.Status.OPEN, **COVENTRY)
    dormant = MutualAidGroupFactory(status="dormant", name="Earlsdon Helpers", radius_km=3, **COVENTRY)
    NeedFactory(status=Need.Status.DONE, latitude=52.5, longitude=-1.8)  # closed: no gap
    gaps = api.as_(viewer).get("/api/v1/coverage-gaps/").json()
    assert len(gaps) == 1
    gap = gaps[0]
    assert gap["open_needs"] == 3 and gap["active_volunteers"] == 0 and gap["active_groups"] == 0
    assert gap["dormant_groups"][0]["id"] == dormant.id
    assert gap["dormant_groups"][0]["name"] == "Earlsdon Helpers"
    assert abs(gap["latitude"] - COVENTRY["latitude"]) < 0.01


def test_coverage_gaps_limit(api, viewer):
    for _ in range(3):  # a place with fewer than COVERAGE_MIN_NEEDS open needs is not shown
        NeedFactory(status=Need.Status.OPEN, **COVENTRY)
        NeedFactory(status=Need.Status.OPEN, latitude=52.4796, longitude=-1.9026)
    client = api.as_(viewer)
    assert len(client.get("/api/v1/coverage-gaps/").json()) == 2
    assert len(client.get("/api/v1/coverage-gaps/?limit=1").json()) == 1
    bad = client.get("/api/v1/coverage-gaps/?limit=0")
    assert bad.status_code == 400 and "limit" in bad.json()["error"]["fields"]


@pytest.mark.parametrize("path", ["/api/v1/coverage-gaps/", "/api/v1/groups/?freshness=stale"])
def test_nobody_without_a_login_reads_them(api, path):
    response = api.get(path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("path", ["/api/v1/coverage-gaps/", "/api/v1/groups/?freshness=stale"])
def test_a_login_that_works_for_no_organisation_reads_neither(api, path):
    response = api.as_(UserFactory(username="nobody")).get(path)
    assert response.status_code == 403


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_coverage_gaps_are_read_only_even_for_a_coordinator(api, coordinator, method):
    assert getattr(api.as_(coordinator), method)("/api/v1/coverage-gaps/").status_code == 405


def test_the_schema_documents_both(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    assert "get" in schema["paths"]["/api/v1/coverage-gaps/"]
    params = {p["name"] for p in schema["paths"]["/api/v1/groups/"]["get"]["parameters"]}
    assert "freshness" in params
    components = schema["components"]["schemas"]
    ref = components["GroupWithFreshness"]["properties"]["freshness"]["allOf"][0]["$ref"]
    assert set(components[ref.rsplit("/", 1)[-1]]["enum"]) == {"fresh", "due", "stale", "never"}

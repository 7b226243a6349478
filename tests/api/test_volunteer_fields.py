"""What each person sees of a volunteer in the API (issue 13): other organisations' staff see the
name, skills, postcode district and local authority only, as volunteers/permissions.py says."""

from __future__ import annotations

import pytest

from tests.factories import (
    MembershipFactory,
    MutualAidGroupFactory,
    OrganisationFactory,
    StaffRoleFactory,
    UserFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

PUBLIC = {"id", "name", "skills", "district", "local_authority"}
PROFILE = {"status", "languages", "dbs_level", "has_car", "max_travel_km", "groups", "last_active_at"}
CONTACT = {"phone", "email", "postcode", "latitude", "longitude", "availability"}


@pytest.fixture
def asha(brum_aid):
    """Asha, in a Brum Aid faith group, living in Birmingham, with an enhanced DBS check."""
    person = VolunteerFactory(
        name="Asha Khan", skills=["shopping"], languages=["pa", "en"], dbs_level="enhanced"
    )
    group = MutualAidGroupFactory(organisation=brum_aid, slug="gurdwara-langar", kind="faith")
    MembershipFactory(volunteer=person, group=group)
    return person


@pytest.fixture
def area_coordinator(db):
    """Ines, a coordinator of the region's infrastructure body, which covers Birmingham but runs
    none of Asha's groups."""
    body = OrganisationFactory(slug="wm-infrastructure", kind="infrastructure", covers=["Birmingham"])
    return StaffRoleFactory(user=UserFactory(username="ines"), organisation=body).user


def row_for(api, user, volunteer) -> dict:
    rows = api.as_(user).get("/api/v1/volunteers/").json()["results"]
    (row,) = [r for r in rows if r["id"] == volunteer.id]
    assert api.as_(user).get(f"/api/v1/volunteers/{volunteer.id}/").json() == row
    return row


def test_another_organisation_sees_the_name_skills_district_and_council_only(api, asha, area_coordinator):
    row = row_for(api, area_coordinator, asha)
    assert set(row) == PUBLIC
    assert (row["name"], row["skills"], row["district"], row["local_authority"]) == (
        "Asha Khan",
        ["shopping"],
        "B1",
        "Birmingham",
    )


def test_a_viewer_of_her_own_organisation_sees_her_profile_but_not_her_contact(api, asha, viewer):
    row = row_for(api, viewer, asha)
    assert set(row) == PUBLIC | PROFILE
    assert (row["groups"], row["dbs_level"], row["languages"]) == (
        ["gurdwara-langar"],
        "enhanced",
        ["pa", "en"],
    )


def test_a_coordinator_of_her_organisation_sees_everything(api, asha, coordinator):
    assert set(row_for(api, coordinator, asha)) == PUBLIC | PROFILE | CONTACT

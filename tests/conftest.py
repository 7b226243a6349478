"""Named actors, so that permission tests read as sentences."""

from __future__ import annotations

import pytest

from tests.factories import OrganisationFactory, StaffRoleFactory, UserFactory, VolunteerFactory
from volunteers.models import StaffRole


@pytest.fixture
def brum_aid(db):
    return OrganisationFactory(slug="brum-aid", name="Brum Aid", covers=["Birmingham"])


@pytest.fixture
def coventry_together(db):
    return OrganisationFactory(slug="coventry-together", name="Coventry Together", covers=["Coventry"])


@pytest.fixture
def coordinator(brum_aid):
    """A coordinator of Brum Aid."""
    return StaffRoleFactory(user=UserFactory(username="cora"), organisation=brum_aid).user


@pytest.fixture
def other_coordinator(coventry_together):
    """A coordinator of another organisation (Coventry Together)."""
    return StaffRoleFactory(user=UserFactory(username="olly"), organisation=coventry_together).user


@pytest.fixture
def viewer(brum_aid):
    return StaffRoleFactory(
        user=UserFactory(username="vic"), organisation=brum_aid, role=StaffRole.Role.VIEWER
    ).user


@pytest.fixture
def volunteer(db):
    return VolunteerFactory(name="Val Volunteer")

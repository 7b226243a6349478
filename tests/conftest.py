"""Named actors, so that permission tests read as sentences."""

from __future__ import annotations

import importlib

import pytest

from tests.factories import OrganisationFactory, StaffRoleFactory, UserFactory, VolunteerFactory
from volunteers.models import Organisation, StaffRole

# The browser fixtures (one Playwright session for the whole run) for every module that needs them.
pytest_plugins = ["tests.browser.support"]


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """PBKDF2 is slow on purpose (about 0.3 s a hash here), and every factory user, sign-in and
    token hashes a password: MD5 makes the suite several times faster and tests nothing less (the
    production hasher is Django's default, configured in config/settings.py)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttles and rate limits count in the cache; with REDIS_URL that is Redis, which outlives a
    test (and a whole run), so one test's failed logins would lock the next test out."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        return True
    return any(name in request.fixturenames for name in ("transactional_db", "live_server"))


@pytest.fixture(autouse=True)
def _local_authorities_survive_flushes(request):
    """A transactional test empties every table afterwards, including the local authorities that a
    data migration created; the next transactional test would find none. Put them back."""
    if not _is_transactional(request):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps as django_apps
    from django.db import connection

    from volunteers.models import LocalAuthority

    if not LocalAuthority.objects.exists():
        migration = importlib.import_module("volunteers.migrations.0002_local_authorities")
        migration.create(django_apps, connection.schema_editor())


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
def infrastructure(db):
    """West Midlands Infrastructure: an infrastructure body, whose staff keep the regional desk."""
    return OrganisationFactory(
        slug="wm-infrastructure",
        name="West Midlands Infrastructure",
        kind=Organisation.Kind.INFRASTRUCTURE,
        covers=["Birmingham", "Coventry"],
    )


@pytest.fixture
def infrastructure_staff(infrastructure):
    """Ines, a campaign manager of the infrastructure body (as the demo's campaigners are)."""
    return StaffRoleFactory(
        user=UserFactory(username="ines"), organisation=infrastructure, role=StaffRole.Role.CAMPAIGN_MANAGER
    ).user


@pytest.fixture
def volunteer(db):
    return VolunteerFactory(name="Val Volunteer")

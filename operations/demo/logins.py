"""The demo's sign-ins: a login per role and organisation, and an admin, all with one password."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from volunteers.models import StaffRole
from volunteers.services import staff_upsert

DEMO_PASSWORD = "rekindle-demo"  # noqa: S105  (printed by `make run`; DEBUG only)

# login, organisation, role
LOGINS = (
    ("coordinator", "brum-aid", StaffRole.Role.COORDINATOR),
    ("campaigner", "wm-infrastructure", StaffRole.Role.CAMPAIGN_MANAGER),
    # A second campaign manager, so that the two-person rule for large campaigns can be tried.
    ("campaigner2", "wm-infrastructure", StaffRole.Role.CAMPAIGN_MANAGER),
    ("viewer", "wm-infrastructure", StaffRole.Role.VIEWER),
    ("coordinator-coventry", "coventry-together", StaffRole.Role.COORDINATOR),
    ("coordinator-blackcountry", "black-country-neighbours", StaffRole.Role.COORDINATOR),
    ("coordinator-faith", "faithful-neighbours", StaffRole.Role.COORDINATOR),
    ("coordinator-solihull", "solihull-community-action", StaffRole.Role.COORDINATOR),
    ("coordinator-wolves", "wolves-lunch-club", StaffRole.Role.COORDINATOR),
)


def logins_seed() -> None:
    """Create or update every login in LOGINS, and the superuser ``admin``. Call after the
    organisations exist."""
    for username, org_slug, role in LOGINS:
        staff_upsert(username=username, organisation_slug=org_slug, role=role, password=DEMO_PASSWORD)
    admin, _ = get_user_model().objects.get_or_create(username="admin", defaults={"is_staff": True})
    admin.is_staff = admin.is_superuser = True
    admin.set_password(DEMO_PASSWORD)
    admin.save()

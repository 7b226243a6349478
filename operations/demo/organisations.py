"""The demo's organisations: an infrastructure body for the region and a charity or group per area."""

from __future__ import annotations

from operations.demo.region import CONSTITUENT
from volunteers.models import LocalAuthority, Organisation

ORGANISATIONS = (
    # slug, name, kind, covers
    (
        "wm-infrastructure",
        "West Midlands Community Resilience Partnership",
        "infrastructure",
        CONSTITUENT,
    ),
    ("brum-aid", "Brum Aid Network", "charity", ["Birmingham"]),
    ("coventry-together", "Coventry Together", "charity", ["Coventry"]),
    (
        "black-country-neighbours",
        "Black Country Neighbours",
        "mutual_aid",
        ["Dudley", "Sandwell", "Walsall"],
    ),
    ("faithful-neighbours", "Faithful Neighbours Network", "faith", ["Sandwell", "Birmingham"]),
    ("solihull-community-action", "Solihull Community Action", "charity", ["Solihull"]),
    ("wolves-lunch-club", "Wolverhampton Lunch Club CIC", "social_enterprise", ["Wolverhampton"]),
)


def organisations_seed(*, la_by_name: dict[str, LocalAuthority]) -> dict[str, Organisation]:
    """Create or update the organisations and the councils each covers; by slug."""
    orgs: dict[str, Organisation] = {}
    for slug, name, kind, covers in ORGANISATIONS:
        org, _ = Organisation.objects.update_or_create(slug=slug, defaults={"name": name, "kind": kind})
        org.local_authorities.set([la_by_name[c] for c in covers])
        orgs[slug] = org
    return orgs


def organisation_for_authority() -> dict[str, str]:
    """Council name -> the slug of the first local (not infrastructure) organisation covering it:
    who coordinates the groups and posts the needs there."""
    return {
        la: next(slug for slug, _, kind, covers in ORGANISATIONS if la in covers and kind != "infrastructure")
        for la in CONSTITUENT
    }

import pytest
from django.core.management import CommandError, call_command

from messaging.models import OutboundMessage
from needs.models import Need
from reactivation.models import Playbook, PlaybookVersion
from volunteers.models import (
    Membership,
    MutualAidGroup,
    Organisation,
    Postcode,
    StaffRole,
    Volunteer,
)

pytestmark = pytest.mark.django_db

SMALL = {"volunteers": 300, "groups": 21, "needs": 8}


def snapshot():
    return {
        model.__name__: model.objects.count()
        for model in (
            Organisation,
            StaffRole,
            MutualAidGroup,
            Volunteer,
            Membership,
            Need,
            Playbook,
            PlaybookVersion,
            Postcode,
        )
    }


def test_seed_builds_the_region_the_contract_promises(settings):
    settings.DEBUG = True
    call_command("seed_demo", **SMALL)
    assert Organisation.objects.get(slug="brum-aid").local_authorities.get().name == "Birmingham"
    infra = Organisation.objects.get(slug="wm-infrastructure")
    assert infra.kind == "infrastructure" and infra.local_authorities.count() == 7
    roles = {
        (r.user.username, r.organisation.slug, r.role)
        for r in StaffRole.objects.select_related("user", "organisation")
    }
    assert ("coordinator", "brum-aid", "coordinator") in roles
    assert ("campaigner", "wm-infrastructure", "campaign_manager") in roles
    # The contract's second campaign manager, so that the two-person rule can be tried.
    assert ("campaigner2", "wm-infrastructure", "campaign_manager") in roles
    assert any(user == "viewer" and role == "viewer" for user, _, role in roles)
    from django.contrib.auth import authenticate

    assert authenticate(username="coordinator", password="rekindle-demo") is not None
    dormant = MutualAidGroup.objects.filter(status="dormant")
    assert dormant.count() == 7  # a third of 21
    assert all(g.notes and g.services and g.active_until.year == 2021 for g in dormant)
    assert set(Playbook.objects.values_list("slug", flat=True)) == {
        "pandemic-food-and-prescriptions",
        "flood-evacuation-support",
        "heatwave-and-cold-snap-checkins",
    }
    assert Need.objects.filter(status="open").count() == 8
    assert not OutboundMessage.objects.exists()  # seeding never texts anyone


def test_seed_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", **SMALL)
    first = snapshot()
    call_command("seed_demo", **SMALL)
    assert snapshot() == first


def test_seed_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo", **SMALL)

"""Actors and a small dormant neighbourhood for the campaign tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reactivation.models import PlaybookVersion
from tests.factories import (
    MembershipFactory,
    MutualAidGroupFactory,
    PlaybookFactory,
    StaffRoleFactory,
    UserFactory,
    VolunteerFactory,
)
from volunteers.models import Membership, MutualAidGroup, StaffRole, Volunteer

SPARKBROOK = (52.4607, -1.8730)

TEMPLATES = {
    "en": {
        "organiser_call": "{sender}: {group} helped in {area} before. Can you run it again? Reply READY or NOT NOW. Reply STOP to opt out",
        "volunteer_call": "{sender}: neighbours in {area} need help this week. Can you help? Reply READY or NOT NOW. Reply STOP to opt out",
        "reconsent": "{sender}: may we still text you when help is needed in {area}? Reply READY to stay on the list. Reply STOP to opt out",
    }
}


@pytest.fixture(autouse=True)
def quiet_off(settings):
    settings.SMS_QUIET_HOURS = None
    settings.SMS_TASKS_SYNC = True


@pytest.fixture
def manager(brum_aid):
    """Cam, a campaign manager of Brum Aid."""
    return StaffRoleFactory(
        user=UserFactory(username="cam"), organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER
    ).user


@pytest.fixture
def second_manager(brum_aid):
    """Sam, another campaign manager of Brum Aid: the second pair of eyes."""
    return StaffRoleFactory(
        user=UserFactory(username="sam"), organisation=brum_aid, role=StaffRole.Role.CAMPAIGN_MANAGER
    ).user


@pytest.fixture
def version(db) -> PlaybookVersion:
    playbook = PlaybookFactory(slug="pandemic", title="Pandemic")
    return PlaybookVersion.objects.create(
        playbook=playbook,
        number=1,
        templates=TEMPLATES,
        targeting={"group_kinds": ["mutual_aid"], "skills": ["shopping"], "radius_km": 3},
        wave_rules={"first_wave": 3, "growth": 2, "max_wave": 10, "wait_minutes": 30, "max_waves": 4},
    )


def dormant(n: int, *, at=SPARKBROOK, step_km: float = 0.1, **kwargs) -> list[Volunteer]:
    """n dormant volunteers in a line going north from ``at``, nearest first."""
    return [
        VolunteerFactory(
            status=Volunteer.Status.DORMANT,
            latitude=at[0] + i * step_km / 111.0,
            longitude=at[1],
            skills=["shopping"],
            **kwargs,
        )
        for i in range(n)
    ]


def dormant_group(*, organiser: Volunteer | None = None, deputy: Volunteer | None = None, **kwargs):
    group = MutualAidGroupFactory(
        status=MutualAidGroup.Status.DORMANT, latitude=SPARKBROOK[0], longitude=SPARKBROOK[1], **kwargs
    )
    if organiser:
        MembershipFactory(group=group, volunteer=organiser, role=Membership.Role.ORGANISER)
    if deputy:
        MembershipFactory(group=group, volunteer=deputy, role=Membership.Role.DEPUTY)
    return group


def long_ago(days: int):
    return timezone.now() - timedelta(days=days)


CIRCLE = {"latitude": SPARKBROOK[0], "longitude": SPARKBROOK[1], "radius_km": 5}

"""``reactivate`` explains itself (issue 19): every option has help, a wrong name lists the right
ones, and the default campaign manager is the one whose organisation covers the area, as the help says."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class

from reactivation.services.playbooks import playbook_import
from tests.factories import OrganisationFactory, StaffRoleFactory, UserFactory, VolunteerFactory
from volunteers.models import StaffRole

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "reactivation" / "demo_playbooks"
SLUG = "pandemic-food-and-prescriptions"


@pytest.fixture
def playbook(db):
    return playbook_import(document=json.loads((DEMO / f"{SLUG}.json").read_text()))


def reactivate(*args: str) -> str:
    out = io.StringIO()
    call_command("reactivate", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_without_user_uses_the_one_campaign_manager_covering_the_area(
    playbook, infrastructure_staff
):
    # Another organisation's campaign manager, covering elsewhere: not a reason to refuse.
    StaffRoleFactory(
        user=UserFactory(username="sol"),
        organisation=OrganisationFactory(slug="solihull-cares", covers=["Solihull"]),
        role=StaffRole.Role.CAMPAIGN_MANAGER,
    )
    VolunteerFactory(latitude=52.48, longitude=-1.90)
    out = reactivate(SLUG, "--local-authority", "Birmingham", "--dry-run")
    assert "Area: Birmingham" in out and "Would text" in out


def test_several_covering_managers_are_named(playbook, infrastructure, infrastructure_staff):
    StaffRoleFactory(
        user=UserFactory(username="cam"), organisation=infrastructure, role=StaffRole.Role.CAMPAIGN_MANAGER
    )
    with pytest.raises(
        CommandError, match=r"Several campaign managers cover Birmingham \(cam, ines\): say which"
    ):
        reactivate(SLUG, "--local-authority", "Birmingham", "--dry-run")
    assert "Area: Birmingham" in reactivate(
        SLUG, "--local-authority", "Birmingham", "--dry-run", "--user", "cam"
    )


def test_nobody_covering_the_area_is_said_plainly(playbook, infrastructure_staff):
    with pytest.raises(CommandError, match="No campaign manager's organisation covers Sandwell"):
        reactivate(SLUG, "--local-authority", "Sandwell", "--dry-run")


def test_a_wrong_playbook_lists_the_real_ones(playbook, infrastructure_staff):
    with pytest.raises(CommandError, match=rf"There is no playbook 'pandemic'\. The playbooks are: {SLUG}\."):
        reactivate("pandemic", "--local-authority", "Birmingham", "--dry-run")


def test_a_wrong_council_lists_the_known_ones(playbook, infrastructure_staff):
    with pytest.raises(
        CommandError, match=r"Unknown local authority: Narnia\. Known: Birmingham, Cannock Chase"
    ):
        reactivate(SLUG, "--local-authority", "Narnia", "--dry-run")


def test_a_wrong_user_lists_the_campaign_managers(playbook, infrastructure_staff):
    with pytest.raises(CommandError, match=r"No user 'nobody'\. Campaign managers: ines\."):
        reactivate(SLUG, "--local-authority", "Birmingham", "--dry-run", "--user", "nobody")


def _options_without_help(name: str) -> list[str]:
    parser = load_command_class(get_commands()[name], name).create_parser("manage.py", name)
    django_own = {
        "help",
        "version",
        "verbosity",
        "settings",
        "pythonpath",
        "traceback",
        "no_color",
        "force_color",
    }
    django_own |= {"skip_checks"}
    return [
        "/".join(action.option_strings) or action.dest
        for action in parser._actions
        if action.dest not in django_own and not action.help
    ]


@pytest.mark.parametrize(
    "name",
    [
        "reactivate",
        "load_postcodes",
        "seed_demo",
        "import_volunteers",
        "import_groups",
        "add_staff",
        "export_data",
        "subject_access",
        "erase_person",
        "readiness_drill",
        "serve_local",
        "erase_closed_requesters",
    ],
)
def test_every_option_of_the_commands_has_help(name):
    assert _options_without_help(name) == []

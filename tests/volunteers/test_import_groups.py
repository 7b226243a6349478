"""import_groups: the 2020 groups, each contact becoming a volunteer and the group's organiser."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tests.factories import VolunteerFactory
from volunteers.models import Membership, MutualAidGroup, Volunteer

pytestmark = pytest.mark.django_db

HEADER = (
    "name,slug,kind,local_authority,latitude,longitude,radius_km,status,contact_name,contact_phone,notes\n"
)


def run(tmp_path, content, *args):
    path = tmp_path / "groups.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_groups", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_groups_and_their_contacts_come_in_and_a_second_run_changes_nothing(tmp_path, brum_aid):
    content = (
        "\ufeff"
        + HEADER.upper()
        + "Erdington Helpers,erdington-helpers,mutual aid,Birmingham,52.52,-1.84,2,dormant,Asha Khan,07700 900201,"
        '"Met at the library, Tuesdays"\n'
        + ",,,,,,,,,,\n"
        + "Café Soup Run,,food bank,sandwell,52.518,-1.995,,active,,,\n"
    )
    out, err = run(tmp_path, content, "--organisation", "brum-aid")
    assert "2 new" in out and "0 rejected" in out, err
    group = MutualAidGroup.objects.get(slug="erdington-helpers")
    assert (group.status, group.kind, group.local_authority.name) == ("dormant", "mutual_aid", "Birmingham")
    assert group.organisation == brum_aid and group.notes == "Met at the library, Tuesdays" and group.cell_0
    assert MutualAidGroup.objects.get(slug="cafe-soup-run").local_authority.name == "Sandwell"
    asha = Volunteer.objects.get(phone="+447700900201")
    assert asha.consent_channel == "import" and "erdington-helpers" in asha.consent_source
    assert Membership.objects.get(volunteer=asha, group=group).role == "organiser"

    out, _ = run(tmp_path, content, "--organisation", "brum-aid")
    assert "0 new, 0 updated, 2 unchanged" in out
    assert Volunteer.objects.count() == 1 and Membership.objects.count() == 1


def test_an_existing_volunteer_becomes_organiser_without_a_duplicate(tmp_path):
    VolunteerFactory(phone="+447700900202", name="Bo Existing")
    run(tmp_path, HEADER + "Bo's Group,bos-group,,Dudley,52.51,-2.08,,,Bo E,+44 7700 900202,\n")
    assert Volunteer.objects.filter(phone="+447700900202").count() == 1
    assert Volunteer.objects.get(phone="+447700900202").name == "Bo Existing"
    assert Membership.objects.get().role == "organiser"


def test_bad_group_rows_are_reported_by_line(tmp_path):
    content = (
        HEADER
        + "No Council,no-council,,Narnia,52.5,-1.9,,,,,\n"  # line 2
        + "Abroad,abroad,,Birmingham,48.85,2.35,,,,,\n"  # line 3
        + "Landline,landline,,Birmingham,52.5,-1.9,,,Lee,0121 496 0000,\n"  # line 4
        + "Odd Status,odd-status,,Birmingham,52.5,-1.9,,sleeping,,,\n"  # line 5
        + "Good,good,,Walsall,52.58,-1.98,,,,,\n"
        + "Good Again,good,,Walsall,52.58,-1.98,,dormant,,,\n"  # line 7: same slug
    )
    out, err = run(tmp_path, content)
    assert "1 new" in out and "4 rejected" in out
    assert "line 2: rejected: local_authority: 'Narnia'" in err
    assert "line 3: rejected: latitude/longitude: (48.8500, 2.3500) is outside the UK" in err
    assert "line 4: rejected: contact_phone:" in err
    assert "line 5: rejected: status:" in err
    assert "line 7: duplicates line 6 (same slug good)" in err
    good = MutualAidGroup.objects.get(slug="good")
    assert (good.name, good.status) == ("Good Again", "dormant")


def test_dry_run_writes_no_group_and_no_contact(tmp_path):
    out, _ = run(tmp_path, HEADER + "G,g,,Coventry,52.4,-1.5,,,Cy,07700900203,\n", "--dry-run")
    assert "Would import 1 groups" in out
    assert not MutualAidGroup.objects.exists() and not Volunteer.objects.exists()


def test_unknown_organisation_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No organisation"):
        run(tmp_path, HEADER + "G,g,,Coventry,52.4,-1.5,,,,,\n", "--organisation", "nope")

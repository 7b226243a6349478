import io
import json

import pytest
from django.core.management import CommandError, call_command

from operations.demo.playbooks import PLAYBOOK_DIR
from reactivation.models import Playbook

pytestmark = pytest.mark.django_db


def test_a_playbook_round_trips_through_the_commands(tmp_path):
    source = PLAYBOOK_DIR / "flood-evacuation-support.json"
    out = io.StringIO()
    call_command("import_playbook", str(source), stdout=out)
    assert "flood-evacuation-support is at version 1" in out.getvalue()

    exported = tmp_path / "flood.json"
    call_command("export_playbook", "flood-evacuation-support", output=exported, stderr=io.StringIO())
    document = json.loads(exported.read_text())
    assert document["format"] == "rekindle-playbook/1" and document["version"] == 1

    # Another region changes one step and imports it: a new version, the old one kept.
    document["steps"][0]["detail"] += " Check the Environment Agency's flood map first."
    exported.write_text(json.dumps(document))
    call_command("import_playbook", str(exported), stdout=io.StringIO())
    playbook = Playbook.objects.get(slug="flood-evacuation-support")
    assert list(playbook.versions.values_list("number", flat=True)) == [2, 1]

    # The same document again changes nothing.
    call_command("import_playbook", str(exported), stdout=io.StringIO())
    assert playbook.versions.count() == 2


def test_a_broken_playbook_is_refused_whole_with_its_problems(tmp_path):
    document = json.loads((PLAYBOOK_DIR / "heatwave-and-cold-snap-checkins.json").read_text())
    document["templates"]["en"]["volunteer_call"] = "Can you help?"  # no sender, no opt-out line
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="was not imported") as exc:
        call_command("import_playbook", str(path))
    assert "STOP" in str(exc.value)
    assert not Playbook.objects.exists()


def test_not_json_and_unknown_slug_are_clear_errors(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="is not valid JSON"):
        call_command("import_playbook", str(path))
    with pytest.raises(CommandError, match="No playbook 'nope'"):
        call_command("export_playbook", "nope")

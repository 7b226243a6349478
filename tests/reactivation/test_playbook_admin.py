"""The admin shows playbook versions but cannot change them: a version a campaign ran is the record
of what it sent. Changes go through the editor, which adds a version."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reactivation.models import PlaybookVersion
from tests.factories import CampaignFactory, PlaybookVersionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def run_version():
    version = PlaybookVersionFactory(wave_rules={"first_wave": 20}, change_note="As run")
    CampaignFactory(playbook_version=version, status="completed")
    return version


def _inline_post(version: PlaybookVersion, *, first_wave: int) -> dict:
    """What the playbook's admin page would post if the version were an editable inline."""
    playbook = version.playbook
    prefix = "versions"
    return {
        "slug": playbook.slug,
        "title": playbook.title,
        "crisis_type": playbook.crisis_type,
        "summary": playbook.summary,
        "created_at_0": "2024-01-01",
        "created_at_1": "10:00:00",
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": str(version.pk),
        f"{prefix}-0-playbook": str(playbook.pk),
        f"{prefix}-0-number": "1",
        f"{prefix}-0-wave_rules": f'{{"first_wave": {first_wave}}}',
        f"{prefix}-0-templates": '{"en": {"volunteer_call": "rewritten"}}',
        f"{prefix}-0-steps": '[{"title": "rewritten"}]',
        f"{prefix}-0-roles": '[{"name": "rewritten"}]',
        f"{prefix}-0-targeting": '{"radius_km": 3}',
        f"{prefix}-0-change_note": "rewritten",
        "lessons-TOTAL_FORMS": "0",
        "lessons-INITIAL_FORMS": "0",
    }


def test_the_playbook_admin_page_shows_a_run_version_without_a_box_to_change_it(admin_client, run_version):
    url = reverse("admin:reactivation_playbook_change", args=[run_version.playbook.pk])
    page = admin_client.get(url).content.decode()
    assert "As run" in page  # the version is shown
    assert 'name="versions-0-wave_rules"' not in page and 'name="versions-0-templates"' not in page

    admin_client.post(url, _inline_post(run_version, first_wave=999))

    run_version.refresh_from_db()
    assert run_version.wave_rules == {"first_wave": 20}
    assert "rewritten" not in str(run_version.templates)
    assert PlaybookVersion.objects.filter(playbook=run_version.playbook).count() == 1


def test_a_version_cannot_be_changed_added_or_deleted_on_its_own_admin_page(admin_client, run_version):
    change = reverse("admin:reactivation_playbookversion_change", args=[run_version.pk])
    assert 'name="wave_rules"' not in admin_client.get(change).content.decode()
    admin_client.post(change, {"wave_rules": '{"first_wave": 999}', "number": "1"})
    run_version.refresh_from_db()
    assert run_version.wave_rules == {"first_wave": 20}

    assert admin_client.get(reverse("admin:reactivation_playbookversion_add")).status_code == 403
    delete = reverse("admin:reactivation_playbookversion_delete", args=[run_version.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert PlaybookVersion.objects.filter(pk=run_version.pk).exists()

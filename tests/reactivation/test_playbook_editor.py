"""The playbook pages: a campaign manager reads a playbook, edits it (every save a new version, the
old one untouched), sees each text as it will be sent and is told in plain words what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from messaging.encoding import sms_batch_estimate, sms_normalise, sms_segments
from reactivation.models import Playbook, PlaybookVersion
from reactivation.playbook_forms import PlaybookEditor
from reactivation.services.playbooks import playbook_import, playbook_update, review_append
from tests.factories import CampaignFactory, OrganisationFactory, StaffRoleFactory, UserFactory
from volunteers.models import StaffRole

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parents[2] / "reactivation" / "demo_playbooks"
SLUG = "pandemic-food-and-prescriptions"
CALL = "t-text_en_volunteer_call"


@pytest.fixture
def playbook() -> Playbook:
    return playbook_import(document=json.loads((DEMO / f"{SLUG}.json").read_text()))


def edit_url(playbook: Playbook) -> str:
    return reverse("reactivation:playbook-edit", args=[playbook.slug])


def as_typed(version: PlaybookVersion, **changes: str) -> dict[str, str]:
    """What the editor page posts back when the person changes only ``changes`` (field names as
    on the page), as a browser would send it: every field with its value, ticked boxes only."""
    editor = PlaybookEditor(version=version)
    data: dict = {}
    for part in editor.parts():
        forms = [part.management_form, *part.forms] if hasattr(part, "management_form") else [part]
        for form in forms:
            for field in form:
                value = field.value()
                if isinstance(value, bool):
                    if value:
                        data[field.html_name] = "on"
                elif isinstance(value, list):
                    data[field.html_name] = value
                elif value is not None:
                    data[field.html_name] = str(value)
    data.update(changes)
    return data


def test_a_campaign_manager_saves_a_new_version_and_the_old_one_stays_as_it_was(client, manager, playbook):
    v1 = playbook.current_version
    campaign = CampaignFactory(playbook_version=v1)  # a campaign ran version 1
    new_text = "{sender}: neighbours in {area} need shopping done. Can you help? Reply READY or NOT NOW. Reply STOP to opt out"
    client.force_login(manager)

    response = client.post(
        edit_url(playbook),
        as_typed(
            v1,
            **{CALL: new_text, "waves-first_wave": "25", "change_note": "Shorter call, smaller first wave"},
        ),
        follow=True,
    )

    assert "Saved as version 2. Version 1 is kept as it was." in response.content.decode()
    v2 = playbook.versions.get(number=2)
    assert v2.templates["en"]["volunteer_call"] == new_text
    assert v2.wave_rules["first_wave"] == 25
    assert v2.change_note == "Shorter call, smaller first wave" and v2.created_by == manager
    assert v2.steps == v1.steps and v2.roles == v1.roles and v2.targeting == v1.targeting
    v1.refresh_from_db()
    assert "shopping and prescriptions again" in v1.templates["en"]["volunteer_call"]
    assert v1.wave_rules["first_wave"] == 50
    campaign.refresh_from_db()
    assert campaign.playbook_version_id == v1.pk
    old_page = client.get(reverse("reactivation:playbook-version", args=[playbook.slug, 1])).content.decode()
    assert "This is an earlier version, kept exactly as it was." in old_page
    assert "shopping and prescriptions again" in old_page
    assert "1 campaign ran this version, so it can never change." in old_page


def test_saving_with_nothing_changed_makes_no_version(client, manager, playbook):
    client.force_login(manager)
    response = client.post(
        edit_url(playbook), as_typed(playbook.current_version, change_note="Just looking"), follow=True
    )
    assert "Nothing in the playbook changed, so no new version was made." in response.content.decode()
    assert playbook.versions.count() == 1


def test_problems_are_named_in_plain_words_and_what_was_typed_is_kept(client, manager, playbook):
    client.force_login(manager)
    typed = "Hello {area}, can you help? Reply READY"
    response = client.post(
        edit_url(playbook),
        as_typed(
            playbook.current_version,
            **{
                CALL: typed,
                "t-text_pl_volunteer_call": "{sender}: {postcode} pomoc? Reply STOP to opt out",
                "waves-first_wave": "900",
                "waves-max_wave": "100",
                "waves-growth": "0.5",
                "steps-0-title": "",
                "change_note": "",
            },
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Nothing was saved." in page
    assert "This text must say who it is from: put {sender} in it" in page
    assert "This text must end with how to opt out: &quot;Reply STOP to opt out&quot;" in page
    assert "This text uses unknown {postcode}" in page
    assert "Every playbook needs a text to volunteers in English" not in page  # it is there, only wrong
    assert "The first wave (900) cannot be bigger than any one wave may be (100)." in page
    assert "Use 1 or more: waves grow, they never shrink." in page
    assert "Give this step a name, or empty the whole step to leave it out." in page
    assert "Say in a few words what you changed and why" in page
    assert f'href="#id_{CALL}"' in page  # the summary links to the box to fix
    assert typed in page and 'value="900"' in page  # kept as typed
    assert playbook.versions.count() == 1


def test_english_text_to_volunteers_cannot_be_emptied(client, manager, playbook):
    client.force_login(manager)
    response = client.post(
        edit_url(playbook), as_typed(playbook.current_version, **{CALL: "", "change_note": "x"})
    )
    assert "Every playbook needs a text to volunteers in English" in response.content.decode()
    assert playbook.versions.count() == 1


def test_steps_are_reordered_removed_and_added(client, manager, playbook):
    v1 = playbook.current_version
    total = len(v1.steps)
    client.force_login(manager)
    client.post(
        edit_url(playbook),
        as_typed(
            v1,
            **{
                "steps-1-ORDER": "0",  # the second step moves to the top
                "steps-2-DELETE": "on",  # the third is removed
                f"steps-{total}-title": "Ring the faith groups",  # a new one in the first blank row
                f"steps-{total}-role": "Coordinator",
                "change_note": "Faith groups too",
            },
        ),
    )
    steps = playbook.versions.get(number=2).steps
    assert [s["title"] for s in steps[:2]] == [v1.steps[1]["title"], v1.steps[0]["title"]]
    assert v1.steps[2]["title"] not in [s["title"] for s in steps]
    assert steps[-1] == {"title": "Ring the faith groups", "detail": "", "role": "Coordinator"}
    assert len(steps) == total


def test_someone_elses_newer_version_is_never_silently_undone(client, manager, second_manager, playbook):
    v1 = playbook.current_version
    playbook_update(
        playbook=playbook, user=second_manager, wave_rules={"first_wave": 10}, change_note="Sam's"
    )
    client.force_login(manager)
    response = client.post(
        edit_url(playbook), as_typed(v1, **{"waves-max_waves": "3", "change_note": "Mine"})
    )
    page = response.content.decode()
    assert "While you were editing version 1, sam saved version 2." in page
    assert playbook.versions.count() == 2
    assert playbook.versions.get(number=2).wave_rules["first_wave"] == 10


def test_without_javascript_the_preview_button_shows_each_text_as_sent_and_saves_nothing(
    client, manager, playbook
):
    client.force_login(manager)
    typed = "{sender}: \u201cquick\u201d help in {area}? Reply READY. Reply STOP to opt out"
    response = client.post(
        edit_url(playbook), as_typed(playbook.current_version, **{CALL: typed, "preview": "1"})
    )
    page = response.content.decode()
    assert "West Midlands Community Resilience Partnership: &quot;quick&quot; help in Birmingham?" in page
    assert "1 segment, 4p a text. Plain text (GSM-7)" in page
    assert "There is a problem" not in page
    assert playbook.versions.count() == 1


def test_the_preview_endpoint_counts_as_the_campaigns_do(client, viewer, settings):
    settings.REACTIVATION_PRICE_PER_SEGMENT_PENCE = 3.5
    text = "{sender}: ਕੀ ਤੁਸੀਂ {area} ਵਿੱਚ ਮਦਦ ਕਰ ਸਕਦੇ ਹੋ? READY ਜਾਂ NOT NOW ਲਿਖੋ। Reply STOP to opt out"
    client.force_login(viewer)

    answer = client.get(reverse("reactivation:playbook-preview"), {"text": text}).json()

    info = sms_segments(sms_normalise(answer["body"]))
    assert answer["encoding"] == "ucs2" == info.encoding
    assert answer["segments"] == info.segments > 1
    assert answer["cost_pence"] == sms_batch_estimate([answer["body"]], price_per_segment_pence=3.5)[1]
    assert answer["encoding_words"].startswith("Unicode")
    assert answer["problems"] == []
    bad = client.get(reverse("reactivation:playbook-preview"), {"text": "help {area}"}).json()
    assert "This text must say who it is from: put {sender} in it" in bad["problems"]


def test_the_reading_page_shows_the_version_its_lessons_and_every_version(client, viewer, manager, playbook):
    v1 = playbook.current_version
    campaign = CampaignFactory(playbook_version=v1, name="Sandwell food run", status="completed")
    StaffRoleFactory(user=manager, organisation=campaign.organisation, role=StaffRole.Role.CAMPAIGN_MANAGER)
    review_append(
        campaign=campaign, user=manager, what_worked="Organisers first", what_did_not="Too many texts"
    )
    playbook_update(
        playbook=playbook, user=manager, wave_rules={"first_wave": 20}, change_note="Start smaller"
    )
    client.force_login(viewer)

    page = client.get(reverse("reactivation:playbook", args=[playbook.slug])).content.decode()

    assert 'Version <strong id="version-number">2</strong> (the current one)' in page
    assert "Hour 0: decide and tell the groups" in page and "Safeguarding lead" in page
    assert "Punjabi" in page and "Urdu" in page
    assert "segment" in page and "p a text" in page
    assert "Sandwell food run" in page and "Organisers first" in page and "Too many texts" in page
    assert "Ran version 1." in page
    assert reverse("reactivation:playbook-version", args=[playbook.slug, 1]) in page
    assert "Start smaller" in page
    assert "Edit this playbook" not in page  # a viewer reads only


def test_two_versions_side_by_side_show_what_changed(client, viewer, manager, playbook):
    v1 = playbook.current_version
    templates = {
        **v1.templates,
        "en": {**v1.templates["en"], "thanks": "{sender}: thank you. Reply STOP to opt out"},
    }
    playbook_update(
        playbook=playbook,
        user=manager,
        steps=[{"title": "Say hello", "detail": "", "role": ""}, *v1.steps],
        templates=templates,
        wave_rules={**v1.wave_rules, "first_wave": 20},
        change_note="Greeting",
    )
    client.force_login(viewer)
    response = client.get(
        reverse("reactivation:playbook-compare", args=[playbook.slug]), {"old": 1, "new": 2}
    )
    sections = {s.title: s for s in response.context["sections"]}

    assert sections["Steps"].changes == 1  # one step added, the rest the same
    assert [(r.label, r.change) for r in sections["Steps"].rows[:2]] == [
        ("Step 1", "added"),
        ("Step 2", "same"),
    ]
    thanks = next(r for r in sections["Texts"].rows if r.label == "English: thank you")
    assert thanks.change == "changed" and "thank you. Reply STOP" in thanks.right
    first = next(r for r in sections["Waves"].rows if r.label.startswith("First wave"))
    assert (first.left, first.right, first.change) == ("50", "20", "changed")
    assert sections["Roles"].changes == 0
    page = response.content.decode()
    assert "Changed" in page and "Added" in page


# --- who may do what -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "viewer"])
def test_coordinators_and_viewers_read_but_do_not_edit(client, request, playbook, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reactivation:playbook", args=[playbook.slug])).status_code == 200
    assert client.get(reverse("reactivation:playbooks")).status_code == 200
    assert client.get(edit_url(playbook)).status_code == 403
    response = client.post(edit_url(playbook), as_typed(playbook.current_version, **{"waves-max_waves": "2"}))
    assert response.status_code == 403
    assert playbook.versions.count() == 1


def test_someone_signed_out_is_sent_to_sign_in(client, playbook):
    for url in (reverse("reactivation:playbook", args=[playbook.slug]), edit_url(playbook)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get(reverse("reactivation:playbook-preview"), {"text": "x"}).status_code == 302


def test_a_signed_in_person_with_no_staff_role_reads_nothing(client, playbook):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("reactivation:playbook", args=[playbook.slug])).status_code == 403
    assert client.get(reverse("reactivation:playbook-preview"), {"text": "x"}).status_code == 403


def test_an_organisations_own_playbook_is_edited_by_its_campaign_managers_only(client, manager, playbook):
    playbook.organisation = OrganisationFactory(slug="elsewhere", name="Elsewhere")
    playbook.save()
    client.force_login(manager)  # a campaign manager of Brum Aid
    assert client.get(edit_url(playbook)).status_code == 403
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(edit_url(playbook)).status_code == 200


def test_the_list_and_a_playbooks_page_take_the_same_queries_however_many_there_are(
    client, viewer, playbook, manager, django_assert_num_queries
):
    for n in range(3):
        other = playbook_import(
            document={**json.loads((DEMO / f"{SLUG}.json").read_text()), "slug": f"copy-{n}"}
        )
        playbook_update(playbook=other, user=manager, wave_rules={"first_wave": 5 + n}, change_note="more")
        playbook_update(playbook=playbook, user=manager, wave_rules={"first_wave": 5 + n}, change_note="more")
    client.force_login(viewer)
    url = reverse("reactivation:playbook", args=[playbook.slug])
    client.get(url)  # the session and roles warm
    # session, user, roles; then the playbooks and their versions
    with django_assert_num_queries(5):
        assert "copy-2" in client.get(reverse("reactivation:playbooks")).content.decode()
    # session, user, roles; the playbook, its current version, that version, every version, lessons
    with django_assert_num_queries(8):
        assert "Version <strong" in client.get(url).content.decode()

"""Skills on needs: asked for at posting (each kind of help suggests its usual ones), required by
the matcher with the other hard rules, counted among who was left out, and carried by the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from needs.forms import NeedForm
from needs.matching.candidates import candidates_find
from needs.matching.ranking import SKILLS_MISSING
from needs.services.posting import need_create
from needs.skills import CATEGORY_SKILLS, skills_clean, skills_words
from tests.factories import BIRMINGHAM, NeedFactory, OrganisationFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
LAT, LON = BIRMINGHAM


def vol(km: float = 0.3, **kwargs):
    return VolunteerFactory(latitude=LAT + km / 111.32, longitude=LON, **kwargs)


def post(**kwargs):
    defaults = dict(
        organisation=OrganisationFactory(),
        posted_by=None,
        category="transport",
        summary="A lift to the surgery",
        latitude=LAT,
        longitude=LON,
    )
    return need_create(**{**defaults, **kwargs})


def test_a_need_stores_the_skills_it_asks_for_in_the_lists_order_each_once():
    need = post(skills=["driving", "befriending", "driving"])
    need.refresh_from_db()
    assert need.skills == ["driving", "befriending"]


def test_an_unknown_skill_is_refused_by_name_and_nothing_is_posted():
    with pytest.raises(ValidationError) as caught:
        post(skills=["driving", "juggling"])
    assert "'juggling'" in caught.value.message_dict["skills"][0]
    assert "'driving'" not in caught.value.message_dict["skills"][0]


def test_a_volunteer_must_have_every_skill_the_need_asks_for():
    both = vol(skills=["driving", "befriending"])
    _driver = vol(skills=["driving"])
    _none = vol(skills=[])
    need = NeedFactory(skills=["driving", "befriending"])
    assert {c.volunteer_id for c in candidates_find(need=need).candidates} == {both.pk}


def test_a_need_asking_for_no_skill_takes_anyone():
    a, b = vol(skills=[]), vol(skills=["cooking"])
    assert {c.volunteer_id for c in candidates_find(need=NeedFactory(skills=[])).candidates} == {a.pk, b.pk}


def test_who_was_left_out_counts_those_the_skills_rule_turned_away():
    vol(skills=["digital_help"])
    vol(skills=["digital_help"])
    keep = vol(skills=["driving"])
    result = candidates_find(need=NeedFactory(skills=["driving"]))
    assert [c.volunteer_id for c in result.candidates] == [keep.pk]
    assert result.excluded[SKILLS_MISSING] == 2


def test_a_digital_helper_is_not_offered_a_transport_need():
    """The issue's case: a volunteer whose only skill is digital help was offered a lift."""
    vol(skills=["digital_help"])
    need = post(category="transport", skills=CATEGORY_SKILLS["transport"])
    assert candidates_find(need=need).candidates == []


def test_each_kind_of_help_suggests_its_usual_skills_in_the_posting_form():
    form = NeedForm(organisations=[OrganisationFactory()], initial={"category": "befriending"})
    assert form["skills"].value() == ["befriending"]
    default = NeedForm(organisations=[OrganisationFactory()])
    assert default["skills"].value() == CATEGORY_SKILLS[default.fields["category"].choices[0][0]]
    assert all(
        slug in dict(form.fields["skills"].choices) for slugs in CATEGORY_SKILLS.values() for slug in slugs
    )


def test_the_coordinator_can_change_the_suggestions():
    data = {
        "organisation": "1",
        "category": "befriending",
        "summary": "A weekly call",
        "postcode": "B1 1AA",
        "urgency": "normal",
        "requires_dbs": "none",
        "skills": ["befriending", "translation"],
    }
    org = OrganisationFactory()
    data["organisation"] = str(org.pk)
    form = NeedForm(data, organisations=[org])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["skills"] == ["befriending", "translation"]


def test_skills_in_plain_words():
    assert (
        skills_words(["driving", "befriending"])
        == "Driving people or things and Friendly phone calls or visits"
    )
    assert skills_words([]) == ""
    assert skills_clean(["shopping", " "]) == (["shopping"], None)

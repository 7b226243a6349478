import pytest

from reactivation.services.playbooks import PlaybookInvalid, playbook_import
from reactivation.wording import template_preview, template_problems

GOOD = "{sender}: can you help in {area}? Reply READY or NOT NOW. Reply STOP to opt out"


def test_a_good_template_has_no_problems_and_previews_as_one_gsm_segment():
    preview = template_preview(GOOD)
    assert preview.problems == ()
    assert preview.body.startswith(
        "West Midlands Community Resilience Partnership: can you help in Birmingham?"
    )
    assert (preview.encoding, preview.segments) == ("gsm7", 1)


def test_a_template_must_say_who_it_is_from():
    assert any("who it is from" in p for p in template_problems("Can you help? Reply STOP to opt out"))


def test_a_template_must_end_with_how_to_opt_out():
    problems = template_problems("{sender}: Reply STOP to opt out. Can you help?")
    assert any("Reply STOP to opt out" in p for p in problems)
    assert template_problems(GOOD + ".") == []


def test_unknown_variables_and_broken_braces_are_named():
    assert "{postcode}" in template_problems("{sender} {postcode} Reply STOP to opt out")[0]
    assert "braces" in template_problems("{sender {area} Reply STOP to opt out")[0]


def test_preview_counts_segments_and_warns_on_ucs2():
    preview = template_preview("{sender}: ਮਦਦ ਦੀ ਲੋੜ ਹੈ {area}. Reply STOP to opt out")
    assert preview.encoding == "ucs2" and preview.segments == 2


def test_preview_replaces_smart_quotes_so_the_text_stays_gsm7():
    preview = template_preview(
        "{sender}: we\u2019re asking \u201cneighbours\u201d again. Reply STOP to opt out"
    )
    assert preview.encoding == "gsm7" and "\u2019" not in preview.body


@pytest.mark.django_db
def test_import_refuses_a_template_without_opt_out():
    with pytest.raises(PlaybookInvalid, match="must end with how to opt out"):
        playbook_import(
            document={
                "slug": "x",
                "title": "X",
                "crisis_type": "flood",
                "summary": "s",
                "templates": {"en": {"volunteer_call": "{sender}: help? Reply READY"}},
            }
        )

"""Lining up two versions of a playbook, part by part (pure, no database)."""

from reactivation.playbook_labels import MESSAGE_TITLES, RULE_LABELS
from reactivation.versions_diff import list_compare, mapping_compare, templates_compare
from reactivation.waves import ESCALATION_DEFAULTS, RULE_DEFAULTS
from reactivation.wording import KNOWN_TEMPLATES


def changes(rows):
    return [(r.label, r.change) for r in rows]


def test_an_inserted_step_is_one_addition_not_every_later_step_changed():
    rows = list_compare(["Call", "Rota", "Thank"], ["Call", "Check DBS", "Rota", "Thank"], noun="Step")
    assert changes(rows) == [("Step 1", "same"), ("Step 2", "added"), ("Step 3", "same"), ("Step 4", "same")]


def test_a_rewritten_step_is_changed_and_a_dropped_one_removed():
    rows = list_compare(["Call", "Rota", "Thank"], ["Call", "Rota twice a week"], noun="Step")
    assert changes(rows) == [("Step 1", "same"), ("Step 2", "changed"), ("Step 3", "removed")]
    assert (rows[1].left, rows[1].right) == ("Rota", "Rota twice a week")
    assert rows[2].right == "" and rows[2].change_words == "Removed"


def test_keyed_values_in_the_given_order_then_the_rest():
    rows = mapping_compare(
        {"growth": 2, "first_wave": 50, "custom": 1},
        {"first_wave": 20, "growth": 2, "max_waves": 4},
        order=["first_wave", "growth", "max_waves"],
        label=str.upper,
        show=lambda key, value: str(value),
    )
    assert changes(rows) == [
        ("FIRST_WAVE", "changed"),
        ("GROWTH", "same"),
        ("MAX_WAVES", "added"),
        ("CUSTOM", "removed"),
    ]


def test_texts_by_language_and_message_an_empty_text_counting_as_none():
    rows = templates_compare(
        {"en": {"volunteer_call": "a", "thanks": ""}, "pa": {"volunteer_call": "b"}},
        {"en": {"volunteer_call": "a", "thanks": "t"}},
        languages=["en", "pa"],
        messages=["volunteer_call", "thanks"],
        label=lambda language, message: f"{language}/{message}",
    )
    assert changes(rows) == [
        ("en/volunteer_call", "same"),
        ("en/thanks", "added"),
        ("pa/volunteer_call", "removed"),
    ]


def test_every_kind_of_text_and_every_wave_rule_has_a_name_in_words():
    assert set(MESSAGE_TITLES) == set(KNOWN_TEMPLATES)
    assert set(RULE_LABELS) == set(RULE_DEFAULTS) | set(ESCALATION_DEFAULTS)

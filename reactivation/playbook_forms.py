"""The playbook editor's forms: steps, roles, the texts in each language, who it wakes, its wave
rules and a change note. Each problem is put on the field it belongs to, in plain words, and the
page keeps everything typed. The service (``playbook_update``) checks the same rules again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.forms import BaseFormSet, formset_factory

from reactivation.forms import PlainForm
from reactivation.models import PlaybookVersion
from reactivation.playbook_labels import (
    GROUP_KIND_NAMES,
    MESSAGE_HELP,
    RULE_HELP,
    RULE_LABELS,
    SKILL_NAMES,
    TARGETING_LABELS,
    language_name,
    languages_in_order,
    message_title,
    messages_in_order,
    rule_usual,
)
from reactivation.waves import RULE_DEFAULTS
from reactivation.wording import template_problems
from volunteers.geography import MAX_SEARCH_RADIUS_KM

# Blank rows offered for a new step or role: enough to add a couple without JavaScript.
EXTRA_STEPS, EXTRA_ROLES = 2, 1


class StepForm(PlainForm):
    title = forms.CharField(label="Step", max_length=200, required=False)
    detail = forms.CharField(
        label="What to do", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    role = forms.CharField(label="Who does it", max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("title") or "").strip() and ((data.get("detail") or "").strip() or data.get("role")):
            self.add_error("title", "Give this step a name, or empty the whole step to leave it out.")
        return data


class RoleForm(PlainForm):
    name = forms.CharField(label="Role", max_length=100, required=False)
    duties = forms.CharField(
        label="What they do", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("name") or "").strip() and (data.get("duties") or "").strip():
            self.add_error("name", "Give this role a name, or empty it to leave it out.")
        return data


class _OrderedRows(BaseFormSet):
    """Rows a person can reorder (a position number) and remove (a tick), in plain words."""

    noun = "step"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = "Position"
        form.fields["ORDER"].help_text = "Change the number to move it."
        form.fields["DELETE"].label = f"Remove this {self.noun}"

    def rows(self) -> list[dict[str, Any]]:
        """The rows kept, in the order asked for, blank ones left out."""
        kept = [f for f in self.ordered_forms if not f.cleaned_data.get("DELETE")]
        return [
            {k: (v or "").strip() for k, v in f.cleaned_data.items() if k not in ("ORDER", "DELETE")}
            for f in kept
            if any((f.cleaned_data.get(k) or "").strip() for k in f.fields if k not in ("ORDER", "DELETE"))
        ]


class _StepRows(_OrderedRows):
    noun = "step"


class _RoleRows(_OrderedRows):
    noun = "role"


StepFormSet = formset_factory(StepForm, formset=_StepRows, extra=EXTRA_STEPS, can_order=True, can_delete=True)
RoleFormSet = formset_factory(RoleForm, formset=_RoleRows, extra=EXTRA_ROLES, can_order=True, can_delete=True)


def text_field_name(language: str, message: str) -> str:
    return f"text_{language}_{message}"


class TextsForm(PlainForm):
    """One box per language and kind of text; an empty box falls back (see ``MESSAGE_HELP``)."""

    def __init__(self, *args, templates: Mapping[str, Mapping[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = languages_in_order(templates)
        self.messages = messages_in_order({m for by_name in templates.values() for m in by_name})
        for language in self.languages:
            for message in self.messages:
                self.fields[text_field_name(language, message)] = forms.CharField(
                    label=f"{message_title(message)} ({language_name(language)})",
                    required=False,
                    max_length=1600,
                    widget=forms.Textarea(attrs={"rows": 4, "data-preview": "1"}),
                    initial=(templates.get(language) or {}).get(message, ""),
                )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        english_call = text_field_name("en", "volunteer_call")
        if not (data.get(english_call) or "").strip():
            self.add_error(
                english_call,
                "Every playbook needs a text to volunteers in English: the other languages fall back to it.",
            )
        for name, text in list(data.items()):
            for problem in template_problems(text, label="This text") if (text or "").strip() else []:
                self.add_error(name, problem)
        return data

    def templates(self) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {}
        for language in self.languages:
            for message in self.messages:
                text = (self.cleaned_data.get(text_field_name(language, message)) or "").strip()
                if text:
                    result.setdefault(language, {})[message] = text
        return result


def _choices_with(known: Mapping[str, str], current: list[str]) -> list[tuple[str, str]]:
    """The known choices plus any value the playbook already holds, so saving never drops one."""
    return [*known.items(), *((v, v) for v in current if v not in known)]


class TargetingForm(PlainForm):
    group_kinds = forms.MultipleChoiceField(
        label=TARGETING_LABELS["group_kinds"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Their organisers are texted first. None ticked: any kind.",
    )
    skills = forms.MultipleChoiceField(
        label=TARGETING_LABELS["skills"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Volunteers with these skills are asked before others.",
    )
    radius_km = forms.FloatField(
        label=TARGETING_LABELS["radius_km"],
        required=False,
        min_value=0.1,
        max_value=MAX_SEARCH_RADIUS_KM,
        error_messages={
            "min_value": "Use a distance of at least 0.1 km.",
            "max_value": f"Use a distance of at most {MAX_SEARCH_RADIUS_KM:g} km.",
            "invalid": "Use a number of kilometres, such as 3 or 1.5.",
        },
        help_text="People who suit the playbook and live this close to the area's centre are asked first. Empty: 3 km.",
    )

    def __init__(self, *args, targeting: Mapping[str, Any], **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = {k: v for k, v in targeting.items() if k not in TARGETING_LABELS}
        kinds, skills = list(targeting.get("group_kinds") or []), list(targeting.get("skills") or [])
        self.fields["group_kinds"].choices = _choices_with(GROUP_KIND_NAMES, kinds)  # type: ignore[attr-defined]
        self.fields["skills"].choices = _choices_with(SKILL_NAMES, skills)  # type: ignore[attr-defined]
        self.initial = {"group_kinds": kinds, "skills": skills, "radius_km": targeting.get("radius_km")}

    def targeting(self) -> dict[str, Any]:
        data = self.cleaned_data
        result: dict[str, Any] = {**self.kept}
        for key in ("group_kinds", "skills"):
            if data.get(key):
                result[key] = list(data[key])
        if data.get("radius_km") is not None:
            result["radius_km"] = _whole_if_whole(data["radius_km"])
        return result


def _whole_if_whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


class WaveRulesForm(PlainForm):
    def __init__(self, *args, rules: Mapping[str, Any], **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in RULE_LABELS.items():
            usual = f"{RULE_DEFAULTS[key]:g}" if key in RULE_DEFAULTS else ""
            field: forms.Field
            if key in ("widen_km", "widen_to_km"):
                field = forms.FloatField(
                    min_value=0.1,
                    max_value=MAX_SEARCH_RADIUS_KM,
                    error_messages={
                        "min_value": "Use a distance of at least 0.1 km.",
                        "max_value": f"Use {MAX_SEARCH_RADIUS_KM:g} km or less.",
                        "invalid": "Use a number of kilometres, such as 2 or 1.5.",
                    },
                )
            elif key == "growth":
                field = forms.FloatField(
                    min_value=1,
                    max_value=10,
                    error_messages={
                        "min_value": "Use 1 or more: waves grow, they never shrink.",
                        "max_value": "Use 10 or less: a wave more than ten times the last one is a flood.",
                        "invalid": "Use a number such as 2 or 1.5.",
                    },
                )
            else:
                field = forms.IntegerField(
                    min_value=1,
                    max_value=100_000,
                    error_messages={
                        "min_value": "Use a whole number of 1 or more.",
                        "max_value": "Use a whole number up to 100,000.",
                        "invalid": "Use a whole number, such as 50.",
                    },
                )
            field.label, field.required, field.initial = label, False, rules.get(key)
            field.help_text = f"{RULE_HELP[key]} Empty: " + (
                f"{usual}, the usual." if usual else f"{rule_usual(key)}."
            )
            if usual:
                field.widget.attrs["placeholder"] = usual
            self.fields[key] = field

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, largest = data.get("first_wave"), data.get("max_wave")
        if first and largest and first > largest:
            self.add_error(
                "first_wave",
                f"The first wave ({first}) cannot be bigger than any one wave may be ({largest}).",
            )
        step, limit = data.get("widen_km"), data.get("widen_to_km")
        if (step is None) != (limit is None):
            self.add_error(
                "widen_to_km" if limit is None else "widen_km",
                "Give both: how much each wave widens the area, and the furthest it may reach.",
            )
        return data

    def rules(self) -> dict[str, Any]:
        return {k: _whole_if_whole(v) for k, v in self.cleaned_data.items() if v is not None}


class ChangeForm(PlainForm):
    change_note = forms.CharField(
        label="What did you change, and why?",
        max_length=300,
        help_text="One or two sentences. Everyone who reads the versions sees it.",
        error_messages={
            "required": "Say in a few words what you changed and why: the next person will read it."
        },
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PlaybookEditor:
    """The editor's forms together, filled from ``version`` (or from what was typed)."""

    def __init__(self, *, version: PlaybookVersion, data: Mapping[str, Any] | None = None):
        self.steps = cast(
            _OrderedRows, StepFormSet(data, prefix="steps", initial=[_text_row(s) for s in version.steps])
        )
        self.roles = cast(
            _OrderedRows, RoleFormSet(data, prefix="roles", initial=[_text_row(r) for r in version.roles])
        )
        self.texts = TextsForm(data, prefix="t", templates=version.templates or {})
        self.targeting = TargetingForm(data, prefix="target", targeting=version.targeting or {})
        self.waves = WaveRulesForm(data, prefix="waves", rules=version.wave_rules or {})
        self.change = ChangeForm(data, initial={"based_on": version.number})

    def parts(self) -> list[Any]:
        return [self.steps, self.roles, self.texts, self.targeting, self.waves, self.change]

    def is_valid(self) -> bool:
        return all([part.is_valid() for part in self.parts()])  # every part, so every error shows

    def problems(self) -> list[tuple[str, str]]:
        """Every problem as ``(words, id of the field to fix)``, in page order, for the summary at
        the top of the page (each is also shown beside its field)."""
        found: list[tuple[str, str]] = []
        for where, form in self._forms_in_order():
            for name, errors in form.errors.items():
                field = form.fields.get(name)
                label = f"{where}{field.label}" if field is not None else where.rstrip(", ") or "The playbook"
                anchor = form[name].auto_id if field is not None else ""
                found += [(f"{label}: {error}", anchor) for error in errors]
        for formset, noun in ((self.steps, "Steps"), (self.roles, "Roles")):
            found += [(f"{noun}: {error}", "") for error in formset.non_form_errors()]
        return found

    def _forms_in_order(self) -> list[tuple[str, forms.Form]]:
        rows = [(f"Step {i + 1}, ", f) for i, f in enumerate(self.steps.forms)]
        rows += [(f"Role {i + 1}, ", f) for i, f in enumerate(self.roles.forms)]
        return [*rows, ("", self.texts), ("", self.targeting), ("", self.waves), ("", self.change)]

    def text_groups(self, *, preview: Any) -> list[dict[str, Any]]:
        """The text boxes by language, each with ``preview(text)`` of what it holds now (typed or
        saved); a language is shown open when it has a text or a problem."""
        groups = []
        for language in self.texts.languages:
            boxes: list[dict[str, Any]] = []
            for message in self.texts.messages:
                field = self.texts[text_field_name(language, message)]
                text = (field.value() or "").strip()
                boxes.append(
                    {
                        "field": field,
                        "help": MESSAGE_HELP.get(message, ""),
                        "preview": preview(text) if text else None,
                    }
                )
            groups.append(
                {
                    "language": language,
                    "name": language_name(language),
                    "open": language == "en" or any(b["preview"] or b["field"].errors for b in boxes),
                    "boxes": boxes,
                }
            )
        return groups

    def changes(self) -> dict[str, Any]:
        """What ``playbook_update`` takes; call after ``is_valid``."""
        return {
            "steps": self.steps.rows(),
            "roles": self.roles.rows(),
            "templates": self.texts.templates(),
            "targeting": self.targeting.targeting(),
            "wave_rules": self.waves.rules(),
            "change_note": self.change.cleaned_data["change_note"].strip(),
            "based_on": self.change.cleaned_data.get("based_on"),
        }


def _text_row(row: Any) -> dict[str, str]:
    return {k: str(v) for k, v in row.items()} if isinstance(row, dict) else {}

"""Forms for the campaign pages."""

from __future__ import annotations

from typing import Any

from django import forms

from volunteers.geography import MAX_SEARCH_RADIUS_KM


class PlainForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _choices_set(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    """Fill in a choice field's choices (they depend on who is asking)."""
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{field!r} has no choices")
    field.choices = choices


class CampaignForm(PlainForm):
    organisation = forms.ChoiceField(
        label="Run by"
    )  # a slug: volunteers.permissions.organisation_for reads it
    playbook = forms.ChoiceField(label="Playbook")
    area_kind = forms.ChoiceField(
        label="Where",
        choices=[("local_authorities", "Whole council areas"), ("circle", "A circle on the map")],
        widget=forms.RadioSelect,
        initial="local_authorities",
    )
    local_authorities = forms.MultipleChoiceField(
        label="Council areas", required=False, widget=forms.CheckboxSelectMultiple
    )
    latitude = forms.FloatField(label="Centre latitude", required=False)
    longitude = forms.FloatField(label="Centre longitude", required=False)
    radius_km = forms.FloatField(
        label="Radius in km", required=False, min_value=0.1, max_value=MAX_SEARCH_RADIUS_KM, initial=3
    )
    target_ready = forms.IntegerField(
        label="How many people do you need ready?",
        required=False,
        min_value=1,
        help_text="Waves stop once this many have replied READY. Leave empty for the playbook's number.",
    )
    spend_cap_pounds = forms.DecimalField(
        label="Spend cap in pounds",
        min_value=1,
        max_digits=8,
        decimal_places=2,
        initial=50,
        help_text="Sending stops before the texts cost more than this.",
    )

    def __init__(self, *args, organisations=(), playbooks=(), local_authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices_set(self.fields["organisation"], [(o.slug, o.name) for o in organisations])
        _choices_set(self.fields["playbook"], [(p.slug, p.title) for p in playbooks])
        _choices_set(self.fields["local_authorities"], [(name, name) for name in local_authorities])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("area_kind") == "circle":
            for name in ("latitude", "longitude", "radius_km"):
                if data.get(name) is None:
                    self.add_error(name, "Click the map to place the centre, or type it in.")
        elif not data.get("local_authorities"):
            self.add_error("local_authorities", "Tick at least one council area.")
        return data

    def area(self) -> dict:
        data = self.cleaned_data
        if data["area_kind"] == "circle":
            return {
                "latitude": data["latitude"],
                "longitude": data["longitude"],
                "radius_km": data["radius_km"],
            }
        return {"local_authorities": data["local_authorities"]}


class ReviewForm(PlainForm):
    what_worked = forms.CharField(
        label="What worked?", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    what_did_not = forms.CharField(
        label="What did not work?", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    change_next_time = forms.CharField(
        label="What should the playbook change next time?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

"""Forms for the campaign pages."""

from __future__ import annotations

from typing import Any

from django import forms

from volunteers.geography import MAX_SEARCH_RADIUS_KM
from volunteers.outlines import nearest_district

DEFAULT_PLACE_RADIUS_KM = 3


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
        choices=[
            ("local_authorities", "Whole council areas"),
            ("district", "A postcode district"),
            ("circle", "A place I click on the map"),
        ],
        widget=forms.RadioSelect,
        initial="local_authorities",
    )
    local_authorities = forms.MultipleChoiceField(
        label="Council areas", required=False, widget=forms.CheckboxSelectMultiple
    )
    district = forms.ChoiceField(label="Postcode district", required=False)
    # Filled in by clicking the map, never typed: people name places, not coordinates.
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    radius_km = forms.FloatField(
        label="How far around it, in km",
        required=False,
        min_value=0.1,
        max_value=MAX_SEARCH_RADIUS_KM,
        help_text="Empty: the whole district, or 3 km around the place you click.",
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

    def __init__(self, *args, organisations=(), playbooks=(), local_authorities=(), districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices_set(self.fields["organisation"], [(o.slug, o.name) for o in organisations])
        _choices_set(self.fields["playbook"], [(p.slug, p.title) for p in playbooks])
        _choices_set(self.fields["local_authorities"], [(name, name) for name in local_authorities])
        self.districts = {d.name: d for d in districts}
        _choices_set(
            self.fields["district"],
            [("", "Choose a district"), *((d.name, f"{d.name}, {d.local_authority}") for d in districts)],
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("area_kind")
        if kind == "circle" and (data.get("latitude") is None or data.get("longitude") is None):
            self.add_error("area_kind", "Click the map to choose the place, or choose a postcode district.")
        elif kind == "district" and not data.get("district"):
            self.add_error("district", "Choose a postcode district from the list.")
        elif kind == "local_authorities" and not data.get("local_authorities"):
            self.add_error("local_authorities", "Tick at least one council area.")
        return data

    def area(self) -> dict:
        data = self.cleaned_data
        if data["area_kind"] == "district":
            district = self.districts[data["district"]]
            return {
                "latitude": district.latitude,
                "longitude": district.longitude,
                "radius_km": data.get("radius_km") or district.reach_km,
            }
        if data["area_kind"] == "circle":
            return {
                "latitude": data["latitude"],
                "longitude": data["longitude"],
                "radius_km": data.get("radius_km") or DEFAULT_PLACE_RADIUS_KM,
            }
        return {"local_authorities": data["local_authorities"]}

    def campaign_name(self) -> str:
        """The campaign's name for a district or a clicked place: the playbook and the area in words
        (no coordinates); empty for council areas, which the service names itself."""
        words = self.area_words()
        if not words:
            return ""
        titles = dict(self.fields["playbook"].choices)  # type: ignore[attr-defined]
        return f"{titles.get(self.cleaned_data['playbook'], '')}: {words}"[:200]

    def area_words(self) -> str:
        """The area as a person would say it, for the campaign's name; empty for council areas (the
        service names those itself)."""
        data, area = self.cleaned_data, self.area()
        if data["area_kind"] == "district":
            district = self.districts[data["district"]]
            return f"{area['radius_km']:g} km around {district.name}, {district.local_authority}"
        if data["area_kind"] == "circle":
            near = nearest_district(list(self.districts.values()), area["latitude"], area["longitude"])
            where = f"a place near {near.name}, {near.local_authority}" if near else "a place on the map"
            return f"{area['radius_km']:g} km around {where}"
        return ""


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

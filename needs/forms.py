"""Forms for the coordinators' need pages and the volunteer's offer page."""

from __future__ import annotations

from typing import cast

from django import forms

from needs.models import REQUESTER_CONSENT_WORDING, Need
from needs.skills import CATEGORY_SKILLS
from volunteers.forms import LANGUAGE_CHOICES as VOLUNTEER_LANGUAGES
from volunteers.forms import SKILL_CHOICES
from volunteers.models import DBSLevel

LANGUAGE_CHOICES = [("", "Any language"), *VOLUNTEER_LANGUAGES]


class PlainForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class NeedForm(PlainForm):
    """What a coordinator types; ``needs.services.posting.need_create`` does the checking that matters."""

    organisation = forms.TypedChoiceField(label="Posting for", coerce=int)
    category = forms.ChoiceField(label="What kind of help?", choices=Need.Category.choices)
    summary = forms.CharField(
        label="Short summary for volunteers",
        max_length=200,
        help_text="Volunteers see this before they say yes: no names, numbers or addresses.",
    )
    details = forms.CharField(
        label="Details",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only the volunteer who accepts sees these.",
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        help_text="We check it as you type.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "aria-controls": "postcode-status"}),
    )
    requester_name = forms.CharField(
        label="Name of the person who needs help", max_length=200, required=False
    )
    requester_phone = forms.CharField(label="Their phone number", max_length=30, required=False)
    requester_consents_to_sms = forms.BooleanField(
        label="They agree to a text when a volunteer is on the way",
        required=False,
        help_text=f'Read them this first: "{REQUESTER_CONSENT_WORDING}"',
    )
    address = forms.CharField(label="Their address", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    urgency = forms.ChoiceField(
        label="How urgent?", choices=Need.Urgency.choices, initial=Need.Urgency.NORMAL
    )
    requires_dbs = forms.ChoiceField(
        label="DBS check needed", choices=DBSLevel.choices, initial=DBSLevel.NONE
    )
    needs_car = forms.BooleanField(label="The volunteer needs a car", required=False)
    language = forms.ChoiceField(label="The volunteer must speak", choices=LANGUAGE_CHOICES, required=False)
    skills = forms.MultipleChoiceField(
        label="Skills the volunteer must have",
        choices=SKILL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Ticked for the kind of help you chose; change them as you need. Only volunteers with every "
        "ticked skill are asked.",
    )
    window_start = forms.DateTimeField(
        label="From",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    window_end = forms.DateTimeField(
        label="Until",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        # self.fields holds copies of the fields declared above, so this one is a TypedChoiceField.
        organisation = cast(forms.TypedChoiceField, self.fields["organisation"])
        organisation.choices = [(o.id, o.name) for o in organisations]
        if len(organisations) == 1:
            organisation.initial = organisations[0].id
            organisation.widget = forms.HiddenInput()
        if not self.is_bound:
            category = self.initial.get("category") or Need.Category.choices[0][0]
            self.initial.setdefault("skills", CATEGORY_SKILLS.get(category, []))


class OfferCountForm(PlainForm):
    count = forms.IntegerField(label="How many volunteers to ask", min_value=1, max_value=20, initial=3)


class CancelForm(PlainForm):
    reason = forms.CharField(label="Why is it cancelled? (optional)", max_length=200, required=False)


class NeedEditForm(PlainForm):
    """What a coordinator may change on a need still waiting for a volunteer."""

    summary = NeedForm.base_fields["summary"]
    details = NeedForm.base_fields["details"]
    postcode = forms.CharField(
        label="Postcode", max_length=10, required=False, help_text="A new postcode places the need again."
    )
    address = NeedForm.base_fields["address"]
    urgency = NeedForm.base_fields["urgency"]
    requires_dbs = NeedForm.base_fields["requires_dbs"]
    needs_car = NeedForm.base_fields["needs_car"]
    skills = forms.MultipleChoiceField(
        label="Skills the volunteer must have",
        choices=SKILL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    window_start = NeedForm.base_fields["window_start"]
    window_end = NeedForm.base_fields["window_end"]

    @classmethod
    def for_need(cls, need: Need, data=None) -> NeedEditForm:
        initial = {
            "summary": need.summary,
            "details": need.details,
            "postcode": need.postcode,
            "address": need.requester_address,
            "urgency": need.urgency,
            "requires_dbs": need.requires_dbs,
            "needs_car": need.needs_car,
            "skills": list(need.skills or []),
            "window_start": need.window_start,
            "window_end": need.window_end,
        }
        return cls(data, initial=initial)


class HandOverForm(PlainForm):
    organisation = forms.TypedChoiceField(label="Hand it to", coerce=int)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["organisation"])
        field.choices = [(o.id, o.name) for o in organisations]


class SurgeFilterForm(PlainForm):
    """Which open needs a surge takes: all those nobody has been asked about yet, or some of them."""

    organisation = forms.TypedChoiceField(label="Organisation", coerce=int, required=False, empty_value=None)
    local_authority = forms.TypedChoiceField(
        label="Council area", coerce=int, required=False, empty_value=None
    )
    district = forms.CharField(
        label="Postcode district", max_length=4, required=False, help_text="Like B23. Leave empty for all."
    )
    category = forms.ChoiceField(
        label="Kind of help", choices=[("", "Any kind"), *Need.Category.choices], required=False
    )
    urgency = forms.ChoiceField(label="Urgency", choices=[("", "Any"), *Need.Urgency.choices], required=False)

    def __init__(self, *args, organisations=(), local_authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        org = cast(forms.TypedChoiceField, self.fields["organisation"])
        org.choices = [("", "All of yours"), *[(o.id, o.name) for o in organisations]]
        area = cast(forms.TypedChoiceField, self.fields["local_authority"])
        area.choices = [("", "All areas"), *[(a.id, a.name) for a in local_authorities]]

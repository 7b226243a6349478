"""Forms for the register's pages: searching groups and volunteers, correcting them, and searching
closed needs. The services check what matters; these say in words what was typed wrong."""

from __future__ import annotations

from django import forms

from needs.models import Need
from operations.register_words import FRESHNESS_WORDS
from volunteers.forms import LANGUAGE_CHOICES, SKILL_CHOICES
from volunteers.models import DBSLevel, LocalAuthority, MutualAidGroup, Volunteer
from volunteers.register import HEARD_CHOICES


class PlainForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _any(label: str, choices) -> list[tuple[str, str]]:
    return [("", label), *((str(v), str(n)) for v, n in choices)]


class AreaField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", LocalAuthority.objects.order_by("name"))
        super().__init__(label="Local authority", required=False, empty_label="Any", **kwargs)


class GroupSearchForm(PlainForm):
    q = forms.CharField(label="Name or words in its notes", required=False, max_length=100)
    local_authority = AreaField()
    status = forms.ChoiceField(
        label="Status", required=False, choices=_any("Any", MutualAidGroup.Status.choices)
    )
    freshness = forms.ChoiceField(
        label="Contact last confirmed", required=False, choices=_any("Any", FRESHNESS_WORDS.items())
    )


class VolunteerSearchForm(PlainForm):
    q = forms.CharField(label="Name, postcode or phone", required=False, max_length=100)
    local_authority = AreaField()
    status = forms.ChoiceField(label="Status", required=False, choices=_any("Any", Volunteer.Status.choices))
    skill = forms.ChoiceField(label="Can help with", required=False, choices=_any("Anything", SKILL_CHOICES))
    dbs = forms.ChoiceField(
        label="DBS check",
        required=False,
        choices=[("", "Any, or none")]
        + [(v, f"{n} or higher") for v, n in DBSLevel.choices if v != DBSLevel.NONE],
    )
    heard = forms.ChoiceField(
        label="Last heard from", required=False, choices=_any("Any time", HEARD_CHOICES)
    )


class VolunteerEditForm(PlainForm):
    name = forms.CharField(label="Name", max_length=200)
    email = forms.EmailField(label="Email (optional)", required=False)
    postcode = forms.CharField(
        label="Postcode", max_length=10, help_text="Where they live: we place them there."
    )
    skills = forms.MultipleChoiceField(
        label="Can help with", choices=SKILL_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label="Languages they speak",
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    dbs_level = forms.ChoiceField(label="DBS check", choices=DBSLevel.choices)
    dbs_expires_on = forms.DateField(
        label="DBS check valid until (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    has_car = forms.BooleanField(label="Has a car they can use to help", required=False)
    max_travel_km = forms.FloatField(label="How far they will go, in kilometres", min_value=0.5, max_value=50)
    contact_by = forms.ChoiceField(
        label="How we ask them to help",
        choices=[("sms", "By text message"), ("voice", "By an automated phone call")],
        help_text="A landline can only be called.",
        required=False,
    )

    def clean_contact_by(self) -> str:
        # Left out of a post: unchanged.
        return self.cleaned_data["contact_by"] or self.initial.get("contact_by", "sms")


class GroupEditForm(PlainForm):
    name = forms.CharField(label="Name", max_length=200)
    kind = forms.ChoiceField(label="What kind of group", choices=MutualAidGroup.Kind.choices)
    local_authority = forms.ModelChoiceField(
        label="Local authority", queryset=LocalAuthority.objects.order_by("name"), empty_label=None
    )
    radius_km = forms.FloatField(
        label="How far from its centre it works, in kilometres", min_value=0.1, max_value=50
    )
    notes = forms.CharField(
        label="How it worked, in its own words", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


CLOSED_CHOICES = [(s.value, s.label) for s in Need.CLOSED_STATUSES]


class ClosedNeedSearchForm(PlainForm):
    q = forms.CharField(label="Reference, words or postcode district", required=False, max_length=100)
    status = forms.ChoiceField(label="How it ended", required=False, choices=_any("Any", CLOSED_CHOICES))
    date_from = forms.DateField(
        label="Closed from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Closed until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

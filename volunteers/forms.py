"""Forms for the volunteer's own pages: signing up at /join/ and changing how they can help.

Their words are lazy translations: each page shows them in the volunteer's language
(core.i18n.language_pages). The consent words are stored as the person read them.
"""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.i18n import phone_line_display
from core.languages import SPOKEN, language_code
from volunteers.geocoding import GeocodeError, geocode_postcode
from volunteers.phones import InvalidPhone, phone_is_landline, phone_normalise

# What a volunteer agrees to. Stored word for word with the time and the channel; change it only by
# adding the new wording here (the old wording stays on the records that agreed to it).
CONSENT_TEXT = _(
    "I agree that Rekindle and the local groups it works with may keep my name, phone number, "
    "postcode and the help I can give, and may text me when someone near me needs help or when a "
    "group near me is getting going again. I can reply PAUSE to take a break or STOP to stop all "
    "messages at any time."
)

SKILL_CHOICES = [
    ("shopping", gettext_noop("Shopping")),
    ("prescriptions", gettext_noop("Collecting prescriptions")),
    ("cooking", gettext_noop("Cooking meals")),
    ("driving", gettext_noop("Driving people or things")),
    ("befriending", gettext_noop("Friendly phone calls or visits")),
    ("digital_help", gettext_noop("Help with phones and computers")),
    ("translation", gettext_noop("Translating")),
    ("first_aid", gettext_noop("First aid")),
    ("dog_walking", gettext_noop("Dog walking")),
    ("gardening", gettext_noop("Gardening")),
]
# The languages a volunteer speaks (the matcher's), named in the page's language.
LANGUAGE_CHOICES = [
    ("en", gettext_noop("English")),
    ("pa", gettext_noop("Punjabi")),
    ("ur", gettext_noop("Urdu")),
    ("bn", gettext_noop("Bengali")),
    ("pl", gettext_noop("Polish")),
    ("gu", gettext_noop("Gujarati")),
    ("so", gettext_noop("Somali")),
    ("ro", gettext_noop("Romanian")),
    ("ar", gettext_noop("Arabic")),
]
# The language of texts, calls and pages: each in its own name, as a reader of it looks for it
# (the templates mark each with its lang, so a screen reader says it in the right voice).
PREFERRED_CHOICES = [(lang.code, lang.own_name) for lang in SPOKEN]
DAYS = [
    ("mon", gettext_noop("Monday")),
    ("tue", gettext_noop("Tuesday")),
    ("wed", gettext_noop("Wednesday")),
    ("thu", gettext_noop("Thursday")),
    ("fri", gettext_noop("Friday")),
    ("sat", gettext_noop("Saturday")),
    ("sun", gettext_noop("Sunday")),
]
PARTS = [("morning", "09:00", "12:00"), ("afternoon", "12:00", "17:00"), ("evening", "17:00", "21:00")]


def _lazy(choices: list[tuple[str, str]]) -> list[tuple[str, Promise]]:
    """The table's English words (kept plain for the staff pages), said in the page's language."""
    return [(key, _(words)) for key, words in choices]


PART_LABELS = {"morning": _("morning"), "afternoon": _("afternoon"), "evening": _("evening")}
TRAVEL_CHOICES = [("1", _("1 km (a short walk)")), ("3", "3 km"), ("5", "5 km"), ("10", _("10 km (by car)"))]


class PlainForm(forms.Form):
    """No colon after labels: they read as plain questions."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class JoinForm(PlainForm):
    # Not required: left empty, it is the language the page is shown in.
    preferred_language = forms.ChoiceField(
        label=_("Which language should we write to you in?"),
        choices=PREFERRED_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        help_text=_("We text you a code to check it is yours."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        help_text=_("Only to find needs near you. Neighbours never see it."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    skills = forms.MultipleChoiceField(
        label=_("What could you help with?"),
        choices=_lazy(SKILL_CHOICES),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=_lazy(LANGUAGE_CHOICES),
        initial=["en"],
        widget=forms.CheckboxSelectMultiple,
    )
    has_car = forms.BooleanField(label=_("I have a car I can use to help"), required=False)
    max_travel_km = forms.TypedChoiceField(
        label=_("How far will you go?"), choices=TRAVEL_CHOICES, coerce=float, initial="3"
    )
    consent = forms.BooleanField(
        label=_("I agree"),
        error_messages={"required": _("Please tick 'I agree' so that we may text you.")},
    )

    def clean_preferred_language(self) -> str:
        return language_code(self.cleaned_data.get("preferred_language") or translation.get_language())

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"]
        try:
            if phone_is_landline(phone_normalise(raw)):
                raise forms.ValidationError(_landline_advice())
        except InvalidPhone:
            pass  # said below, with what was wrong
        try:
            return phone_normalise(raw, require_mobile=True)
        except InvalidPhone as exc:
            raise forms.ValidationError(
                _("%(problem)s. Please enter a UK mobile number, like 07700 900123.") % {"problem": exc}
            ) from None

    def clean_postcode(self) -> str:
        try:
            place = geocode_postcode(self.cleaned_data["postcode"], allow_district=False)
        except GeocodeError as exc:
            raise forms.ValidationError(
                _("%(problem)s. Please check it and try again.") % {"problem": exc}
            ) from None
        self.place = place
        return place.postcode


class CodeForm(PlainForm):
    code = forms.CharField(
        label=_("The 6-digit code we texted you"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def availability_fields() -> list[tuple[str, str, str, str]]:
    """(field name, day label, part label, day key) for every day and part of the day."""
    return [
        (f"{day}_{part}", day_label, part, day) for day, day_label in DAYS for part, _start, _end in PARTS
    ]


class VolunteerSettingsForm(PlainForm):
    """How a volunteer can help: paused or not, when, how far, by car. Each maps to a Volunteer field."""

    status = forms.ChoiceField(
        label=_("Send me requests for help?"),
        choices=[("active", _("Yes, I can help")), ("paused", _("No, I am taking a break"))],
        widget=forms.RadioSelect,
    )
    preferred_language = forms.ChoiceField(
        label=_("Which language should we write to you in?"),
        choices=PREFERRED_CHOICES,
        required=False,  # left empty: unchanged
        widget=forms.RadioSelect,
    )
    max_travel_km = forms.TypedChoiceField(
        label=_("How far will you go?"), choices=TRAVEL_CHOICES, coerce=float
    )
    has_car = forms.BooleanField(label=_("I have a car I can use to help"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, day_label, part, _day in availability_fields():
            self.fields[name] = forms.BooleanField(
                label=format_lazy("{} {}", _(day_label), PART_LABELS[part]), required=False
            )

    @classmethod
    def initial_for(cls, volunteer) -> dict:
        initial = {
            "status": "paused" if volunteer.status == "paused" else "active",
            "max_travel_km": str(int(volunteer.max_travel_km))
            if str(int(volunteer.max_travel_km)) in dict(TRAVEL_CHOICES)
            else "3",
            "has_car": volunteer.has_car,
            "preferred_language": volunteer.preferred_language,
        }
        for day, spans in (volunteer.availability or {}).items():
            for start, end in spans:
                for part, p_start, p_end in PARTS:
                    if start <= p_start and end >= p_end:
                        initial[f"{day}_{part}"] = True
        return initial

    def availability(self) -> dict[str, list[list[str]]]:
        """The weekly hours in the model's form; empty (any time) when nothing is ticked."""
        result: dict[str, list[list[str]]] = {}
        for day, _label in DAYS:
            spans: list[list[str]] = []
            for part, start, end in PARTS:
                if self.cleaned_data.get(f"{day}_{part}"):
                    if spans and spans[-1][1] == start:
                        spans[-1][1] = end  # morning + afternoon = one span
                    else:
                        spans.append([start, end])
            if spans:
                result[day] = spans
        return result

    def days(self):
        """Rows for the template: (day label, [bound fields for its parts])."""
        return [(_(label), [self[f"{day}_{part}"] for part, _start, _end in PARTS]) for day, label in DAYS]


def _landline_advice() -> str:
    """A landline cannot take the sign-up code by text: what such a person can do instead."""
    number = phone_line_display()
    if not number:
        return str(
            _(
                "That is a landline, and we sign you up by texting a code to a mobile. "
                "Please enter a mobile number, or ask your local group to add you so that we call you."
            )
        )
    return str(
        _(
            "That is a landline, and we sign you up by texting a code to a mobile. If you only have a "
            "landline, call us on %(number)s and leave a message: we will add you and call you instead."
        )
        % {"number": number}
    )

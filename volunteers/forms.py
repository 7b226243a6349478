"""Forms for the volunteer's own pages: signing up at /join/ and changing how they can help."""

from __future__ import annotations

from django import forms

from volunteers.geocoding import GeocodeError, geocode_postcode
from volunteers.phones import InvalidPhone, phone_normalise

# What a volunteer agrees to. Stored word for word with the time and the channel; change it only by
# adding the new wording here (the old wording stays on the records that agreed to it).
CONSENT_TEXT = (
    "I agree that Rekindle and the local groups it works with may keep my name, phone number, "
    "postcode and the help I can give, and may text me when someone near me needs help or when a "
    "group near me is getting going again. I can reply PAUSE to take a break or STOP to stop all "
    "messages at any time."
)

SKILL_CHOICES = [
    ("shopping", "Shopping"),
    ("prescriptions", "Collecting prescriptions"),
    ("cooking", "Cooking meals"),
    ("driving", "Driving people or things"),
    ("befriending", "Friendly phone calls or visits"),
    ("digital_help", "Help with phones and computers"),
    ("translation", "Translating"),
    ("first_aid", "First aid"),
    ("dog_walking", "Dog walking"),
    ("gardening", "Gardening"),
]
LANGUAGE_CHOICES = [
    ("en", "English"),
    ("pa", "Punjabi"),
    ("ur", "Urdu"),
    ("bn", "Bengali"),
    ("pl", "Polish"),
    ("gu", "Gujarati"),
    ("so", "Somali"),
    ("ro", "Romanian"),
    ("ar", "Arabic"),
]
DAYS = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
]
PARTS = [("morning", "09:00", "12:00"), ("afternoon", "12:00", "17:00"), ("evening", "17:00", "21:00")]
TRAVEL_CHOICES = [("1", "1 km (a short walk)"), ("3", "3 km"), ("5", "5 km"), ("10", "10 km (by car)")]


class PlainForm(forms.Form):
    """No colon after labels: they read as plain questions."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class JoinForm(PlainForm):
    name = forms.CharField(label="Your name", max_length=200)
    phone = forms.CharField(
        label="Mobile number",
        max_length=30,
        help_text="We text you a code to check it is yours.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        help_text="Only to find needs near you. Neighbours never see it.",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    skills = forms.MultipleChoiceField(
        label="What could you help with?",
        choices=SKILL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label="Languages you speak",
        choices=LANGUAGE_CHOICES,
        initial=["en"],
        widget=forms.CheckboxSelectMultiple,
    )
    has_car = forms.BooleanField(label="I have a car I can use to help", required=False)
    max_travel_km = forms.TypedChoiceField(
        label="How far will you go?", choices=TRAVEL_CHOICES, coerce=float, initial="3"
    )
    consent = forms.BooleanField(
        label="I agree",
        error_messages={"required": "Please tick 'I agree' so that we may text you."},
    )

    def clean_phone(self) -> str:
        try:
            return phone_normalise(self.cleaned_data["phone"], require_mobile=True)
        except InvalidPhone as exc:
            raise forms.ValidationError(
                f"{exc}. Please enter a UK mobile number, like 07700 900123."
            ) from None

    def clean_postcode(self) -> str:
        try:
            place = geocode_postcode(self.cleaned_data["postcode"], allow_district=False)
        except GeocodeError as exc:
            raise forms.ValidationError(f"{exc}. Please check it and try again.") from None
        self.place = place
        return place.postcode


class CodeForm(PlainForm):
    code = forms.CharField(
        label="The 6-digit code we texted you",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def availability_fields() -> list[tuple[str, str, str, str]]:
    """(field name, day label, part label, day key) for every day and part of the day."""
    return [(f"{day}_{part}", day_label, part, day) for day, day_label in DAYS for part, _, _ in PARTS]


class VolunteerSettingsForm(PlainForm):
    """How a volunteer can help: paused or not, when, how far, by car. Each maps to a Volunteer field."""

    status = forms.ChoiceField(
        label="Send me requests for help?",
        choices=[("active", "Yes, I can help"), ("paused", "No, I am taking a break")],
        widget=forms.RadioSelect,
    )
    max_travel_km = forms.TypedChoiceField(label="How far will you go?", choices=TRAVEL_CHOICES, coerce=float)
    has_car = forms.BooleanField(label="I have a car I can use to help", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, day_label, part, _ in availability_fields():
            self.fields[name] = forms.BooleanField(label=f"{day_label} {part}", required=False)

    @classmethod
    def initial_for(cls, volunteer) -> dict:
        initial = {
            "status": "paused" if volunteer.status == "paused" else "active",
            "max_travel_km": str(int(volunteer.max_travel_km))
            if str(int(volunteer.max_travel_km)) in dict(TRAVEL_CHOICES)
            else "3",
            "has_car": volunteer.has_car,
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
        for day, _ in DAYS:
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
        return [(label, [self[f"{day}_{part}"] for part, _, _ in PARTS]) for day, label in DAYS]

"""The names people give the contract's columns in their own spreadsheets. Pure: no Django.

Keys are headers as ``reading.header_normalise`` leaves them (lower case, runs of anything but a
letter or digit made one ``_``): "Mobile No." is ``mobile_no``, "Post Code" is ``post_code``. A
header that is neither a column nor one of these is ignored and reported as ignored.
"""

from __future__ import annotations

_NAME = ("full_name", "volunteer_name", "volunteer", "name_of_volunteer", "your_name", "first_and_last_name")
_PHONE = (
    "mobile",
    "mobile_number",
    "mobile_no",
    "mobile_phone",
    "mobile_phone_number",
    "phone_number",
    "phone_no",
    "telephone",
    "telephone_number",
    "tel",
    "tel_no",
    "contact_number",
    "number",
)
_POSTCODE = ("post_code", "postal_code", "postcode_zip", "pcode")
_PLACE = {"lat": "latitude", "lng": "longitude", "lon": "longitude", "long": "longitude"}

VOLUNTEER_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(_NAME, "name"),
    **dict.fromkeys(_PHONE, "phone"),
    **dict.fromkeys(_POSTCODE, "postcode"),
    **_PLACE,
    **dict.fromkeys(("skill", "can_help_with", "help_with", "what_can_you_help_with"), "skills"),
    **dict.fromkeys(("language", "languages_spoken", "language_s", "spoken_languages"), "languages"),
    **dict.fromkeys(("dbs_check", "dbs_level", "dbs_checked"), "dbs"),
    **dict.fromkeys(("car", "driver", "drives", "own_car", "has_a_car"), "has_car"),
    **dict.fromkeys(("group", "group_s", "groups_slugs"), "groups"),
    **dict.fromkeys(("consent_given", "consented_on", "date_of_consent"), "consent_date"),
    **dict.fromkeys(("call_or_text", "text_or_call", "contact_method", "reach_by"), "contact_by"),
}

GROUP_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("group_name", "group", "name_of_group"), "name"),
    **dict.fromkeys(("council", "local_authority_area", "la", "borough"), "local_authority"),
    **dict.fromkeys(("type", "group_type", "kind_of_group"), "kind"),
    **_PLACE,
    **dict.fromkeys(("radius", "radius_in_km", "area_radius_km"), "radius_km"),
    **dict.fromkeys(("contact", "contact_person", "organiser", "organiser_name"), "contact_name"),
    **dict.fromkeys(
        ("contact_mobile", "contact_number", "contact_telephone", "organiser_phone", "organiser_mobile"),
        "contact_phone",
    ),
}

"""A volunteer who is called, not texted, may have a landline: the import and the register take one
for them (and only for them), and a landline is never set to be texted."""

from __future__ import annotations

import pytest

from tests.factories import MembershipFactory, MutualAidGroupFactory, VolunteerFactory
from tests.volunteers.test_import_volunteers import postcodes, run  # noqa: F401 -- the postcodes fixture
from volunteers.models import Volunteer
from volunteers.phones import phone_is_landline

pytestmark = pytest.mark.django_db

HEADER = "name,phone,postcode,latitude,longitude,skills,languages,dbs,has_car,groups,contact_by\n"


def test_landlines_are_told_apart_from_mobiles():
    assert phone_is_landline("+441214960123")
    assert not phone_is_landline("+447700900123")


def test_an_import_takes_a_landline_for_someone_who_is_called_and_says_how_otherwise(tmp_path):
    out, err = run(
        tmp_path,
        HEADER
        + "Lena Landline,0121 496 0123,B1 1AA,,,,,,,,call\n"  # line 2
        + "Larry Landline,0121 496 0124,B1 1AA,,,,,,,,\n"  # line 3: no column value: texts
        + "Mo Mobile,07700 900061,B1 1AA,,,,,,,,text\n"  # line 4
        + "Una Unclear,07700 900062,B1 1AA,,,,,,,,pigeon\n",  # line 5
    )
    assert "2 new" in out and "2 rejected" in out
    lena = Volunteer.objects.get(name="Lena Landline")
    assert (lena.phone, lena.contact_by, lena.is_called) == ("+441214960123", "voice", True)
    assert Volunteer.objects.get(name="Mo Mobile").contact_by == "sms"
    assert "line 3: rejected: phone:" in err and "put call in a contact_by column" in err
    assert "line 5: rejected: contact_by: 'pigeon' should be text or call" in err


def test_a_coordinator_switches_a_volunteer_to_calls_but_never_a_landline_to_texts(
    client, coordinator, brum_aid
):
    group = MutualAidGroupFactory(organisation=brum_aid)
    mobile = VolunteerFactory(name="Mia Mobile", postcode="B1 1AA")
    landline = VolunteerFactory(
        name="Lou Landline", phone="+441214960125", contact_by="voice", postcode="B1 1AA"
    )
    for person in (mobile, landline):
        MembershipFactory(volunteer=person, group=group)
    client.force_login(coordinator)
    data = {"email": "", "postcode": "B1 1AA", "skills": [], "languages": ["en"], "dbs_level": "none"}
    data["max_travel_km"] = "3"

    saved = client.post(
        f"/volunteers/{mobile.pk}/edit/", {**data, "name": "Mia Mobile", "contact_by": "voice"}
    )
    assert saved.status_code == 302
    mobile.refresh_from_db()
    assert mobile.contact_by == "voice"

    refused = client.post(
        f"/volunteers/{landline.pk}/edit/", {**data, "name": "Lou Landline", "contact_by": "sms"}
    )
    assert refused.status_code == 200
    assert "landline" in refused.context["form"].errors["contact_by"][0]
    landline.refresh_from_db()
    assert landline.contact_by == "voice"

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tests.factories import MembershipFactory, MutualAidGroupFactory, VolunteerFactory
from volunteers.geography import cell_keys
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def test_the_phone_is_the_identity_enforced_by_the_database():
    VolunteerFactory(phone="+447700900123")
    with pytest.raises(IntegrityError):
        VolunteerFactory(phone="+447700900123")


def test_a_phone_not_in_e164_fails_validation():
    volunteer = VolunteerFactory.build(phone="07700 900123")
    with pytest.raises(ValidationError) as exc:
        volunteer.full_clean()
    assert "E.164" in str(exc.value)


def test_a_place_outside_the_uk_fails_validation():
    volunteer = VolunteerFactory.build(latitude=48.8566, longitude=2.3522)
    with pytest.raises(ValidationError, match="outside the UK"):
        volunteer.full_clean()


def test_cell_keys_follow_the_place_on_save_and_on_partial_save():
    volunteer = VolunteerFactory(latitude=52.4796, longitude=-1.9026)
    stored = Volunteer.objects.values_list("cell_0", "cell_7").get(pk=volunteer.pk)
    assert stored == (cell_keys(52.4796, -1.9026)[0], cell_keys(52.4796, -1.9026)[7])

    volunteer.latitude, volunteer.longitude = 52.4068, -1.5197  # moves to Coventry
    volunteer.save(update_fields=["latitude", "longitude"])
    assert Volunteer.objects.get(pk=volunteer.pk).cell_0 == cell_keys(52.4068, -1.5197)[0]


def test_bulk_paths_use_set_location():
    volunteer = VolunteerFactory.build()
    volunteer.set_location(52.5862, -2.1288)
    Volunteer.objects.bulk_create([volunteer])
    assert Volunteer.objects.get(phone=volunteer.phone).cell_3 == cell_keys(52.5862, -2.1288)[3]


def test_one_membership_per_volunteer_and_group():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError):
        MembershipFactory(volunteer=membership.volunteer, group=membership.group)


def test_group_slug_is_unique():
    MutualAidGroupFactory(slug="erdington-mutual-aid")
    with pytest.raises(IntegrityError):
        MutualAidGroupFactory(slug="erdington-mutual-aid")


def test_the_wmca_local_authorities_exist_after_migrating():
    from volunteers.models import LocalAuthority

    constituent = set(LocalAuthority.objects.filter(constituent=True).values_list("name", flat=True))
    assert constituent == {
        "Birmingham",
        "Coventry",
        "Dudley",
        "Sandwell",
        "Solihull",
        "Walsall",
        "Wolverhampton",
    }

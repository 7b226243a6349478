"""Posting a need: bad input is refused field by field and nothing is written."""

import pytest
from django.core.exceptions import ValidationError

from needs.models import Need
from needs.services.posting import need_create
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def post(**kwargs):
    data = dict(
        organisation=OrganisationFactory(), posted_by=None, category="shopping", summary="A weekly shop"
    )
    data.update(kwargs)
    return need_create(**data)


def test_a_need_placed_by_a_point_gets_a_ref_and_cell_keys():
    need = post(latitude=52.48, longitude=-1.90, requester_phone="07700 900123")
    assert need.status == "open" and len(need.ref) == 4 and need.cell_3 is not None
    assert need.requester_phone == "+447700900123"


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        (
            {"postcode": "", "latitude": None},
            "postcode",
            "A postcode, or a latitude and longitude, is needed",
        ),
        ({"latitude": 48.85, "longitude": 2.35}, "latitude", "outside the UK"),
        ({"postcode": "TR99 9ZZ"}, "postcode", "is not in this service's list of postcodes"),
        ({"latitude": 52.48, "longitude": -1.9, "requester_phone": "12"}, "requester_phone", "not a"),
        ({"latitude": 52.48, "longitude": -1.9, "category": "juggling"}, "category", "Unknown category"),
        ({"latitude": 52.48, "longitude": -1.9, "search_radius_km": 100}, "search_radius_km", "at most 25.6"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(kwargs, field, words):
    with pytest.raises(ValidationError) as caught:
        post(**kwargs)
    assert words in " ".join(caught.value.message_dict[field])
    assert Need.objects.count() == 0

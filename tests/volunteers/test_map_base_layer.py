"""Every map's base layer, drawn from the postcode table: council outlines, their names and the
postcode districts, for staff, cached until the table changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory, local_authority
from tests.volunteers.test_outlines import inside
from volunteers.models import Postcode

pytestmark = pytest.mark.django_db
URL = "/map/base-layer.json"

ERDINGTON = [("B23 6AA", 52.524, -1.840), ("B23 7BB", 52.530, -1.830), ("B23 5DD", 52.518, -1.850)]
SPARKBROOK = [("B11 1AA", 52.461, -1.873), ("B11 2BB", 52.455, -1.880)]
WALSALL = [("WS1 1AA", 52.586, -1.983)]


def load(rows, council: str) -> None:
    for postcode, lat, lon in rows:
        Postcode.objects.create(
            postcode=postcode,
            district=postcode.split()[0],
            latitude=lat,
            longitude=lon,
            local_authority=local_authority(council),
        )


@pytest.fixture
def postcodes():
    load(ERDINGTON + SPARKBROOK, "Birmingham")
    load(WALSALL, "Walsall")


def test_staff_get_outlines_names_and_districts(client, viewer, postcodes, settings):
    settings.POSTCODE_DATA_ATTRIBUTION = "Contains ONS data"
    client.force_login(viewer)

    layer = client.get(URL).json()

    areas = {a["name"]: a for a in layer["areas"]}
    assert set(areas) == {"Birmingham", "Walsall"}
    assert all(inside((lat, lon), areas["Birmingham"]["outline"]) for _, lat, lon in ERDINGTON + SPARKBROOK)
    assert not inside(WALSALL[0][1:], areas["Birmingham"]["outline"])
    assert inside(WALSALL[0][1:], areas["Walsall"]["outline"])  # a lone postcode gets a small ring
    assert [(d["name"], d["local_authority"]) for d in layer["districts"]] == [
        ("B11", "Birmingham"),
        ("B23", "Birmingham"),
        ("WS1", "Walsall"),
    ]
    assert layer["attribution"].endswith("postcode table. Contains ONS data")


def test_the_layer_is_worked_out_once_until_the_postcode_table_changes(
    client, viewer, postcodes, django_assert_num_queries
):
    client.force_login(viewer)
    client.get(URL)
    with django_assert_num_queries(5):  # session, user, roles, then two to see the table is unchanged
        client.get(URL)
    load([("B23 9ZZ", 52.60, -1.80)], "Birmingham")  # a newly loaded postcode, farther north
    areas = {a["name"]: a for a in client.get(URL).json()["areas"]}
    assert inside((52.60, -1.80), areas["Birmingham"]["outline"])


def test_no_postcodes_means_an_empty_layer_not_an_error(client, viewer):
    client.force_login(viewer)
    assert client.get(URL).json()["areas"] == []


def test_only_staff_get_it(client, postcodes):
    assert client.get(URL).status_code == 403
    client.force_login(UserFactory(username="nobody"))
    assert client.get(URL).status_code == 403
    assert reverse("map-base-layer") == URL

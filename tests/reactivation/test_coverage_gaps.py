import pytest

from reactivation.selectors.register import coverage_gaps
from tests.factories import NeedFactory, VolunteerFactory, local_authority
from tests.reactivation.conftest import SPARKBROOK, dormant_group
from volunteers.models import MutualAidGroup

pytestmark = pytest.mark.django_db
HANDSWORTH = (52.5054, -1.9322)
HALL_GREEN = (52.4210, -1.8300)


def test_needs_with_no_active_group_or_hands_nearby_are_ranked_with_the_dormant_groups_that_cover_them():
    for _ in range(3):
        NeedFactory(latitude=SPARKBROOK[0], longitude=SPARKBROOK[1])
    dormant_group(name="Sparkbrook Street Champions")
    # Handsworth has one open need but an active group and plenty of active volunteers.
    NeedFactory(latitude=HANDSWORTH[0], longitude=HANDSWORTH[1])
    from tests.factories import MutualAidGroupFactory

    MutualAidGroupFactory(
        status=MutualAidGroup.Status.ACTIVE, latitude=HANDSWORTH[0], longitude=HANDSWORTH[1]
    )
    for _ in range(3):
        VolunteerFactory(latitude=HANDSWORTH[0], longitude=HANDSWORTH[1])

    (gap,) = coverage_gaps()

    assert (gap.open_needs, gap.active_volunteers, gap.active_groups, gap.shortfall) == (3, 0, 0, 3)
    assert gap.local_authority == "Birmingham"
    assert [g["name"] for g in gap.dormant_groups] == ["Sparkbrook Street Champions"]


def test_a_place_with_more_volunteers_than_needs_is_no_gap_so_no_shortfall_is_ever_negative():
    # Issue 16: Dudley cells with 1 need against 67 volunteers were listed, with a negative score.
    for _ in range(3):
        NeedFactory(latitude=SPARKBROOK[0], longitude=SPARKBROOK[1])
    for _ in range(12):
        VolunteerFactory(latitude=SPARKBROOK[0], longitude=SPARKBROOK[1])  # active, no group near
    for _ in range(4):
        VolunteerFactory(latitude=HANDSWORTH[0], longitude=HANDSWORTH[1])  # many people, no need
    assert coverage_gaps() == []


def test_gaps_are_ranked_by_shortfall_and_a_cluster_at_one_place_is_one_place_with_its_count():
    # Issue 16: 8 needs on one Solihull point were not listed. Here 8 at one door of a block...
    for _ in range(8):
        NeedFactory(latitude=HANDSWORTH[0], longitude=HANDSWORTH[1])
    for _ in range(2):
        VolunteerFactory(latitude=HANDSWORTH[0], longitude=HANDSWORTH[1])
    # ...and 4 spread over one neighbourhood (one 1.6 km cell) far from anyone.
    from volunteers.geography import cell_at, cell_centre

    lat, lon = cell_centre(cell_at(HALL_GREEN[0], HALL_GREEN[1], 3).key(), 3)
    for north in (-0.004, -0.0013, 0.0013, 0.004):  # about 150 to 450 m apart
        NeedFactory(latitude=lat + north, longitude=lon)

    cluster, spread = coverage_gaps()

    assert (cluster.open_needs, cluster.places, cluster.active_volunteers, cluster.shortfall) == (8, 1, 2, 6)
    assert (spread.open_needs, spread.shortfall) == (4, 4) and spread.places >= 2


def test_a_gap_is_named_by_its_postcode_district_and_local_authority_never_by_coordinates():
    from volunteers.models import Postcode

    for code, (lat, lon) in {"B11 1AA": SPARKBROOK, "B21 9AA": HANDSWORTH}.items():
        Postcode.objects.create(
            postcode=code,
            district=code.split()[0],
            latitude=lat,
            longitude=lon,
            local_authority=local_authority(),
        )
    for _ in range(3):
        NeedFactory(latitude=SPARKBROOK[0], longitude=SPARKBROOK[1])
    (gap,) = coverage_gaps()
    assert (gap.district, gap.name) == ("B11", "around B11, Birmingham")


def test_the_query_count_does_not_grow_with_the_data(django_assert_max_num_queries):
    for i in range(30):
        NeedFactory(latitude=SPARKBROOK[0] + i * 0.02, longitude=SPARKBROOK[1])
    with django_assert_max_num_queries(6):  # one more names the places (the postcode layer's cache key)
        coverage_gaps()


def test_each_gap_has_a_button_that_opens_a_campaign_plan_for_its_area(client, manager, coordinator):
    from volunteers.models import Postcode

    Postcode.objects.create(
        postcode="B11 1AA",
        district="B11",
        latitude=SPARKBROOK[0],
        longitude=SPARKBROOK[1],
        local_authority=local_authority(),
    )
    for _ in range(3):
        NeedFactory(latitude=SPARKBROOK[0], longitude=SPARKBROOK[1])
    dormant_group(name="Sparkbrook Street Champions")

    client.force_login(manager)
    page = client.get("/campaigns/coverage/").content.decode()
    assert "Around B11, Birmingham" in page and "Sparkbrook Street Champions" in page
    assert 'href="/campaigns/new/?district=B11"' in page
    assert '"label": "Around B11, Birmingham: 3 open need(s)' in page  # the map's marker says it too
    assert f"{SPARKBROOK[0]:.3f}" not in page.split("coverage-map-data")[0]  # named, not located, in words
    plan = client.get("/campaigns/new/?district=B11").content.decode()
    assert '<option value="B11" selected>' in plan

    client.force_login(coordinator)  # coordinators read the gaps; campaign managers plan campaigns
    assert "/campaigns/new/?district=B11" not in client.get("/campaigns/coverage/").content.decode()

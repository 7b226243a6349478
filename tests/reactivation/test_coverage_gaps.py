import pytest

from reactivation.selectors.register import coverage_gaps
from tests.factories import NeedFactory, VolunteerFactory
from tests.reactivation.conftest import SPARKBROOK, dormant_group
from volunteers.models import MutualAidGroup

pytestmark = pytest.mark.django_db
HANDSWORTH = (52.5054, -1.9322)


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

    assert (gap.open_needs, gap.active_volunteers, gap.active_groups) == (3, 0, 0)
    assert gap.local_authority == "Birmingham"
    assert [g["name"] for g in gap.dormant_groups] == ["Sparkbrook Street Champions"]


def test_many_volunteers_but_no_active_group_is_a_gap_too():
    for _ in range(4):
        VolunteerFactory(latitude=SPARKBROOK[0], longitude=SPARKBROOK[1])
    (gap,) = coverage_gaps(min_volunteers=4)
    assert gap.open_needs == 0 and gap.active_volunteers == 4 and gap.active_groups == 0


def test_the_query_count_does_not_grow_with_the_data(django_assert_max_num_queries):
    for i in range(30):
        NeedFactory(latitude=SPARKBROOK[0] + i * 0.02, longitude=SPARKBROOK[1])
    with django_assert_max_num_queries(5):
        coverage_gaps()

import pytest

from needs.matching.candidates import density_cache_clear
from tests.needs.sms_support import sms  # noqa: F401 (texts through the signed webhook, for tests that ask)


@pytest.fixture(autouse=True)
def _fresh_density_map():
    """The matcher caches a density map per process; each test starts without one, so pinned
    query counts do not depend on which test ran before."""
    density_cache_clear()
    yield
    density_cache_clear()

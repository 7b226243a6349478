from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The /join/ throttle counts codes per phone in the cache; with REDIS_URL set that cache
    outlives a test (and a run), so each test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()

import pytest


@pytest.fixture(autouse=True)
def quiet_off(settings):
    """Texts go at once (no quiet hours) and the outbox's tasks run inline unless a test says not."""
    settings.SMS_QUIET_HOURS = None
    settings.SMS_TASKS_SYNC = True

"""A real Chromium (Debian's, never a downloaded build) driving the live server, with axe-core.

Loaded once for the whole suite as a plugin (tests/conftest.py), so every module that drives the
browser shares one Playwright session: a second one in the same process fails.

Skipped with a clear message where no Chromium is installed, except under CI=true: there a missing
browser is a failure, so a CI image without it cannot pass silently.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    for candidate in (configured, *CHROMIUM_CANDIDATES, shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def _no_browser(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (install Debian's chromium, or set CHROMIUM_PATH)")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    path = chromium_path()
    if path is None:
        _no_browser("no Chromium found at " + " or ".join(CHROMIUM_CANDIDATES))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev requirements always have it
        _no_browser("the playwright package is not installed")
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread
    # with a running loop unless told it is safe (the test thread and the live server share nothing).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser context per test (its own cookies), a small-laptop viewport."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def phone_page(browser, live_server) -> Iterator:
    """A small phone screen, as a volunteer opening a link from a text message would have."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def twilio(settings) -> Iterator:
    """The local Twilio-compatible server, and the settings that send every text to it through the
    real ``twilio`` client, at once (the send task runs in the caller's thread, not a worker), at
    any hour the tests run at."""
    from messaging.ratelimit import limiter_get
    from tests.fakes.twilio_server import FakeTwilio

    server = FakeTwilio(account_sid="AC" + "3" * 32, auth_token="browser-auth-token").start()
    server.settings_point(settings)
    settings.SMS_TASKS_SYNC = True
    settings.SMS_QUIET_HOURS = None
    settings.SMS_MAX_PER_SECOND = 1000
    limiter_get().reset()
    yield server
    server.stop()


def axe_check(page) -> None:
    """Fail with the rule, its impact and the offending elements when axe finds a WCAG 2.1 AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    if violations:
        lines = [f"axe found {len(violations)} WCAG 2.1 AA violation(s) on {page.url}:"]
        for v in violations:
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:5])
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} at {targets}")
        pytest.fail("\n".join(lines), pytrace=False)


def screenshot(page, name: str) -> None:
    """Keep a picture of a main page for the README (docs/screenshots/NAME.png), only when asked
    with SCREENSHOTS=1: PNGs differ on every run, and an ordinary test run must leave the tree clean."""
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def login(page, live_server, username: str, password: str = "correct horse battery staple") -> None:  # noqa: S107
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

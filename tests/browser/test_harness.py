"""The harness itself: the browser starts, pages are served with their static files, axe runs."""

import pytest

from tests.browser.support import axe_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sign_in_page_loads_with_its_stylesheet_and_passes_axe(page, live_server):
    page.goto(f"{live_server.url}/login/")
    assert page.get_by_role("heading", name="Sign in").is_visible()
    # The stylesheet was served: the header is dark, not the browser's default white.
    background = page.eval_on_selector(".site-header", "el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(27, 27, 27)"
    axe_check(page)


def test_axe_catches_a_real_violation(page, live_server):
    """The check can fail: an image without a text alternative is reported."""
    page.goto(f"{live_server.url}/login/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x.png>')")
    with pytest.raises(pytest.fail.Exception, match="image-alt"):
        axe_check(page)

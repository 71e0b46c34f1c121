"""The English report in real headless Chromium on a phone: English, and no wider than
the screen (a wide table scrolls inside itself, the page never sideways)."""

import pytest
from django.conf import settings

from overgang import testing

from . import cohorts
from .test_report_english import _found, _words, danish_words

pytestmark = pytest.mark.browser


def test_the_english_report_on_a_phone_is_english_and_fits(page, live_server, transactional_db):
    world = testing.make_world()
    cohorts.main_cohort(world)
    testing.log_in_browser(page, live_server.url, world.evaluator)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(f"{live_server.url}/rapport/")
        page.get_by_role("heading", name="Table 6.3", exact=False).first.wait_for()
        text = page.locator("main").inner_text()
        assert "Managing money" in text
        assert _found(text, danish_words(_words(world.a.name))) == [], width
        assert page.evaluate("document.documentElement.scrollWidth") <= width

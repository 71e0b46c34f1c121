"""The English report in real headless Chromium on a phone: English, and no wider than
the screen (a wide table scrolls inside itself, the page never sideways)."""

import pytest
from django.conf import settings
from django_otp.oath import totp

from overgang import testing

from . import cohorts
from .test_report_english import _found, _words, danish_words

pytestmark = pytest.mark.browser


def _log_in(page, live_server, user):
    device = testing.totp_device(user)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(testing.PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.get_by_label("Engangskode fra din app").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_load_state()


def test_the_english_report_on_a_phone_is_english_and_fits(page, live_server, transactional_db):
    world = testing.make_world()
    cohorts.main_cohort(world)
    _log_in(page, live_server, world.evaluator)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(f"{live_server.url}/rapport/")
        page.get_by_role("heading", name="Table 6.3", exact=False).first.wait_for()
        text = page.locator("main").inner_text()
        assert "Managing money" in text
        assert _found(text, danish_words(_words(world.a.name))) == [], width
        assert page.evaluate("document.documentElement.scrollWidth") <= width

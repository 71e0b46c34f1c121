"""Date fields show the day first whatever the browser's locale, in real headless Chromium.

An ``<input type="date">`` is drawn in the *browser's* locale: a default en-US Chromium
showed 02/03/2026 and "mm/dd/yyyy" on a Danish page (docs/style.md, "Dates"). The
browser here is en-US on purpose; every date field must still read 03.02.2026.
"""

import datetime as dt
import time

import pytest
from django.urls import reverse

from overgang import testing
from overgang.lib.datefields import show_day
from overgang.measurements import codec
from overgang.measurements.tests.test_browser_star import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.browser_locale("en-US")]

FEB_3 = dt.date(2026, 2, 3)  # month first (US) it would read 02/03/2026


@pytest.fixture
def live_world(transactional_db):
    return testing.make_world()


def _assert_day_first(field, value, placeholder):
    assert field.get_attribute("type") == "text"
    assert field.input_value() == value
    assert field.get_attribute("placeholder") == placeholder
    assert field.get_attribute("inputmode") == "decimal"
    assert field.get_attribute("autocomplete") == "off"


def _blur(page):
    page.locator("body").click(position={"x": 1, "y": 1})
    page.wait_for_load_state("networkidle")


def test_date_fields_are_day_first_in_an_en_us_browser_in_danish_and_english(page, live_server, live_world):
    record = testing.make_record(live_world.citizen, "cti_start", answers={"first_contact": FEB_3})
    record_url = f"{live_server.url}{reverse('measurements:fill', kwargs={'code': record.code, 'page': 1})}"
    rights_url = f"{live_server.url}{reverse('rights:citizen', kwargs={'code': live_world.citizen.code})}"
    today = show_day(dt.date.today())
    _log_in(page, live_server, live_world.worker)
    assert page.evaluate("navigator.language") == "en-US"

    # Danish page: a stored answer and a form's default day, both day first.
    page.goto(record_url)
    first_contact = page.get_by_label("Hvornår havde du den første kontakt", exact=False)
    _assert_day_first(first_contact, "03.02.2026", "dd.mm.åååå")
    assert page.locator("input[type=date]").count() == 0

    # Autosave with a half-typed date: refused with a message, the text kept, nothing stored.
    first_contact.fill("04.02")
    _blur(page)
    page.get_by_text("Skriv datoen som dd.mm.åååå", exact=False).first.wait_for()
    assert first_contact.input_value() == "04.02"
    record.refresh_from_db()
    assert codec.decode_record(record)["first_contact"] == "2026-02-03"
    # Finished, with slashes (day first): stored as ISO, as before.
    first_contact.fill("04/02/2026")
    _blur(page)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        record.refresh_from_db()
        if codec.decode_record(record)["first_contact"] != "2026-02-03":
            break
        page.wait_for_timeout(100)
    assert codec.decode_record(record)["first_contact"] == "2026-02-04"
    assert record.get_answers()["first_contact"] == dt.date(2026, 2, 4)

    page.goto(rights_url)
    _assert_day_first(page.get_by_label("Givet den"), today, "dd.mm.åååå")

    # English page in the same en-US browser: still day first, the placeholder in English.
    page.get_by_label("Sprog").select_option("en")
    page.get_by_role("button", name="Skift sprog").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(record_url)
    _assert_day_first(page.get_by_label("When did you first have contact", exact=False), "04.02.2026", "dd.mm.yyyy")
    page.goto(rights_url)
    _assert_day_first(page.get_by_label("Given on"), today, "dd.mm.yyyy")
    assert page.locator("input[type=date]").count() == 0
    assert "/" not in page.get_by_label("Given on").input_value()

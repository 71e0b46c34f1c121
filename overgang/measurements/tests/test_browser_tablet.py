"""The star on a tablet and a phone, in real headless Chromium (issue 12, item 7).

At 768 × 1024 a dimension page shows the whole ladder and "Næste" without scrolling; at
390 × 844 the first answer is visible without scrolling, and the page chips are a
progress bar and a menu; the progress counter follows the answers as they are given.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from overgang import testing

pytestmark = pytest.mark.browser


@pytest.fixture
def star(transactional_db):
    world = testing.make_world()
    today = dt.date.today()
    testing.make_course(world.citizen, start=today, first_contact=today - dt.timedelta(days=7))
    record = testing.make_record(world.citizen, "star", filled_on=today,
                                 answers={"time_point": 1, "possible": 1, "goal": 1})
    return world, record


def _log_in(page, live_server, user):
    testing.log_in_browser(page, live_server.url, user)
    page.get_by_role("heading", name="Min uge").wait_for()


def _inside_viewport(page, locator):
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_each_dimension_page_fits_a_tablet_and_the_counter_follows(page, live_server, star):
    world, record = star
    _log_in(page, live_server, world.worker)
    for number in range(2, 12):  # the ten dimension pages
        page.goto(f"{live_server.url}/skemaer/{record.code}/side/{number}/")
        assert page.evaluate("window.scrollY") == 0
        ladder = page.locator("fieldset.ladder")
        assert ladder.count() == 1
        for value in ("10", "1"):  # the top and the bottom of the ladder
            assert _inside_viewport(page, ladder.get_by_label(value, exact=True)), (number, value)
        assert _inside_viewport(page, page.get_by_role("button", name="Næste")), number
        assert page.evaluate("document.documentElement.scrollWidth") <= 768

    # The counter follows an answer saved in the background, without leaving the page.
    page.goto(f"{live_server.url}/skemaer/{record.code}/side/2/")
    counter = page.locator(".progress-count")
    before = counter.inner_text()
    assert before.startswith("3 af ")
    page.locator("fieldset.ladder").get_by_label("7", exact=True).check()
    page.get_by_text("Gemt kl.").wait_for()
    page.wait_for_function("() => document.querySelector('.progress-count').textContent.trim().startsWith('4 af ')")
    assert page.locator("progress").get_attribute("value") == "4"
    record.refresh_from_db()
    assert record.get_answers()["dim_motivation"] == 7


def test_on_a_phone_the_first_answer_shows_and_the_pages_are_a_menu(browser, live_server, star):
    world, record = star
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _log_in(page, live_server, world.worker)
        for number in (1, 2, 5, 12):  # the start page, two dimensions, the payment questions
            page.goto(f"{live_server.url}/skemaer/{record.code}/side/{number}/")
            first = page.locator("form.record-page").locator("input[type=radio], input[type=text]").first
            assert _inside_viewport(page, first), number
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # The chips are hidden; a progress bar and a menu of the pages stand in their place.
        expect(page.locator("nav.pages.chips")).to_be_hidden()
        expect(page.locator("progress")).to_be_visible()
        menu = page.locator("details.page-menu")
        menu.locator("summary").click()
        assert menu.locator("summary").inner_text().startswith("Side 12 af 13")  # names the current page
        menu.get_by_role("link", name="Psykisk helbred").click()
        page.get_by_role("heading", name="Psykisk helbred", exact=True).wait_for()
    finally:
        context.close()

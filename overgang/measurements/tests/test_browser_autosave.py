"""Autosave never overwrites a newer input, in real headless Chromium (issue 10, item 6).

Seen twice on the star's payment page: "mange" typed as the number of times, an option
tapped straight away, and the autosave's answer to the number came back, re-rendered the
fields and unticked the option. Here the first autosave is held back by the browser
until the tap has been made, so the race happens every time.
"""

import time

import pytest
from django.urls import reverse

from overgang import testing
from overgang.measurements.models import Record
from overgang.measurements.tests.test_browser_star import _log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    return testing.make_world()


def _payment_page(record):
    return next(n for n, page in enumerate(record.definition.pages, 1) if page.name == "prostitution")


def test_a_tap_made_while_an_autosave_is_under_way_survives_and_is_saved(page, live_server, live_world):
    record = testing.make_record(live_world.citizen, "star", answers={"time_point": 1, "possible": 1, "goal": 1,
                                                                     "paid_last_month": 1})
    _log_in(page, live_server, live_world.worker)
    url = reverse("measurements:fill", kwargs={"code": record.code, "page": _payment_page(record)})
    page.goto(f"{live_server.url}{url}")
    count = page.get_by_label("Skriv ca. antal gange")
    count.wait_for()

    held = []

    def hold_the_first_autosave(route):
        if route.request.method == "POST" and not held:
            held.append(route)  # answered below, after the tap
        else:
            route.continue_()

    page.route(f"**{url}", hold_the_first_autosave)
    count.fill("mange")
    trend = page.get_by_role("group", name="Oplever du, at antallet", exact=False).get_by_label("Færre gange")
    trend.check()  # leaving the number field sends its autosave; the tap's own is queued behind it
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the autosave of the number was not sent"
    assert "paid_trend=" not in (held[0].request.post_data or "")  # the race is real: the tap came after
    held[0].continue_()

    # The held answer refuses "mange" and re-renders the fields from what it was sent;
    # the tap came after and must still stand, and its own save must store it.
    page.get_by_text("Skriv et helt tal", exact=False).first.wait_for()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        answers = Record.objects.get(pk=record.pk).get_answers()
        if answers.get("paid_trend") == 1:
            break
        page.wait_for_timeout(100)
    assert trend.is_checked()
    assert Record.objects.get(pk=record.pk).get_answers().get("paid_trend") == 1
    assert count.input_value() == "mange"  # the refused number waits in its field, with its message
    assert "paid_count" not in Record.objects.get(pk=record.pk).get_answers()

"""A whole star with WHO-5 filled in, in real headless Chromium on a 768 px tablet."""

import pytest
from playwright.sync_api import expect

from overgang import testing
from overgang.measurements.models import Record

pytestmark = pytest.mark.browser

DIMENSIONS = [
    ("Motivation og ansvar", 3), ("Livsmestring og egenomsorg", 4), ("Administration af økonomi", 2),
    ("Socialt netværk og relationer", 5), ("Alkohol- og stofmisbrug", 6), ("Fysisk helbred", 7),
    ("Psykisk helbred", 3), ("Meningsfuldt tidsforbrug", 4), ("Administration af bolig", 8), ("Kriminel adfærd", 9),
]


@pytest.fixture
def live_world(transactional_db):
    import datetime as dt

    world = testing.make_world()
    today = dt.date.today()
    testing.make_course(world.citizen, start=today, first_contact=today - dt.timedelta(days=7))
    return world


UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea")]
    .filter((el) => el.type !== "hidden" && !el.labels.length && !el.getAttribute("aria-label"))
    .map((el) => el.name || el.id)"""


def _assert_labelled_and_fits(page):
    assert page.evaluate(UNLABELLED) == []
    # Nothing wider than the 768 px tablet: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 768


def _log_in(page, live_server, user):
    testing.log_in_browser(page, live_server.url, user)
    page.get_by_role("heading", name="Min uge").wait_for()
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Mine borgere").click()
    page.get_by_role("heading", name="Mine borgere").wait_for()


def test_it_fills_in_a_whole_star_with_who5(page, live_server, live_world):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    _log_in(page, live_server, live_world.worker)
    page.get_by_role("link", name="Solsikke").click()
    # The forms page leads to the one "new form" choice, on the citizen's overview.
    page.get_by_role("link", name="Skemaer", exact=True).first.click()
    page.get_by_role("link", name="Udfyld et nyt skema").click()
    choice = page.locator("#new-record")
    choice.get_by_label("Skema").select_option("star")
    choice.get_by_label("Borgeren", exact=True).check()
    choice.get_by_role("button", name="Begynd").click()

    # Page 1: answering "Ja" opens the goal question at once (saved and re-rendered by htmx).
    page.get_by_role("heading", name="Tidspunkt, mulighed og mål").wait_for()
    page.wait_for_load_state()  # htmx (deferred) listens before the answers that it sends
    _assert_labelled_and_fits(page)
    page.get_by_label("Opstart").check()
    page.get_by_role("group", name="Er det muligt at udfylde stjernen?").get_by_label("Ja").check()
    goal = page.get_by_role("group", name="Mål med CTI-forløb")
    goal.wait_for()
    goal.get_by_role("radio").first.check()
    page.get_by_role("button", name="Næste").click()

    # One dimension per screen, on the ladder, chosen with the keyboard.
    for name, value in DIMENSIONS:
        page.get_by_role("heading", name=name, exact=True).wait_for()
        _assert_labelled_and_fits(page)
        expect(page.get_by_text("Står fast", exact=True)).to_be_visible()
        expect(page.get_by_text("Klarer sig selv", exact=True)).to_be_visible()
        radio = page.get_by_role("group", name=name).get_by_label(str(value), exact=True)
        radio.focus()
        page.keyboard.press("Space")
        assert radio.is_checked()
        page.get_by_role("button", name="Næste").click()

    # The prostitution questions: "Nej" to payment asks about considerations instead.
    paid = page.get_by_role("group", name="Har du fået betaling", exact=False)
    page.wait_for_load_state()
    paid.get_by_label("Nej").check()
    considered = page.get_by_role("group", name="Har du haft overvejelser", exact=False)
    considered.wait_for()
    considered.get_by_label("Nej").check()
    page.get_by_role("button", name="Næste").click()

    page.get_by_text("Trivselsindeks WHO-5", exact=False).first.wait_for()
    _assert_labelled_and_fits(page)
    for group in page.locator("form.record-page fieldset").all():
        group.get_by_role("radio").nth(2).check()  # the third option: code 3 on every statement
    page.get_by_role("button", name="Gennemse og afslut").click()

    page.get_by_text("Alle krævede spørgsmål er besvaret.").wait_for()
    page.get_by_role("button", name="Afslut skemaet").click()
    page.get_by_text("Skemaet er afsluttet.").wait_for()

    chart = page.locator("svg.radar")
    expect(chart).to_be_visible()
    expect(page.get_by_text("60 af 100", exact=True)).to_be_visible()  # 4 × (3+3+3+3+3)
    assert not errors, errors

    record = Record.objects.get()
    assert record.status == "completed" and record.respondent == "citizen"
    answers = record.get_answers()
    assert [answers[n] for n in ("dim_motivation", "dim_money", "dim_offending")] == [3, 2, 9]
    assert answers["paid_last_month"] == 2 and answers["considered"] == 2
    assert "paid_count" not in answers
    assert [answers[f"who5_{i}"] for i in range(1, 6)] == [3, 3, 3, 3, 3]

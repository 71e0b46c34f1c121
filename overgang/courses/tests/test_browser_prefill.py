"""The worker's path in real headless Chromium (issue 12, item 1): first contact, three
contacts logged, the course started, the CTI start form opened — the known answers are
there, marked with where they come from, and can be changed."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from overgang import testing
from overgang.courses.tests.test_browser_course import _log_in, _open
from overgang.measurements.models import Record

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    return testing.make_world()


def _log_contact(page, day, form, minutes, third_party=False):
    contact = _open(page, "Registrér en kontakt")
    contact.get_by_label("Dato").fill(day.isoformat())
    contact.get_by_label("Kontaktform").select_option(form)
    contact.get_by_label("Minutter").fill(str(minutes))
    if third_party:
        contact.get_by_label("En tredjepart var til stede").check()
    contact.get_by_role("button", name="Gem kontakt").click()
    page.get_by_text("Kontakten er registreret").wait_for()


def test_the_start_form_opens_with_what_the_worker_already_registered(page, live_server, live_world):
    today = dt.date.today()
    first = today - dt.timedelta(days=21)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    _log_in(page, live_server, live_world.worker)
    page.get_by_role("link", name="Solsikke").click()

    page.get_by_role("link", name="Registrér første kontakt").click()
    page.get_by_label("Dato for første kontakt").fill(first.isoformat())
    page.get_by_role("group", name="Hvordan er kontakten etableret?").get_by_label("Borgeren henvendte sig selv").check()
    page.get_by_role("button", name="Registrér").click()
    page.get_by_text("Kontaktperioden er begyndt").wait_for()

    _log_contact(page, today - dt.timedelta(days=18), "meeting", 45, third_party=True)
    _log_contact(page, today - dt.timedelta(days=14), "phone", 10)
    _log_contact(page, today - dt.timedelta(days=9), "accompaniment", 120)

    start = _open(page, "Start forløbet")
    start.get_by_label("Dato").fill((today - dt.timedelta(days=7)).isoformat())
    start.get_by_role("button", name="Start forløbet").click()
    page.get_by_text("Forløbet er startet").wait_for()

    form = _open(page, "Udfyld et skema")
    form.get_by_label("Skema").select_option("cti_start")
    form.get_by_role("button", name="Begynd").click()
    page.get_by_role("heading", name="1. Det kontaktskabende arbejde").wait_for()

    route = page.get_by_role("group", name="Hvordan er kontakten til borgeren etableret?")
    assert route.get_by_label("Borgeren henvendte sig selv").is_checked()
    expect(route.get_by_text("fra første kontakt")).to_be_visible()
    assert page.locator("input[name=first_contact]").input_value() == first.strftime("%d.%m.%Y")  # day first
    forms = page.get_by_role("group", name="Hvilke kontaktformer er benyttet forud for opstarten af CTI-forløbet?")
    assert forms.get_by_label("Fysiske møder med borgeren").is_checked()
    assert forms.get_by_label("Telefon").is_checked() and not forms.get_by_label("Sms").is_checked()
    expect(forms.get_by_text("fra kontaktloggen")).to_be_visible()
    assert page.locator("input[name=physical_meetings]").input_value() == "2"
    third = page.get_by_role("group", name="Har der været en 3. part")
    assert third.get_by_label("Ja, til et møde").is_checked()
    expect(page.get_by_text("er udfyldt på forhånd")).to_be_visible()
    # Five questions answered before the worker typed anything (the form used to open at 0).
    assert page.locator(".progress-count").inner_text().startswith("5 af ")

    # The worker knows better about one meeting: the change is kept, the mark goes.
    page.locator("input[name=physical_meetings]").fill("3")
    page.get_by_role("button", name="Gem kladde").click()
    page.get_by_text("Kladden er gemt.").wait_for()
    assert page.locator("input[name=physical_meetings]").input_value() == "3"
    assert page.locator(".prefilled").count() == 4
    record = Record.objects.get(instrument="cti_start")
    answers = record.get_answers()
    assert (answers["contact_route"], answers["physical_meetings"], answers["third_party"]) == (5, 3, 2)
    assert answers["contact_forms"] == (1, 2) and answers["first_contact"] == first
    assert not errors, errors

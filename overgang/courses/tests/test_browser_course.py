"""A citizen's course in real headless Chromium: first contact, start, a star, a phase
change, a pause and an early ending with the end form."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.courses.models import Course

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    return testing.make_world()


def _log_in(page, live_server, user):
    testing.log_in_browser(page, live_server.url, user)
    page.get_by_role("heading", name="Min uge").wait_for()
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Mine borgere").click()
    page.get_by_role("heading", name="Mine borgere").wait_for()


_open = testing.open_details


def test_it_takes_a_citizen_from_first_contact_to_an_early_ending(page, live_server, live_world):
    today = dt.date.today()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    _log_in(page, live_server, live_world.worker)
    page.get_by_role("link", name="Solsikke").click()

    # First contact: the contact period begins.
    page.get_by_role("link", name="Registrér første kontakt").click()
    page.get_by_label("Dato for første kontakt").fill((today - dt.timedelta(days=140)).isoformat())
    page.get_by_role("group", name="Hvordan er kontakten etableret?").get_by_role("radio").first.check()
    page.get_by_label("En tredjepart").check()
    page.get_by_role("button", name="Registrér").click()
    page.get_by_text("Kontaktperioden er begyndt").wait_for()

    # Start the course 130 days ago.
    start = _open(page, "Start forløbet")
    start.get_by_label("Dato").fill((today - dt.timedelta(days=130)).isoformat())
    start.get_by_role("button", name="Start forløbet").click()
    page.get_by_text("Forløbet er startet").wait_for()
    expect(page.get_by_text("Målingsplan")).to_be_visible()

    # A star (the citizen cannot be reached today: only the time point).
    form = _open(page, "Udfyld et skema")
    form.get_by_label("Skema").select_option("star")
    form.get_by_label("CTI-medarbejderen").check()
    form.get_by_role("button", name="Begynd").click()
    page.get_by_role("group", name="Er det muligt at udfylde stjernen?").get_by_label("Nej, der er ikke kontakt til borgeren").check()
    page.get_by_role("button", name="Gennemse og afslut").click()
    page.get_by_role("button", name="Afslut skemaet").click()
    page.get_by_text("Skemaet er afsluttet.").wait_for()
    page.get_by_role("link", name="Solsikke").first.click()

    # Phase 2 ten days ago: in month 4, before the expected month 5, so it asks first,
    # naming what phase 1 is for.
    phase = _open(page, "Gå til fase 2")
    phase.get_by_label("Dato").fill((today - dt.timedelta(days=10)).isoformat())
    phase.get_by_role("button", name="Skift fase").click()
    page.get_by_role("heading", name="Gå til fase 2 før tiden?").wait_for()
    expect(page.get_by_text("Formålet med fase 1: Planlægning og igangsættelse af forløbet")).to_be_visible()
    page.get_by_role("button", name="Ja, gå til fase 2").click()
    page.get_by_text("Forløbet er gået videre til næste fase.").wait_for()

    # A pause made by mistake is undone the same day; then the real pause five days ago.
    def _pause(reason):
        pause = _open(page, "Sæt forløbet på pause")
        pause.get_by_label("Pausen begynder").fill((today - dt.timedelta(days=5)).isoformat())
        pause.get_by_label("Begrundelse").fill(reason)
        pause.get_by_role("button", name="Sæt på pause").click()
        page.get_by_text("Forløbet er sat på pause").wait_for()

    _pause("Fejl")
    page.get_by_role("button", name="Fortryd pausen").click()
    page.get_by_text("Pausen er fortrudt").wait_for()
    assert not Course.objects.get().pauses.exists()
    _pause("Indlagt på hospitalet")
    expect(page.get_by_text("På pause").first).to_be_visible()

    # Ending early needs the end form first.
    ending = _open(page, "Afslut forløbet")
    expect(ending.get_by_text("afsluttes altid med slutskemaet")).to_be_visible()
    form = _open(page, "Udfyld et skema")
    form.get_by_label("Skema").select_option("cti_end")
    form.get_by_role("button", name="Begynd").click()
    testing.fill_whole_form(page, today)
    page.get_by_role("button", name="Afslut skemaet").click()
    page.get_by_text("Skemaet er afsluttet.").wait_for()
    page.get_by_role("link", name="Solsikke").first.click()
    ending = _open(page, "Afslut forløbet")
    ending.get_by_label("Dato").fill(today.isoformat())
    ending.get_by_role("button", name="Afslut forløbet").click()
    # Ending shows what the handover misses, and that today's star (no contact) counts
    # as the star at the end; it ends only on the explicit confirmation.
    page.get_by_text("Tjeklisten for overdragelsen mangler stadig:").wait_for()
    expect(page.get_by_text("Stjernen ved afslutningen er udfyldt.")).to_be_visible()
    assert Course.objects.get().status == "active"
    page.get_by_role("button", name="Afslut forløbet alligevel").click()
    page.get_by_text("Forløbet er afsluttet.").wait_for()

    course = Course.objects.get()
    assert course.status == "ended" and course.end_date == today
    assert course.phase2_start == today - dt.timedelta(days=10)
    assert course.pauses.get().end_date is not None
    assert course.active_months(today) < 12
    assert AuditEvent.objects.filter(action="course.end", details__early=True).exists()
    expect(page.get_by_text("Forløbet sluttede")).to_be_visible()
    assert not errors, errors

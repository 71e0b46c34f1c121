"""Issue 13's check in real headless Chromium: a worker starts a homelessness course in a
municipality that also offers Exit prostitution and fills every form — registration,
start, star, ongoing and end form — and no page, in Danish or English, nor the course's
PDF printout, asks or says anything about selling sex."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from overgang import testing
from overgang.courses.models import Course
from overgang.courses.tests.test_browser_course import _log_in
from overgang.measurements.models import Record
from overgang.tests.test_template_without_prostitution import needles

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    world = testing.make_world()
    testing.offer_templates(world.a, "exit_prostitution", "homelessness")
    return world


def test_a_worker_runs_a_homelessness_course_without_a_word_about_selling_sex(page, live_server, live_world):
    today = dt.date.today()
    words = needles()
    seen = []  # (where, the page's text and form field names)

    def look(where):
        # The page loaded and its autosaves came back (its only requests after loading).
        page.wait_for_load_state("load")
        testing.wait_for_saves(page)
        text = page.evaluate("""() => document.body.innerText + " " + [...document.querySelectorAll(
            "input, select, textarea")].map((e) => `name="${e.name}" ${e.value}`).join(" ")""")
        seen.append((where, text.lower()))

    _log_in(page, live_server, live_world.worker)
    page.get_by_role("link", name="Solsikke").click()

    # First contact: the worker chooses the template (the choice names both of them).
    page.get_by_role("link", name="Registrér første kontakt").click()
    page.get_by_label("Hjemløshed → egen bolig").check()
    page.get_by_role("button", name="Videre").click()
    page.get_by_text("Forløbsskabelon: Hjemløshed → egen bolig").wait_for()
    look("first contact")
    assert page.get_by_label("En tredjepart (fx en NGO eller en anden forvaltning) var med ved kontakten").count()
    page.get_by_label("Dato for første kontakt").fill((today - dt.timedelta(days=40)).isoformat())
    page.get_by_role("group", name="Hvordan er kontakten etableret?").get_by_role("radio").first.check()
    page.get_by_role("button", name="Registrér").click()
    page.get_by_text("Kontaktperioden er begyndt").wait_for()
    look("citizen page, contact period")

    start = testing.open_details(page, "Start forløbet")
    start.get_by_label("Dato").fill((today - dt.timedelta(days=30)).isoformat())
    start.get_by_role("button", name="Start forløbet").click()
    page.get_by_text("Forløbet er startet").wait_for()
    look("citizen page, running course")

    def fill(instrument, respondent=None):
        form = testing.open_details(page, "Udfyld et skema")
        form.get_by_label("Skema").select_option(instrument)
        if respondent:
            form.get_by_label(respondent).check()
        form.get_by_role("button", name="Begynd").click()
        page.locator("form.record-page").wait_for()
        start = page.url
        testing.fill_whole_form(page, today, look=lambda: look(f"{instrument} {page.url}"))
        look(f"{instrument} overview")
        page.get_by_role("button", name="Afslut skemaet").click()
        page.get_by_text("Skemaet er afsluttet.").wait_for()
        look(f"{instrument} completed {start}")
        page.get_by_role("link", name="Solsikke").first.click()

    fill("registration")
    fill("cti_start")
    fill("star", "Borgeren")
    fill("cti_ongoing")
    fill("cti_end")
    fill("star", "Borgeren")

    course = Course.objects.get()
    assert course.template_version.name == "homelessness"
    records = Record.objects.filter(course=course, status=Record.Status.COMPLETED)
    assert sorted(records.values_list("instrument", flat=True)) == [
        "cti_end", "cti_ongoing", "cti_start", "registration", "star", "star"]
    # Every completed record read back, and the citizen's pages, in both languages.
    urls = [reverse("courses:citizen", kwargs={"code": course.citizen.code}),
            reverse("citizens:detail", kwargs={"code": course.citizen.code}),
            reverse("measurements:list", kwargs={"code": course.citizen.code}),
            reverse("courses:plan", kwargs={"code": course.code}),
            reverse("courses:network", kwargs={"code": course.code}),
            reverse("courses:handover", kwargs={"code": course.code})]
    urls += [reverse("measurements:detail", kwargs={"code": record.code}) for record in records]
    for language in ("da", "en"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for url in urls:
            page.goto(live_server.url + url)
            look(f"{url} {language}")
    texts = "\n".join(f"{where}: {text}" for where, text in seen)
    assert len(seen) > 15
    assert any(where.endswith(" en") and "course" in text for where, text in seen)  # English pages were read
    assert sorted({(where, w) for where, text in seen for w in words if w in text}) == [], texts[:2000]
    # The end form's reason is the planned end of this 9-month course, not SFI's 12 months.
    assert not [where for where, text in seen if "12 måneder" in text or "12-month" in text]

    # The PDF printout, in both languages.
    for language in ("da", "en"):
        # The printout is in the citizen's language, chosen on the page (?lang=).
        response = page.request.get(live_server.url + reverse("courses:printout", kwargs={"code": course.code})
                                    + f"?lang={language}")
        assert response.status == 200 and response.body()[:5] == b"%PDF-"
        # pypdf, as the other tests read PDFs (poppler's pdftotext is not on a fresh machine).
        text = " ".join(" ".join((p.extract_text() or "").split())
                        for p in PdfReader(io.BytesIO(response.body())).pages).lower()
        assert "solsikke" in text and ("stjerne" in text if language == "da" else "star" in text)
        assert sorted(w for w in words if w in text) == []

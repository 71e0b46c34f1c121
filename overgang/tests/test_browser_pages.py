"""The demo's pages in real headless Chromium, each checked by axe-core and for duplicate
ids and dangling aria-* references (the ``page`` fixture in conftest.py does that on every
page a browser test visits), and for what a tablet user would trip over."""

import pytest
from django_otp.oath import totp

from overgang import testing
from overgang.accounts.demo import DEMO_PASSWORD
from overgang.accounts.models import User
from overgang.citizens.models import Citizen
from overgang.measurements.models import Record

pytestmark = pytest.mark.browser


def _log_in(page, live_server, username, language="da"):
    user = User.objects.get(username=username)
    device = testing.totp_device(user)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.get_by_label("Engangskode fra din app").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Bekræft").click()
    page.locator("main h1").first.wait_for()
    if language == "en":
        page.get_by_label("Sprog").select_option("en")
        page.get_by_role("button", name="Skift sprog").click()
        page.locator("html[lang=en]").wait_for()


def _visit(page, url):
    response = page.goto(url)
    assert response.status == 200, (url, page.locator("main").inner_text()[:500])
    page.locator("main h1").first.wait_for()


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_workers_pages_pass_the_checks(page, live_server, demo, language):
    _log_in(page, live_server, "anna", language)
    citizen = Citizen.objects.get(pseudonym="Havørn")  # phase 2: a plan in two phases, forms of every kind
    course = citizen.courses.get()
    base = live_server.url
    urls = [f"{base}/borgere/", f"{base}/borgere/ny/", f"{base}/borgere/{citizen.code}/overblik/",
            f"{base}/borgere/{citizen.code}/skemaer/", f"{base}/borgere/{citizen.code}/rediger/"]
    from django.urls import reverse

    urls += [base + reverse(name, kwargs={"code": course.code})
             for name in ("courses:plan", "courses:network", "courses:handover")]
    for record in (Record.objects.filter(citizen=citizen, instrument=name).first()
                   for name in ("registration", "cti_start", "star", "cti_ongoing")):
        urls.append(base + reverse("measurements:detail", kwargs={"code": record.code}))
    for other in ("Måge", "Lærke"):  # a contact period; phase 3 with the handover
        urls.append(base + reverse("courses:citizen", kwargs={"code": Citizen.objects.get(pseudonym=other).code}))
    for url in urls:
        _visit(page, url)


def test_the_plan_has_one_id_per_field_and_each_label_ticks_its_own_box(page, live_server, demo):
    _log_in(page, live_server, "anna")
    course = Citizen.objects.get(pseudonym="Havørn").courses.get()
    from django.urls import reverse

    _visit(page, live_server.url + reverse("courses:plan", kwargs={"code": course.code}))
    assert page.evaluate("document.querySelectorAll('[id]').length") == page.evaluate(
        "new Set([...document.querySelectorAll('[id]')].map((e) => e.id)).size")
    # "Borgeren deltog" (plan evaluation) and "Borgeren var med til at lave planen" (focus
    # area) each tick their own box.
    took_part = page.get_by_label("Borgeren deltog")
    page.get_by_text("Evaluering og justering").scroll_into_view_if_needed()
    page.locator("label", has_text="Borgeren deltog").click()
    assert took_part.is_checked()
    assert not page.get_by_label("Borgeren var med til at lave planen").is_checked()


def test_the_new_citizen_form_announces_its_privacy_hint(page, live_server, demo):
    _log_in(page, live_server, "anna")
    _visit(page, f"{live_server.url}/borgere/ny/")
    pseudonym = page.get_by_label("Pseudonym")
    hint = page.locator(f"#{pseudonym.get_attribute('aria-describedby')}")
    assert "Aldrig et CPR-nummer" in hint.inner_text()


def test_a_started_records_pages_pass_the_checks_and_fit_a_tablet(page, live_server, demo):
    _log_in(page, live_server, "anna")
    citizen = Citizen.objects.get(pseudonym="Solsikke")
    from django.urls import reverse

    _visit(page, live_server.url + reverse("courses:citizen", kwargs={"code": citizen.code}) + "?skema=ny#new-record")
    choice = page.locator("#new-record")
    choice.get_by_label("Skema").select_option("star")
    choice.get_by_label("Borgeren", exact=True).check()
    choice.get_by_role("button", name="Begynd").click()
    page.get_by_role("heading", name="Tidspunkt, mulighed og mål").wait_for()
    page.wait_for_load_state()  # htmx (deferred) listens before the answer that it sends
    page.get_by_role("group", name="Er det muligt at udfylde stjernen?").get_by_label("Ja").check()
    page.get_by_role("group", name="Mål med CTI-forløb").wait_for()
    page.get_by_role("button", name="Næste").click()
    page.get_by_role("heading", name="Motivation og ansvar", exact=True).wait_for()
    page.get_by_role("link", name="Gennemse", exact=False).count()  # the ladder page is checked here
    record = Record.objects.filter(citizen=citizen, instrument="star").latest("created")
    _visit(page, live_server.url + reverse("measurements:detail", kwargs={"code": record.code}))
    # The review's two buttons stand apart on a tablet.
    finish = page.get_by_role("button", name="Kassér kladden").bounding_box()
    continue_ = page.get_by_role("link", name="Fortsæt udfyldningen").bounding_box()
    assert finish["y"] >= continue_["y"] + continue_["height"] or finish["x"] >= continue_["x"] + continue_["width"] + 8


def test_date_fields_are_as_wide_as_a_date_needs(page, live_server, demo):
    _log_in(page, live_server, "anna")
    citizen = Citizen.objects.get(pseudonym="Solsikke")
    from django.urls import reverse

    _visit(page, live_server.url + reverse("courses:citizen", kwargs={"code": citizen.code}) + "?skema=ny#new-record")
    day = page.locator("#new-record").get_by_label("Udfyldt dato").bounding_box()
    assert day["width"] >= 200 and day["height"] >= 40


def test_the_leaders_evaluators_and_administrators_pages_pass_the_checks(page, live_server, demo):
    admin = User.objects.get(username="admin")
    municipality = admin.memberships.first().municipality
    for username, urls in (
        ("leder", ["/borgere/", "/min-uge/", "/rapport/"]),
        ("evaluator", ["/rapport/", "/evaluering/udtraek/"]),
        ("admin", [f"/administration/{municipality.code}/brugere/", f"/administration/{municipality.code}/import/"]),
    ):
        page.context.clear_cookies()
        _log_in(page, live_server, username)
        for url in urls:
            _visit(page, live_server.url + url)


def _fits(page, selector="html"):
    """The element's content is no wider than the element (nothing pushed out of sight)."""
    return page.locator(selector).first.evaluate("(e) => [e.scrollWidth, e.clientWidth]")


def test_a_phone_shows_all_three_chosen_stars_side_by_side(page, live_server, demo):
    _log_in(page, live_server, "anna")
    page.set_viewport_size({"width": 390, "height": 844})
    from django.urls import reverse

    citizen = Citizen.objects.get(pseudonym="Havørn")  # four stars: the newest three are shown
    _visit(page, live_server.url + reverse("courses:citizen", kwargs={"code": citizen.code}))
    table = page.get_by_role("table", name="Stjernernes tal")
    assert table.locator("thead th").count() == 4
    # The table used to scroll inside itself with no sign of the third star's column.
    scroll, width = _fits(page, "table.numbers")
    assert scroll <= width, (scroll, width)
    assert table.locator("thead th").last.bounding_box()["x"] + 10 < 390


def test_a_phone_shows_the_import_format_without_scrolling_sideways(page, live_server, demo):
    admin = User.objects.get(username="admin")
    municipality = admin.memberships.first().municipality
    _log_in(page, live_server, "admin")
    page.set_viewport_size({"width": 390, "height": 844})
    _visit(page, f"{live_server.url}/administration/{municipality.code}/import/")
    # The column lists in the stacked table ran 670 px past the screen's edge.
    scroll, width = _fits(page)
    assert scroll <= width, (scroll, width)


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_caseload_filters_show_their_whole_choice_on_a_tablet_and_a_phone(page, live_server, demo, language):
    """"Contact periods and courses" was cut off in its select at 768 px in English."""
    _log_in(page, live_server, "leder", language)
    for width in (1280, 768, 390):
        page.set_viewport_size({"width": width, "height": 900})
        _visit(page, f"{live_server.url}/borgere/")
        selects = page.locator("form.filters select")
        assert selects.count() >= 3
        for select in selects.all():
            # The chosen option's text in the select's own font, plus its padding and arrow.
            text, room = select.evaluate("""(s) => {
                const style = getComputedStyle(s);
                const ctx = document.createElement("canvas").getContext("2d");
                ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
                const text = s.options[s.selectedIndex].text;
                const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
                return [ctx.measureText(text).width, room];
            }""")
            assert text <= room, (width, language, select.get_attribute("name"), text, room)
        scroll, client = _fits(page)
        assert scroll <= client, (width, scroll, client)

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


def test_a_leader_reports_on_two_templates_side_by_side(page, live_server, transactional_db):
    """Issue 13's check: the leader's report page compares Exit prostitution and
    Hjemløshed → egen bolig (Table 0.1); choosing Hjemløshed shows its own report, its own
    goals and nothing about selling sex."""
    import random

    from overgang.citizens.models import Citizen
    from overgang.tests.test_template_without_prostitution import WORDS

    from .test_report_templates import run

    world = testing.make_world()
    testing.offer_templates(world.a, "exit_prostitution", "homelessness")
    rng = random.Random(13)
    run(world.citizen, "exit_prostitution", rng)
    for pseudonym in ("Vibe", "Lærke"):
        run(Citizen.objects.create(municipality=world.a, pseudonym=pseudonym, worker=world.worker), "homelessness", rng)
    testing.log_in_browser(page, live_server.url, world.leader)
    page.goto(f"{live_server.url}/rapport/")
    page.get_by_text("Tabel 0.1").first.wait_for()
    side_by_side = page.locator("section, figure, div", has=page.get_by_text("Forløbsskabeloner side om side")).last
    text = side_by_side.inner_text()
    assert "Exit prostitution" in text and "Hjemløshed → egen bolig" in text
    page.get_by_label("Forløbsskabelon").select_option("homelessness")
    page.get_by_role("button", name="Vis rapport").click()
    page.get_by_text("Figur 6.1").first.wait_for()
    goals = page.get_by_label("Målsætning").locator("option").all_inner_texts()
    assert goals == ["Alle", "Flytte i egen bolig", "Fastholde egen bolig"]
    report = page.locator("main").inner_text().lower().replace("exit prostitution", "")
    assert [w for w in WORDS if w in report] == []
    assert "tabel 0.1" not in report

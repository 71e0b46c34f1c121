"""A worker's day in real headless Chromium: log in with TOTP, caseload, citizen, language, logout."""

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from overgang import testing

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    world = testing.make_world()
    testing.totp_device(world.worker)
    return world


def _token(user):
    device = testing.totp_device(user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _log_in(page, live_server, user):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(testing.PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.get_by_label("Engangskode fra din app").fill(_token(user))
    page.get_by_role("button", name="Bekræft").click()


def test_it_takes_a_worker_through_login_caseload_citizen_language_and_logout(page, live_server, live_world):
    _log_in(page, live_server, live_world.worker)

    # "Min uge" is the worker's start page; the caseload is one tap away.
    page.get_by_role("heading", name="Min uge").wait_for()
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Mine borgere").click()
    expect(page.get_by_role("heading", name="Mine borgere")).to_be_visible()
    expect(page.get_by_role("link", name="Solsikke")).to_be_visible()
    # The stranger's citizen in another municipality is not listed.
    assert page.get_by_text("Havørn").count() == 0

    page.get_by_role("link", name="Solsikke").click()
    expect(page.get_by_role("heading", name="Solsikke")).to_be_visible()

    page.get_by_label("Sprog").select_option("en")
    page.get_by_role("button", name="Skift sprog").click()
    expect(page.get_by_role("heading", name="Solsikke")).to_be_visible()
    expect(page.get_by_text("CTI worker: Worker")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(f"{live_server.url}/borgere/")
    assert "/login/" in page.url


def test_it_shows_not_found_for_another_workers_citizen(page, live_server, live_world):
    _log_in(page, live_server, live_world.worker)
    page.get_by_role("heading", name="Min uge").wait_for()
    response = page.goto(f"{live_server.url}/borgere/{live_world.foreign_citizen.code}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Siden findes ikke")).to_be_visible()
    assert page.get_by_text("Havørn").count() == 0

"""Logging in through the municipal IdP in real headless Chromium."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from overgang.accounts.models import Municipality
from overgang.sso import saml as saml_module
from overgang.sso.tests.conftest import configure
from overgang.sso.testidp import person

pytestmark = pytest.mark.browser


@pytest.fixture
def served_idp(settings, tmp_path, live_server, transactional_db):
    Municipality.objects.create(name="Aby Kommune")
    idp = configure(settings, tmp_path, base_url=live_server.url, serve=True)
    yield idp
    idp.stop()
    saml_module._config_cache.update(key=None, config=None, at=0.0)


def test_a_worker_logs_in_through_the_idp_lands_on_the_workers_page_and_logs_out_everywhere(page, live_server, served_idp):
    served_idp.next_person = (person(), "persistent-anna")
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.get_by_role("link", name="Log ind med kommunens login").click()
    # At the IdP: the AuthnRequest arrived signed (the IdP checked it before showing this).
    page.get_by_role("heading", name="Kommunens login (test)").wait_for()
    assert page.url.startswith(served_idp.base_url + "/sso/redirect?SAMLRequest=")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("button", name="Fortsæt til Overgang").click()
    # The worker's own start page, as after a password login.
    page.get_by_role("heading", name="Min uge").wait_for()
    assert page.url == live_server.url + reverse("courses:week")
    assert page.locator(".who").inner_text() == "Anna Andersen"  # created from the assertion

    page.get_by_role("button", name="Log ud").click()
    # Through the IdP's single logout and back to the login page.
    page.get_by_role("heading", name="Log ind", exact=True).wait_for()
    assert page.url.startswith(f"{live_server.url}/login/")
    expect(page.get_by_text("Du er logget ud af Overgang og kommunens login.")).to_be_visible()
    assert len(served_idp.logout_requests) == 1
    page.goto(f"{live_server.url}/borgere/")
    assert "/login/" in page.url

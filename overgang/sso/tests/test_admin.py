"""What the administrator sees of SSO users, and the break-glass account."""

import pytest
from django.urls import reverse

from overgang import testing
from overgang.accounts.models import Membership, Role, RoleSource, User
from overgang.audit.models import AuditEvent
from overgang.sso.tests.conftest import saml_login
from overgang.sso.testidp import person

pytestmark = pytest.mark.django_db


def test_the_administrator_sees_where_each_role_came_from(client, world, idp, login):
    from django.test import Client

    saml_login(Client(), idp, person(roles=("cti-medarbejder", "projektleder")))
    login(world.administrator)
    page = client.get(reverse("accounts:admin_users", kwargs={"municipality": world.a.code})).content.decode()
    assert "CTI-medarbejder <small>(kommunens login)</small>" in page
    assert "Projektleder <small>(kommunens login)</small>" in page
    assert "Administrator <small>(lokal)</small>" in page  # the locally made administrator
    assert "Kommunens login</td>" in page
    assert "oprettes ved sit første login" in page and "Opret bruger</a>" not in page


def test_the_administrator_cannot_change_sso_roles_but_can_close_access(client, world, idp, login):
    from django.test import Client

    saml_login(Client(), idp, person())
    anna = User.objects.get(external_identity__subject="persistent-anna")
    login(world.administrator)
    url = reverse("accounts:admin_user_edit", kwargs={"municipality": world.a.code, "code": anna.code})
    page = client.get(url).content.decode()
    assert "Rollerne kommer fra kommunens login" in page and "Nulstil to-faktor" not in page
    response = client.post(url, {"first_name": "Anna", "last_name": "Andersen", "email": "anna@aby.dk", "roles": ["admin"]})
    assert response.status_code == 302
    anna.refresh_from_db()
    assert not anna.is_active
    assert set(Membership.objects.filter(user=anna).values_list("role", "source")) == {(Role.WORKER, RoleSource.SSO)}


def test_only_the_break_glass_administrator_uses_a_password_when_sso_is_on(client, world, idp, settings):
    settings.OVERGANG_BREAK_GLASS_USER = "administrator"
    testing.totp_device(world.worker)
    response = client.post(reverse("accounts:login"), {"username": "worker", "password": testing.PASSWORD})
    assert response.status_code == 200 and "Login mislykkedes" in response.content.decode()
    assert AuditEvent.objects.get(action="login_failed").details == {"stage": "sso_only"}
    # The break-glass administrator still needs the TOTP code.
    testing.totp_device(world.administrator)
    response = client.post(reverse("accounts:login"), {"username": "administrator", "password": testing.PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:totp_verify")


def test_the_break_glass_login_is_marked_in_the_audit_log(client, world, idp, settings):
    from django_otp.oath import totp

    settings.OVERGANG_BREAK_GLASS_USER = "administrator"
    device = testing.totp_device(world.administrator)
    client.post(reverse("accounts:login"), {"username": "administrator", "password": testing.PASSWORD})
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(reverse("accounts:totp_verify"), {"token": token}).status_code == 302
    assert AuditEvent.objects.get(action="login").details == {"method": "password", "break_glass": True}


def test_the_break_glass_account_may_only_administer(client, world, idp, settings):
    settings.OVERGANG_BREAK_GLASS_USER = "leader"
    response = client.post(reverse("accounts:login"), {"username": "leader", "password": testing.PASSWORD})
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="login_failed").details == {"stage": "break_glass_roles"}


def test_without_break_glass_nobody_uses_a_password_when_sso_is_on(client, world, idp, settings):
    settings.OVERGANG_BREAK_GLASS_USER = ""
    response = client.post(reverse("accounts:login"), {"username": "administrator", "password": testing.PASSWORD})
    assert response.status_code == 200


def test_the_login_page_offers_the_municipal_login_first(client, world, idp):
    page = client.get(reverse("accounts:login") + "?next=/konto/").content.decode()
    assert '<a class="button sso-login" href="/saml2/login/?next=/konto/">Log ind med kommunens login</a>' in page
    assert "Nødadgang for administrator" in page


def test_password_logins_are_unchanged_without_sso(client, world, settings):
    settings.OVERGANG_SAML = None
    testing.totp_device(world.worker)
    page = client.get(reverse("accounts:login")).content.decode()
    assert "kommunens login" not in page and "Nødadgang" not in page
    response = client.post(reverse("accounts:login"), {"username": "worker", "password": testing.PASSWORD})
    assert response["Location"] == reverse("accounts:totp_verify")


def test_an_sso_login_keeps_the_working_time_the_administrator_set(client, world, idp):
    """The identity provider asserts roles, not working time: a login that keeps the
    worker role keeps the share of full time the administrator set."""
    from decimal import Decimal

    from django.test import Client

    from overgang.accounts.actions import do_set_working_time

    saml_login(Client(), idp, person(roles=("cti-medarbejder",)))
    anna = User.objects.get(external_identity__subject="persistent-anna")
    do_set_working_time(anna.memberships.get(role=Role.WORKER), Decimal("0.6"), actor=world.administrator)
    saml_login(Client(), idp, person(roles=("cti-medarbejder", "projektleder")))
    assert anna.memberships.get(role=Role.WORKER).working_time == Decimal("0.60")

"""Login with password and TOTP, lockout, idle timeout, session binding, logout."""

import time

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp

from overgang import testing
from overgang.accounts.models import LoginFailure, User
from overgang.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _token(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def _password_step(client, username, password=testing.PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def test_it_hashes_passwords_with_argon2id(world):
    assert User.objects.get(username="worker").password.startswith("argon2$argon2id$")


def test_the_demo_staff_log_in_with_the_published_password_hashed_once(world):
    from django.contrib.auth.hashers import make_password

    from overgang.accounts import actions
    from overgang.accounts.demo import DEMO_PASSWORD, seed

    seed()
    staff = User.objects.filter(username__in=["leder", "anna", "admin"])
    assert len(staff) == 3 and all(u.check_password(DEMO_PASSWORD) for u in staff)
    assert all(u.password.startswith("argon2$argon2id$") for u in staff)
    assert not staff[0].check_password(DEMO_PASSWORD + "x")
    # A hash is taken only as make_password writes one: a plain password given as a hash
    # would lie in the database as it is.
    with pytest.raises(ValueError):
        actions.do_create_user(world.a, "plain", actor=None, roles=[], password_hash="overgang-demo")
    with pytest.raises(ValueError):
        actions.do_create_user(world.a, "both", actor=None, roles=[], password="x" * 12,
                               password_hash=make_password("y" * 12))
    assert not User.objects.filter(username__in=["plain", "both"]).exists()


def test_it_asks_for_the_totp_code_and_only_then_logs_in(client, world):
    device = testing.totp_device(world.worker)
    response = _password_step(client, "worker")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:totp_verify")
    # Between the two steps the user is not logged in.
    assert client.get(reverse("courses:caseload")).status_code == 302
    response = client.post(reverse("accounts:totp_verify"), {"token": _token(device)})
    assert response.status_code == 302
    assert client.get(reverse("courses:caseload")).status_code == 200
    event = AuditEvent.objects.filter(action="login").get()
    assert event.actor_code == str(world.worker.code)
    assert event.ip == "127.0.0.1"


def test_it_refuses_a_wrong_totp_code_and_audits_it(client, world):
    device = testing.totp_device(world.worker)
    _password_step(client, "worker")
    wrong = f"{(int(_token(device)) + 1) % 1000000:06d}"
    response = client.post(reverse("accounts:totp_verify"), {"token": wrong})
    assert response.status_code == 200
    assert "Koden er forkert" in response.content.decode()
    assert client.get(reverse("courses:caseload")).status_code == 302
    assert AuditEvent.objects.filter(action="login_failed", details__stage="totp").count() == 1


def test_it_enrols_a_totp_device_with_a_qr_code_at_first_login(client, world):
    response = _password_step(client, "teammate")
    assert response["Location"] == reverse("accounts:totp_enrol")
    page = client.get(reverse("accounts:totp_enrol"))
    html = page.content.decode()
    assert "<svg" in html and "Scan QR-koden" in html
    device = world.teammate.totpdevice_set.get()
    assert not device.confirmed
    response = client.post(reverse("accounts:totp_enrol"), {"token": _token(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="user.totp_enrol", object_code=str(world.teammate.code)).exists()
    assert client.get(reverse("courses:caseload")).status_code == 200


def test_it_gives_the_same_message_for_unknown_users_and_wrong_passwords(client, world):
    unknown = _password_step(client, "nobody", "whatever-password").content.decode()
    wrong = _password_step(client, "worker", "wrong-password").content.decode()
    message = "Login mislykkedes. Tjek brugernavn og adgangskode."
    assert message in unknown and message in wrong
    assert AuditEvent.objects.filter(action="login_failed").count() == 2
    assert AuditEvent.objects.filter(action="login_failed", actor_username="nobody").get().object_code == ""


@override_settings(OVERGANG_LOCKOUT_ACCOUNT_FAILURES=3)
def test_it_locks_an_account_after_repeated_failures(client, world):
    testing.totp_device(world.worker)
    for _ in range(3):
        _password_step(client, "worker", "wrong-password")
    response = _password_step(client, "worker")  # the right password, but locked
    assert response.status_code == 200
    assert "Login mislykkedes" in response.content.decode()
    # Another account from another address is unaffected.
    other = _password_step(client, "teammate", REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302


@override_settings(OVERGANG_LOCKOUT_IP_FAILURES=4, OVERGANG_LOCKOUT_ACCOUNT_FAILURES=100)
def test_it_locks_an_address_that_tries_many_accounts(client, world):
    for name in ("a", "b", "c", "d"):
        _password_step(client, name, "guess-password", REMOTE_ADDR="10.9.9.9")
    assert _password_step(client, "worker", REMOTE_ADDR="10.9.9.9").status_code == 200
    assert _password_step(client, "worker", REMOTE_ADDR="10.9.9.8").status_code == 302


@override_settings(OVERGANG_LOCKOUT_ACCOUNT_FAILURES=3, OVERGANG_LOCKOUT_MINUTES=15)
def test_it_lifts_the_lockout_after_the_window(client, world):
    from datetime import timedelta

    from django.utils import timezone

    for _ in range(3):
        _password_step(client, "worker", "wrong-password")
    LoginFailure.objects.all().update(at=timezone.now() - timedelta(minutes=16))
    assert _password_step(client, "worker").status_code == 302


def test_it_refuses_an_inactive_user(client, world):
    User.objects.filter(pk=world.worker.pk).update(is_active=False)
    assert _password_step(client, "worker").status_code == 200


def test_it_ends_an_idle_session(client, world, settings):
    testing.login(client, world.worker)
    session = client.session
    session["last_seen"] = time.time() - settings.OVERGANG_IDLE_TIMEOUT_MINUTES * 60 - 5
    session.save()
    response = client.get(reverse("courses:caseload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("courses:caseload")).status_code == 302


def test_it_ends_a_session_used_from_another_browser(client, world):
    testing.login(client, world.worker)
    assert client.get(reverse("courses:caseload")).status_code == 200
    assert client.get(reverse("courses:caseload"), HTTP_USER_AGENT="Other/1.0").status_code == 302
    assert client.get(reverse("courses:caseload")).status_code == 302


def test_it_logs_out_and_audits_it(client, world):
    testing.login(client, world.worker)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("courses:caseload")).status_code == 302
    assert AuditEvent.objects.filter(action="logout", actor_code=str(world.worker.code)).exists()


def test_it_logs_out_everywhere(client, world):
    from django.test import Client

    other = Client()
    testing.login(other, world.worker)
    testing.login(client, world.worker)
    client.post(reverse("accounts:logout_everywhere"))
    assert other.get(reverse("courses:caseload")).status_code == 302
    assert AuditEvent.objects.filter(action="user.logout_everywhere").exists()


def test_it_refuses_a_session_without_a_verified_second_factor(client, world):
    client.force_login(world.worker)
    assert client.get(reverse("courses:caseload")).status_code == 302


@override_settings(OVERGANG_TOTP_WAIVED=True)
def test_it_skips_totp_when_waived_in_a_demo(client, world):
    response = _password_step(client, "worker")
    assert response["Location"] == reverse("home")
    assert client.get(reverse("courses:caseload")).status_code == 200


def test_it_does_not_follow_an_offsite_next_url(client, world):
    testing.totp_device(world.worker)
    client.post(reverse("accounts:login") + "?next=https://evil.example/", {"username": "worker", "password": testing.PASSWORD, "next": "https://evil.example/"})
    device = testing.totp_device(world.worker)
    response = client.post(reverse("accounts:totp_verify"), {"token": _token(device)})
    assert response["Location"] == reverse("home")


def test_it_changes_the_password_and_ends_other_sessions(client, world):
    from django.test import Client

    other = Client()
    testing.login(other, world.worker)
    testing.login(client, world.worker)
    new = "a much longer new passphrase 42"
    response = client.post(
        reverse("accounts:account"),
        {"old_password": testing.PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:account")).status_code == 200
    assert other.get(reverse("accounts:account")).status_code == 302
    assert User.objects.get(pk=world.worker.pk).check_password(new)
    assert AuditEvent.objects.filter(action="user.password_change").exists()

"""Login behind a reverse proxy (lockout per real client address) and the password policy."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from overgang import testing
from overgang.accounts.models import User
from overgang.audit.models import AuditEvent
from overgang.lib.clientip import parse_networks

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.1"


def _login(client, username, password, client_ip, via_proxy=True, forwarded=None):
    headers = {"REMOTE_ADDR": PROXY if via_proxy else client_ip}
    headers["HTTP_X_FORWARDED_FOR"] = forwarded if forwarded is not None else client_ip
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **headers)


@override_settings(TRUSTED_PROXIES=parse_networks(PROXY), OVERGANG_LOCKOUT_IP_FAILURES=20,
                   OVERGANG_LOCKOUT_ACCOUNT_FAILURES=1000)
def test_a_login_flood_through_the_proxy_locks_out_the_attacker_only(client, world):
    testing.totp_device(world.worker)
    for i in range(25):
        _login(client, f"guess{i}", "wrong password", "198.51.100.66")
    # The attacker is locked out …
    locked = _login(client, "worker", testing.PASSWORD, "198.51.100.66")
    assert locked.status_code == 200 and "Login mislykkedes" in locked.content.decode()
    # … everyone else behind the same proxy is not.
    assert _login(client, "worker", testing.PASSWORD, "198.51.100.10").status_code == 302
    failure = AuditEvent.objects.filter(action="login_failed").first()
    assert failure.ip == "198.51.100.66"


@override_settings(TRUSTED_PROXIES=parse_networks(PROXY), OVERGANG_LOCKOUT_IP_FAILURES=5,
                   OVERGANG_LOCKOUT_ACCOUNT_FAILURES=1000)
def test_a_forged_forwarded_header_does_not_escape_the_lockout(client, world):
    testing.totp_device(world.worker)
    for i in range(6):
        # Through the proxy, with a different made-up address in front each time.
        _login(client, f"guess{i}", "wrong password", "198.51.100.66", forwarded=f"192.0.2.{i}, 198.51.100.66")
    assert _login(client, "worker", testing.PASSWORD, "198.51.100.66",
                  forwarded="192.0.2.200, 198.51.100.66").status_code == 200
    for i in range(6):
        # Straight to the application, with a header pretending to be a proxy's.
        _login(client, f"guess{i}", "wrong password", "203.0.113.5", via_proxy=False, forwarded=f"192.0.2.{i}")
    assert _login(client, "worker", testing.PASSWORD, "203.0.113.5", via_proxy=False,
                  forwarded="192.0.2.99").status_code == 200


@override_settings(TRUSTED_PROXIES=(), OVERGANG_LOCKOUT_IP_FAILURES=3, OVERGANG_LOCKOUT_ACCOUNT_FAILURES=1000)
def test_without_trusted_proxies_the_header_is_ignored(client, world):
    testing.totp_device(world.worker)
    for i in range(3):
        _login(client, f"guess{i}", "wrong password", f"198.51.100.{i}")
    # Every attempt came from the proxy's socket address, which is what is counted.
    assert _login(client, "worker", testing.PASSWORD, "198.51.100.99").status_code == 200


@pytest.mark.parametrize("username,password,message", [
    ("carla", "aaaaaaaaaaaa", "for ensformig"), ("carla", "carlacarla12", "indeholde dit brugernavn"),
    ("carla", "abcabcabcabc", "for ensformig"), ("nina", "123456789012", "udelukkende numerisk"),
    ("nina", "password1234", "for almindelig"), ("nina", "Nina-Jensen-2026", "indeholde dit brugernavn"),
    ("nina", "short", "for kort"),
])
def test_the_web_form_refuses_weak_passwords_in_danish(client, world, login, username, password, message):
    login(world.administrator)
    response = client.post(
        reverse("accounts:admin_user_new", kwargs={"municipality": world.a.code}),
        {"username": username, "first_name": username.title(), "password": password, "roles": ["worker"]},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username=username).exists()


def test_the_messages_are_danish_and_english():
    from django.contrib.auth import password_validation

    user = User(username="carla", first_name="Carla")
    for language, expected in (("da", "brugernavn"), ("en", "username")):
        with translation.override(language):
            with pytest.raises(Exception) as exc:
                password_validation.validate_password("carlacarla12", user)
            assert expected in " ".join(exc.value.messages)
        with translation.override(language):
            with pytest.raises(Exception) as exc:
                password_validation.validate_password("aaaaaaaaaaaa", user)
            assert ("ensformig" if language == "da" else "monotonous") in " ".join(exc.value.messages)


def test_a_strong_password_passes(client, world, login):
    login(world.administrator)
    response = client.post(
        reverse("accounts:admin_user_new", kwargs={"municipality": world.a.code}),
        {"username": "carla", "first_name": "Carla", "password": "ni røde heste på taget", "roles": ["worker"]},
    )
    assert response.status_code == 302


def test_changing_ones_own_password_follows_the_policy(client, world, login):
    login(world.worker)
    response = client.post(reverse("accounts:account"), {
        "old_password": testing.PASSWORD, "new_password1": "workerworker1", "new_password2": "workerworker1"})
    assert response.status_code == 400  # the form again, with the reason
    assert "workerworker1" not in response.content.decode() and response.context["form"].errors["new_password2"]
    assert User.objects.get(pk=world.worker.pk).check_password(testing.PASSWORD)


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "carlacarla12"])
def test_the_command_refuses_weak_passwords_in_both_languages(world, monkeypatch, password):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    with pytest.raises(CommandError) as exc:
        call_command("user", "add", "carla", "--municipality", world.a.name, "--role", "worker", "--password-stdin",
                     stdout=io.StringIO())
    assert " / " in str(exc.value)
    assert not User.objects.filter(username="carla").exists()

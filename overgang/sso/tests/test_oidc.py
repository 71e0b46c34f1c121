"""OpenID Connect login (code flow with PKCE) against a provider stub serving real RS256 tokens."""

import json

import pytest
from django.urls import reverse

from overgang.accounts.models import RoleSource, User
from overgang.audit.models import AuditEvent
from overgang.sso import oidc as oidc_module
from overgang.sso.env import sso_settings
from overgang.sso.tests.conftest import ROLE_MAP
from overgang.sso.tests.oidc_provider import Provider, employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings, tmp_path, request):
    server = Provider(end_session=getattr(request, "param", False))
    role_map = tmp_path / "roles.json"
    role_map.write_text(json.dumps(ROLE_MAP))
    environment = {
        "OVERGANG_OIDC_ISSUER": server.issuer,
        "OVERGANG_OIDC_CLIENT_ID": server.client_id,
        "OVERGANG_OIDC_CLIENT_SECRET": server.client_secret,
        "OVERGANG_BASE_URL": "http://testserver",
        "OVERGANG_SSO_ROLE_MAP_FILE": str(role_map),
    }
    values = sso_settings(
        lambda name, default="": environment.get(name, default),
        lambda name, default=False: default,
        lambda name, default, minimum=0: default,
        lambda name: environment.get(name, ""),
        production=False,
    )
    for name, value in values.items():
        setattr(settings, name, value)
    oidc_module._clients.clear()
    yield server
    server.stop()
    oidc_module._clients.clear()


def oidc_login(client, provider, claims, **tamper):
    start = client.get(reverse("sso:oidc_login"))
    assert start.status_code == 302, start.content
    back = provider.authorize(start["Location"], claims, **tamper)
    assert back.startswith("http://testserver/oidc/callback/?")
    return client.get(back.removeprefix("http://testserver"))


def _refusal(reason):
    event = AuditEvent.objects.filter(action="sso.refused").latest("seq")
    assert event.details["reason"] == reason, event.details
    assert event.details["protocol"] == "oidc"
    return event


def test_it_logs_in_with_the_code_flow_and_pkce(client, world, provider):
    response = oidc_login(client, provider, employee())
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("courses:caseload")).status_code == 200  # no TOTP asked
    exchange = provider.token_requests[-1]
    assert exchange["grant_type"] == "authorization_code" and len(exchange["code_verifier"]) >= 43
    user = User.objects.get(external_identity__subject="oidc-anna")
    assert user.username == "anna.oidc" and user.get_full_name() == "Anna Olsen"
    assert {(m.municipality.name, m.role, m.source) for m in user.memberships.all()} == {
        ("Aby Kommune", "worker", RoleSource.SSO)
    }
    assert AuditEvent.objects.get(action="login").details["method"] == "oidc"


def test_the_login_page_offers_the_municipal_login(client, world, provider):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Log ind med kommunens login" in page and reverse("sso:oidc_login") in page


@pytest.mark.parametrize(
    "tamper,reason",
    [
        ({"audience": "another-client"}, "audience"),
        ({"age": 3600}, "expired"),
        ({"nonce": "not-the-one-we-sent"}, "replay"),
        ({"foreign_key": True}, "signature"),
    ],
)
def test_it_refuses_a_tampered_id_token_and_audits_the_reason(client, world, provider, tamper, reason):
    response = oidc_login(client, provider, employee(), **tamper)
    assert response.status_code == 403
    _refusal(reason)
    assert not User.objects.filter(external_identity__isnull=False).exists()
    assert client.get(reverse("courses:caseload")).status_code == 302


def test_it_refuses_a_replayed_callback(client, world, provider):
    start = client.get(reverse("sso:oidc_login"))
    back = provider.authorize(start["Location"], employee()).removeprefix("http://testserver")
    assert client.get(back).status_code == 302
    client.post(reverse("accounts:logout"))
    response = client.get(back)
    assert response.status_code == 403
    assert "startet i et andet vindue" in response.content.decode()
    _refusal("state")


def test_the_provider_refuses_a_code_without_the_pkce_verifier(provider):
    import requests

    start_url = f"{provider.issuer}/authorize?" + "&".join(
        f"{k}={v}" for k, v in {
            "response_type": "code", "client_id": provider.client_id, "redirect_uri": "http://testserver/oidc/callback/",
            "state": "s", "nonce": "n", "code_challenge": "A" * 43, "code_challenge_method": "S256",
        }.items()
    )
    code = provider.authorize(start_url, employee()).split("code=")[1].split("&")[0]
    answer = requests.post(
        f"{provider.issuer}/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": "http://testserver/oidc/callback/",
              "code_verifier": "wrong" * 10},
        auth=(provider.client_id, provider.client_secret),
        timeout=5,
    )
    assert answer.status_code == 400 and "PKCE" in answer.text


@pytest.mark.parametrize(
    "claims,reason,message",
    [
        (employee(acr="https://data.gov.dk/concept/core/nsis/loa/Low"), "assurance", "sikringsniveau"),
        (employee(organisation="99999999"), "organisation", "ikke tilknyttet"),
        (employee(roles=[]), "no_role", "ingen rolle"),
    ],
)
def test_it_applies_the_same_rules_as_saml(client, world, provider, claims, reason, message):
    response = oidc_login(client, provider, claims)
    assert response.status_code == 403 and message in response.content.decode()
    _refusal(reason)


def test_it_refuses_politely_when_the_provider_is_down(client, world, provider):
    provider.stop()
    oidc_module._clients.clear()
    response = client.get(reverse("sso:oidc_login"))
    assert response.status_code == 403 and "svarer ikke" in response.content.decode()
    _refusal("provider")


@pytest.mark.parametrize("provider", [True], indirect=True)
def test_logging_out_ends_the_session_at_the_provider_too(client, world, provider):
    """Discovery names an end_session_endpoint: the logout goes on to it with the login's
    ID token as the hint and the login page as where to come back."""
    from urllib.parse import parse_qs, urlsplit

    assert oidc_login(client, provider, employee()).status_code == 302
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("sso:oidc_logout")
    assert AuditEvent.objects.filter(action="logout").count() == 1
    assert client.get(reverse("courses:caseload")).status_code == 302  # logged out here already
    page = client.get(reverse("sso:oidc_logout"))
    assert page.status_code == 200
    target = page.context["target"]
    assert target.startswith(provider.issuer + "/logout?")
    assert f'content="0; url={target.replace("&", "&amp;")}"' in page.content.decode()
    query = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
    assert query["id_token_hint"] == provider.issued[-1]
    assert provider.verify(query["id_token_hint"])["sub"] == "oidc-anna"
    assert query["post_logout_redirect_uri"] == "http://testserver/login/"
    assert query["client_id"] == provider.client_id
    # Once: the page does not send a later visitor to the provider again.
    assert client.get(reverse("sso:oidc_logout"))["Location"] == reverse("accounts:login")


def test_without_an_end_session_endpoint_logout_stays_here(client, world, provider):
    assert oidc_login(client, provider, employee()).status_code == 302
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert client.get(reverse("sso:oidc_logout"))["Location"] == reverse("accounts:login")


@pytest.mark.parametrize("provider", [True], indirect=True)
def test_a_password_session_never_goes_to_the_provider(client, world, provider, login):
    login(world.worker)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")

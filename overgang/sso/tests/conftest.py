"""Fixtures: a configured SAML service provider facing the in-process test IdP."""

import json

import pytest
from django.urls import reverse

from overgang.sso import saml as saml_module
from overgang.sso.env import sso_settings
from overgang.sso.testidp import IdentityProvider, make_keypair

ROLE_MAP = {
    "roles": {
        "http://overgang.dk/roles/usersystemrole/cti-medarbejder/1": "worker",
        "http://overgang.dk/roles/usersystemrole/projektleder/1": "leader",
        "http://overgang.dk/roles/usersystemrole/evaluator/1": "evaluator",
        "http://overgang.dk/roles/usersystemrole/administrator/1": "admin",
    },
    "organisations": {"11111111": "Aby Kommune", "22222222": "Bby Kommune"},
    "constraints": {"http://sts.kombit.dk/constraints/KLE/1": ["32.*"]},
}


def configure(settings, tmp_path, base_url="http://testserver", serve=False, **env_overrides):
    """Point the settings at a fresh IdP (SAML on) the way the environment would."""
    idp = IdentityProvider(tmp_path, serve=serve)
    key_file, cert_file = make_keypair(tmp_path, "sp")
    role_map = tmp_path / "roles.json"
    role_map.write_text(json.dumps(ROLE_MAP))
    environment = {
        "OVERGANG_SAML_ENTITY_ID": f"{base_url}/saml2/metadata/",
        "OVERGANG_BASE_URL": base_url,
        "OVERGANG_SAML_KEY_FILE": key_file,
        "OVERGANG_SAML_CERT_FILE": cert_file,
        "OVERGANG_SAML_IDP_METADATA_FILE": idp.metadata_file,
        "OVERGANG_SSO_ROLE_MAP_FILE": str(role_map),
        **env_overrides,
    }
    environment = {k: v for k, v in environment.items() if v is not None}
    values = sso_settings(
        lambda name, default="": environment.get(name, default),
        lambda name, default=False: environment.get(name, "").lower() in {"1", "true"} if name in environment else default,
        lambda name, default, minimum=0: int(environment.get(name, default)),
        lambda name: environment.get(name, ""),
        production=False,
    )
    for name, value in values.items():
        setattr(settings, name, value)
    saml_module._config_cache.update(key=None, config=None, at=0.0)
    from saml2.metadata import entity_descriptor

    idp.trust(str(entity_descriptor(saml_module.sp_config())))
    return idp


@pytest.fixture
def idp(settings, tmp_path):
    server = configure(settings, tmp_path)
    yield server
    server.stop()
    saml_module._config_cache.update(key=None, config=None, at=0.0)


def start(client, idp, next_url=None):
    """Click "Log ind med kommunens login": the signed AuthnRequest as the IdP receives it."""
    url = reverse("sso:saml_login") + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302, response.content
    return idp.receive(response["Location"])


def saml_login(client, idp, attributes, **options):
    """A whole SP-initiated login; returns the response of the assertion consumer."""
    request, relay_state = start(client, idp)
    saml_response = idp.respond(request, attributes, **options)
    return client.post(reverse("sso:saml_acs"), {"SAMLResponse": saml_response, "RelayState": relay_state})

"""SSO settings: off unless configured, located errors, production refusals."""

import json

import pytest

from overgang.sso import rolemap
from overgang.sso.tests.conftest import ROLE_MAP
from overgang.sso.testidp import make_keypair
from overgang.tests.test_settings_and_cli import _load_settings


@pytest.fixture
def production(tmp_path):
    key, cert = make_keypair(tmp_path, "sp")
    metadata = tmp_path / "idp.xml"
    metadata.write_text("<md:EntityDescriptor/>")
    roles = tmp_path / "roles.json"
    roles.write_text(json.dumps(ROLE_MAP))
    return {
        "SECRET_KEY": "s" * 60,
        "OVERGANG_FIELD_KEYS": "k",
        "OVERGANG_AUDIT_KEYS": "a" * 40,
        "OVERGANG_VAR_DIR": str(tmp_path),
        "OVERGANG_SAML_ENTITY_ID": "https://overgang.kommune.dk/saml2/metadata/",
        "OVERGANG_BASE_URL": "https://overgang.kommune.dk",
        "OVERGANG_SAML_KEY_FILE": key,
        "OVERGANG_SAML_CERT_FILE": cert,
        "OVERGANG_SAML_IDP_METADATA_FILE": str(metadata),
        "OVERGANG_SSO_ROLE_MAP_FILE": str(roles),
    }


def test_a_complete_saml_configuration_starts_in_production(production):
    result = _load_settings(**production)
    assert result.returncode == 0, result.stderr


def test_metadata_by_url_starts_with_the_certificate_that_signs_it(production, tmp_path):
    _key, idp_cert = make_keypair(tmp_path, "idp")
    result = _load_settings(**{**production, "OVERGANG_SAML_IDP_METADATA_FILE": "",
                               "OVERGANG_SAML_IDP_METADATA_URL": "https://idp.example/metadata",
                               "OVERGANG_SAML_IDP_METADATA_CERT_FILE": idp_cert})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "change,message",
    [
        ({"OVERGANG_SAML_KEY_FILE": ""}, "OVERGANG_SAML_KEY_FILE must be set"),
        ({"OVERGANG_SAML_CERT_FILE": "/nonexistent/sp.crt"}, "OVERGANG_SAML_CERT_FILE: /nonexistent/sp.crt is not a readable file"),
        ({"OVERGANG_SAML_IDP_METADATA_FILE": ""}, "exactly one of OVERGANG_SAML_IDP_METADATA_FILE"),
        ({"OVERGANG_SAML_IDP_METADATA_URL": "https://idp.example/metadata"}, "exactly one of"),
        ({"OVERGANG_SAML_IDP_METADATA_FILE": "", "OVERGANG_SAML_IDP_METADATA_URL": "https://idp.example/metadata"},
         "OVERGANG_SAML_IDP_METADATA_CERT_FILE must name the certificate that signs the IdP's metadata"),
        ({"OVERGANG_BASE_URL": "http://overgang.kommune.dk"}, "OVERGANG_BASE_URL must use https in production"),
        ({"OVERGANG_BASE_URL": ""}, "OVERGANG_BASE_URL (e.g. https://overgang.kommune.dk) must be set"),
        ({"OVERGANG_SSO_ROLE_MAP_FILE": ""}, "OVERGANG_SSO_ROLE_MAP_FILE must name the role mapping table"),
        ({"OVERGANG_SSO_MIN_ASSURANCE": "medium"}, "OVERGANG_SSO_MIN_ASSURANCE must be low, substantial or high"),
        ({"OVERGANG_OIDC_ISSUER": "https://login.example", "OVERGANG_OIDC_CLIENT_ID": "x"}, "not both"),
    ],
)
def test_production_refuses_an_incomplete_saml_configuration(production, change, message):
    result = _load_settings(**{**production, **change})
    assert result.returncode != 0
    assert message in result.stderr, result.stderr[-500:]


def test_oidc_needs_a_client_id_and_https_in_production(production):
    base = {k: v for k, v in production.items() if not k.startswith("OVERGANG_SAML")}
    missing = _load_settings(**base, OVERGANG_OIDC_ISSUER="https://login.example")
    assert missing.returncode != 0 and "OVERGANG_OIDC_CLIENT_ID must be set" in missing.stderr
    plain = _load_settings(**base, OVERGANG_OIDC_ISSUER="http://login.example", OVERGANG_OIDC_CLIENT_ID="x")
    assert plain.returncode != 0 and "OVERGANG_OIDC_ISSUER must use https" in plain.stderr
    good = _load_settings(**base, OVERGANG_OIDC_ISSUER="https://login.example", OVERGANG_OIDC_CLIENT_ID="x")
    assert good.returncode == 0, good.stderr


def test_a_broken_role_map_stops_start_up_with_the_place(production, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"roles": {"a": "worker"},\n "organisations": {"1": "X"}\n "constraints": {}}')
    result = _load_settings(**{**production, "OVERGANG_SSO_ROLE_MAP_FILE": str(broken)})
    assert result.returncode != 0 and f"{broken}, line 3, column 2: not valid JSON" in result.stderr


@pytest.mark.parametrize(
    "data,message",
    [
        ({"roles": {"x": "boss"}, "organisations": {"1": "A"}}, "roles['x'] is 'boss'; must be one of worker, leader, evaluator, admin"),
        ({"roles": {}, "organisations": {"1": "A"}}, "roles must map at least one"),
        ({"roles": {"x": "worker"}}, "organisations must map at least one"),
        ({"roles": {"x": "worker"}, "organisations": {"1": "A"}, "constraints": {"k": "32.*"}}, "constraints must map"),
        ({"roles": {"x": "worker"}, "organisations": {"1": "A"}, "saml_attributes": {"cpr": "x"}}, "unknown key(s) cpr"),
        ({"roles": {"x": "worker"}, "organisations": {"1": "A"}, "groups": {}}, "unknown key(s) groups"),
    ],
)
def test_the_role_map_is_checked(data, message):
    with pytest.raises(rolemap.RoleMapError) as error:
        rolemap.parse(data, "roles.json")
    assert message in str(error.value)


def test_the_role_keys_are_overgangs_roles():
    from overgang.accounts.models import Role

    assert set(rolemap.ROLE_KEYS) == set(Role.values)


def test_sso_is_off_unless_configured():
    import subprocess
    import sys

    from overgang.tests.test_settings_and_cli import ROOT, _env

    result = subprocess.run(
        [sys.executable, "-c", "import overgang.settings as s; print(s.OVERGANG_SAML, s.OVERGANG_OIDC, s.OVERGANG_SSO_ROLE_MAP)"],
        env=_env(OVERGANG_MODE="development"), capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "None", "None"]

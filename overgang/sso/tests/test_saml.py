"""SAML 2.0 login against a real (in-process) pysaml2 identity provider."""

import time
import re

import pytest
from django.urls import reverse

from overgang.accounts.models import Membership, RoleSource, User
from overgang.audit.models import AuditEvent
from overgang.sso.models import ExternalIdentity
from overgang.sso.tests.conftest import saml_login, start
from overgang.sso.testidp import person

pytestmark = pytest.mark.django_db


def test_it_serves_sp_metadata_with_entity_id_endpoints_and_certificates(client, idp, settings):
    response = client.get(reverse("sso:saml_metadata"))
    assert response.status_code == 200
    xml = response.content.decode()
    assert 'entityID="http://testserver/saml2/metadata/"' in xml
    assert 'AuthnRequestsSigned="true"' in xml and 'WantAssertionsSigned="true"' in xml
    assert 'Location="http://testserver/saml2/acs/"' in xml
    assert 'Location="http://testserver/saml2/ls/"' in xml
    assert xml.count(':KeyDescriptor use="') == 2  # signing and encryption
    assert 'use="signing"' in xml and 'use="encryption"' in xml


ENTITY_DESCRIPTOR = "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor"
SIGNATURE = re.compile(r"<\w+:Signature[ >]")


def test_the_sp_metadata_is_signed_with_the_sp_signing_key(client, idp, settings):
    """The IdP can check that the metadata it registers is Overgang's, unaltered."""
    from saml2.sigver import SignatureError, security_context

    from overgang.sso import saml as saml_module

    xml = client.get(reverse("sso:saml_metadata")).content.decode()
    assert SIGNATURE.search(xml) and "rsa-sha256" in xml
    checker = security_context(saml_module.sp_config())
    assert checker.verify_signature(xml, cert_file=settings.OVERGANG_SAML["cert_file"], node_name=ENTITY_DESCRIPTOR)
    tampered = xml.replace("http://testserver/saml2/acs/", "https://evil.example/acs/")
    with pytest.raises(SignatureError):
        checker.verify_signature(tampered, cert_file=settings.OVERGANG_SAML["cert_file"], node_name=ENTITY_DESCRIPTOR)
    with pytest.raises(SignatureError):  # and by no other key
        checker.verify_signature(xml, cert_file=idp.cert_file, node_name=ENTITY_DESCRIPTOR)
    # The IdP accepts the signed metadata as it is served.
    idp.trust(xml)
    assert client.get(reverse("sso:saml_metadata")).content.decode() == xml  # signed once, served again


def test_it_sends_a_signed_authn_request(client, world, idp):
    request, _relay = start(client, idp)  # the IdP verifies the query signature or fails
    assert request.issuer.text == "http://testserver/saml2/metadata/"
    assert request.assertion_consumer_service_url == "http://testserver/saml2/acs/"


def test_it_creates_the_user_at_first_login_and_lands_on_the_caseload(client, world, idp):
    response = saml_login(client, idp, person())
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/"
    assert client.get(reverse("courses:caseload")).status_code == 200
    user = User.objects.get(external_identity__subject="persistent-anna")
    assert user.username == "anna@aby.dk" and user.get_full_name() == "Anna Andersen"
    assert not user.has_usable_password()
    assert {(m.municipality.name, m.role, m.source) for m in user.memberships.all()} == {
        ("Aby Kommune", "worker", RoleSource.SSO)
    }
    actions = list(AuditEvent.objects.filter(object_code=str(user.code)).values_list("action", flat=True))
    assert actions == ["sso.user_create", "sso.roles_change"]
    login = AuditEvent.objects.get(action="login")
    assert login.actor_code == str(user.code)
    assert login.details == {"method": "saml", "assurance": "Substantial"}


def _refusal(reason):
    event = AuditEvent.objects.filter(action="sso.refused").latest("seq")
    assert event.details["reason"] == reason, event.details
    assert event.details["protocol"] == "saml"
    return event


def _refused(response, text):
    assert response.status_code == 403
    page = response.content.decode()
    assert text in page, page
    return page


@pytest.mark.parametrize(
    "tamper,reason,message",
    [
        ({"sign_assertion": False}, "signature", "ikke korrekt signeret"),
        ({"sign_assertion": False, "sign_response": True}, "signature", "ikke korrekt signeret"),
        ({"break_signature": True}, "signature", "ikke korrekt signeret"),
        ({"audience": "https://another-system.kommune.dk/saml"}, "audience", "ikke udstedt til Overgang"),
        ({"expired": True}, "expired", "udløbet"),
        ({"recipient": "https://evil.example/saml2/acs/"}, "recipient", "sendt til en anden adresse"),
        ({"sha1": True}, "signature", "ikke korrekt signeret"),  # a valid signature, but SHA-1
    ],
)
def test_it_refuses_a_tampered_response_and_audits_the_reason(client, world, idp, tamper, reason, message):
    response = saml_login(client, idp, person(), **tamper)
    _refused(response, message)
    _refusal(reason)
    assert not User.objects.filter(external_identity__isnull=False).exists()
    assert client.get(reverse("courses:caseload")).status_code == 302
    assert not AuditEvent.objects.filter(action="login").exists()


def test_it_refuses_a_replayed_response(client, world, idp):
    request, relay_state = start(client, idp)
    saml_response = idp.respond(request, person())
    acs = reverse("sso:saml_acs")
    assert client.post(acs, {"SAMLResponse": saml_response, "RelayState": relay_state}).status_code == 302
    # The same response again, from another browser that started a login of its own.
    from django.test import Client

    thief = Client()
    start(thief, idp)
    _refused(thief.post(acs, {"SAMLResponse": saml_response, "RelayState": relay_state}), "allerede brugt")
    _refusal("replay")
    # and from the same browser, after logging out
    client.post(reverse("accounts:logout"))
    start(client, idp)
    _refused(client.post(acs, {"SAMLResponse": saml_response, "RelayState": relay_state}), "allerede brugt")
    assert AuditEvent.objects.filter(action="sso.refused", details__reason="replay").count() == 2
    assert AuditEvent.objects.filter(action="login").count() == 1


def test_it_refuses_an_unsolicited_response(client, world, idp):
    request, _relay = start(client, idp)
    saml_response = idp.respond(request, person())
    from django.test import Client

    other = Client()  # never asked the IdP for anything
    _refused(other.post(reverse("sso:saml_acs"), {"SAMLResponse": saml_response}), "ikke bedt om")
    _refusal("unsolicited")


@pytest.mark.parametrize(
    "loa,authn_class",
    [
        ("Low", "https://data.gov.dk/concept/core/nsis/loa/Substantial"),  # the attribute wins
        ("https://data.gov.dk/concept/core/nsis/loa/Low", "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"),
        ("Medium", "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"),
        ("", "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"),
        ("", "https://data.gov.dk/concept/core/nsis/loa/Low"),
    ],
)
def test_it_refuses_a_lower_assurance_level_with_a_clear_message(client, world, idp, loa, authn_class):
    response = saml_login(client, idp, person(loa=loa), authn_class=authn_class)
    _refused(response, "sikringsniveau")
    event = _refusal("assurance")
    assert event.details["required"] == "substantial"


def test_it_accepts_a_higher_assurance_level_and_the_uri_form(client, world, idp):
    assert saml_login(client, idp, person(loa="https://data.gov.dk/concept/core/nsis/loa/High")).status_code == 302


def test_it_reads_the_assurance_level_from_the_authn_context_without_the_attribute(client, world, idp):
    attributes = person()
    del attributes["https://data.gov.dk/concept/core/nsis/loa"]
    response = saml_login(client, idp, attributes, authn_class="https://data.gov.dk/concept/core/nsis/loa/Substantial")
    assert response.status_code == 302


def test_it_can_require_high_assurance(client, world, idp, settings):
    settings.OVERGANG_SSO_MIN_ASSURANCE = "high"
    _refused(saml_login(client, idp, person(loa="Substantial")), "sikringsniveau")


def test_it_refuses_an_unknown_organisation(client, world, idp):
    _refused(saml_login(client, idp, person(cvr="99999999")), "organisation er ikke tilknyttet")
    assert _refusal("organisation").details["organisation"] == "99999999"


def test_it_refuses_a_user_without_an_overgang_role(client, world, idp):
    _refused(saml_login(client, idp, person(roles=("sagsbehandler-andet-system",))), "ingen rolle i Overgang")
    _refusal("no_role")
    assert not User.objects.filter(external_identity__isnull=False).exists()


def test_it_drops_a_role_scoped_to_another_organisation(client, world, idp):
    from overgang.sso.testidp import PRIVILEGES, privilege_list

    attributes = person(roles=("cti-medarbejder",))
    attributes[PRIVILEGES] = [privilege_list("22222222", "administrator"), privilege_list("11111111", "cti-medarbejder")]
    assert saml_login(client, idp, attributes).status_code == 302
    user = User.objects.get(external_identity__subject="persistent-anna")
    assert {(m.municipality.name, m.role) for m in user.memberships.all()} == {("Aby Kommune", "worker")}


def test_it_honours_data_restrictions_that_narrow_access(client, world, idp):
    from overgang.sso.testidp import PRIVILEGES, privilege_list

    kle = "http://sts.kombit.dk/constraints/KLE/1"
    attributes = person()
    attributes[PRIVILEGES] = [
        # The worker role restricted to KLE 32 (social services): Overgang's area, kept.
        privilege_list("11111111", "cti-medarbejder", constraints=[(kle, "32.10")]),
        # The leader role restricted to KLE 27 only: not Overgang's area, dropped.
        privilege_list("11111111", "projektleder", constraints=[(kle, "27.05")]),
        # The administrator role restricted to org units: a restriction Overgang cannot
        # enforce, so the role is dropped rather than given without it.
        privilege_list("11111111", "administrator", constraints=[("http://sts.kombit.dk/constraints/orgenhed/1", "x")]),
    ]
    assert saml_login(client, idp, attributes).status_code == 302
    user = User.objects.get(external_identity__subject="persistent-anna")
    assert {m.role for m in user.memberships.all()} == {"worker"}


def test_it_replaces_the_roles_at_every_login_and_audits_the_change(client, world, idp):
    saml_login(client, idp, person(roles=("cti-medarbejder",)))
    user = User.objects.get(external_identity__subject="persistent-anna")
    epoch = user.session_epoch
    client.post(reverse("accounts:logout"))
    assert saml_login(client, idp, person(roles=("projektleder", "evaluator"))).status_code == 302
    user.refresh_from_db()
    assert {m.role for m in user.memberships.all()} == {"leader", "evaluator"}
    assert user.session_epoch == epoch + 1  # a role was taken: other sessions end
    change = AuditEvent.objects.filter(action="sso.roles_change").latest("seq")
    assert change.details["old"] == ["worker"] and change.details["new"] == ["evaluator", "leader"]
    assert change.actor_username == "sso" and change.object_code == str(user.code)
    assert User.objects.filter(external_identity__isnull=False).count() == 1
    # Same roles again: no change event.
    client.post(reverse("accounts:logout"))
    saml_login(client, idp, person(roles=("projektleder", "evaluator")))
    assert AuditEvent.objects.filter(action="sso.roles_change").count() == 2


def test_it_refuses_claims_that_make_an_administrator_a_case_worker(client, world, idp):
    # Separation of duties holds for the role catalogue too: administrator and a case
    # role in one login is refused, audited, and takes the roles the account had.
    saml_login(client, idp, person(roles=("cti-medarbejder",)))
    user = User.objects.get(external_identity__subject="persistent-anna")
    from django.test import Client

    other = Client()
    _refused(saml_login(other, idp, person(roles=("cti-medarbejder", "administrator"))), "funktionsadskillelse")
    refusal = _refusal("duties")
    assert refusal.details["roles"] == ["admin", "worker"]
    assert not Membership.objects.filter(user=user).exists()
    assert client.get(reverse("courses:caseload")).status_code == 302  # the worker's session ended too
    _refused(saml_login(Client(), idp, person(roles=("projektleder", "administrator")), subject="persistent-bo"),
             "funktionsadskillelse")
    assert not User.objects.filter(external_identity__subject="persistent-bo").exists()


def test_it_refuses_an_sso_case_role_for_an_administrator_elsewhere(client, world, idp):
    # An administrator of another municipality (granted there by hand) cannot become a
    # worker here through the identity provider.
    saml_login(client, idp, person(roles=("evaluator",)))
    user = User.objects.get(external_identity__subject="persistent-anna")
    Membership.objects.create(user=user, municipality=world.b, role="admin")
    client.post(reverse("accounts:logout"))
    _refused(saml_login(client, idp, person(roles=("cti-medarbejder",))), "funktionsadskillelse")
    assert not Membership.objects.filter(user=user, role="worker").exists()


def test_it_takes_the_roles_of_a_user_whose_roles_vanished(client, world, idp):
    saml_login(client, idp, person(roles=("cti-medarbejder",)))
    user = User.objects.get(external_identity__subject="persistent-anna")
    from django.test import Client

    other = Client()
    _refused(saml_login(other, idp, person(roles=())), "ingen rolle")
    assert not Membership.objects.filter(user=user).exists()
    # The first browser's session ends at its next request.
    assert client.get(reverse("courses:caseload")).status_code == 302


def test_it_refuses_a_user_an_administrator_closed(client, world, idp):
    saml_login(client, idp, person())
    User.objects.filter(external_identity__subject="persistent-anna").update(is_active=False)
    client.post(reverse("accounts:logout"))
    _refused(saml_login(client, idp, person()), "adgang til Overgang er lukket")
    _refusal("inactive")


def test_it_never_takes_over_a_local_account_with_the_same_name(client, world, idp):
    saml_login(client, idp, person(email="worker"))
    user = User.objects.get(external_identity__subject="persistent-anna")
    assert user.username == "worker-2" and user.pk != world.worker.pk
    assert ExternalIdentity.objects.get(user=user).issuer == idp.entity_id


def test_it_accepts_an_encrypted_assertion_and_can_require_one(client, world, idp, settings):
    assert saml_login(client, idp, person(), encrypt=True).status_code == 302
    client.post(reverse("accounts:logout"))
    settings.OVERGANG_SAML = {**settings.OVERGANG_SAML, "require_encryption": True}
    _refused(saml_login(client, idp, person(), subject="persistent-bo"), "ikke krypteret")
    _refusal("encryption")
    assert saml_login(client, idp, person(), encrypt=True, subject="persistent-bo").status_code == 302


def test_it_does_not_ask_sso_users_for_a_totp_code(client, world, idp, settings):
    assert settings.OVERGANG_TOTP_WAIVED is False
    saml_login(client, idp, person())
    assert client.get(reverse("courses:caseload")).status_code == 200
    assert client.get(reverse("accounts:account")).status_code == 200


def test_it_returns_to_the_page_asked_for(client, world, idp):
    request, relay_state = start(client, idp, next_url=reverse("accounts:account"))
    response = client.post(
        reverse("sso:saml_acs"), {"SAMLResponse": idp.respond(request, person()), "RelayState": relay_state}
    )
    assert response["Location"] == reverse("accounts:account")


def test_it_logs_out_at_the_idp_too(client, world, idp):
    saml_login(client, idp, person())
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("sso:saml_logout")
    assert client.get(reverse("courses:caseload")).status_code == 302  # logged out here already
    page = client.get(reverse("sso:saml_logout"))
    assert page.status_code == 200
    target = page.context["target"]
    assert target.startswith(idp.base_url + "/slo/redirect?")
    assert f'http-equiv="refresh" content="0; url={target.replace("&", "&amp;")}"' in page.content.decode()
    back = idp.logout(target)  # the IdP verifies the signed LogoutRequest
    assert idp.logout_requests[0].name_id.text == "persistent-anna"
    finish = client.get(back)
    assert finish.status_code == 302 and finish["Location"] == reverse("accounts:login")
    assert AuditEvent.objects.filter(action="logout").count() == 1


def _by_url(settings, served):
    """The SP reads the served IdP's metadata from its URL, checked with the IdP's certificate."""
    from overgang.sso import saml as saml_module

    settings.OVERGANG_SAML = {**settings.OVERGANG_SAML, "idp_metadata_file": "", "idp_metadata_cert_file": served.cert_file,
                              "idp_metadata_url": served.base_url + "/metadata"}
    saml_module._config_cache.update(key=None, config=None, at=0.0)


@pytest.fixture
def served(settings, tmp_path):
    from overgang.sso import saml as saml_module
    from overgang.sso.tests.conftest import configure

    idp = configure(settings, tmp_path, serve=True)
    yield idp
    idp.stop()
    saml_module._config_cache.update(key=None, config=None, at=0.0)


def test_it_reads_the_idp_metadata_from_a_url(settings, client, world, served):
    _by_url(settings, served)
    assert SIGNATURE.search(served.metadata_file_path.read_text())
    assert saml_login(client, served, person()).status_code == 302


def _refused_for_metadata(client):
    response = client.get(reverse("sso:saml_login"))
    assert response.status_code == 503
    assert "metadata uden gyldig signatur" in response.content.decode()
    event = AuditEvent.objects.filter(action="sso.refused").latest("seq")
    assert event.details["reason"] == "metadata" and event.details["protocol"] == "saml"
    return event


@pytest.mark.parametrize("damage", ["tampered", "unsigned", "other key"])
def test_it_refuses_idp_metadata_that_does_not_verify(settings, client, world, served, tmp_path, damage):
    """Served by the IdP's own web server: altered after signing (another single sign-on
    address), not signed at all, or signed by a key other than the configured one."""
    from overgang.sso.testidp import make_keypair

    _by_url(settings, served)
    signed = served.metadata_file_path.read_text()
    if damage == "tampered":
        assert "/sso/redirect" in signed
        served.metadata_file_path.write_text(signed.replace("/sso/redirect", "/evil/redirect"))
    elif damage == "unsigned":
        served.metadata_file_path.write_text(served.unsigned_metadata())
    else:
        _key, other_cert = make_keypair(tmp_path, "other")
        settings.OVERGANG_SAML = {**settings.OVERGANG_SAML, "idp_metadata_cert_file": other_cert}
    _refused_for_metadata(client)
    # The assertion consumer refuses too (nothing is parsed against unverified keys).
    assert client.post(reverse("sso:saml_acs"), {"SAMLResponse": "x"}).status_code == 503


def test_a_failed_refresh_keeps_the_last_verified_metadata(settings, client, world, served, caplog):
    from overgang.sso import saml as saml_module

    _by_url(settings, served)
    assert saml_login(client, served, person()).status_code == 302
    client.post(reverse("accounts:logout"))
    served.metadata_file_path.write_text(served.metadata_file_path.read_text().replace("/sso/redirect", "/evil/redirect"))
    # The hour is up: fetch again. (Counted back from now: time.monotonic() is the time
    # since the machine booted, so 0.0 was "fresh" on a machine up for less than an hour.)
    saml_module._config_cache["at"] = time.monotonic() - saml_module.METADATA_REFRESH_SECONDS - 1
    response = client.get(reverse("sso:saml_login"))
    assert response.status_code == 302 and "/sso/redirect" in response["Location"]  # the verified address
    assert "failed its signature check" in caplog.text


def test_it_is_off_unless_configured(client, world, settings):
    settings.OVERGANG_SAML = None
    for name in ("sso:saml_metadata", "sso:saml_login", "sso:saml_ls", "sso:saml_logout"):
        assert client.get(reverse(name)).status_code == 404
    assert client.post(reverse("sso:saml_acs"), {"SAMLResponse": "x"}).status_code == 404
    assert "kommunens login" not in client.get(reverse("accounts:login")).content.decode()


def test_it_never_500s_on_garbage(client, world, idp):
    for body in ({"SAMLResponse": "not base64 at all!"}, {"SAMLResponse": "PHhtbD4="}, {}):
        response = client.post(reverse("sso:saml_acs"), body)
        assert response.status_code in (400, 403), response.status_code


def test_it_logs_out_when_the_idp_asks(client, world, idp):
    saml_login(client, idp, person())
    url = idp.logout_request()
    response = client.get(url.replace("http://testserver", ""))
    assert response.status_code == 302
    assert response["Location"].startswith(idp.base_url + "/slo/redirect?SAMLResponse=")
    assert client.get(reverse("courses:caseload")).status_code == 302
    assert AuditEvent.objects.filter(action="logout").count() == 1


def test_a_forged_logout_message_logs_out_locally_without_an_error(client, world, idp):
    saml_login(client, idp, person())
    response = client.get(reverse("sso:saml_ls") + "?SAMLResponse=bm90IGEgcmVzcG9uc2U%3D")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert client.get(reverse("courses:caseload")).status_code == 302
    assert client.get(reverse("sso:saml_ls")).status_code == 400


def test_it_refuses_an_unknown_idp_asked_for_in_the_login_url(client, world, idp):
    response = client.get(reverse("sso:saml_login") + "?idp=https://evil.example/idp")
    assert response.status_code == 400
    assert "Forkert forespørgsel" in response.content.decode()  # the Danish error page, not djangosaml2's


def test_the_demo_idp_logs_in_whom_it_is_told_and_replays_on_request(settings, tmp_path, client, world):
    import re
    import urllib.parse
    import urllib.request

    from overgang.sso.tests.conftest import configure

    served = configure(settings, tmp_path, serve=True)
    served.interactive = True
    try:

        def through_idp(form):
            location = client.get(reverse("sso:saml_login"))["Location"]
            page = urllib.request.urlopen(location, timeout=10).read().decode()
            key = re.search(r'name="key" value="(\w+)"', page).group(1)
            body = urllib.parse.urlencode({"key": key, **form}, doseq=True).encode()
            return urllib.request.urlopen(served.base_url + "/sso/login", body, timeout=10).read().decode()

        def post_back(page):
            saml_response = re.search(r'name="SAMLResponse" value="([^"]+)"', page).group(1)
            return client.post(reverse("sso:saml_acs"), {"SAMLResponse": saml_response})

        page = through_idp({"persona": "leder", "role": ["projektleder"], "cvr": "11111111", "loa": "Substantial", "tamper": ""})
        assert post_back(page).status_code == 302
        assert User.objects.get(external_identity__subject="demo-leder").roles_in(world.a) == {"leader"}
        client.post(reverse("accounts:logout"))
        replayed = urllib.request.urlopen(served.base_url + "/sso/replay", b"", timeout=10).read().decode()
        assert post_back(replayed).status_code == 403
        _refusal("replay")
    finally:
        served.stop()


def test_the_command_line_names_the_demo_municipality():
    from overgang import cli
    from overgang.accounts import demo

    assert cli.DEMO_MUNICIPALITY == demo.DEMO_MUNICIPALITY

"""A real SAML 2.0 identity provider for the tests: pysaml2's ``Server`` in-process.

Keys and certificates are made here with ``cryptography``; requests and responses are
real, signed XML checked by xmlsec1, exactly what the Context Handler would send. The
IdP can also serve HTTP on a loopback port (metadata by URL, the browser test) and can
be told to misbehave: no signature on the assertion, another audience, an expired
assertion, a broken signature.
"""

import base64
import datetime
import html
import threading
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

import saml2
import saml2.xmldsig
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.sigver import verify_redirect_signature

XMLSEC = "/usr/bin/xmlsec1"
NSIS = "https://data.gov.dk/concept/core/nsis/loa"
CVR = "https://data.gov.dk/model/core/eid/professional/cvr"
PRIVILEGES = "https://data.gov.dk/model/core/eid/privilegesIntermediate"
EMAIL = "https://data.gov.dk/model/core/eid/email"
FIRST_NAME = "https://data.gov.dk/model/core/eid/firstName"
LAST_NAME = "https://data.gov.dk/model/core/eid/lastName"
ROLE_PREFIX = "http://overgang.dk/roles/usersystemrole/"


def make_keypair(directory, name):
    """A 2048-bit RSA key and a self-signed certificate, as PEM files in ``directory``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_path = Path(directory) / f"{name}.key"
    cert_path = Path(directory) / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


def privilege_list(cvr, *roles, constraints=()):
    """An OIOSAML Basic Privilege Profile attribute value (base64 XML), one group per CVR."""
    items = "".join(f"<Privilege>{ROLE_PREFIX}{role}/1</Privilege>" for role in roles)
    items += "".join(f'<Constraint Name="{html.escape(n)}">{html.escape(v)}</Constraint>' for n, v in constraints)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">'
        f'<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:{cvr}">{items}</PrivilegeGroup>'
        "</bpp:PrivilegeList>"
    )
    return base64.b64encode(xml.encode()).decode()


def person(cvr="11111111", roles=("cti-medarbejder",), loa="Substantial", email="anna@aby.dk", **extra):
    """OIOSAML 3 attributes of a municipal employee."""
    attributes = {
        EMAIL: [email],
        FIRST_NAME: ["Anna"],
        LAST_NAME: ["Andersen"],
        CVR: [cvr],
        NSIS: [loa],
        PRIVILEGES: [privilege_list(cvr, *roles)],
        "https://data.gov.dk/model/core/specVersion": ["OIO-SAML-3.0"],
    }
    attributes.update(extra)
    return attributes


class _Server(Server):
    """pysaml2's IdP with a hook to change the assertion before it is signed."""

    mutate = None

    def setup_assertion(self, *args, **kwargs):
        assertion = super().setup_assertion(*args, **kwargs)
        if self.mutate is not None:
            self.mutate(assertion)
        return assertion


class IdentityProvider:
    """One identity provider. ``metadata_file`` is for the SP's settings."""

    entity_id = "https://idp.test.overgang/saml2/idp"

    def __init__(self, directory, serve=False):
        self.directory = Path(directory)
        self.httpd = None
        self.base_url = "https://idp.test.overgang"
        if serve:
            # Bound before the metadata is written: the endpoints carry the port.
            self.httpd = make_server("127.0.0.1", 0, self._wsgi, handler_class=_Quiet)
            # "localhost", as the live server: same site, so the SAML cookie (SameSite=Lax
            # without HTTPS) travels with the IdP's POST as it does with None over HTTPS.
            self.base_url = f"http://localhost:{self.httpd.server_port}"
            threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.key_file, self.cert_file = make_keypair(directory, "idp")
        self.metadata_file = str(self.directory / "idp-metadata.xml")
        self.metadata_file_path = Path(self.metadata_file)
        self.metadata_file_path.write_text(str(entity_descriptor(self._config())))
        self.server = None
        self.requests = []  # every AuthnRequest received, parsed
        self.logout_requests = []
        self.pending = {}  # request id -> (AuthnRequest, relay state), for the browser flow
        self.next_person = None

    def _config(self, sp_metadata_file=None):
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": XMLSEC,
                "key_file": self.key_file,
                "cert_file": self.cert_file,
                "signing_algorithm": saml2.xmldsig.SIG_RSA_SHA256,
                "digest_algorithm": saml2.xmldsig.DIGEST_SHA256,
                "metadata": {"local": [sp_metadata_file]} if sp_metadata_file else {},
                "service": {
                    "idp": {
                        "name": "Test IdP",
                        "endpoints": {
                            "single_sign_on_service": [(f"{self.base_url}/sso/redirect", saml2.BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [(f"{self.base_url}/slo/redirect", saml2.BINDING_HTTP_REDIRECT)],
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "want_authn_requests_signed": True,
                        "sign_assertion": True,
                        "policy": {"default": {"lifetime": {"minutes": 15}, "name_form": NAME_FORMAT_URI}},
                    }
                },
            }
        )
        return config

    def trust(self, sp_metadata_xml):
        """Load the SP's metadata (after the SP's settings name this IdP's metadata)."""
        path = self.directory / "sp-metadata.xml"
        path.write_text(sp_metadata_xml)
        self.server = _Server(config=self._config(str(path)))

    # --- the protocol ------------------------------------------------------------

    def receive(self, url):
        """Parse and verify the signed AuthnRequest in an HTTP-Redirect URL; returns (request, relay_state)."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        if not verify_redirect_signature(query, self.server.sec.sec_backend, cert=self._sp_cert()):
            raise AssertionError("the AuthnRequest's signature does not verify")
        parsed = self.server.parse_authn_request(
            query["SAMLRequest"],
            saml2.BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        self.requests.append(parsed.message)
        return parsed.message, query.get("RelayState", "")

    def _sp_cert(self):
        sp = next(e for e in self.server.metadata.keys() if e != self.entity_id)
        return self.server.metadata.certs(sp, "spsso", "signing")[0][1]

    def respond(
        self,
        request,
        attributes,
        *,
        subject="persistent-anna",
        sign_assertion=True,
        sign_response=False,
        encrypt=False,
        audience=None,
        expired=False,
        recipient=None,
        break_signature=False,
        issuer=None,
        authn_class="https://data.gov.dk/concept/core/nsis/loa/Substantial",
    ):
        """A SAMLResponse (base64) to ``request``, optionally tampered with."""

        def mutate(assertion):
            if audience is not None:
                assertion.conditions.audience_restriction[0].audience[0].text = audience
            if expired:
                now = datetime.datetime.now(datetime.timezone.utc)
                past = (now - datetime.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
                assertion.conditions.not_before = (now - datetime.timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M:%SZ")
                assertion.conditions.not_on_or_after = past
                for confirmation in assertion.subject.subject_confirmation:
                    confirmation.subject_confirmation_data.not_on_or_after = past
            if recipient is not None:
                for confirmation in assertion.subject.subject_confirmation:
                    confirmation.subject_confirmation_data.recipient = recipient

        self.server.mutate = mutate
        try:
            response = self.server.create_authn_response(
                attributes,
                request.id,
                request.assertion_consumer_service_url,
                request.issuer.text,
                name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
                authn={
                    "class_ref": authn_class,
                    "authn_auth": self.entity_id,
                },
                sign_assertion=sign_assertion,
                sign_response=sign_response,
                encrypt_assertion=encrypt,
                encrypt_assertion_self_contained=True,
                issuer=issuer,
            )
        finally:
            self.server.mutate = None
        xml = str(response)
        if break_signature:
            # Change a signed value after signing: the digest no longer matches.
            xml = xml.replace("Andersen", "Andersem", 1)
            assert "Andersem" in xml
        return base64.b64encode(xml.encode()).decode()

    def logout(self, url):
        """Answer a signed LogoutRequest (HTTP-Redirect) with a LogoutResponse URL back to the SP."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        if not verify_redirect_signature(query, self.server.sec.sec_backend, cert=self._sp_cert()):
            raise AssertionError("the LogoutRequest's signature does not verify")
        request = self.server.parse_logout_request(
            query["SAMLRequest"],
            saml2.BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        self.logout_requests.append(request.message)
        response = self.server.create_logout_response(request.message, [saml2.BINDING_HTTP_REDIRECT], sign=False)
        info = self.server.apply_binding(
            saml2.BINDING_HTTP_REDIRECT,
            response,
            request.message.issuer and self.server.metadata.single_logout_service(
                request.message.issuer.text, saml2.BINDING_HTTP_REDIRECT, "spsso"
            )[0]["location"],
            query.get("RelayState", ""),
            response=True,
            sign=True,
        )
        return dict(info["headers"])["Location"]

    # --- HTTP, for the browser -----------------------------------------------------

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()

    def _wsgi(self, environ, start_response):
        path = environ["PATH_INFO"]
        url = f"{self.base_url}{path}?{environ.get('QUERY_STRING', '')}"
        if path == "/metadata":
            return _reply(start_response, "200 OK", self.metadata_file_path.read_bytes(), "text/xml")
        if path == "/sso/redirect":
            request, relay_state = self.receive(url)
            key = uuid.uuid4().hex
            self.pending[key] = (request, relay_state)
            page = (
                "<!doctype html><title>Test IdP</title><h1>Kommunens login (test)</h1>"
                f'<form method="post" action="/sso/login"><input type="hidden" name="key" value="{key}">'
                '<button type="submit">Log ind</button></form>'
            )
            return _reply(start_response, "200 OK", page.encode(), "text/html; charset=utf-8")
        if path == "/sso/login":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
            request, relay_state = self.pending.pop(form["key"])
            attributes, subject = self.next_person
            saml_response = self.respond(request, attributes, subject=subject)
            page = (
                "<!doctype html><title>Test IdP</title>"
                f'<form method="post" action="{html.escape(request.assertion_consumer_service_url)}">'
                f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
                f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
                '<button type="submit">Fortsæt til Overgang</button></form>'
            )
            return _reply(start_response, "200 OK", page.encode(), "text/html; charset=utf-8")
        if path == "/slo/redirect":
            target = self.logout(url)
            start_response("302 Found", [("Location", target)])
            return [b""]
        return _reply(start_response, "404 Not Found", b"not found", "text/plain")


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _reply(start_response, status, body, content_type):
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def sp_query(location):
    return urlencode(parse_qs(urlsplit(location).query), doseq=True)

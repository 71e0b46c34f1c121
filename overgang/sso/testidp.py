"""A real SAML 2.0 identity provider for tests and the demo: pysaml2's ``Server``.

Never for production: it logs anyone in as whoever they choose. Keys and certificates
are made here with ``cryptography``; requests and responses are real, signed XML
checked by xmlsec1, as the Context Handler would send them. It can serve HTTP on a
loopback port (metadata by URL, the browser test, ``overgang demo --saml``) and can be
told to misbehave: no signature on the assertion, another audience, an expired
assertion, a broken signature, or the last response sent again.
"""

import base64
import datetime
import html
import json
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
from saml2.metadata import entity_descriptor, sign_entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.sigver import security_context, verify_redirect_signature

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

    def __init__(self, directory, serve=False, host="localhost", port=0, interactive=False):
        self.directory = Path(directory)
        self.httpd = None
        self.interactive = interactive
        self.last = None  # (ACS URL, SAMLResponse, RelayState) of the last login, to replay
        self.base_url = "https://idp.test.overgang"
        if serve:
            # Bound before the metadata is written: the endpoints carry the port. The host
            # is the SP's: same site, so the SAML cookie (SameSite=Lax without HTTPS)
            # travels with the IdP's POST as it does with SameSite=None over HTTPS.
            self.httpd = make_server("127.0.0.1", port, self._wsgi, handler_class=_Quiet)
            self.base_url = f"http://{host}:{self.httpd.server_port}"
            threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.key_file, self.cert_file = make_keypair(directory, "idp")
        self.metadata_file = str(self.directory / "idp-metadata.xml")
        self.metadata_file_path = Path(self.metadata_file)
        # Signed with the IdP's key, as a federation signs what it publishes: the SP checks
        # metadata fetched by URL against OVERGANG_SAML_IDP_METADATA_CERT_FILE.
        self.metadata_file_path.write_text(self.signed_metadata())
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

    def signed_metadata(self) -> str:
        config = self._config()
        return sign_entity_descriptor(entity_descriptor(config), None, security_context(config),
                                      sign_alg=saml2.xmldsig.SIG_RSA_SHA256, digest_alg=saml2.xmldsig.DIGEST_SHA256)[1]

    def unsigned_metadata(self) -> str:
        return str(entity_descriptor(self._config()))

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
        sha1=False,
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
                sign_alg=saml2.xmldsig.SIG_RSA_SHA1 if sha1 else saml2.xmldsig.SIG_RSA_SHA256,
                digest_alg=saml2.xmldsig.DIGEST_SHA1 if sha1 else saml2.xmldsig.DIGEST_SHA256,
            )
        finally:
            self.server.mutate = None
        xml = str(response)
        if break_signature:
            # Change a signed value after signing: the digest no longer matches.
            xml = xml.replace(f">{subject}<", f">{subject}-x<", 1)
            assert f">{subject}-x<" in xml
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

    def logout_request(self, subject="persistent-anna"):
        """An IdP-initiated single logout: the signed LogoutRequest URL for the SP's browser."""
        sp = next(e for e in self.server.metadata.keys() if e != self.entity_id)
        destination = self.server.metadata.single_logout_service(sp, saml2.BINDING_HTTP_REDIRECT, "spsso")[0]["location"]
        _id, request = self.server.create_logout_request(
            destination, sp, name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject), sign=False
        )
        info = self.server.apply_binding(saml2.BINDING_HTTP_REDIRECT, str(request), destination, "", sign=True)
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
                _PAGE_START + "<h1>Kommunens login (test)</h1>"
                f'<form method="post" action="/sso/login"><input type="hidden" name="key" value="{key}">'
                + (_DEMO_FORM if self.interactive else "")
                + '<p><button type="submit">Log ind</button></p></form>'
                + (_REPLAY_FORM if self.interactive and self.last else "")
                + "</main>"
            )
            return _reply(start_response, "200 OK", page.encode(), "text/html; charset=utf-8")
        if path in ("/sso/login", "/sso/replay"):
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(size).decode())
            if path == "/sso/replay":
                acs, saml_response, relay_state = self.last
            else:
                request, relay_state = self.pending.pop(form["key"][0])
                acs = request.assertion_consumer_service_url
                if self.interactive:
                    attributes, subject, tamper = _demo_choice(form)
                else:
                    (attributes, subject), tamper = self.next_person, {}
                saml_response = self.respond(request, attributes, subject=subject, **tamper)
                self.last = (acs, saml_response, relay_state)
            page = (
                _PAGE_START + "<h1>Kommunens login (test)</h1>"
                f'<form method="post" action="{html.escape(acs)}">'
                f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
                f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
                '<button type="submit">Fortsæt til Overgang</button></form></main>'
            )
            return _reply(start_response, "200 OK", page.encode(), "text/html; charset=utf-8")
        if path == "/slo/redirect":
            target = self.logout(url)
            start_response("302 Found", [("Location", target)])
            return [b""]
        return _reply(start_response, "404 Not Found", b"not found", "text/plain")


# The demo's login goes through these pages too: a language, a main landmark and a heading,
# as the browser tests' accessibility checks ask of every page a user meets.
_PAGE_START = '<!doctype html><html lang="da"><meta charset=utf-8><title>Test IdP</title><main>'


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _reply(start_response, status, body, content_type):
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def sp_query(location):
    return urlencode(parse_qs(urlsplit(location).query), doseq=True)


# --- the demo's login page (overgang demo --saml) ---------------------------------------

DEMO_CVR = "12345678"
DEMO_PERSONAS = {"anna": ("Anna", "Andersen"), "leder": ("Lis", "Leder"), "admin": ("Ali", "Admin"), "eva": ("Eva", "Evaluator")}
DEMO_ROLES = ("cti-medarbejder", "projektleder", "evaluator", "administrator")
DEMO_TAMPERING = {
    "": "Intet / none",
    "break_signature": "Ødelagt signatur / broken signature",
    "unsigned": "Usigneret assertion / unsigned assertion",
    "audience": "Forkert modtager (audience) / wrong audience",
    "expired": "Udløbet / expired",
}

_DEMO_FORM = (
    "<p><label>Person <select name=persona>"
    + "".join(f"<option value={k}>{k} ({f} {l})</option>" for k, (f, l) in DEMO_PERSONAS.items())
    + "</select></label></p><fieldset><legend>Brugersystemroller / system roles</legend>"
    + "".join(f"<label><input type=checkbox name=role value={r}> {r}</label><br>" for r in DEMO_ROLES)
    + f"</fieldset><p><label>Organisation (CVR) <select name=cvr><option>{DEMO_CVR}</option>"
    "<option>99999999</option></select></label></p>"
    "<p><label>NSIS <select name=loa><option>Substantial</option><option>High</option><option>Low</option>"
    "</select></label></p><p><label>Manipulér svaret / tamper <select name=tamper>"
    + "".join(f"<option value='{k}'>{v}</option>" for k, v in DEMO_TAMPERING.items())
    + "</select></label></p>"
)
_REPLAY_FORM = (
    '<form method="post" action="/sso/replay"><p><button type="submit">'
    "Send det seneste svar igen (replay) / send the last response again</button></p></form>"
)


def _demo_choice(form):
    persona = form.get("persona", ["anna"])[0]
    first, last = DEMO_PERSONAS.get(persona, ("Anna", "Andersen"))
    attributes = person(
        cvr=form.get("cvr", [DEMO_CVR])[0],
        roles=tuple(r for r in form.get("role", []) if r in DEMO_ROLES),
        loa=form.get("loa", ["Substantial"])[0],
        email=f"{persona}@demokommune.dk",
    )
    attributes[FIRST_NAME], attributes[LAST_NAME] = [first], [last]
    tamper = {
        "break_signature": {"break_signature": True},
        "unsigned": {"sign_assertion": False},
        "audience": {"audience": "https://another-system.kommune.dk/saml"},
        "expired": {"expired": True},
    }.get(form.get("tamper", [""])[0], {})
    return attributes, f"demo-{persona}", tamper


DEMO = None  # the running demo IdP, for the demo command to hand the SP's metadata


def start_demo(directory, port, municipality):
    """The IdP of ``overgang demo --saml`` on ``port + 1``, and the settings that point at it."""
    global DEMO
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    idp = IdentityProvider(directory, serve=True, host="127.0.0.1", port=port + 1, interactive=True)
    key_file, cert_file = make_keypair(directory, "sp")
    roles = directory / "roles.json"
    roles.write_text(
        json.dumps(
            {
                "roles": {
                    f"{ROLE_PREFIX}cti-medarbejder/1": "worker",
                    f"{ROLE_PREFIX}projektleder/1": "leader",
                    f"{ROLE_PREFIX}evaluator/1": "evaluator",
                    f"{ROLE_PREFIX}administrator/1": "admin",
                },
                "organisations": {DEMO_CVR: municipality},
            },
            indent=2,
        )
    )
    base = f"http://127.0.0.1:{port}"
    environment = {
        "OVERGANG_SAML_ENTITY_ID": f"{base}/saml2/metadata/",
        "OVERGANG_BASE_URL": base,
        "OVERGANG_SAML_KEY_FILE": key_file,
        "OVERGANG_SAML_CERT_FILE": cert_file,
        "OVERGANG_SAML_IDP_METADATA_FILE": idp.metadata_file,
        "OVERGANG_SSO_ROLE_MAP_FILE": str(roles),
        "OVERGANG_BREAK_GLASS_USER": "admin",
    }
    DEMO = idp
    return idp, environment

"""An OpenID Connect provider for the tests, on a loopback port, serving real signed tokens.

Discovery, a JWKS with a freshly generated RSA key, an authorisation endpoint that
remembers the PKCE challenge, and a token endpoint that refuses a code without the
matching verifier (RFC 7636), a second use of a code, or the wrong redirect URI. The ID
tokens are RS256 JWTs; tests may ask for a wrong audience, an old token, another nonce
or a signature by a key the provider never published.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


class Provider:
    client_id = "overgang-test"
    client_secret = "s3cret-for-tests-only"

    def __init__(self, end_session=False):
        self.end_session = end_session  # whether discovery names an end_session_endpoint
        self.issued = []  # every ID token handed out
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig"})
        self.httpd = make_server("127.0.0.1", 0, self._wsgi, handler_class=_Quiet)
        self.issuer = f"http://127.0.0.1:{self.httpd.server_port}"
        self.codes = {}  # code -> what the authorisation request carried
        self.token_requests = []
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- what a browser does at the provider -------------------------------------------

    def authorize(self, url, claims, **tamper):
        """The user logs in at the provider: the redirect back to Overgang, with a code."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert url.startswith(self.issuer + "/authorize?"), url
        assert query["response_type"] == "code" and query["client_id"] == self.client_id
        assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"query": query, "claims": claims, "tamper": tamper}
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    # --- HTTP -------------------------------------------------------------------------------

    def _wsgi(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/.well-known/openid-configuration":
            return _json(start_response, "200 OK", self.discovery())
        if path == "/jwks":
            return _json(start_response, "200 OK", KeySet([self.key]).as_dict(private=False))
        if path == "/token" and environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
            status, body = self.token(form, environ.get("HTTP_AUTHORIZATION", ""))
            return _json(start_response, status, body)
        return _json(start_response, "404 Not Found", {"error": "not_found"})

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            **({"end_session_endpoint": f"{self.issuer}/logout"} if self.end_session else {}),
        }

    def token(self, form, authorization):
        self.token_requests.append(form)
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if authorization != expected:
            return "401 Unauthorized", {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if form.get("grant_type") != "authorization_code" or grant is None:
            return "400 Bad Request", {"error": "invalid_grant"}
        query = grant["query"]
        if form.get("redirect_uri") != query["redirect_uri"]:
            return "400 Bad Request", {"error": "invalid_grant", "error_description": "redirect_uri"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != query["code_challenge"]:
            return "400 Bad Request", {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        return "200 OK", {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.issue(self.id_token(query, grant["claims"], **grant["tamper"])),
        }

    def issue(self, token):
        self.issued.append(token)
        return token

    def verify(self, token):
        """The claims of an ID token this provider signed (raises on any other)."""
        return jwt.decode(token, self.key).claims

    def id_token(self, query, claims, *, audience=None, age=0, nonce=None, foreign_key=False, issuer=None):
        now = int(time.time()) - age
        payload = {
            "iss": issuer or self.issuer,
            "aud": audience or self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce or query.get("nonce"),
            **claims,
        }
        key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"}) if foreign_key else self.key
        return jwt.encode({"alg": "RS256", "kid": "test-key-1"}, payload, key)


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _json(start_response, status, body):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def employee(organisation="11111111", roles=("http://overgang.dk/roles/usersystemrole/cti-medarbejder/1",), **extra):
    """The claims of a municipal employee as a broker in front of the Context Handler sends them."""
    return {
        "sub": "oidc-anna",
        "preferred_username": "anna.oidc",
        "given_name": "Anna",
        "family_name": "Olsen",
        "email": "anna.olsen@aby.dk",
        "organisation": organisation,
        "acr": "https://data.gov.dk/concept/core/nsis/loa/Substantial",
        "roles": list(roles),
        **extra,
    }

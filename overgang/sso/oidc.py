"""OpenID Connect login: authorisation code flow with PKCE (S256), by Authlib.

Authlib keeps state, nonce and the PKCE verifier in the session, exchanges the code and
checks the ID token's signature (the provider's JWKS), issuer, audience, expiry and
nonce. The claims then go through the same ``claims.decide`` as SAML's attributes.
"""

import logging
import threading
import time
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App
from authlib.integrations.django_client.integration import DjangoIntegration
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from overgang.accounts.auth import complete_login
from overgang.sso import actions
from overgang.sso.claims import Refusal, claims_from_attributes, decide

# Algorithms an ID token may be signed with; never "none" or a shared-secret HMAC that
# the client secret could forge.
ID_TOKEN_ALGORITHMS = ["RS256", "PS256", "ES256"]
CLIENT_CACHE_SECONDS = 3600
NEXT_KEY = "overgang_oidc_next"
# The ID token of the login, kept in the (server-side) session for RP-initiated logout's
# id_token_hint, and the provider's logout address between the local logout and the page
# that sends the browser there.
ID_TOKEN_KEY = "overgang_oidc_id_token"
LEAVING_KEY = "overgang_oidc_leaving"

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_clients = {}


def client() -> DjangoOAuth2App:
    """The provider's client, its discovery document and keys cached for a while per process."""
    oidc = settings.OVERGANG_OIDC
    key = (oidc["issuer"], oidc["client_id"], oidc["client_secret"], oidc["scopes"])
    with _lock:
        cached = _clients.get(key)
        if cached and time.monotonic() - cached[1] < CLIENT_CACHE_SECONDS:
            return cached[0]
    client_kwargs = {"scope": oidc["scopes"], "code_challenge_method": "S256", "timeout": 10}
    if not oidc["client_secret"]:
        client_kwargs["token_endpoint_auth_method"] = "none"  # a public client: PKCE is the proof
    app = DjangoOAuth2App(
        DjangoIntegration("overgang"),
        name="overgang",
        client_id=oidc["client_id"],
        client_secret=oidc["client_secret"] or None,
        server_metadata_url=f"{oidc['issuer']}/.well-known/openid-configuration",
        client_kwargs=client_kwargs,
    )
    metadata = app.load_server_metadata()
    if metadata.get("issuer", "").rstrip("/") != oidc["issuer"]:
        # OpenID Connect Discovery 1.0, section 4.3: the issuer must be the one asked.
        raise Refusal("provider", error="issuer_mismatch")
    metadata["id_token_signing_alg_values_supported"] = [
        alg for alg in metadata.get("id_token_signing_alg_values_supported", ["RS256"]) if alg in ID_TOKEN_ALGORITHMS
    ] or ["RS256"]
    with _lock:
        _clients[key] = (app, time.monotonic())
    return app


def _redirect_uri():
    from django.urls import reverse

    return settings.OVERGANG_OIDC["base_url"] + reverse("sso:oidc_callback")


@require_GET
def login(request):
    if not settings.OVERGANG_OIDC:
        raise Http404
    if request.user.is_authenticated:
        return redirect("home")
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        request.session[NEXT_KEY] = next_url
    try:
        return client().authorize_redirect(request, _redirect_uri())
    except Refusal as refusal:
        return _refuse(request, refusal)
    except (requests.RequestException, ValueError) as exc:
        return _refuse(request, Refusal("provider", error=type(exc).__name__))


@require_GET
def callback(request):
    if not settings.OVERGANG_OIDC:
        raise Http404
    claims = None
    try:
        token = client().authorize_access_token(request)
        userinfo = token.get("userinfo")
        if not userinfo:
            raise Refusal("invalid", where="id_token")
        claims = claims_from_attributes(
            "oidc",
            settings.OVERGANG_OIDC["issuer"],
            str(userinfo.get("sub") or ""),
            dict(userinfo),
            settings.OVERGANG_SSO_ROLE_MAP.oidc_claims,
        )
        user = actions.do_login_from_claims(claims, decide(claims))
    except Refusal as refusal:
        return _refuse(request, refusal, claims)
    except Exception as exc:  # noqa: BLE001 — every failure is a refusal with its reason, never a 500
        logger.warning("OpenID Connect login refused", exc_info=True)
        return _refuse(request, classify(exc))
    next_url = request.session.pop(NEXT_KEY, "")
    complete_login(request, user, method="oidc", record=False)
    request.session[ID_TOKEN_KEY] = token.get("id_token", "")
    return redirect(next_url or "home")


def end_session_url(request) -> str:
    """Where to end the session at the provider too (OpenID Connect RP-Initiated Logout
    1.0), or "" when the provider's discovery names no ``end_session_endpoint`` or the
    session did not come from it. Read before the local logout empties the session."""
    from django.urls import reverse

    oidc = settings.OVERGANG_OIDC
    id_token = request.session.get(ID_TOKEN_KEY)
    if not oidc or not id_token:
        return ""
    try:
        endpoint = client().server_metadata.get("end_session_endpoint", "")
    except (Refusal, requests.RequestException, ValueError):
        logger.warning("No logout at the OpenID Connect provider: its discovery could not be read", exc_info=True)
        return ""
    if not endpoint:
        return ""
    query = urlencode({
        "id_token_hint": id_token,
        "post_logout_redirect_uri": oidc["base_url"] + reverse("accounts:login"),
        "client_id": oidc["client_id"],
    })
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def after_logout(request, target):
    """After the local logout: on to the provider's logout, by a page of our own (the
    logout form may not redirect off the site under form-action 'self')."""
    request.session[LEAVING_KEY] = target
    return redirect("sso:oidc_logout")


@require_GET
def logout_redirect(request):
    """GET /oidc/logout/: the page that takes a logged-out user on to the provider's logout."""
    if not settings.OVERGANG_OIDC:
        raise Http404
    if request.user.is_authenticated:
        return redirect("accounts:account")
    target = request.session.pop(LEAVING_KEY, "")
    if not target:
        return redirect("accounts:login")
    return render(request, "sso/leaving.html", {"target": target})


def classify(exception) -> Refusal:
    """The refusal reason for what Authlib or joserfc raised."""
    name = type(exception).__name__
    text = str(exception).casefold()
    if isinstance(exception, MismatchingStateError):
        return Refusal("state")
    if isinstance(exception, requests.RequestException):
        return Refusal("provider", error=name)
    if "signature" in name.casefold() or "keyid" in name.casefold():
        return Refusal("signature", error=name)
    if "expired" in name.casefold() or name == "InvalidTokenError":
        return Refusal("expired", error=name)
    if "nonce" in text:
        return Refusal("replay", error=name)
    if "'aud'" in text or "'azp'" in text:
        return Refusal("audience", error=name)
    if isinstance(exception, OAuthError):
        return Refusal("idp_status", error=str(getattr(exception, "error", "") or name)[:100])
    return Refusal("invalid", error=name, claim=text[:100])


def _refuse(request, refusal, claims=None):
    actions.record_sso_refusal(refusal, protocol="oidc", claims=claims)
    return render(request, "sso/refused.html", {"message": refusal.message, "retry": "sso:oidc_login"}, status=403)

"""The SAML 2.0 service provider: djangosaml2's views on pysaml2, tightened for OIOSAML.

djangosaml2 does the protocol (AuthnRequest, bindings, pysaml2's checks of signature,
audience, recipient, time and InResponseTo); Overgang adds what it leaves open: a
replay cache in the database, optional required encryption, the assurance level and
role mapping (``claims.decide``), its own login and audit, and a logout that leaves
the strict Content-Security-Policy intact.
"""

import base64
import binascii
import copy
import logging
import threading
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import saml2
from defusedxml import ElementTree
from django.conf import settings
from django.contrib import auth, messages
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from djangosaml2.cache import IdentityCache, StateCache
from djangosaml2.overrides import Saml2Client
from djangosaml2.views import (
    AssertionConsumerServiceView,
    LoginView,
    LogoutView,
    MetadataView,
    SPConfigMixin,
    _get_subject_id,
    _set_subject_id,
)
from djangosaml2.utils import get_location
from saml2.client_base import LogoutError
from saml2.config import SPConfig
from saml2.s_utils import UnsupportedBinding
from saml2.saml import NAMEID_FORMAT_PERSISTENT

from overgang.accounts import actions as account_actions
from overgang.accounts.auth import complete_login
from overgang.sso import actions
from overgang.sso.claims import Refusal, claims_from_attributes, decide
from overgang.sso.env import XMLSEC_BINARY

# How long pysaml2's parsed IdP metadata is reused before it is read (or fetched) again.
METADATA_REFRESH_SECONDS = 3600
# After remote IdP metadata failed its check, how long the last verified metadata is used
# before the URL is tried again (instead of once per request).
METADATA_RETRY_SECONDS = 300
# How long a consumed message id is remembered when the assertion names no end of validity.
DEFAULT_MESSAGE_LIFETIME = timedelta(hours=1)

logger = logging.getLogger(__name__)
_config_lock = threading.Lock()
_config_cache = {"key": None, "config": None, "at": 0.0, "metadata_xml": None}


class MetadataUnverified(Exception):
    """The IdP's metadata, fetched by URL, was unsigned or its signature did not verify
    with ``OVERGANG_SAML_IDP_METADATA_CERT_FILE``."""


def sp_config_dict(saml) -> dict:
    """pysaml2's configuration for Overgang as a service provider (``settings.OVERGANG_SAML``)."""
    base = saml["base_url"]
    if saml["idp_metadata_file"]:
        metadata = {"local": [saml["idp_metadata_file"]]}
    else:
        remote = {"url": saml["idp_metadata_url"]}
        if saml["idp_metadata_cert_file"]:
            remote["cert"] = saml["idp_metadata_cert_file"]
        metadata = {"remote": [remote]}
    return {
        "entityid": saml["entity_id"],
        "xmlsec_binary": XMLSEC_BINARY,
        "allow_unknown_attributes": True,
        "accepted_time_diff": saml["clock_skew_seconds"],
        "metadata": metadata,
        "key_file": saml["key_file"],
        "cert_file": saml["cert_file"],
        "encryption_keypairs": [{"key_file": saml["encryption_key_file"], "cert_file": saml["encryption_cert_file"]}],
        "service": {
            "sp": {
                "name": "Overgang",
                "endpoints": {
                    "assertion_consumer_service": [(f"{base}/saml2/acs/", saml2.BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (f"{base}/saml2/ls/", saml2.BINDING_HTTP_REDIRECT),
                        (f"{base}/saml2/ls/post/", saml2.BINDING_HTTP_POST),
                    ],
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                # The assertion itself must be signed: a signed response around an
                # unsigned assertion is not enough (OIOSAML).
                "want_assertions_signed": True,
                "want_response_signed": False,
                "want_assertions_or_response_signed": True,
                "allow_unsolicited": False,
                "signing_algorithm": saml2.xmldsig.SIG_RSA_SHA256,
                "digest_algorithm": saml2.xmldsig.DIGEST_SHA256,
            }
        },
    }


def sp_config() -> SPConfig:
    """The parsed configuration, shared by the requests of one process for a while.

    Parsing metadata (or fetching it from a URL) on every request would make each login
    wait for the IdP's web server.
    """
    saml = settings.OVERGANG_SAML
    key = repr(sorted(saml.items()))
    with _config_lock:
        fresh = time.monotonic() - _config_cache["at"] < METADATA_REFRESH_SECONDS
        if _config_cache["key"] != key or not fresh:
            try:
                config = _load_config(saml)
            except MetadataUnverified:
                if _config_cache["key"] != key or _config_cache["config"] is None:
                    raise
                # A refresh failed its check: keep the metadata verified before (it is
                # still the IdP's), say so in the log, and try again in a while.
                logger.error("The IdP's metadata at %s failed its signature check; keeping the last verified "
                             "metadata", saml["idp_metadata_url"], exc_info=True)
                _config_cache["at"] = time.monotonic() - METADATA_REFRESH_SECONDS + METADATA_RETRY_SECONDS
                return _config_cache["config"]
            _config_cache.update(key=key, config=config, at=time.monotonic(), metadata_xml=None)
        return _config_cache["config"]


def _load_config(saml) -> SPConfig:
    """Parse the configuration; remote IdP metadata must carry a signature that verifies.

    pysaml2 verifies remote metadata against the configured certificate only when the
    metadata is signed: unsigned metadata would pass. So the signature's presence is
    checked here too, and a failed check is one error, whatever pysaml2 raised.
    """
    from saml2.mdstore import MetaDataExtern
    from saml2.sigver import SignatureError

    config = SPConfig()
    try:
        config.load(copy.deepcopy(sp_config_dict(saml)))
    except SignatureError as exc:
        raise MetadataUnverified(str(exc)) from exc
    for source in config.metadata.metadata.values():
        if isinstance(source, MetaDataExtern) and not source.signed():
            raise MetadataUnverified(f"unsigned metadata at {source.url}")
    return config


def signed_sp_metadata() -> str:
    """Overgang's SP metadata, signed with its signing key (what the IdP registers).

    Signed once per parsed configuration: xmlsec1 runs when the configuration changes,
    not on every request.
    """
    from saml2.metadata import entity_descriptor, sign_entity_descriptor
    from saml2.sigver import security_context

    config = sp_config()
    with _config_lock:
        if _config_cache["config"] is config and _config_cache["metadata_xml"]:
            return _config_cache["metadata_xml"]
    _descriptor, xml = sign_entity_descriptor(
        entity_descriptor(config), None, security_context(config),
        sign_alg=saml2.xmldsig.SIG_RSA_SHA256, digest_alg=saml2.xmldsig.DIGEST_SHA256)
    with _config_lock:
        if _config_cache["config"] is config:
            _config_cache["metadata_xml"] = xml
    return xml


class _Configured(SPConfigMixin):
    """404 unless SAML is configured; every view uses the cached configuration."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.OVERGANG_SAML:
            raise Http404
        try:
            sp_config()
        except MetadataUnverified as exc:
            return metadata_unverified(request, exc)
        return super().dispatch(request, *args, **kwargs)

    def get_sp_config(self, request):
        return sp_config()


def metadata_unverified(request, exc):
    """No login against metadata that may not be the IdP's: audited, told plainly, no 500."""
    logger.error("The IdP's metadata failed its signature check: %s", exc)
    with transaction.atomic():
        actions.record_sso_refusal(Refusal("metadata", error=str(exc)[:200]), protocol="saml")
    return render(request, "sso/refused.html", {"message": Refusal("metadata").message, "retry": "sso:saml_login"},
                  status=503)


class Metadata(_Configured, MetadataView):
    """The SP metadata to register with the IdP (entity id, endpoints, certificates),
    signed with the SP's signing key so the IdP can check it was not altered on the way."""

    def get(self, request, *args, **kwargs):
        from django.http import HttpResponse

        return HttpResponse(signed_sp_metadata().encode("utf-8"), content_type="text/xml; charset=utf-8")


class Login(_Configured, LoginView):
    """SP-initiated login: a signed AuthnRequest by the HTTP-Redirect binding.

    There is one IdP: a browser cannot pick another (``?idp=``) or scope the request
    (``?scoping=``).
    """

    def unknown_idp(self, request, idp):
        raise SuspiciousOperation("login asked for an IdP that is not in the metadata")

    def load_sso_kwargs_scoping(self, sso_kwargs):
        pass


class _RefusedLogin(PermissionDenied):
    def __init__(self, refusal, claims):
        super().__init__(refusal.reason)
        self.refusal = refusal
        self.claims = claims


class AssertionConsumer(_Configured, AssertionConsumerServiceView):
    """The IdP posts its response here. Every outcome is audited."""

    def post(self, request, *args, **kwargs):
        self.refusal = None
        self.claims = None
        ids, self.plain_assertion = _unverified_outline(request.POST.get("SAMLResponse", ""))
        if actions.seen_before(ids):
            # Checked before pysaml2 so a replay is named as one, not as "unsolicited".
            return self.handle_acs_failure(request, exception=Refusal("replay"))
        return super().post(request, *args, **kwargs)

    def custom_validation(self, response):
        try:
            if settings.OVERGANG_SAML["require_encryption"] and self.plain_assertion:
                raise Refusal("encryption")
            assertion = response.assertion
            _check_algorithms(assertion, response.response)
            _check_recipient(assertion)
            actions.remember_messages([response.response.id, assertion.id], _expires(assertion))
        except Refusal as refusal:
            # djangosaml2 turns any exception here into a generic one; keep the reason.
            self.refusal = refusal
            raise

    def authenticate_user(self, request, session_info, attribute_mapping, create_unknown_user, assertion_info):
        # Not django.contrib.auth.authenticate: no authentication backend ever accepts
        # a SAML identity outside this verified path.
        name_id = session_info["name_id"]
        authn_context = ""
        for class_ref, *_rest in session_info.get("authn_info") or []:
            authn_context = class_ref or ""
        claims = claims_from_attributes(
            "saml",
            session_info.get("issuer") or "",
            getattr(name_id, "text", "") or "",
            session_info.get("ava") or {},
            settings.OVERGANG_SSO_ROLE_MAP.saml_attributes,
            authn_context=authn_context,
        )
        try:
            user = actions.do_login_from_claims(claims, decide(claims))
        except Refusal as refusal:
            raise _RefusedLogin(refusal, claims) from None
        complete_login(request, user, method="saml", record=False)
        _set_subject_id(request.saml_session, name_id)
        return user

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        if isinstance(exception, _RefusedLogin):
            refusal, claims = exception.refusal, exception.claims
        else:
            refusal, claims = self.refusal or classify(exception), None
        actions.record_sso_refusal(refusal, protocol="saml", claims=claims)
        return render(request, "sso/refused.html", {"message": refusal.message, "retry": "sso:saml_login"}, status=403)


def classify(exception) -> Refusal:
    """The refusal reason for an exception pysaml2 raised while checking a response."""
    from saml2.response import DecryptionFailed, IncorrectlySigned, StatusError, UnsolicitedResponse
    from saml2.sigver import MissingKey, SignatureError
    from saml2.validate import ResponseLifetimeExceed, ToEarly

    if isinstance(exception, Refusal):
        return exception
    text = str(exception)
    if isinstance(exception, (SignatureError, IncorrectlySigned, MissingKey)):
        return Refusal("signature", error=type(exception).__name__)
    if isinstance(exception, (ResponseLifetimeExceed, ToEarly)):
        return Refusal("expired", error=type(exception).__name__)
    if isinstance(exception, UnsolicitedResponse) or text == "Came from":
        return Refusal("unsolicited")
    if isinstance(exception, StatusError):
        return Refusal("idp_status", error=type(exception).__name__)
    if isinstance(exception, DecryptionFailed):
        return Refusal("invalid", error="DecryptionFailed")
    if "AudienceRestrictions" in text:
        return Refusal("audience")
    if "recipient" in text.casefold() or "destined" in text.casefold():
        return Refusal("recipient")
    return Refusal("invalid", error=type(exception).__name__ if exception else "")


def _expires(assertion):
    """When the assertion stops being valid: until then its id must not be accepted again."""
    from saml2.time_util import str_to_time

    candidates = []
    if assertion.conditions is not None and assertion.conditions.not_on_or_after:
        candidates.append(assertion.conditions.not_on_or_after)
    for confirmation in assertion.subject.subject_confirmation if assertion.subject else []:
        data = confirmation.subject_confirmation_data
        if data is not None and data.not_on_or_after:
            candidates.append(data.not_on_or_after)
    latest = datetime.now(dt_timezone.utc) + DEFAULT_MESSAGE_LIFETIME
    for text in candidates:
        parsed = datetime(*str_to_time(text)[:6], tzinfo=dt_timezone.utc)
        latest = max(latest, parsed + timedelta(seconds=settings.OVERGANG_SAML["clock_skew_seconds"]))
    return latest


def _unverified_outline(saml_response):
    """The Response and Assertion ids as written, and whether an assertion came unencrypted.

    Read before any check, for the replay lookup and the encryption rule only; the
    signature check that follows decides whether anything in it is believed.
    """
    try:
        root = ElementTree.fromstring(base64.b64decode(saml_response), forbid_dtd=True)
    except (binascii.Error, ValueError, ElementTree.ParseError):
        return [], False
    assertions = [el for el in root if isinstance(el.tag, str) and el.tag.endswith("}Assertion")]
    ids = [root.get("ID", "")] + [el.get("ID", "") for el in assertions]
    return [i for i in ids if i], bool(assertions)


# SHA-1 is broken for signatures; OIOSAML 3 requires SHA-256 or better.
WEAK_ALGORITHMS = {saml2.xmldsig.SIG_RSA_SHA1, saml2.xmldsig.DIGEST_SHA1, saml2.xmldsig.SIG_DSA_SHA1}


def _check_algorithms(*signed):
    for element in signed:
        signature = getattr(element, "signature", None)
        if signature is None or signature.signed_info is None:
            continue
        used = {signature.signed_info.signature_method.algorithm}
        used |= {ref.digest_method.algorithm for ref in signature.signed_info.reference if ref.digest_method}
        if used & WEAK_ALGORITHMS:
            raise Refusal("signature", error="weak_algorithm")


def _check_recipient(assertion):
    """Every bearer confirmation must name our assertion consumer as its recipient.

    pysaml2 checks this only when told where it listens, which djangosaml2 does not do.
    """
    acs = f"{settings.OVERGANG_SAML['base_url']}/saml2/acs/"
    confirmations = assertion.subject.subject_confirmation if assertion.subject else []
    if not confirmations:
        raise Refusal("recipient")
    for confirmation in confirmations:
        data = confirmation.subject_confirmation_data
        if data is None or data.recipient != acs:
            raise Refusal("recipient")


class SingleLogout(_Configured, LogoutView):
    """The IdP's side of single logout: its LogoutResponse to ours, or its own LogoutRequest."""

    logout_error_template = "sso/logout_error.html"

    def do_logout_service(self, request, data, binding, *args, **kwargs):
        if "SAMLRequest" not in data and "SAMLResponse" not in data:
            raise SuspiciousOperation("single logout without SAMLRequest or SAMLResponse")
        if "SAMLRequest" in data and request.user.is_authenticated:
            with transaction.atomic():
                account_actions.record_logout(request.user)
        try:
            response = super().do_logout_service(request, data, binding, *args, **kwargs)
        except Exception:  # noqa: BLE001 — a damaged or forged logout message is no reason for a 500
            logger.warning("Single logout message refused", exc_info=True)
            auth.logout(request)
            request.saml_session.flush()
            messages.info(request, _("Du er logget ud af Overgang."))
            return redirect("accounts:login")
        if "SAMLResponse" in data:
            request.saml_session.flush()
            messages.info(request, _("Du er logget ud af Overgang og kommunens login."))
        return response


def start_single_logout(request):
    """After the local logout: a signed LogoutRequest to the IdP, or "" if it cannot take one.

    Returns the URL to send the browser to. The caller shows it on a page of its own
    (a meta refresh), because the logout form's redirect chain may not leave the site
    under the Content-Security-Policy (form-action 'self').
    """
    if not settings.OVERGANG_SAML:
        return ""
    subject_id = _get_subject_id(request.saml_session)
    if subject_id is None:
        return ""
    try:
        config = sp_config()
    except MetadataUnverified:
        logger.error("No single logout at the IdP: its metadata failed its signature check", exc_info=True)
        request.saml_session.flush()
        return ""
    state = StateCache(request.saml_session)
    client = Saml2Client(config, state_cache=state, identity_cache=IdentityCache(request.saml_session))
    try:
        result = client.global_logout(subject_id)
    except (LogoutError, UnsupportedBinding, KeyError):
        result = {}
    state.sync()
    for info in (result or {}).values():
        if isinstance(info, tuple) and info[0] == saml2.BINDING_HTTP_REDIRECT:
            return get_location(info[1])
    request.saml_session.flush()
    return ""


def logout_redirect(request):
    """GET /saml2/logout/: the page that takes a logged-out SSO user on to the IdP's logout."""
    if not settings.OVERGANG_SAML:
        raise Http404
    if request.user.is_authenticated:
        # Only reached by link after the local logout; a live session logs out first.
        return redirect("accounts:account")
    target = start_single_logout(request)
    if not target:
        return redirect("accounts:login")
    return render(request, "sso/leaving.html", {"target": target})

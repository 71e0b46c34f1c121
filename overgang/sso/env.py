"""Single sign-on settings read from the environment (imported by ``overgang/settings.py``).

SAML and OpenID Connect are off unless configured. A half-configured installation stops
at start-up with a message naming the variable, and production refuses SAML without its
certificates or over plain HTTP.
"""

import shutil
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from overgang.sso import rolemap

XMLSEC_BINARY = "/usr/bin/xmlsec1"


def sso_settings(env, env_bool, env_int, env_secret, *, production) -> dict:
    saml = _saml(env, env_bool, env_int, production)
    oidc = _oidc(env, env_secret, production)
    if saml and oidc:
        raise ImproperlyConfigured(
            "Configure either SAML (OVERGANG_SAML_ENTITY_ID) or OpenID Connect (OVERGANG_OIDC_ISSUER), not both"
        )
    role_map = None
    if saml or oidc:
        path = env("OVERGANG_SSO_ROLE_MAP_FILE")
        if not path:
            raise ImproperlyConfigured("OVERGANG_SSO_ROLE_MAP_FILE must name the role mapping table when SSO is configured")
        try:
            role_map = rolemap.load(path)
        except rolemap.RoleMapError as exc:
            raise ImproperlyConfigured(f"OVERGANG_SSO_ROLE_MAP_FILE: {exc}") from None
    minimum = env("OVERGANG_SSO_MIN_ASSURANCE", "substantial").strip().casefold()
    if minimum not in rolemap.ASSURANCE_LEVELS:
        raise ImproperlyConfigured(f"OVERGANG_SSO_MIN_ASSURANCE must be low, substantial or high; got {minimum!r}")
    return {
        "OVERGANG_SAML": saml,
        "OVERGANG_OIDC": oidc,
        "OVERGANG_SSO_ROLE_MAP": role_map,
        "OVERGANG_SSO_MIN_ASSURANCE": minimum,
        "OVERGANG_BREAK_GLASS_USER": env("OVERGANG_BREAK_GLASS_USER").strip(),
    }


def _base_url(env, production, why):
    # The same variable and default as the reminder e-mails' links (settings.py).
    url = env("OVERGANG_BASE_URL", "" if production else "http://127.0.0.1:8000").strip().rstrip("/")
    if not url:
        raise ImproperlyConfigured(f"OVERGANG_BASE_URL (e.g. https://overgang.kommune.dk) must be set for {why}")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path or parts.query:
        raise ImproperlyConfigured(f"OVERGANG_BASE_URL must be a scheme and host only, e.g. https://overgang.kommune.dk; got {url!r}")
    if production and parts.scheme != "https":
        raise ImproperlyConfigured("OVERGANG_BASE_URL must use https in production")
    return url


def _readable(env, name, required):
    path = env(name).strip()
    if not path:
        if required:
            raise ImproperlyConfigured(f"{name} must be set when SAML is configured")
        return ""
    if not Path(path).is_file():
        raise ImproperlyConfigured(f"{name}: {path} is not a readable file")
    return path


def _saml(env, env_bool, env_int, production):
    entity_id = env("OVERGANG_SAML_ENTITY_ID").strip()
    if not entity_id:
        return None
    base_url = _base_url(env, production, "SAML")
    key_file = _readable(env, "OVERGANG_SAML_KEY_FILE", required=True)
    cert_file = _readable(env, "OVERGANG_SAML_CERT_FILE", required=True)
    metadata_file = _readable(env, "OVERGANG_SAML_IDP_METADATA_FILE", required=False)
    metadata_url = env("OVERGANG_SAML_IDP_METADATA_URL").strip()
    if bool(metadata_file) == bool(metadata_url):
        raise ImproperlyConfigured(
            "Set exactly one of OVERGANG_SAML_IDP_METADATA_FILE and OVERGANG_SAML_IDP_METADATA_URL"
        )
    metadata_cert_file = _readable(env, "OVERGANG_SAML_IDP_METADATA_CERT_FILE", required=False)
    if metadata_url and not metadata_cert_file:
        # Metadata fetched over the network names the IdP's signing keys: without a
        # signature checked against a certificate configured here, whoever can alter the
        # response (a proxy, DNS) could make Overgang trust their own IdP.
        raise ImproperlyConfigured(
            "OVERGANG_SAML_IDP_METADATA_CERT_FILE must name the certificate that signs the IdP's metadata "
            "when it is fetched by OVERGANG_SAML_IDP_METADATA_URL"
        )
    if metadata_url and production and urlsplit(metadata_url).scheme != "https":
        raise ImproperlyConfigured("OVERGANG_SAML_IDP_METADATA_URL must use https in production")
    if production and not shutil.which(XMLSEC_BINARY):
        raise ImproperlyConfigured(f"SAML needs Debian's xmlsec1 ({XMLSEC_BINARY}): apt-get install xmlsec1")
    return {
        "entity_id": entity_id,
        "base_url": base_url,
        "key_file": key_file,
        "cert_file": cert_file,
        "encryption_key_file": _readable(env, "OVERGANG_SAML_ENCRYPTION_KEY_FILE", required=False) or key_file,
        "encryption_cert_file": _readable(env, "OVERGANG_SAML_ENCRYPTION_CERT_FILE", required=False) or cert_file,
        "require_encryption": env_bool("OVERGANG_SAML_REQUIRE_ENCRYPTION", False),
        "idp_metadata_file": metadata_file,
        "idp_metadata_url": metadata_url,
        "idp_metadata_cert_file": metadata_cert_file,
        "clock_skew_seconds": env_int("OVERGANG_SAML_CLOCK_SKEW_SECONDS", 60),
    }


def _oidc(env, env_secret, production):
    issuer = env("OVERGANG_OIDC_ISSUER").strip().rstrip("/")
    if not issuer:
        return None
    if production and urlsplit(issuer).scheme != "https":
        raise ImproperlyConfigured("OVERGANG_OIDC_ISSUER must use https in production")
    client_id = env("OVERGANG_OIDC_CLIENT_ID").strip()
    if not client_id:
        raise ImproperlyConfigured("OVERGANG_OIDC_CLIENT_ID must be set when OVERGANG_OIDC_ISSUER is")
    return {
        "issuer": issuer,
        "base_url": _base_url(env, production, "OpenID Connect"),
        "client_id": client_id,
        # A public client (PKCE only) has no secret; a confidential one has both.
        "client_secret": env_secret("OVERGANG_OIDC_CLIENT_SECRET"),
        "scopes": env("OVERGANG_OIDC_SCOPES", "openid profile email").strip(),
    }

"""The role mapping table: asserted system roles and organisations → Overgang's roles and municipalities.

A pure module (no models), read by ``settings.py`` at start-up so that a broken table
stops the installation with a located message instead of refusing every login later.

The table is a JSON file named by ``OVERGANG_SSO_ROLE_MAP_FILE``::

    {
      "roles": {"http://overgang.dk/roles/usersystemrole/cti-medarbejder/1": "worker", ...},
      "organisations": {"29189846": "Aby Kommune"},
      "constraints": {"http://sts.kombit.dk/constraints/KLE/1": ["32.*"]},
      "attributes": {"organisation": "https://data.gov.dk/model/core/eid/professional/cvr"}
    }

``constraints`` lists the data restrictions Overgang can honour and the values under
which a role still applies; a role that arrives with any other restriction is dropped,
because a restriction we cannot enforce must not become unrestricted access.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

# Overgang's role keys (accounts.models.Role; a test keeps the two equal). Literal here
# because settings cannot import models.
ROLE_KEYS = ("worker", "leader", "evaluator", "admin")

# NSIS assurance levels, lowest first (the Danish national identity assurance scale).
ASSURANCE_LEVELS = ("low", "substantial", "high")

# OIOSAML 3 attribute names (the Context Handler and NemLog-in assert these).
SAML_ATTRIBUTES = {
    "username": "https://data.gov.dk/model/core/eid/email",
    "first_name": "https://data.gov.dk/model/core/eid/firstName",
    "last_name": "https://data.gov.dk/model/core/eid/lastName",
    "email": "https://data.gov.dk/model/core/eid/email",
    "organisation": "https://data.gov.dk/model/core/eid/professional/cvr",
    "assurance": "https://data.gov.dk/concept/core/nsis/loa",
    "privileges": "https://data.gov.dk/model/core/eid/privilegesIntermediate",
    "roles": "",
}

# OpenID Connect claim names (standard claims; a broker in front of the Context Handler
# may pass the OIOSAML privileges on in ``privileges``).
OIDC_CLAIMS = {
    "username": "preferred_username",
    "first_name": "given_name",
    "last_name": "family_name",
    "email": "email",
    "organisation": "organisation",
    "assurance": "acr",
    "privileges": "privileges",
    "roles": "roles",
}


class RoleMapError(ValueError):
    """The role mapping table is unreadable or wrong; the message says where."""


@dataclass(frozen=True)
class RoleMap:
    roles: dict = field(default_factory=dict)  # asserted role URI → role key
    organisations: dict = field(default_factory=dict)  # organisation id (CVR) → municipality name
    constraints: dict = field(default_factory=dict)  # restriction name → accepted value patterns
    saml_attributes: dict = field(default_factory=lambda: dict(SAML_ATTRIBUTES))
    oidc_claims: dict = field(default_factory=lambda: dict(OIDC_CLAIMS))


def load(path) -> RoleMap:
    where = str(path)
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RoleMapError(f"{where}: cannot read the file: {exc.strerror}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RoleMapError(f"{where}, line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}") from None
    return parse(data, where)


def parse(data, where="role map") -> RoleMap:
    if not isinstance(data, dict):
        raise RoleMapError(f"{where}: the file must hold one JSON object")
    unknown = sorted(set(data) - {"roles", "organisations", "constraints", "saml_attributes", "oidc_claims"})
    if unknown:
        raise RoleMapError(f"{where}: unknown key(s) {', '.join(unknown)}")
    roles = _string_map(data.get("roles", {}), f"{where}: roles")
    for uri, role in roles.items():
        if role not in ROLE_KEYS:
            raise RoleMapError(f"{where}: roles[{uri!r}] is {role!r}; must be one of {', '.join(ROLE_KEYS)}")
    if not roles:
        raise RoleMapError(f"{where}: roles must map at least one asserted role to an Overgang role")
    organisations = _string_map(data.get("organisations", {}), f"{where}: organisations")
    if not organisations:
        raise RoleMapError(f"{where}: organisations must map at least one organisation (CVR) to a municipality")
    constraints = data.get("constraints", {})
    if not isinstance(constraints, dict) or not all(
        isinstance(v, list) and all(isinstance(p, str) for p in v) for v in constraints.values()
    ):
        raise RoleMapError(f"{where}: constraints must map each restriction name to a list of accepted values")
    saml = _string_map(data.get("saml_attributes", {}), f"{where}: saml_attributes", allow_empty=True)
    oidc = _string_map(data.get("oidc_claims", {}), f"{where}: oidc_claims", allow_empty=True)
    for name, given in (("saml_attributes", saml), ("oidc_claims", oidc)):
        bad = sorted(set(given) - set(SAML_ATTRIBUTES))
        if bad:
            raise RoleMapError(f"{where}: {name} has unknown key(s) {', '.join(bad)}")
    return RoleMap(
        roles=roles,
        organisations=organisations,
        constraints={k: tuple(v) for k, v in constraints.items()},
        saml_attributes={**SAML_ATTRIBUTES, **saml},
        oidc_claims={**OIDC_CLAIMS, **oidc},
    )


def _string_map(value, where, allow_empty=False):
    if not isinstance(value, dict):
        raise RoleMapError(f"{where} must be an object")
    for key, item in value.items():
        if not isinstance(item, str) or not (item.strip() or allow_empty):
            raise RoleMapError(f"{where}[{key!r}] must be a non-empty text")
    return {k.strip(): v.strip() for k, v in value.items()}


def assurance_rank(value) -> int:
    """The rank of an asserted NSIS level (``Substantial`` or its URI form), -1 if unknown."""
    text = str(value or "").strip().rstrip("/").rsplit("/", 1)[-1].casefold()
    return ASSURANCE_LEVELS.index(text) if text in ASSURANCE_LEVELS else -1


def accepts(patterns, value) -> bool:
    """True if ``value`` matches one of ``patterns`` (exact, or a prefix ending in ``*``)."""
    for pattern in patterns:
        if pattern.endswith("*") and value.startswith(pattern[:-1]):
            return True
        if pattern == value:
            return True
    return False

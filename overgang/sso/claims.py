"""From what an identity provider asserts to who may do what in Overgang.

Both protocols end here: the SAML view and the OpenID Connect view each turn their
verified message into ``Claims``; ``decide`` turns claims into a municipality and a set
of roles, or refuses with a reason that goes into the audit log.
"""

import base64
import binascii
from dataclasses import dataclass, field

from defusedxml import ElementTree
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from overgang.sso import rolemap

_CVR_SCOPE = "urn:dk:gov:saml:cvrNumberIdentifier:"

# Refusal reasons (stable codes in the audit log) and what the user is told.
REASONS = {
    "signature": _("Svaret fra kommunens login var ikke korrekt signeret."),
    "audience": _("Svaret fra kommunens login var ikke udstedt til Overgang."),
    "recipient": _("Svaret fra kommunens login var sendt til en anden adresse."),
    "expired": _("Svaret fra kommunens login er udløbet eller endnu ikke gyldigt. Prøv at logge ind igen."),
    "replay": _("Svaret fra kommunens login er allerede brugt. Prøv at logge ind igen."),
    "unsolicited": _("Overgang havde ikke bedt om dette login. Prøv at logge ind igen."),
    "encryption": _("Svaret fra kommunens login var ikke krypteret."),
    "assurance": _(
        "Dit login har ikke et højt nok sikringsniveau til Overgang. Log ind med et login på mindst "
        "NSIS-niveau «betydelig» (f.eks. MitID med kodeviser eller app)."
    ),
    "no_role": _("Du har ingen rolle i Overgang. Bed kommunens administrator om en rolle i rollekataloget."),
    "duties": _(
        "Dit login giver dig både administratorrollen og en rolle i sagsarbejdet (CTI-medarbejder eller "
        "projektleder). Det tillader Overgang ikke (funktionsadskillelse). Bed kommunens administrator om at "
        "rette dine roller i rollekataloget."
    ),
    "organisation": _("Din organisation er ikke tilknyttet Overgang. Kontakt kommunens administrator."),
    "inactive": _("Din adgang til Overgang er lukket. Kontakt kommunens administrator."),
    "idp_status": _("Kommunens login afviste login."),
    "state": _("Login blev afbrudt eller startet i et andet vindue. Prøv at logge ind igen."),
    "invalid": _("Svaret fra kommunens login kunne ikke læses."),
    "provider": _("Kommunens login svarer ikke. Prøv igen om lidt, eller kontakt kommunens IT-afdeling."),
    "metadata": _("Overgang kan ikke bekræfte, at oplysningerne om kommunens login er ægte (metadata uden gyldig "
                  "signatur), og logger derfor ingen ind med det. Kontakt kommunens IT-afdeling."),
}


class Refusal(Exception):
    """A login refused for ``reason`` (a key of ``REASONS``); ``details`` go to the audit log."""

    def __init__(self, reason, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details

    @property
    def message(self):
        return REASONS[self.reason]


@dataclass(frozen=True)
class Privilege:
    role: str  # the asserted system role (URI)
    scope: str = ""  # the organisation (CVR) it applies in, if the IdP said
    constraints: tuple = ()  # (name, value) data restrictions


@dataclass(frozen=True)
class Claims:
    protocol: str
    issuer: str
    subject: str
    username: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    organisation: str = ""
    assurance: str = ""
    privileges: tuple = ()


@dataclass(frozen=True)
class Decision:
    municipality_name: str
    roles: frozenset
    dropped: tuple = field(default_factory=tuple)  # (asserted role, why) for the audit log


def claims_from_attributes(protocol, issuer, subject, values, names, authn_context=""):
    """``values``: attribute or claim name → list of values; ``names``: the role map's name table."""

    def first(key):
        name = names.get(key)
        found = values.get(name) if name else None
        if isinstance(found, (list, tuple)):
            found = found[0] if found else ""
        return str(found or "").strip()

    privileges = []
    raw_privileges = values.get(names.get("privileges") or "")
    for blob in raw_privileges if isinstance(raw_privileges, (list, tuple)) else [raw_privileges]:
        if blob:
            privileges += parse_privilege_list(blob)
    raw_roles = values.get(names.get("roles") or "")
    for role in raw_roles if isinstance(raw_roles, (list, tuple)) else [raw_roles]:
        if role:
            privileges.append(Privilege(role=str(role).strip()))
    return Claims(
        protocol=protocol,
        issuer=issuer,
        subject=subject,
        username=first("username"),
        first_name=first("first_name"),
        last_name=first("last_name"),
        email=first("email"),
        organisation=first("organisation"),
        assurance=first("assurance") or authn_context,
        privileges=tuple(privileges),
    )


def parse_privilege_list(blob):
    """The OIOSAML Basic Privilege Profile: base64 of a ``PrivilegeList`` XML document."""
    try:
        xml = base64.b64decode(blob, validate=False)
        root = ElementTree.fromstring(xml, forbid_dtd=True)
    except (binascii.Error, ValueError, ElementTree.ParseError) as exc:
        raise Refusal("invalid", where="privileges", error=type(exc).__name__) from None
    privileges = []
    for group in root.iter():
        if _local(group.tag) != "PrivilegeGroup":
            continue
        scope = group.get("Scope", "")
        scope = scope[len(_CVR_SCOPE):] if scope.startswith(_CVR_SCOPE) else scope
        constraints = tuple(
            (c.get("Name", ""), (c.text or "").strip()) for c in group if _local(c.tag) == "Constraint"
        )
        for item in group:
            if _local(item.tag) == "Privilege" and (item.text or "").strip():
                privileges.append(Privilege(role=item.text.strip(), scope=scope, constraints=constraints))
    return privileges


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def decide(claims, role_map=None, minimum=None) -> Decision:
    """The municipality and roles the claims give, or a ``Refusal``.

    Checked in this order, so the audit log names the most basic failure: assurance
    level, organisation, then roles. A privilege scoped to another organisation, or
    carrying a data restriction the table does not accept, is dropped: restrictions
    only ever narrow access.
    """
    role_map = role_map or settings.OVERGANG_SSO_ROLE_MAP
    minimum = minimum or settings.OVERGANG_SSO_MIN_ASSURANCE
    if not claims.subject:
        raise Refusal("invalid", where="subject")
    rank = rolemap.assurance_rank(claims.assurance)
    if rank < rolemap.ASSURANCE_LEVELS.index(minimum):
        raise Refusal("assurance", asserted=claims.assurance[:100], required=minimum)
    municipality_name = role_map.organisations.get(claims.organisation)
    if not municipality_name:
        raise Refusal("organisation", organisation=claims.organisation[:100])
    roles, dropped = set(), []
    for privilege in claims.privileges:
        role = role_map.roles.get(privilege.role)
        if role is None:
            continue  # a role of another system in the same assertion
        if privilege.scope and privilege.scope != claims.organisation:
            dropped.append((privilege.role, "scope"))
            continue
        if not _restrictions_accepted(privilege.constraints, role_map.constraints):
            dropped.append((privilege.role, "constraint"))
            continue
        roles.add(role)
    if not roles:
        raise Refusal("no_role", dropped=[list(d) for d in dropped])
    return Decision(municipality_name=municipality_name, roles=frozenset(roles), dropped=tuple(dropped))


def _restrictions_accepted(constraints, accepted):
    """Every restriction named on the privilege must be one the table accepts, with a value in it.

    Several values under one name widen that restriction (KLE 27.* and 32.10), so one
    accepted value per name is enough; an unknown name is never accepted.
    """
    by_name = {}
    for name, value in constraints:
        by_name.setdefault(name, []).append(value)
    return all(
        name in accepted and any(rolemap.accepts(accepted[name], value) for value in values)
        for name, values in by_name.items()
    )

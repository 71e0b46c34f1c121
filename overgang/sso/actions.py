"""Single sign-on state changes, each with its audit event in the same transaction."""

import hashlib
import re

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from overgang.accounts.actions import RoleError, check_duties, record_login
from overgang.accounts.models import Membership, Municipality, RoleSource, User
from overgang.audit.log import record
from overgang.sso.claims import Refusal
from overgang.sso.models import ExternalIdentity, SeenMessage

# The name written as actor of what the identity provider decided (no user did it).
SSO_ACTOR = "sso"
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


@transaction.atomic
def do_login_from_claims(claims, decision):
    """The user the claims describe, created at first login, roles replaced every time.

    Raises ``Refusal`` (and changes nothing) for an unknown municipality or a user whose
    access an administrator closed.
    """
    municipality = Municipality.objects.filter(name=decision.municipality_name).first()
    if municipality is None:
        raise Refusal("organisation", organisation=claims.organisation[:100], municipality_missing=True)
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=claims.issuer, subject=claims.subject)
        .first()
    )
    _check_duties(identity, municipality, decision.roles)
    if identity is None:
        user = _create_user(claims, municipality)
        identity = ExternalIdentity.objects.create(
            user=user, protocol=claims.protocol, issuer=claims.issuer, subject=claims.subject
        )
    else:
        user = identity.user
        if not user.is_active:
            raise Refusal("inactive")
        _update_user(user, claims, municipality)
    _replace_roles(user, municipality, decision.roles, claims.protocol)
    identity.organisation = claims.organisation[:100]
    identity.last_assurance = claims.assurance.rsplit("/", 1)[-1][:20]
    identity.last_login = timezone.now()
    identity.save(update_fields=["organisation", "last_assurance", "last_login"])
    record_login(user, method=claims.protocol, details={"assurance": identity.last_assurance})
    return user


@transaction.atomic
def record_sso_refusal(refusal, *, protocol, claims=None):
    """A refused single sign-on: audited with its reason; a user whose roles vanished loses them."""
    user = None
    if claims is not None and claims.subject:
        identity = ExternalIdentity.objects.select_related("user").filter(issuer=claims.issuer, subject=claims.subject).first()
        user = identity.user if identity else None
    if user is not None and refusal.reason in {"no_role", "duties"}:
        # Roles vanished from the role catalogue (or now break separation of duties): take
        # them here too, which also ends the user's other sessions, instead of leaving
        # them until an administrator looks.
        for municipality_id in set(
            Membership.objects.filter(user=user, source=RoleSource.SSO).values_list("municipality", flat=True)
        ):
            _replace_roles(user, Municipality.objects.get(pk=municipality_id), frozenset(), protocol)
    details = {"protocol": protocol, "reason": refusal.reason, **refusal.details}
    if claims is not None:
        details["issuer"] = claims.issuer[:200]
    record(
        "sso.refused",
        actor=None,
        obj=user,
        actor_username=(claims.username if claims else "")[:150],
        details=details,
    )


def _create_user(claims, municipality):
    user = User(
        username=_free_username(claims),
        first_name=claims.first_name[:150],
        last_name=claims.last_name[:150],
        email=claims.email[:254],
    )
    user.set_unusable_password()  # SSO users never log in with a password here
    user.save()
    record(
        "sso.user_create",
        actor=None,
        actor_username=SSO_ACTOR,
        obj=user,
        municipality=municipality,
        details={"username": user.username, "protocol": claims.protocol, "issuer": claims.issuer[:200]},
    )
    return user


def _update_user(user, claims, municipality):
    changed = []
    for field_name, value, limit in (
        ("first_name", claims.first_name, 150),
        ("last_name", claims.last_name, 150),
        ("email", claims.email, 254),
    ):
        if value and getattr(user, field_name) != value[:limit]:
            setattr(user, field_name, value[:limit])
            changed.append(field_name)
    if changed:
        user.save(update_fields=changed)
        record(
            "user.change",
            actor=None,
            actor_username=SSO_ACTOR,
            obj=user,
            municipality=municipality,
            details={"fields": {name: True for name in changed}, "source": claims.protocol},
        )


def _free_username(claims):
    base = claims.username or claims.email
    if not base:
        base = "sso-" + hashlib.sha256(f"{claims.issuer}|{claims.subject}".encode()).hexdigest()[:12]
    base = _USERNAME_UNSAFE.sub("", base)[:140] or "sso"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _check_duties(identity, municipality, roles):
    """Separation of duties holds for the identity provider too (SECURITY.md): claims that
    make one account administrator and case worker or leader at once (here, or with the
    roles an administrator granted it elsewhere, which stay) are refused, not obeyed."""
    kept = set()
    if identity is not None:
        kept = set(
            Membership.objects.filter(user=identity.user)
            .exclude(municipality=municipality)
            .exclude(source=RoleSource.SSO)
            .values_list("role", flat=True)
        )
    try:
        check_duties(set(roles) | kept)
    except RoleError:
        raise Refusal("duties", roles=sorted(roles), elsewhere=sorted(kept)) from None


def _replace_roles(user, municipality, roles, protocol):
    """Make the user's roles in ``municipality`` exactly ``roles``, all marked as from SSO.

    Roles the identity provider gave in another municipality (the user moved) go too;
    roles an administrator of another municipality granted here (evaluator access) stay.
    """
    current = list(Membership.objects.filter(user=user))
    here = {m.role: m for m in current if m.municipality_id == municipality.pk}
    stale_elsewhere = [m for m in current if m.municipality_id != municipality.pk and m.source == RoleSource.SSO]
    old = {role: m.source for role, m in here.items()}
    removed = [m for role, m in here.items() if role not in roles] + stale_elsewhere
    added = sorted(set(roles) - set(here))
    relabelled = [m for role, m in here.items() if role in roles and m.source != RoleSource.SSO]
    if not removed and not added and not relabelled:
        return
    Membership.objects.filter(pk__in=[m.pk for m in removed]).delete()
    for role in added:
        Membership.objects.create(user=user, municipality=municipality, role=role, source=RoleSource.SSO)
    Membership.objects.filter(pk__in=[m.pk for m in relabelled]).update(source=RoleSource.SSO)
    if removed:
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        user.session_epoch = User.objects.values_list("session_epoch", flat=True).get(pk=user.pk)
    user.__dict__.pop("_membership_cache", None)
    record(
        "sso.roles_change",
        actor=None,
        actor_username=SSO_ACTOR,
        obj=user,
        municipality=municipality,
        details={
            "username": user.username,
            "protocol": protocol,
            "old": sorted(old),
            "new": sorted(roles),
            "removed_elsewhere": sorted({f"{m.municipality.code}:{m.role}" for m in stale_elsewhere}),
        },
    )


@transaction.atomic
def remember_messages(ids, expires):
    """Mark SAML message ids as consumed until ``expires``; ``Refusal('replay')`` if one was.

    Expired ids are swept first, so the table stays as small as the window of validity.
    """
    now = timezone.now()
    SeenMessage.objects.expired(now).delete()
    ids = [i for i in ids if i]
    if SeenMessage.objects.filter(message_id__in=ids).exists():
        raise Refusal("replay")
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            SeenMessage.objects.bulk_create([SeenMessage(message_id=i[:200], expires=expires) for i in set(ids)])
    except IntegrityError:
        # Another worker consumed the same message a moment ago.
        raise Refusal("replay") from None


def seen_before(ids) -> bool:
    return SeenMessage.objects.filter(message_id__in=[i for i in ids if i], expires__gte=timezone.now()).exists()

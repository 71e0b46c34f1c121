"""Every change to municipalities, users, roles and sessions, each with its audit event."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from django.utils.translation import gettext as _

from overgang.accounts.models import CASE_ROLES, LoginFailure, Membership, Municipality, Role, User
from overgang.audit.log import record


class RoleError(Exception):
    """A role change that separation of duties forbids; the message says why (translated)."""


def _drop_cache(user):
    user.__dict__.pop("_membership_cache", None)


def duty_conflict_message():
    return _(
        "En administrator kan ikke også være CTI-medarbejder eller projektleder (funktionsadskillelse: "
        "administratorer ser aldrig sagsindhold). Opret en særskilt bruger til sagsarbejdet."
    )


def self_grant_message():
    return _("Du kan ikke give dig selv en rolle. Bed en anden administrator om det.")


def check_duties(roles):
    """Refuse a set of roles (the account's roles in every municipality) that mixes
    administration with case work (SECURITY.md, separation of duties)."""
    roles = set(roles)
    if Role.ADMIN in roles and roles & CASE_ROLES:
        raise RoleError(duty_conflict_message())


def _roles_elsewhere(user, municipality):
    if user.pk is None:
        return set()
    return set(Membership.objects.filter(user=user).exclude(municipality=municipality).values_list("role", flat=True))


@transaction.atomic
def do_create_municipality(name, *, actor, team_visibility=False):
    municipality = Municipality.objects.create(name=name, team_visibility=team_visibility)
    record("municipality.create", actor=actor, obj=municipality, municipality=municipality)
    return municipality


@transaction.atomic
def do_change_municipality(municipality, *, actor, team_visibility):
    # Read the stored value: a bound ModelForm may already have changed the instance.
    old = Municipality.objects.values_list("team_visibility", flat=True).get(pk=municipality.pk)
    if old == team_visibility:
        return
    municipality.team_visibility = team_visibility
    municipality.save(update_fields=["team_visibility"])
    record(
        "municipality.change",
        actor=actor,
        obj=municipality,
        municipality=municipality,
        details={"team_visibility": [old, team_visibility]},
    )


@transaction.atomic
def do_create_user(municipality, username, *, actor, roles, password=None, first_name="", last_name="", email="",
                   active=True, password_hash=None):
    """Create a user with roles in one municipality. Without a password the user cannot
    log in; ``active=False`` makes a placeholder (an imported package's worker) that an
    administrator activates. Roles that break separation of duties are refused.
    ``password_hash``: a password already hashed by ``make_password`` (the demo's staff
    share one published password, hashed once)."""
    check_duties(roles)
    if password_hash is not None:
        if password:
            raise ValueError("a password or its hash, not both")
        identify_hasher(password_hash)  # ValueError for anything make_password did not write
    user = User(username=username, first_name=first_name, last_name=last_name, email=email, is_active=active)
    if password_hash is not None:
        user.password = password_hash
    elif password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    for role in sorted(roles):
        Membership.objects.create(user=user, municipality=municipality, role=role)
    record(
        "user.create",
        actor=actor,
        obj=user,
        municipality=municipality,
        details={"username": username, "roles": sorted(roles), **({} if active else {"active": False})},
    )
    return user


@transaction.atomic
def do_set_roles(user, municipality, roles, *, actor):
    """Replace the user's roles in one municipality; ends the user's sessions if they shrink.

    Refused (``RoleError``) when the actor would grant themselves a role, or when the
    account would hold administration and case work at once, here or across
    municipalities (SECURITY.md)."""
    old = {m.role for m in Membership.objects.filter(user=user, municipality=municipality)}
    new = set(roles)
    if old == new:
        return
    if actor is not None and actor.pk == user.pk and new - old:
        raise RoleError(self_grant_message())
    check_duties(new | _roles_elsewhere(user, municipality))
    Membership.objects.filter(user=user, municipality=municipality, role__in=old - new).delete()
    for role in sorted(new - old):
        Membership.objects.create(user=user, municipality=municipality, role=role)
    if old - new:
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    _drop_cache(user)
    record(
        "user.roles_change",
        actor=actor,
        obj=user,
        municipality=municipality,
        details={"username": user.username, "old": sorted(old), "new": sorted(new)},
    )


@transaction.atomic
def do_set_working_time(membership, fraction, *, actor):
    """Set a CTI worker's share of full time in one municipality (0.10–1.00), which the
    caseload cap is multiplied by (``evaluation.fidelity``)."""
    fraction = Decimal(fraction).quantize(Decimal("0.01"))
    if membership.role != Role.WORKER:
        raise ValueError("working time belongs to a CTI worker's membership")
    if not Decimal("0.10") <= fraction <= Decimal("1.00"):
        raise ValueError("working time must be between 0.10 and 1.00")
    old = Membership.objects.values_list("working_time", flat=True).get(pk=membership.pk)
    if old == fraction:
        return
    membership.working_time = fraction
    membership.save(update_fields=["working_time"])
    record("user.working_time_change", actor=actor, obj=membership.user, municipality=membership.municipality,
           details={"working_time": [str(old), str(fraction)]})


@transaction.atomic
def do_change_user(user, *, actor, municipality, first_name, last_name, email, is_active):
    changed = {}
    for field, value in (("first_name", first_name), ("last_name", last_name), ("email", email), ("is_active", is_active)):
        if getattr(user, field) != value:
            changed[field] = [getattr(user, field), value] if field == "is_active" else True
            setattr(user, field, value)
    if not changed:
        return
    if "is_active" in changed and not is_active:
        user.session_epoch += 1
    user.save()
    record("user.change", actor=actor, obj=user, municipality=municipality, details={"fields": changed})


@transaction.atomic
def do_set_password(user, password, *, actor):
    user.set_password(password)
    user.session_epoch += 1
    user.save(update_fields=["password", "session_epoch"])
    record("user.password_change", actor=actor, obj=user)


@transaction.atomic
def do_set_reminder_preferences(user, *, actor, frequency, language, team=False):
    values = {"reminder_frequency": frequency, "reminder_language": language, "reminder_team": team}
    changed = {name: [getattr(user, name), value] for name, value in values.items() if getattr(user, name) != value}
    if not changed:
        return
    for name, value in values.items():
        setattr(user, name, value)
    user.save(update_fields=list(values))
    record("user.reminders_change", actor=actor, obj=user, details={"changed": changed})


@transaction.atomic
def do_reset_second_factor(user, *, actor, municipality=None):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    record("user.totp_reset", actor=actor, obj=user, municipality=municipality)


@transaction.atomic
def do_confirm_totp_device(device, *, actor):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record("user.totp_enrol", actor=actor, obj=device.user)


@transaction.atomic
def do_logout_everywhere(user, *, actor):
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    record("user.logout_everywhere", actor=actor, obj=user)


@transaction.atomic
def record_login(user, *, method="password", details=None):
    """A completed login; ``method`` is ``password`` or the single sign-on protocol."""
    LoginFailure.objects.filter(username=user.username.casefold()).delete()
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    record("login", actor=user, details={"method": method, **(details or {})})


@transaction.atomic
def record_logout(user):
    record("logout", actor=user)


@transaction.atomic
def record_login_failure(username, ip, *, stage="password"):
    """A failed attempt: counted for lockout and written to the audit log."""
    LoginFailure.objects.create(username=username.casefold()[:150], ip=ip or "", at=timezone.now())
    user = User.objects.filter(username=username).first()
    record(
        "login_failed",
        actor=None,
        obj=user,
        actor_username=username[:150],
        details={"stage": stage},
    )


def is_locked_out(username, ip) -> bool:
    """True when the account name or the address has too many recent failures."""
    since = timezone.now() - timedelta(minutes=settings.OVERGANG_LOCKOUT_MINUTES)
    recent = LoginFailure.objects.recent(since)
    if recent.filter(username=username.casefold()).count() >= settings.OVERGANG_LOCKOUT_ACCOUNT_FAILURES:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= settings.OVERGANG_LOCKOUT_IP_FAILURES

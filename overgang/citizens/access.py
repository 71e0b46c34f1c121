"""The one door to citizens. Views never query ``Citizen`` themselves.

Rules (security.md, requirement 1):
- a citizen in a municipality where the user holds no role does not exist (404);
- the responsible worker reads and writes;
- another worker of the municipality reads only when the municipality allows team
  visibility, and never writes (403); otherwise 404;
- a project leader reads and never writes case content (403);
- evaluators and administrators see no citizen pages (404); an account holding the
  administrator role anywhere sees no case at all, whatever else it holds.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from overgang.accounts.models import Role
from overgang.citizens.models import Citizen


def get_citizen_for_user(request, code, *, write=False) -> Citizen:
    citizen = Citizen.objects.select_related("municipality", "worker").filter(code=code).first()
    if citizen is None:
        raise Http404
    authorize(request.user, citizen, write=write)
    return citizen


def authorize(user, citizen, *, write=False):
    """Raise 404 or 403 unless ``user`` may read (or, with ``write``, change) ``citizen``'s case.

    Other apps' access.py call this for objects that belong to a citizen, so the rules
    live in one place.
    """
    if user.is_administrator:
        # Separation of duties: an account that administers never sees case content,
        # even one that somehow holds a case role as well (SECURITY.md).
        raise Http404
    roles = user.roles_in(citizen.municipality_id)
    if Role.WORKER in roles and citizen.worker_id == user.pk:
        return
    if Role.LEADER in roles or (Role.WORKER in roles and citizen.municipality.team_visibility):
        if write:
            raise PermissionDenied
        return
    raise Http404


def can_write(user, citizen) -> bool:
    return (citizen.worker_id == user.pk and Role.WORKER in user.roles_in(citizen.municipality_id)
            and not user.is_administrator)


def can_read_notes(user, citizen) -> bool:
    """Free-text notes are for the responsible worker only, never a leader's view."""
    return can_write(user, citizen)


def caseload_for_user(user):
    """The citizens a user's overview lists: own caseload, plus the municipality for leaders."""
    if user.is_administrator:
        return Citizen.objects.none()
    led = user.municipalities_as(Role.LEADER)
    if led:
        return Citizen.objects.in_municipalities(led).select_related("worker", "municipality")
    return Citizen.objects.in_caseload_of(user).select_related("worker", "municipality")

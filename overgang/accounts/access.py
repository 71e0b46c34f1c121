"""The one door to municipalities and users for administrators.

A municipality or user outside the administrator's own municipalities is 404, so its
existence is not revealed.
"""

from django.http import Http404

from overgang.accounts.models import Membership, Municipality, Role, User


def get_municipality_for_admin(request, code) -> Municipality:
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        raise Http404
    if not request.user.has_role(Role.ADMIN, municipality):
        raise Http404
    return municipality


def get_user_for_admin(request, municipality, code) -> User:
    """A user who holds a role in a municipality the requester administers."""
    user = User.objects.filter(code=code, memberships__municipality=municipality).distinct().first()
    if user is None:
        raise Http404
    return user


def get_worker_membership_for_admin(request, municipality, code) -> Membership:
    """The CTI-worker role of a user in a municipality the requester administers (the
    one that carries the worker's working time); 404 for anyone else."""
    found = Membership.objects.select_related("user", "municipality").filter(
        user__code=code, municipality=municipality, role=Role.WORKER).first()
    if found is None:
        raise Http404
    return found


def users_of(municipality):
    return User.objects.filter(memberships__municipality=municipality).distinct().prefetch_related("memberships")

"""A system check for accounts made before separation of duties was enforced.

``overgang migrate`` (and ``overgang check --database default``) warns about every
account that holds the administrator role and a case role at once. Such an account sees
no case content (``citizens.access`` refuses it), but it should be split in two.
"""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database)
def administrators_with_case_roles(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from overgang.accounts.models import CASE_ROLES, Membership, Role

    try:
        admins = set(Membership.objects.filter(role=Role.ADMIN).values_list("user_id", flat=True))
        mixed = sorted(set(
            Membership.objects.filter(user_id__in=admins, role__in=CASE_ROLES).values_list("user__username", flat=True)
        ))
    except DatabaseError:  # not migrated yet
        return []
    return [
        Warning(
            f"The account {username!r} is an administrator and holds a case role: it sees no case content until "
            "one of the roles is removed (separation of duties).",
            id="overgang.W001",
        )
        for username in mixed
    ]

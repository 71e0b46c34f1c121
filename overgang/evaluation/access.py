"""Which municipalities' report a user may read, and how (style.md rule 3).

A project leader reads their municipality's report with small cells suppressed; an
evaluator reads the municipalities that granted them access, exactly (security.md). A
selection that mixes the two is shown suppressed. A municipality outside the user's
grants is a 404, as for any object that is not the user's.
"""

from django.http import Http404

from overgang.accounts.models import Role

REPORT_ROLES = (Role.LEADER, Role.EVALUATOR)


def granted_municipalities(user) -> list:
    """The municipalities in which ``user`` is a leader or an evaluator, by name."""
    found = {}
    for role in REPORT_ROLES:
        for municipality in user.municipalities_as(role):
            found[municipality.pk] = municipality
    return sorted(found.values(), key=lambda m: m.name)


def get_municipalities_for_user(user, codes) -> list:
    """The municipalities named by ``codes`` (all granted ones when empty); 404 when
    any of them is not granted to ``user``."""
    granted = granted_municipalities(user)
    if not codes:
        return granted
    by_code = {str(m.code): m for m in granted}
    chosen = []
    for code in codes:
        municipality = by_code.get(str(code))
        if municipality is None:
            raise Http404
        if municipality not in chosen:
            chosen.append(municipality)
    return chosen


def sees_exact_numbers(user, municipalities) -> bool:
    """Exact numbers only when the user is an evaluator of every municipality shown."""
    return bool(municipalities) and all(user.has_role(Role.EVALUATOR, m) for m in municipalities)

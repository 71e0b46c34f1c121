"""Every item and code the report's own definitions name, by where it is read from.

The report may name items and codes — "income includes code 1" is a definition of
evaluation.md, not of the codebook — but only here are they listed, so that
``tests/test_vocabulary.py`` can hold each of them against the codebook (a renamed item
or a retired code fails loudly instead of silently counting nothing) and hold the
evaluation's code against this list (an item named in the code must be listed here).
What an item *means* — its labels, missing codes, type, the WHO-5 items and the star's
dimensions (``scores``) — is never restated: it is read from the codebook.

The list also tells the loader which sealed answers the report needs (``sealed_needs``):
only those records are decrypted, and only for the roles that read them.
"""

from __future__ import annotations

#: Where the report reads a record: role → the instruments it is a record of. The
#: start CTI record is the course's ``cti_start``, or its first phase-1 ``cti_ongoing``.
ROLES = {
    "registration": ("registration",),
    "star": ("star",),
    "start": ("cti_start", "cti_ongoing"),
    "ongoing": ("cti_ongoing",),
    "end": ("cti_end",),
    "not_started": ("not_started",),
}

_THEME_RATINGS = {
    "mental_problems": {1, 2, 3, 4}, "employment": {1, 2, 3, 4, 5, 6, 7, 8}, "debt": {1},
    "income": {1, 2, 3, 4, 5, 6, 7, 8, 9}, "activities_wish": {1, 2}, "housing_cost_difficulty": {1, 2, 3, 4},
    "home_functions_difficulty": {1, 2}, "network_lacking": {1, 2, 3, 4}, "physical_limits": {1, 2},
    "substance": {1, 5},
}

_HOURS = {name: set() for name in ("hours_practical", "hours_social_support", "hours_coordination", "hours_transport",
                                   "hours_sparring", "hours_other_activities")}

#: role → item → the codes the report names (empty: only the value is read).
NAMES: dict[str, dict[str, set]] = {
    "registration": {
        "goal": {1, 2}, "gender": {1, 2, 3}, "citizenship": {1, 2}, "first_paid": {1, 2, 3, 4, 5, 6, 7, 8},
        "last_paid": {1, 2, 3, 4, 5, 6, 7, 8}, "arenas": {1, 2, 3, 4, 5, 6, 7}, "payment": {1, 2, 3, 4, 5, 6},
        "school_edu": {1, 2, 3, 4, 5}, "voc_edu": {1, 2, 3, 4, 5, 6}, "birth_date": set(),
    },
    "star": {
        "possible": {1}, "time_point": {1, 2, 3, 4, 5, 6, 7}, "paid_last_month": {1, 2}, "considered": {1, 2},
        "paid_motives": {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
        "paid_trend": set(),  # only its missing codes, echoed by definitions.py
    },
    "start": {
        **_THEME_RATINGS,
        "debt_public": {1}, "debt_consumer": {1}, "debt_bank": {1}, "debt_partner": {1},
        "debt_friends_family": {1}, "debt_others": {1}, "debt_prostitution_milieu": {1},
        "debt_substance_milieu": {1},
        "mental_challenges": {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, "mental_treatment": {1},
        "physical_longterm": {1},
        "substance_cannabis": {1, 2, 3}, "substance_hard_drugs": {1, 2, 3}, "substance_alcohol": {1, 2, 3},
        "partner": {1}, "children": {1}, "child1_lives_with": {1, 2, 3, 4},
        "knows_partner": {1}, "knows_siblings": {1}, "knows_parents": {1}, "knows_children": {1},
        "knows_other_family": {1}, "knows_friends": {1},
        "need_economy": {2, 3, 4}, "need_housing": {2, 3, 4}, "need_network": {2, 3, 4}, "need_mental": {2, 3, 4},
        "need_physical": {2, 3, 4}, "need_substance": {2, 3, 4}, "need_employment": {2, 3, 4},
        "need_daily": {2, 3, 4},
        "contact_route": {1, 2, 3, 4, 5, 6, 7, 99}, "phase": {1},
        # Chapter 5 (chapter5.py): Table 5.2.
        "contact_activities": {1}, "contact_activity_types": {1, 4, 5, 6, 7},
    },
    "ongoing": {
        "phase": {1, 2, 3, 4, 5}, "months": set(), "meeting_frequency": {1, 2, 3, 4, 5}, "plan_exists": {1},
        "plan_citizen_took_part": {1}, "plan_agreements": {1}, "plan_evaluated": {1}, "plan_adjusted": {1},
        "plan_needs_met": {1, 2, 3, 4},
        # Chapter 5 (chapter5.py): Figures 5.1 and 5.2, Table 5.3, the hours per kind.
        "dimensions_worked": {0, 9}, "activity_types": {0, 12}, "offers": set(), **_HOURS,
    },
    "end": {**_THEME_RATINGS, "months": set(), "end_reasons": {1, 2, 3, 4, 5, 6, 7, 8}, **_HOURS},
    "not_started": {"gender": {1, 2, 3}, "citizenship": {1}, "citizenship_dual": {1}, "referred_on": {1},
                    "contact_resumed": {2}},
}


def named() -> list[tuple[str, str, frozenset]]:
    """(role, item, codes) for every item the report names."""
    return [(role, item, frozenset(codes)) for role, items in NAMES.items() for item, codes in items.items()]


def sealed_needs(role: str, codebooks) -> frozenset[str]:
    """The items the report reads in ``role`` that the role's instruments store sealed
    (free text excluded: no statistic reads it). Empty: nothing of that role is ever
    decrypted for the report."""
    wanted = set(NAMES[role])
    sealed = set()
    for instrument in ROLES[role]:
        if instrument in codebooks:
            book = codebooks[instrument]
            sealed |= {name for name in book.sealed_names if book.has_item(name)
                       and not book.item(name).handler.free_text}
    return frozenset(wanted & sealed)

"""Chapter 4 (and Table 5.1): who the citizens are, at the start of their courses.

Pure functions on a cohort. Every table is a list of rows; each row is a share over the
valid answers of one item (sfi-analyses.md §2.4: 88, 99 and missing are not in the
denominator), so every row carries its own N, as SFI's notes do. The unit is the started
course; registration items are the course's citizen's latest registration, CTI items the
course's start CTI record (the phase-1 ongoing form standing in, §2.3).
"""

from __future__ import annotations

import datetime as dt

from overgang.evaluation.cohort import code, codes
from overgang.evaluation.measures import share, share_of_answers, z_p

# (row key, item, success codes); a table is a list of these over one source.
T4_5_GENDER = [("female", "gender", {1}), ("male", "gender", {2}), ("trans", "gender", {3})]
T4_6 = [
    ("debut_over4y", "first_paid", {6, 7, 8}), ("debut_1_4y", "first_paid", {4, 5}), ("debut_under1y", "first_paid", {1, 2, 3}),
    ("last_over2y", "last_paid", {5, 6, 7, 8}), ("last_1_2y", "last_paid", {4}), ("last_under1y", "last_paid", {1, 2, 3}),
]
T4_7 = [(f"arena_{c}", "arenas", {c}) for c in (1, 5, 2, 3, 6, 4, 7)] + [
    (f"payment_{c}", "payment", {c}) for c in (1, 2, 4, 5, 6, 3)
]
T4_8 = [
    ("female", "gender", {1}), ("male", "gender", {2}), ("trans", "gender", {3}),
    ("danish", "citizenship", {1}), ("other_citizenship", "citizenship", {2}),
]
AGE_GROUPS = (("age_under18", None, 17), ("age_18_25", 18, 25), ("age_26_30", 26, 30), ("age_31_35", 31, 35), ("age_36_40", 36, 40),
              ("age_41_50", 41, 50), ("age_over50", 51, None))
T4_9 = [
    ("school_0_6", "school_edu", {1, 2}), ("school_7_10", "school_edu", {3}), ("school_upper", "school_edu", {4, 5}),
    ("voc_none", "voc_edu", {1}), ("voc_vocational", "voc_edu", {2}), ("voc_higher", "voc_edu", {3, 4, 5, 6}),
]
T4_10 = [(f"income_{c}", "income", {c}) for c in (5, 1, 6, 3, 2, 4, 7, 8, 9)] + [
    ("unemployed", "employment", {5}), ("sick_outside", "employment", {6, 8}), ("activation", "employment", {3, 4}),
    ("education", "employment", {7}), ("employed", "employment", {1, 2}),
]
DEBT_TYPES = [
    ("debt_public", ("debt_public",)), ("debt_consumer", ("debt_consumer",)), ("debt_bank", ("debt_bank",)),
    ("debt_private", ("debt_partner", "debt_friends_family", "debt_others")),
    ("debt_milieu", ("debt_prostitution_milieu", "debt_substance_milieu")),
]
FIG4_1 = [(f"level_{c}", "housing_cost_difficulty", {c}) for c in (1, 2, 3, 4)]
FIG4_2 = [(f"level_{c}", "network_lacking", {c}) for c in (1, 2, 3, 4)]
T4_12 = [("mental_high_some", "mental_problems", {1, 2}), ("mental_little_none", "mental_problems", {3, 4})] + [
    (f"challenge_{c}", "mental_challenges", {c}) for c in (2, 1, 5, 4, 11, 9, 10, 7, 6, 3, 8, 12)
] + [("mental_treatment", "mental_treatment", {1}), ("physical_longterm", "physical_longterm", {1})]
T4_13_SUB = [("cannabis", "substance_cannabis", {1, 2, 3}), ("hard_drugs", "substance_hard_drugs", {1, 2, 3}),
             ("alcohol", "substance_alcohol", {1, 2, 3})]
KNOWS = ("knows_friends", "knows_partner", "knows_parents", "knows_siblings", "knows_children", "knows_other_family")
T4_15 = [("goal_exit", "goal", {1}), ("goal_life", "goal", {2})]
NEEDS = ("need_mental", "need_employment", "need_economy", "need_daily", "need_housing", "need_network",
         "need_physical", "need_substance")
T5_1 = [("ngo", {1}), ("municipal", {4, 6}), ("kc", {2}), ("self", {5}), ("unknown", {99}), ("other", {3, 7})]
END_REASONS = (8, 5, 1, 4, 6, 3, 2, 7)


def rows(forms, specs) -> dict:
    return {key: share_of_answers(forms, item, success) for key, item, success in specs}


def _age(birth, start):
    try:
        born = dt.date.fromisoformat(birth)
    except (TypeError, ValueError):
        return None
    return start.year - born.year - ((start.month, start.day) < (born.month, born.day))


def age_rows(cohort) -> dict:
    ages = []
    for course, unit in cohort.courses.items():
        birth = cohort.registration_of_course(course).get("birth_date")
        age = _age(birth, unit.start) if birth else None
        if age is not None:
            ages.append(age)
    out = {}
    for key, low, high in AGE_GROUPS:
        hits = sum(1 for a in ages if (low is None or a >= low) and (high is None or a <= high))
        out[key] = share(hits, len(ages))
    return out


def debt(starts) -> dict:
    out = {"has_debt": share_of_answers(starts, "debt", {1})}
    with_debt = [a for a in starts if code(a, "debt") == 1]
    meaning = starts.meaning
    for key, items in DEBT_TYPES:
        n = hits = 0
        for answers in with_debt:
            values = [code(answers, item) for item in items]
            if not any(meaning.valid(item, v) for item, v in zip(items, values)):
                continue
            n += 1
            hits += any(v == 1 for v in values)
        out[key] = share(hits, n)
    return out


def family(starts) -> dict:
    out = {
        "partner": share_of_answers(starts, "partner", {1}),
        "children": share_of_answers(starts, "children", {1}),
    }
    with_children = starts.meaning.forms(a for a in starts if code(a, "children") == 1)
    out["youngest_lives_with"] = share_of_answers(with_children, "child1_lives_with", {1, 2, 3})
    out["youngest_not_with"] = share_of_answers(with_children, "child1_lives_with", {4})
    for item in KNOWS:
        out[item] = share_of_answers(starts, item, {1})
    return out


def not_started_table(contacts) -> dict:
    """Table 4.5 as instruments.md §10 maps it: gender over valid answers; citizenship and
    referral over every contact ("Andet / ukendt" takes an unanswered citizenship, "Nej,
    eller ikke angivet" every contact not referred on and not free to come back).
    ``contacts`` is a ``Forms``."""
    out = rows(contacts, T4_5_GENDER)
    n = len(contacts)
    danish = sum(1 for a in contacts if code(a, "citizenship") == 1 and code(a, "citizenship_dual") != 1)
    dual = sum(1 for a in contacts if code(a, "citizenship") == 1 and code(a, "citizenship_dual") == 1)
    referred = sum(1 for a in contacts if code(a, "referred_on") == 1 or code(a, "contact_resumed") == 2)
    out["danish"] = share(danish, n)
    out["danish_other"] = share(dual, n)
    out["other_citizenship"] = share(n - danish - dual, n)
    out["referred"] = share(referred, n)
    out["not_referred"] = share(n - referred, n)
    return out


def contact_route(starts) -> dict:
    values = [code(a, "contact_route") for a in starts]
    values = [v for v in values if v is not None]
    return {key: share(sum(1 for v in values if v in success), len(values)) for key, success in T5_1}


def end_reasons(cohort) -> dict:
    """Table 4.3: the reasons of courses ended before their planned length (SFI: before 12
    months, i.e. after at most 11)."""
    early = [a for c, a in cohort.end_forms.items()
             if code(a, "months") is not None and code(a, "months") < cohort.courses[c].months]
    answered = [codes(a, "end_reasons") for a in early]
    answered = [v for v in answered if cohort.meaning.valid("end_reasons", v)]
    out = {"n": len(answered), "ended_before12": len(early), "codes": {}}
    for reason in END_REASONS:
        out["codes"][str(reason)] = share(sum(1 for v in answered if reason in v), len(answered))
    return out


def attrition_profile(cohort, groups) -> dict:
    """Table 4.4: characteristics of courses ended before month 10 vs from month 10."""
    specs = [
        ("female", "registration", "gender", {1}), ("male", "registration", "gender", {2}),
        ("trans", "registration", "gender", {3}),
        ("danish", "registration", "citizenship", {1}), ("other_citizenship", "registration", "citizenship", {2}),
        ("goal_exit", "registration", "goal", {1}), ("goal_life", "registration", "goal", {2}),
        ("school_basic", "registration", "school_edu", {1, 2, 3}), ("school_upper", "registration", "school_edu", {4, 5}),
        ("sex_income", "start", "income", {1}), ("substance", "start", "substance", {1}),
    ]
    members = {"before10": [], "from10": []}
    for course, group in groups.items():
        members[group].append(course)
    sources = {
        (group, "registration"): cohort.forms(cohort.registration_of_course(c) for c in courses)
        for group, courses in members.items()
    }
    sources.update({
        (group, "start"): cohort.forms(cohort.start_forms[c] for c in courses if c in cohort.start_forms)
        for group, courses in members.items()
    })
    out = {}
    for key, source, item, success in specs:
        row = {}
        for group in members:
            row[group] = share_of_answers(sources[(group, source)], item, success)
        row["p"] = z_p(row["before10"], row["from10"])
        out[key] = row
    return out


def by_municipality(cohort) -> dict:
    out = {}
    for unit in cohort.courses.values():
        name = cohort.municipalities.get(cohort.citizens.get(unit.citizen), "?")
        row = out.setdefault(name, {"ended": 0, "active": 0, "total": 0})
        if unit.status in ("ended", "active"):
            row[unit.status] += 1
        row["total"] += 1
    return dict(sorted(out.items()))


def descriptives(cohort, groups) -> dict:
    registrations = cohort.forms(cohort.registration_of_course(c) for c in cohort.courses)
    starts = cohort.forms(cohort.start_forms[c] for c in cohort.courses if c in cohort.start_forms)
    goal_life = cohort.forms(r for r in registrations if code(r, "goal") == 2)
    substance_yes = cohort.forms(a for a in starts if code(a, "substance") == 1)
    return {
        "table_4_1": by_municipality(cohort),
        "table_4_3": end_reasons(cohort),
        "table_4_4": attrition_profile(cohort, groups),
        "table_4_5": not_started_table(cohort.forms(cohort.not_started)),
        "table_4_6": rows(registrations, T4_6),
        "table_4_7": rows(registrations, T4_7),
        "table_4_8": {**rows(registrations, T4_8), **age_rows(cohort)},
        "table_4_9": rows(registrations, T4_9),
        "table_4_10": rows(starts, T4_10),
        "table_4_11": debt(starts),
        "figure_4_1": rows(starts, FIG4_1),
        "table_4_12": rows(starts, T4_12),
        "table_4_13": {"substance": share_of_answers(starts, "substance", {1}), **rows(substance_yes, T4_13_SUB)},
        "figure_4_2": rows(starts, FIG4_2),
        "table_4_14": family(starts),
        "table_4_15": {
            **rows(registrations, T4_15),
            "life_not_paid_last_year": share_of_answers(goal_life, "last_paid", {4, 5, 6, 7, 8}),
        },
        "table_4_16": {item: share_of_answers(starts, item, {2, 3, 4}) for item in NEEDS},
        "table_5_1": contact_route(starts),
    }


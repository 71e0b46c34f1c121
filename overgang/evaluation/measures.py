"""The report's measures (chapters 3, 6 and 7) from a cohort, as the JSON contract's shapes.

Pure functions: a ``cohort.Cohort`` and ``Definitions`` in, plain dicts out, with every
key of evaluation.md's contract present — a measure without data has ``n: 0`` and
``None`` values. The statistics are ``stats.py``'s; this module only chooses the
populations (sfi-analyses.md §2, §6; cti-method.md §2). Every count counts courses, as
evaluation.md's Fine print says, except ``counts.citizens``.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from overgang.evaluation import stats
from overgang.evaluation.cohort import Forms, code, default_course_months, number, point_stars

POINTS = ("start", "phase1", "phase2", "phase3", "end")
LATER_POINTS = POINTS[1:]
PROGRESSION_CLASSES = ("regression", "no_change", "moderate", "large")

#: Table 6.4: key → (item, codes that are "a problem").
STAFF_RATINGS = {
    "mental_problems": ("mental_problems", {1, 2}),
    "out_of_work": ("employment", {5, 6, 8}),
    "debt": ("debt", {1}),
    "sex_income": ("income", {1}),
    "activities_wish": ("activities_wish", {1, 2}),
    "housing_cost": ("housing_cost_difficulty", {1, 2}),
    "home_functions": ("home_functions_difficulty", {1, 2}),
    "network_lacking": ("network_lacking", {1, 2}),
    "physical_limits": ("physical_limits", {1, 2}),
    "substance": ("substance", {1}),
}


# ---------------------------------------------------------------------------- small helpers


def summary(values) -> dict:
    """{"n", "mean", "sd"} of clean numbers: ``stats.mean_of`` (sample SD, None below two
    values; whole numbers summed exactly)."""
    return stats.mean_of(values).to_dict()


def t_p(a: dict, b: dict):
    """The pooled t-test p of two ``summary`` dicts (stats.ttest_from_summary)."""
    return stats.ttest_from_summary(a["mean"], a["sd"], a["n"], b["mean"], b["sd"], b["n"]).p


def share(count, n) -> dict:
    return stats.share(count, n).to_dict()


def z_p(a: dict, b: dict):
    return stats.two_proportion_ztest(a["count"], a["n"], b["count"], b["n"]).p


def share_of_answers(forms: Forms, item, success) -> dict:
    """Share of the valid answers to ``item`` (single or multiple choice) that hit
    ``success``: ``stats.share_of_counts`` over the parsed column; the item's missing
    codes (codebook) and unanswered are not in n."""
    return stats.share_of_counts(forms.column(item), success, missing=forms.meaning.missing(item)).to_dict()


# ---------------------------------------------------------------------------- counts


def counts(cohort, points) -> dict:
    courses = cohort.courses.values()
    return {
        "citizens": len(cohort.citizens),
        "courses_started": len(cohort.courses),
        "courses_ended": sum(1 for c in courses if c.status == "ended"),
        "courses_active": sum(1 for c in courses if c.status == "active"),
        "end_forms": len(cohort.end_forms),
        "not_started": len(cohort.not_started),
        "start_cti_records": len(cohort.start_forms),
        "ongoing_forms": {p: len(cohort.ongoing.get(c, {})) for p, c in (("phase1", 1), ("phase2", 3), ("phase3", 5))},
        "stars": {p: len(points[p]) for p in POINTS},
        "registrations": len(cohort.registrations),
        "stars_all_points": sum(len(bucket) for bucket in cohort.stars.values()),
        "stars_transitions": {"t1_2": len(cohort.star_at(3)), "t2_3": len(cohort.star_at(5))},
        "municipalities": len(cohort.municipalities),
    }


# ---------------------------------------------------------------------------- WHO-5


def who5(points, d) -> dict:
    values = {p: [s.who5 for s in points[p].values() if s.who5 is not None] for p in POINTS}
    by_point = {}
    for p in POINTS:
        s = summary(values[p])
        risk = sum(1 for v in values[p] if d.at_risk(v))
        depression = sum(1 for v in values[p] if d.likely_depression(v))
        n = s["n"]
        by_point[p] = {
            "n": n, "mean": s["mean"], "sd": s["sd"],
            "at_risk": risk / n if n else None, "at_risk_count": risk,
            "depression": depression / n if n else None, "depression_count": depression,
        }
    start, end = by_point["start"], by_point["end"]
    mean_p = t_p(summary(values["start"]), summary(values["end"]))
    at_risk_p = stats.two_proportion_ztest(start["at_risk_count"], start["n"], end["at_risk_count"], end["n"]).p
    depression_p = stats.two_proportion_ztest(
        start["depression_count"], start["n"], end["depression_count"], end["n"]
    ).p
    pairs = _pairs(points, "who5")
    balanced_start = summary(a for a, _b in pairs["end"])
    balanced_end = summary(b for _a, b in pairs["end"])
    improved = {}
    for p in LATER_POINTS:
        hits = sum(1 for a, b in pairs[p] if d.improved(a, b))
        out = share(hits, len(pairs[p]))
        out["p_vs_zero"] = stats.one_proportion_ztest(hits, len(pairs[p]), 0).p
        improved[p] = out
    return {
        "by_point": by_point,
        "start_vs_end": {"mean_p": mean_p, "at_risk_p": at_risk_p, "depression_p": depression_p},
        "balanced": {
            "n": balanced_start["n"], "start_mean": balanced_start["mean"], "end_mean": balanced_end["mean"],
            "p": t_p(balanced_start, balanced_end),
        },
        "improved": improved,
    }


def _pairs(points, attribute) -> dict:
    """Per later point: (start value, value) of the courses with both."""
    start = {c: getattr(s, attribute) for c, s in points["start"].items() if getattr(s, attribute) is not None}
    out = {}
    for p in LATER_POINTS:
        out[p] = [
            (start[c], getattr(s, attribute))
            for c, s in points[p].items()
            if c in start and getattr(s, attribute) is not None
        ]
    return out


# ---------------------------------------------------------------------------- the star


def star(points, d, dimensions) -> dict:
    means = {p: [s.mean for s in points[p].values() if s.mean is not None] for p in POINTS}
    summaries = {p: summary(float(m) for m in means[p]) for p in POINTS}
    by_point = {
        p: {
            "n": summaries[p]["n"], "mean": summaries[p]["mean"], "sd": summaries[p]["sd"],
            "incomplete": sum(1 for s in points[p].values() if s.mean is not None and s.n_dims < d.star_min_dimensions),
        }
        for p in POINTS
    }
    # One column per dimension and point, transposed in C rather than indexed per star.
    columns = {p: list(zip(*(s.dims for s in points[p].values()))) or [()] * len(dimensions) for p in POINTS}
    by_dimension = {}
    for i, name in enumerate(dimensions):
        per_point = {p: summary([v for v in columns[p][i] if v is not None]) for p in POINTS}
        by_dimension[name] = {
            "start_n": per_point["start"]["n"], "start_mean": per_point["start"]["mean"],
            "end_n": per_point["end"]["n"], "end_mean": per_point["end"]["mean"],
            "p": t_p(per_point["start"], per_point["end"]),
            "by_point": {p: {"n": v["n"], "mean": v["mean"]} for p, v in per_point.items()},
        }
    pairs = _pairs(points, "exact_mean")
    classes: dict = {}
    progression = {}
    for p in LATER_POINTS:
        tally = dict.fromkeys(PROGRESSION_CLASSES, 0)
        for (sa, na), (sb, nb) in pairs[p]:
            # Δ = sb/nb − sa/na exactly (evaluation.md Fine print), classified once per value.
            key = (sb * na - sa * nb, na * nb)
            found = classes.get(key)
            if found is None:
                found = classes[key] = d.progression_class(Fraction(*key))
            tally[found] += 1
        n = len(pairs[p])
        progression[p] = {
            "n": n, **{k: (v / n if n else None) for k, v in tally.items()},
            "counts": tally,
            "large_p_vs_zero": stats.one_proportion_ztest(tally["large"], n, 0).p,
            "moderate_or_large": (tally["moderate"] + tally["large"]) / n if n else None,
        }
    return {
        "by_point": by_point,
        "start_vs_end": {"mean_p": t_p(summaries["start"], summaries["end"])},
        "dimensions": by_dimension,
        "progression": progression,
    }


# ---------------------------------------------------------------------------- prostitution


def paid(points) -> tuple[dict, dict]:
    last_month, or_considered = {}, {}
    for p in POINTS:
        n = hits = n2 = hits2 = 0
        for s in points[p].values():
            if s.paid in (1, 2):
                n += 1
                hits += s.paid == 1
            if s.paid == 1:
                n2 += 1
                hits2 += 1
            elif s.paid == 2 and s.considered in (1, 2):
                n2 += 1
                hits2 += s.considered == 1
        last_month[p] = share(hits, n)
        or_considered[p] = share(hits2, n2)
    return (
        {"by_point": last_month, "start_vs_end": {"p": z_p(last_month["start"], last_month["end"])}},
        {"by_point": or_considered, "start_vs_end": {"p": z_p(or_considered["start"], or_considered["end"])}},
    )


def motives(cohort) -> dict:
    """Table 6.1: motives over every star (any point) with ``paid_last_month`` = 1."""
    stars = [s for bucket in cohort.stars.values() for s in bucket.values() if s.paid == 1]
    answered = [s for s in stars if cohort.meaning.valid("paid_motives", s.motives)]
    n = len(answered)
    out = {"n": n, "stars_paid": len(stars), "courses": len({s.course for s in answered}), "codes": {}}
    tally = Counter(value for s in answered for value in set(s.motives))
    for value in range(1, 12):
        out["codes"][str(value)] = share(tally[value], n)
    return out


# ---------------------------------------------------------------------------- attrition


def course_length(cohort, d) -> dict:
    """Table 4.2: end forms by ``cti_end.months``, grouped by each course's planned length
    (``definitions.course_length_bounds``). ``course_months``: the planned lengths of the
    started courses (the report words its groups by them)."""
    out = dict.fromkeys(d.course_length_groups, 0)
    without = 0
    for course, answers in cohort.end_forms.items():
        group = d.course_length_group(code(answers, "months"), cohort.courses[course].months)
        if group is None:
            without += 1
        else:
            out[group] += 1
    out["end_forms"] = len(cohort.end_forms)
    out["ended"] = sum(1 for c in cohort.courses.values() if c.status == "ended")
    out["without_months"] = without
    out["course_months"] = sorted({c.months for c in cohort.courses.values()}) or [default_course_months()]
    return out


def dropout_groups(cohort, d) -> dict:
    """course → ``before10`` / ``from10`` (courses with an end form giving ``months``)."""
    out = {}
    for course, answers in cohort.end_forms.items():
        group = d.dropout_group(code(answers, "months"), cohort.courses[course].months)
        if group:
            out[course] = group
    return out


def dropout(cohort, points, d, groups) -> dict:
    start_who5 = {c: s.who5 for c, s in points["start"].items() if s.who5 is not None}
    out = {}
    members = {"before10": [], "from10": [], "all": list(cohort.courses)}
    for course, group in groups.items():
        members[group].append(course)
    for name, courses in members.items():
        who = summary(start_who5[c] for c in courses if c in start_who5)
        ends = cohort.end_forms if name == "all" else {c: cohort.end_forms[c] for c in courses if c in cohort.end_forms}
        out[name] = {
            "courses": len(courses),
            "who5_start_n": who["n"], "who5_start_mean": who["mean"], "who5_start_sd": who["sd"],
            "sex_income_start": share_of_answers(
                cohort.forms(cohort.start_forms[c] for c in courses if c in cohort.start_forms), "income", {1}
            ),
            "sex_income_end": share_of_answers(cohort.forms(ends.values()), "income", {1}),
        }
    b, f = out["before10"], out["from10"]
    out["who5_start_p"] = stats.ttest_from_summary(
        b["who5_start_mean"], b["who5_start_sd"], b["who5_start_n"],
        f["who5_start_mean"], f["who5_start_sd"], f["who5_start_n"],
    ).p
    out["sex_income_start_p"] = z_p(b["sex_income_start"], f["sex_income_start"])
    out["sex_income_end_p"] = z_p(b["sex_income_end"], f["sex_income_end"])
    return out


def staff_ratings(cohort, groups) -> dict:
    starts = cohort.forms(cohort.start_forms.values())
    ends = cohort.forms(a for c, a in cohort.end_forms.items() if groups.get(c) == "from10")
    out = {}
    for key, (item, success) in STAFF_RATINGS.items():
        start = share_of_answers(starts, item, success)
        end = share_of_answers(ends, item, success)
        out[key] = {"start": start, "end_from10": end, "p": z_p(start, end)}
    return out


def attrition_who5(cohort, points) -> dict:
    """Figure 6.8: WHO-5 by point for retained (start and end index), dropped out (ended
    without a star at phase 3 or the end) and all courses with an index."""
    with_index = {p: {c: s.who5 for c, s in points[p].items() if s.who5 is not None} for p in POINTS}
    retained = set(with_index["start"]) & set(with_index["end"])
    late = set(cohort.star_at(6)) | set(points["end"])
    dropped = {c for c, u in cohort.courses.items() if u.status == "ended" and c not in late}
    everyone = set().union(*(set(v) for v in with_index.values()))
    out = {}
    groups = {"retained": retained, "dropped": dropped, "all": everyone}
    summaries = {}
    for name, members in groups.items():
        summaries[name] = {p: summary(v for c, v in with_index[p].items() if c in members) for p in POINTS}
        out[name] = {
            "courses": len(members),
            **{p: {"n": s["n"], "mean": s["mean"]} for p, s in summaries[name].items()},
        }
    out["p"] = {p: t_p(summaries["retained"][p], summaries["dropped"][p]) for p in POINTS}
    return out


# ---------------------------------------------------------------------------- chapter 7


def fidelity(cohort, d) -> dict:
    ongoing = cohort.ongoing
    transition = {}
    for key, phase_code in (("phase2", 2), ("phase3", 4)):
        values = [number(a, "months") for a in ongoing.get(phase_code, {}).values()]
        s = summary(v for v in values if v is not None)
        transition[key] = {"n": s["n"], "mean": s["mean"], "sd": s["sd"]}
    meetings = {}
    for key, phase_code in d.ongoing_phase_codes.items():
        forms = cohort.forms(ongoing.get(phase_code, {}).values())
        result = share_of_answers(forms, "meeting_frequency", {1, 2, 3})
        distribution = {str(v): 0 for v in range(1, 6)}
        for a in forms:
            value = code(a, "meeting_frequency")
            if value is not None and str(value) in distribution:
                distribution[str(value)] += 1
        meetings[key] = {**result, "distribution": distribution}
    phase1 = cohort.forms(ongoing.get(1, {}).values())
    phase2 = cohort.forms(ongoing.get(3, {}).values())
    with_plan1 = cohort.forms(a for a in phase1 if code(a, "plan_exists") == 1)
    with_plan2 = cohort.forms(a for a in phase2 if code(a, "plan_exists") == 1)
    needs = {str(v): 0 for v in range(1, 5)}
    for a in with_plan2:
        value = code(a, "plan_needs_met")
        if value is not None and str(value) in needs:
            needs[str(value)] += 1
    plan = {
        "exists": share_of_answers(phase1, "plan_exists", {1}),
        "citizen_took_part": share_of_answers(with_plan1, "plan_citizen_took_part", {1}),
        "agreements": share_of_answers(with_plan1, "plan_agreements", {1}),
        "evaluated": share_of_answers(with_plan2, "plan_evaluated", {1}),
        "adjusted": share_of_answers(with_plan2, "plan_adjusted", {1}),
        "needs_met": {**share_of_answers(with_plan2, "plan_needs_met", {1, 2}), "distribution": needs},
    }
    return {"transition_month": transition, "weekly_meetings": meetings, "plan": plan}


def subgroups(cohort, points, d) -> dict:
    start_who5 = {c: s.who5 for c, s in points["start"].items() if s.who5 is not None}

    def substance(course):
        value = code(cohort.start_forms.get(course, {}), "substance")
        return {1: "yes", 5: "no"}.get(value)

    def active(course):
        value = code(cohort.registration_of_course(course), "last_paid")
        if value in (1, 2):
            return "yes"
        return "no" if value is not None and 3 <= value <= 8 else None

    def at_risk(course):
        value = start_who5.get(course)
        return None if value is None else ("yes" if d.at_risk(value) else "no")

    out = {}
    for key, classify in (("substance_at_start", substance), ("active_6m", active), ("who5_at_risk", at_risk)):
        membership = {c: classify(c) for c in cohort.courses}
        values = {"yes": {p: [] for p in POINTS}, "no": {p: [] for p in POINTS}}
        for p in POINTS:
            for c, s in points[p].items():
                group = membership.get(c)
                if group is not None and s.who5 is not None:
                    values[group][p].append(s.who5)
        sums = {group: {p: summary(values[group][p]) for p in POINTS} for group in ("yes", "no")}
        result = {
            group: {
                "courses": sum(1 for g in membership.values() if g == group),
                **{p: {"n": s["n"], "mean": s["mean"]} for p, s in sums[group].items()},
            }
            for group in ("yes", "no")
        }
        result["start_p"] = t_p(sums["yes"]["start"], sums["no"]["start"])
        result["end_p"] = t_p(sums["yes"]["end"], sums["no"]["end"])
        result["yes_p"] = t_p(sums["yes"]["start"], sums["yes"]["end"])
        result["no_p"] = t_p(sums["no"]["start"], sums["no"]["end"])
        out[key] = result
    return out


# ---------------------------------------------------------------------------- all of it


def measures(cohort, d) -> dict:
    points = point_stars(cohort, d)
    groups = dropout_groups(cohort, d)
    paid_last_month, paid_or_considered = paid(points)
    return {
        "counts": counts(cohort, points),
        "who5": who5(points, d),
        "star": star(points, d, cohort.meaning.dimensions),
        "paid_last_month": paid_last_month,
        "paid_or_considered": paid_or_considered,
        "motives": motives(cohort),
        "course_length": course_length(cohort, d),
        "dropout": dropout(cohort, points, d, groups),
        "staff_ratings": staff_ratings(cohort, groups),
        "attrition": attrition_who5(cohort, points),
        "fidelity": fidelity(cohort, d),
        "subgroups": subgroups(cohort, points, d),
    }


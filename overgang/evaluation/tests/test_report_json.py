"""The JSON report on cohorts whose every number is known by construction.

References beside each expectation: hand computations (written out) and, for the
tests, scipy ``ttest_ind`` and statsmodels ``proportions_ztest`` (style.md rule 14).
"""

import json
import math

import pytest
from scipy.stats import ttest_ind
from statsmodels.stats.proportion import proportions_ztest

from overgang.evaluation import report_json
from overgang.evaluation.definitions import Definitions
from overgang.evaluation.reports import Filters

from . import cohorts

POINTS = ("start", "phase1", "phase2", "phase3", "end")
NONE_SHARE = {"n": 0, "count": 0, "share": None}


def t(a, b):
    return float(ttest_ind(a, b).pvalue)


def z(c1, n1, c2, n2):
    return float(proportions_ztest([c1, c2], [n1, n2])[1])


def matches(actual, expected, path="report"):
    """Every key of ``expected`` is in ``actual`` with the same value (floats approx)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing"
            matches(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-9, abs=1e-12), path
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


# The contract of evaluation.md: every key, for every report.
CONTRACT = {
    "format": None, "generated_at": None, "filters": None,
    "definitions": {k: None for k in ("who5_risk_max", "who5_improvement", "time_point_rule", "end_measure",
                                      "large_inclusive")},
    "counts": {**{k: None for k in ("citizens", "courses_started", "courses_ended", "courses_active", "end_forms",
                                    "not_started", "start_cti_records")},
               "ongoing_forms": {k: None for k in ("phase1", "phase2", "phase3")},
               "stars": {p: None for p in POINTS}},
    "who5": {"by_point": {p: {k: None for k in ("n", "mean", "at_risk", "depression")} for p in POINTS},
             "start_vs_end": {"mean_p": None, "at_risk_p": None},
             "balanced": {"n": None, "start_mean": None, "end_mean": None},
             "improved": {p: {"n": None, "share": None} for p in POINTS[1:]} | {"end": {"n": None, "share": None,
                                                                                       "p_vs_zero": None}}},
    "star": {"by_point": {p: {"n": None, "mean": None} for p in POINTS}, "start_vs_end": {"mean_p": None},
             "dimensions": {d: {k: None for k in ("start_n", "start_mean", "end_n", "end_mean", "p")} for d in (
                 "dim_motivation", "dim_selfcare", "dim_money", "dim_network", "dim_substance", "dim_physical",
                 "dim_mental", "dim_time", "dim_housing", "dim_offending")},
             "progression": {p: {k: None for k in ("n", "regression", "no_change", "moderate", "large")}
                             for p in POINTS[1:]}},
    "paid_last_month": {"by_point": {p: {"n": None, "share": None} for p in POINTS}, "start_vs_end": {"p": None}},
    "paid_or_considered": {"by_point": {p: {"n": None, "share": None} for p in POINTS}, "start_vs_end": {"p": None}},
    "course_length": {k: None for k in ("le6", "m7_9", "m10_11", "m12", "m13_14", "end_forms", "ended")},
    "dropout": {g: {"courses": None, "who5_start_n": None, "who5_start_mean": None,
                    "sex_income_start": {"n": None, "share": None}, "sex_income_end": {"n": None, "share": None}}
                for g in ("before10", "from10")} | {"who5_start_p": None},
    "staff_ratings": {k: {"start": {"n": None, "share": None}, "end_from10": {"n": None, "share": None}, "p": None}
                      for k in ("mental_problems", "out_of_work", "debt", "sex_income", "activities_wish",
                                "housing_cost", "home_functions", "network_lacking", "physical_limits", "substance")},
    "fidelity": {"transition_month": {p: {"n": None, "mean": None} for p in ("phase2", "phase3")},
                 "weekly_meetings": {p: {"n": None, "share": None} for p in ("phase1", "phase2", "phase3")},
                 "plan": {k: {"n": None, "share": None} for k in ("exists", "citizen_took_part", "agreements",
                                                                  "evaluated", "adjusted", "needs_met")}},
    "subgroups": {k: {"yes": {"start": {"n": None, "mean": None}, "end": {"n": None, "mean": None}},
                      "no": {"start": {"n": None, "mean": None}, "end": {"n": None, "mean": None}},
                      "start_p": None, "end_p": None, "yes_p": None, "no_p": None}
                  for k in ("substance_at_start", "active_6m", "who5_at_risk")},
}


def has_contract_keys(report, skeleton=CONTRACT, path="report"):
    for key, sub in skeleton.items():
        assert key in report, f"{path}.{key} missing"
        if isinstance(sub, dict):
            has_contract_keys(report[key], sub, f"{path}.{key}")


def build(world, definitions=None, filters=None):
    report = report_json.compute(filters or Filters(), definitions or Definitions(), [world.a])
    # Through JSON and back: what a reader of the file gets (no NaN, nothing unserialisable).
    import json

    return json.loads(report_json.dumps(report))


def test_it_reports_the_main_cohort_exactly(world):
    cohorts.main_cohort(world)
    report = build(world)
    has_contract_keys(report)
    assert report["format"] == "overgang-report/1"
    assert report["filters"] == {}
    who5_start = [40, 20, 60, 40]
    matches(report, {
        "definitions": {"who5_risk_max": 50, "who5_improvement": "10 points", "time_point_rule": "nearest_even_month",
                        "end_measure": "coded_end", "large_inclusive": False},
        "counts": {
            # Solsikke (make_world) + Ask, Birk, Eg, Hyld + Pil (not started) in A
            "citizens": 6, "courses_started": 4, "courses_ended": 3, "courses_active": 1, "end_forms": 2,
            "not_started": 1, "start_cti_records": 4,
            "ongoing_forms": {"phase1": 2, "phase2": 1, "phase3": 0},
            "stars": {"start": 4, "phase1": 2, "phase2": 0, "phase3": 0, "end": 1},
        },
        "who5": {
            "by_point": {
                # 40, 20, 60, 40: mean 40; ≤ 50: 3 of 4; ≤ 28: 1 of 4
                "start": {"n": 4, "mean": 40.0, "at_risk": 0.75, "depression": 0.25,
                          "sd": math.sqrt((0 + 400 + 400 + 0) / 3)},
                # C3's phase-1 star lacks who5_5: no index
                "phase1": {"n": 1, "mean": 60.0, "at_risk": 0.0, "depression": 0.0},
                "phase2": {"n": 0, "mean": None, "at_risk": None, "depression": None},
                "phase3": {"n": 0, "mean": None, "at_risk": None, "depression": None},
                "end": {"n": 1, "mean": 80.0, "at_risk": 0.0, "depression": 0.0},
            },
            "start_vs_end": {"mean_p": t(who5_start, [80]), "at_risk_p": z(3, 4, 0, 1)},
            "balanced": {"n": 1, "start_mean": 40.0, "end_mean": 80.0},
            "improved": {
                "phase1": {"n": 1, "share": 1.0, "p_vs_zero": None},  # 40 -> 60; Wald SE 0 at share 1
                "phase2": {"n": 0, "share": None, "p_vs_zero": None},
                "phase3": {"n": 0, "share": None, "p_vs_zero": None},
                "end": {"n": 1, "share": 1.0, "p_vs_zero": None},
            },
        },
        "star": {
            "by_point": {"start": {"n": 4, "mean": 5.0, "incomplete": 0}, "phase1": {"n": 2, "mean": 6.0, "incomplete": 1},
                         "phase2": {"n": 0, "mean": None}, "phase3": {"n": 0, "mean": None},
                         "end": {"n": 1, "mean": 7.0, "incomplete": 0}},
            "start_vs_end": {"mean_p": t([5, 4, 6, 5], [7])},
            "dimensions": {
                "dim_network": {"start_n": 4, "start_mean": 5.0, "end_n": 1, "end_mean": 7.0, "p": t([5, 4, 6, 5], [7]),
                                "by_point": {"phase1": {"n": 2, "mean": 6.0}}},
                "dim_housing": {"start_n": 4, "start_mean": 5.0, "end_n": 1, "end_mean": 7.0,
                                "by_point": {"phase1": {"n": 1, "mean": 6.0}, "phase2": {"n": 0, "mean": None}}},
            },
            "progression": {
                # C1 5 -> 6: Δ = 1 is moderate (not > 1); C3 6 -> 6: no change
                "phase1": {"n": 2, "regression": 0.0, "no_change": 0.5, "moderate": 0.5, "large": 0.0},
                "phase2": {"n": 0, "regression": None, "no_change": None, "moderate": None, "large": None},
                "phase3": {"n": 0, "regression": None, "no_change": None, "moderate": None, "large": None},
                "end": {"n": 1, "regression": 0.0, "no_change": 0.0, "moderate": 0.0, "large": 1.0},
            },
        },
        # start: C1 1, C2 1, C3 unanswered, C4 2; phase 1: C1 2, C3 1; end: C1 2
        "paid_last_month": {"by_point": {"start": {"n": 3, "count": 2, "share": 2 / 3},
                                         "phase1": {"n": 2, "count": 1, "share": 0.5}, "phase2": NONE_SHARE,
                                         "phase3": NONE_SHARE, "end": {"n": 1, "count": 0, "share": 0.0}},
                            "start_vs_end": {"p": z(2, 3, 0, 1)}},
        # C4 (paid 2, considered unanswered) is not in the denominator
        "paid_or_considered": {"by_point": {"start": {"n": 2, "count": 2, "share": 1.0},
                                            "phase1": {"n": 2, "count": 2, "share": 1.0}, "phase2": NONE_SHARE,
                                            "phase3": NONE_SHARE, "end": {"n": 1, "count": 0, "share": 0.0}},
                               "start_vs_end": {"p": z(2, 2, 0, 1)}},
        "course_length": {"le6": 1, "m7_9": 0, "m10_11": 0, "m12": 1, "m13_14": 0, "end_forms": 2, "ended": 3},
        "dropout": {
            "before10": {"courses": 1, "who5_start_n": 1, "who5_start_mean": 20.0,
                         "sex_income_start": NONE_SHARE,  # the stand-in start form says 99
                         "sex_income_end": {"n": 1, "count": 1, "share": 1.0}},
            "from10": {"courses": 1, "who5_start_n": 1, "who5_start_mean": 40.0,
                       "sex_income_start": {"n": 1, "count": 1, "share": 1.0},
                       "sex_income_end": {"n": 1, "count": 0, "share": 0.0}},
            "all": {"courses": 4, "who5_start_n": 4, "who5_start_mean": 40.0,
                    "sex_income_start": {"n": 2, "count": 2, "share": 1.0},
                    "sex_income_end": {"n": 2, "count": 1, "share": 0.5}},
            "who5_start_p": None,  # one course per group: df = 0
            "sex_income_start_p": None, "sex_income_end_p": z(1, 1, 0, 1),
        },
        "staff_ratings": {
            "mental_problems": {"start": {"n": 3, "count": 2}, "end_from10": {"n": 1, "count": 0}, "p": z(2, 3, 0, 1)},
            "out_of_work": {"start": {"n": 3, "count": 2}, "end_from10": {"n": 1, "count": 0}, "p": z(2, 3, 0, 1)},
            "debt": {"start": {"n": 2, "count": 2}, "end_from10": {"n": 1, "count": 0}, "p": z(2, 2, 0, 1)},
            "sex_income": {"start": {"n": 2, "count": 2}, "end_from10": {"n": 1, "count": 0}, "p": z(2, 2, 0, 1)},
            "activities_wish": {"start": {"n": 1, "count": 0}, "end_from10": {"n": 1, "count": 0}, "p": 1.0},
            "housing_cost": {"start": {"n": 1, "count": 1}, "end_from10": {"n": 1, "count": 0}, "p": z(1, 1, 0, 1)},
            "home_functions": {"start": {"n": 1, "count": 1}, "end_from10": {"n": 1, "count": 0}, "p": z(1, 1, 0, 1)},
            "network_lacking": {"start": {"n": 1, "count": 1}, "end_from10": {"n": 1, "count": 1}, "p": 1.0},
            "physical_limits": {"start": {"n": 1, "count": 0}, "end_from10": {"n": 1, "count": 1}, "p": z(0, 1, 1, 1)},
            "substance": {"start": {"n": 3, "count": 1}, "end_from10": {"n": 1, "count": 0}, "p": z(1, 3, 0, 1)},
        },
        "fidelity": {
            "transition_month": {"phase2": {"n": 1, "mean": 4.0}, "phase3": {"n": 0, "mean": None}},
            # phase 1: C1's form and C2's later form (the latest per course and phase)
            "weekly_meetings": {"phase1": {"n": 2, "count": 2, "share": 1.0},
                                "phase2": {"n": 1, "count": 0, "share": 0.0}, "phase3": NONE_SHARE},
            "plan": {"exists": {"n": 2, "share": 1.0}, "citizen_took_part": {"n": 2, "share": 1.0},
                     "agreements": {"n": 2, "count": 1, "share": 0.5}, "evaluated": {"n": 1, "share": 1.0},
                     "adjusted": {"n": 1, "share": 0.0}, "needs_met": {"n": 1, "share": 1.0}},
        },
        "subgroups": {
            "substance_at_start": {  # C1 yes; C2 (stand-in) and C3 no; C4 99
                "yes": {"courses": 1, "start": {"n": 1, "mean": 40.0}, "end": {"n": 1, "mean": 80.0}},
                "no": {"courses": 2, "start": {"n": 2, "mean": 40.0}, "end": {"n": 0, "mean": None}},
                "start_p": t([40], [20, 60]), "end_p": None, "yes_p": None, "no_p": None,
            },
            "active_6m": {  # last_paid 1 (C1), 2 (C3) yes; 4 (C2) no; C4 never paid
                "yes": {"courses": 2, "start": {"n": 2, "mean": 50.0}, "end": {"n": 1, "mean": 80.0}},
                "no": {"courses": 1, "start": {"n": 1, "mean": 20.0}, "end": {"n": 0, "mean": None}},
                "start_p": t([40, 60], [20]), "end_p": None, "yes_p": t([40, 60], [80]), "no_p": None,
            },
            "who5_at_risk": {
                "yes": {"courses": 3, "start": {"n": 3, "mean": 100 / 3}, "end": {"n": 1, "mean": 80.0}},
                "no": {"courses": 1, "start": {"n": 1, "mean": 60.0}, "end": {"n": 0, "mean": None}},
                "start_p": t([40, 20, 40], [60]), "end_p": None, "yes_p": t([40, 20, 40], [80]), "no_p": None,
            },
        },
        "motives": {"n": 3, "courses": 3, "codes": {"2": {"n": 3, "count": 2}, "3": {"count": 1}, "8": {"count": 1},
                                                    "1": {"count": 0}}},
        "attrition": {"retained": {"courses": 1, "start": {"n": 1, "mean": 40.0}},
                      "dropped": {"courses": 2, "start": {"n": 2, "mean": 30.0}, "end": {"n": 0, "mean": None}},
                      "all": {"courses": 4}},
        "warnings": {"stars_total": 9, "stars_without_time_point": 2, "stars_not_possible": 1,
                     "stars_duplicates": 1, "stars_incomplete": 1, "start_form_duplicates": 1,
                     "start_from_ongoing": 1},
    })


def test_it_reports_chapter4_tables(world):
    cohorts.main_cohort(world)
    d = build(world)["descriptives"]
    matches(d["table_4_1"], {"Aby Kommune": {"ended": 3, "active": 1, "total": 4}})
    matches(d["table_4_3"], {"n": 1, "ended_before12": 1, "codes": {"4": {"count": 1}, "5": {"count": 1}}})
    matches(d["table_4_4"]["other_citizenship"], {"before10": {"n": 1, "count": 1}, "from10": {"n": 1, "count": 0}})
    matches(d["table_4_5"], {"female": {"n": 1, "count": 1}, "other_citizenship": {"count": 1},
                             "referred": {"count": 1}})
    # first_paid 88 is "never" and not a valid answer here
    matches(d["table_4_6"], {"debut_over4y": {"n": 3, "count": 2}, "debut_under1y": {"count": 1},
                             "last_under1y": {"n": 3, "count": 2}, "last_1_2y": {"count": 1}})
    matches(d["table_4_8"], {"age_31_35": {"n": 1, "count": 1}, "male": {"n": 3, "count": 1}})
    matches(d["table_4_10"], {"income_1": {"n": 2, "count": 2}, "income_5": {"count": 1},
                              "unemployed": {"n": 3, "count": 1}})
    matches(d["table_5_1"], {"ngo": {"n": 2, "count": 1}, "unknown": {"count": 1}})
    # Who knows (4.5) is stored encrypted; the report reads it from the chosen start form
    # (c2's stand-in phase-1 form, c4's later start form); 99 is no valid answer.
    matches(d["table_4_14"], {"knows_partner": {"n": 3, "count": 2}, "knows_friends": {"n": 1, "count": 0}})


def test_it_reports_nulls_without_end_stars(world):
    c = cohorts.course(cohorts.citizen(world.a, "Ene"), cohorts.D(2026, 1, 1))
    cohorts.star(c, cohorts.D(2026, 1, 1), tp=1, who5=2, dims=5, paid=1)
    report = build(world)
    has_contract_keys(report)
    matches(report, {
        "who5": {"by_point": {"end": {"n": 0, "mean": None, "at_risk": None, "depression": None}},
                 "start_vs_end": {"mean_p": None, "at_risk_p": None},
                 "balanced": {"n": 0, "start_mean": None, "end_mean": None},
                 "improved": {"end": {"n": 0, "share": None, "p_vs_zero": None}}},
        "star": {"by_point": {"end": {"n": 0, "mean": None}}, "start_vs_end": {"mean_p": None},
                 "dimensions": {"dim_money": {"start_n": 1, "start_mean": 5.0, "end_n": 0, "end_mean": None, "p": None}},
                 "progression": {"end": {"n": 0, "regression": None, "large": None}}},
        "paid_last_month": {"by_point": {"start": {"n": 1, "share": 1.0}, "end": NONE_SHARE}, "start_vs_end": {"p": None}},
        "course_length": {"end_forms": 0, "ended": 0},
        "dropout": {"before10": {"courses": 0, "who5_start_n": 0, "who5_start_mean": None}, "who5_start_p": None},
    })


def test_it_reports_an_empty_installation(db):
    from overgang.accounts.models import Municipality

    empty = Municipality.objects.create(name="Tom Kommune")
    report = report_json.compute(Filters(), Definitions(), [empty])
    has_contract_keys(report)
    assert report["counts"]["citizens"] == 0
    assert report["who5"]["by_point"]["start"] == {"n": 0, "mean": None, "sd": None, "at_risk": None,
                                                   "at_risk_count": 0, "depression": None, "depression_count": 0}
    assert report["fidelity"]["plan"]["exists"] == NONE_SHARE


def test_it_applies_and_echoes_overrides(world):
    cohorts.main_cohort(world)
    definitions = Definitions.from_overrides(["large_inclusive=true", 'who5_improvement="10 percent"',
                                              "who5_risk_max=40"])
    report = build(world, definitions)
    matches(report["definitions"], {"large_inclusive": True, "who5_improvement": "10 percent", "who5_risk_max": 40})
    # Δ = 1 is large when inclusive
    matches(report["star"]["progression"]["phase1"], {"n": 2, "moderate": 0.0, "large": 0.5})
    # ≤ 40: 40, 20, 40 of 40, 20, 60, 40
    assert report["who5"]["by_point"]["start"]["at_risk"] == 0.75
    definitions = Definitions.from_overrides(["who5_risk_max=30"])
    assert build(world, definitions)["who5"]["by_point"]["start"]["at_risk"] == 0.25


def test_it_filters_by_start_date_and_goal(world):
    import datetime as dt

    cohorts.main_cohort(world)
    report = build(world, filters=Filters(started_from=dt.date(2026, 2, 1)))
    assert report["filters"] == {"started_from": "2026-02-01"}
    assert report["counts"]["courses_started"] == 2  # C3, C4
    # Their citizens, and Pil, whose not-started contact was registered within the range.
    assert report["counts"]["citizens"] == 3
    assert report["counts"]["not_started"] == 1
    assert build(world, filters=Filters(started_to=dt.date(2026, 3, 19)))["counts"]["not_started"] == 0
    report = build(world, filters=Filters(goal="exit"))
    assert report["filters"] == {"goal": "exit"}
    assert report["counts"]["courses_started"] == 2  # C1, C3
    assert report["counts"]["stars"]["start"] == 2


def test_it_carries_the_last_star_forward_when_asked(world):
    c = cohorts.course(cohorts.citizen(world.a, "Ene"), cohorts.D(2026, 1, 1), status="ended",
                       end=cohorts.D(2026, 7, 1))
    cohorts.star(c, cohorts.D(2026, 1, 1), tp=1, who5=2, dims=5)
    cohorts.star(c, cohorts.D(2026, 5, 1), tp=4, who5=4, dims=8)
    assert build(world)["who5"]["by_point"]["end"]["n"] == 0
    report = build(world, Definitions.from_overrides(["end_measure=last_observation"]))
    assert report["definitions"]["end_measure"] == "last_observation"
    matches(report["who5"], {"by_point": {"end": {"n": 1, "mean": 80.0}}, "balanced": {"n": 1}})


def test_it_ignores_drafts_and_other_municipalities(world):
    c = cohorts.course(cohorts.citizen(world.a, "Ene"), cohorts.D(2026, 1, 1))
    cohorts.record(c.citizen, "star", cohorts.D(2026, 1, 1), {"possible": 1, "time_point": 1}, of=c,
                   respondent="citizen", status="draft")
    foreign = cohorts.course(world.foreign_citizen, cohorts.D(2026, 1, 1))
    cohorts.star(foreign, cohorts.D(2026, 1, 1), tp=1, who5=2)
    report = build(world)
    assert report["counts"]["stars"]["start"] == 0
    assert report["counts"]["courses_started"] == 1


def test_a_fresh_installation_reports_zero_everywhere(db):
    report = json.loads(report_json.dumps(report_json.compute(Filters(), Definitions(), None)))
    has_contract_keys(report)
    assert report["counts"]["courses_started"] == 0 and report["who5"]["by_point"]["start"]["mean"] is None


def test_table_4_5_maps_citizenship_and_referral_as_the_codebook(world):
    for name, answers in (("Pil", {"gender": 1, "citizenship": 1, "referred_on": 5}),
                          ("Ene", {"gender": 1, "citizenship": 1, "citizenship_dual": 1, "referred_on": 5,
                                   "contact_resumed": 2}),
                          ("Lind", {"gender": 2, "referred_on": 1})):
        person = cohorts.citizen(world.a, name)
        cohorts.record(person, "not_started", cohorts.D(2026, 3, 1), answers)
    table = build(world)["descriptives"]["table_4_5"]
    matches(table, {"danish": {"n": 3, "count": 1}, "danish_other": {"n": 3, "count": 1},
                    "other_citizenship": {"n": 3, "count": 1},  # unanswered counts as "andet / ukendt"
                    "referred": {"n": 3, "count": 2}, "not_referred": {"n": 3, "count": 1},
                    "female": {"n": 3, "count": 2}})


def test_chapter4_counts_an_end_form_at_month_0_and_keeps_ages_under_18_apart(world):
    c = cohorts.course(cohorts.citizen(world.a, "Ene"), cohorts.D(2026, 1, 1), status="ended",
                       end=cohorts.D(2026, 1, 20))
    cohorts.form(c, "cti_end", cohorts.D(2026, 1, 20), months=0, end_reasons="4")
    cohorts.registration(c.citizen, cohorts.D(2026, 1, 1), birth_date="2010-06-01")
    d = build(world)["descriptives"]
    assert d["table_4_3"]["ended_before12"] == 1
    matches(d["table_4_8"], {"age_under18": {"n": 1, "count": 1}, "age_18_25": {"n": 1, "count": 0}})


def test_significance_in_words_follows_alpha(world):
    from overgang.evaluation.document import _significance

    assert _significance(0.03) == "forskellen er statistisk signifikant på 0,050-niveau"
    assert _significance(0.03, 0.01) == "forskellen er ikke statistisk signifikant"
    assert _significance(0.005, 0.01) == "forskellen er statistisk signifikant på 0,010-niveau"

"""stats.py against independent references (style.md rule 14).

Three kinds of reference, each written beside the expected number:
- scipy / statsmodels on several data sets;
- hand computations in closed form (stdlib ``math`` only: erfc for the normal tail, the
  exact t tails for df = 1 and df = 2);
- SFI's published results (sfi-analyses.md §10 and the figure notes of chapter 6).
"""

import math
from dataclasses import fields
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportions_ztest

from overgang.evaluation.stats import (
    SFI_TABLE_LEVELS,
    is_missing,
    mean_of,
    one_proportion_ztest,
    mean_of_counts,
    share,
    share_of,
    share_of_counts,
    significance_level,
    stars,
    ttest_from_summary,
    two_proportion_ztest,
    two_sample_ttest,
)


def normal_two_sided(z):
    """2(1 − Φ(|z|)) = erfc(|z|/√2): the hand reference for every z-test below."""
    return math.erfc(abs(z) / math.sqrt(2))


def assert_clean(result):
    """No NaN or infinity anywhere, and p is None or a probability."""
    for f in fields(result):
        value = getattr(result, f.name)
        if isinstance(value, float):
            assert math.isfinite(value), (f.name, result)
    assert result.p is None or 0.0 <= result.p <= 1.0


# ---------------------------------------------------------------------------- t-test

DATA_SETS = [
    ([1, 2, 3], [4, 5, 6]),
    ([39.5, 44, 20, 68, 52, 12, 36], [60, 72, 48, 80, 56]),
    ([6.4, 5.9, 7.1, 6.0], [8.5, 8.1, 9.0, 7.7, 8.8, 9.2]),
    (list(range(0, 101, 4)), list(range(20, 101, 8))),
    ([3, 3, 4], [3, 4, 4, 5]),
    ([1], [2, 3]),  # a group of one still has df = 1
]


@pytest.mark.parametrize("a, b", DATA_SETS)
def test_it_matches_scipy_ttest_ind_with_equal_variances(a, b):
    ours = two_sample_ttest(a, b)
    ref = scipy_stats.ttest_ind(a, b, equal_var=True)
    assert ours.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert ours.p == pytest.approx(ref.pvalue, rel=1e-9)
    assert ours.df == len(a) + len(b) - 2 == ref.df
    assert ours.difference == pytest.approx(np.mean(a) - np.mean(b), rel=1e-12)
    assert (ours.n1, ours.n2) == (len(a), len(b))


def test_it_matches_the_hand_computation_with_df_2():
    # x̄₁ = 2, x̄₂ = 5, SS = 2 + 0, s_p² = 2/2 = 1, SE = √(1/3 + 1) = √(4/3),
    # t = −3/√(4/3) = −3√3/2; for df = 2, p = 1 − |t|/√(2 + t²).
    result = two_sample_ttest([1, 2, 3], [5])
    t = -3 * math.sqrt(3) / 2  # −2.598076…
    assert result.statistic == pytest.approx(t, rel=1e-12)
    assert result.p == pytest.approx(1 - abs(t) / math.sqrt(2 + t * t), rel=1e-12)  # 0.121690
    assert result.p == pytest.approx(0.121690, abs=1e-6)
    assert (result.mean1, result.mean2, result.difference, result.df) == (2.0, 5.0, -3.0, 2)


def test_it_matches_the_hand_computation_with_df_1():
    # x̄₁ = 1, x̄₂ = 4, s_p² = 2/1, SE = √(2·(1/2 + 1)) = √3, t = −√3;
    # df = 1 is Cauchy: p = 1 − (2/π)·arctan(√3) = 1 − (2/π)(π/3) = 1/3.
    result = two_sample_ttest([0, 2], [4])
    assert result.statistic == pytest.approx(-math.sqrt(3), rel=1e-12)
    assert result.p == pytest.approx(1 / 3, rel=1e-12)


def test_it_matches_scipy_from_summaries():
    # SFI's fn 27 balanced panel: start 39.3 vs end 60.3, N = 56 each; SDs are not
    # published, 20 is a typical WHO-5 SD (used only to compare with scipy).
    ours = ttest_from_summary(39.3, 20.0, 56, 60.3, 22.0, 56)
    ref = scipy_stats.ttest_ind_from_stats(39.3, 20.0, 56, 60.3, 22.0, 56, equal_var=True)
    assert ours.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert ours.p == pytest.approx(ref.pvalue, rel=1e-9)


def test_raw_data_and_summaries_give_the_same_test():
    a, b = [12, 40, 44, 56, 28], [60, 52, 76, 64]
    ma, mb = mean_of(a), mean_of(b)
    assert ttest_from_summary(ma.mean, ma.sd, ma.n, mb.mean, mb.sd, mb.n).p == pytest.approx(two_sample_ttest(a, b).p)


def test_sfi_table_6_5_is_not_significant_for_any_usual_who5_spread():
    # Table 6.5: start WHO-5 43.5 (N = 37) vs 37.9 (N = 70), "ikke signifikant … på et
    # 0,05-niveau" (L5048). SDs are unpublished; by hand t = 5.6/(s·√(1/37 + 1/70)) stays
    # below t₀.₉₇₅(105) ≈ 1.983 for every s ≥ 14, and WHO-5 SDs are about 20.
    for sd in (14, 20, 25):
        result = ttest_from_summary(43.5, sd, 37, 37.9, sd, 70)
        assert result.p > 0.05 and stars(result.p) == ""


@pytest.mark.parametrize(
    "a, b, expected_p, expected_statistic",
    [
        ([], [1, 2, 3], None, None),  # empty group: null (evaluation.md Fine print)
        ([1], [2], None, None),  # df = 0
        ([], [], None, None),
    ],
)
def test_it_gives_no_p_when_the_test_does_not_exist(a, b, expected_p, expected_statistic):
    result = two_sample_ttest(a, b)
    assert result.p is expected_p and result.statistic is expected_statistic
    assert_clean(result)


def test_an_empty_group_still_reports_the_other_mean():
    result = two_sample_ttest([], [1, 2, 3])
    assert (result.n1, result.mean1, result.n2, result.mean2, result.difference) == (0, None, 3, 2.0, None)


def test_all_equal_values_give_p_1_and_constant_different_groups_give_none():
    # Pooled variance 0: with equal means there is nothing to find (p = 1, as for a
    # pooled share of 0 or 1); with different means t is infinite (p None).
    same = two_sample_ttest([48, 48, 48], [48, 48])
    assert (same.statistic, same.p, same.difference) == (0.0, 1.0, 0.0)
    apart = two_sample_ttest([40, 40, 40], [60, 60])
    assert (apart.statistic, apart.p, apart.difference) == (None, None, -20.0)
    assert_clean(apart)


def test_it_drops_none_nan_and_infinity():
    messy = two_sample_ttest([1, None, 2, float("nan"), 3, math.inf], [4, 5, 6])
    assert messy == two_sample_ttest([1, 2, 3], [4, 5, 6])


def test_it_takes_fractions_and_decimals():
    exact = two_sample_ttest([Fraction(13, 2), Fraction(59, 10)], [Decimal("8.5"), Decimal("7.1")])
    assert exact.p == pytest.approx(scipy_stats.ttest_ind([6.5, 5.9], [8.5, 7.1]).pvalue)


# ---------------------------------------------------------------------------- two proportions

COUNT_SETS = [(9, 39, 6, 80), (33, 39, 53, 80), (108, 125, 51, 76), (1, 10, 9, 10), (17, 39, 38, 80), (3, 3, 1, 4)]


@pytest.mark.parametrize("x1, n1, x2, n2", COUNT_SETS)
def test_it_matches_statsmodels_pooled_two_sample_test(x1, n1, x2, n2):
    ours = two_proportion_ztest(x1, n1, x2, n2)
    z, p = proportions_ztest([x1, x2], [n1, n2])  # pooled by default
    assert ours.statistic == pytest.approx(z, rel=1e-12)
    assert ours.p == pytest.approx(p, rel=1e-9)
    assert ours.pooled == pytest.approx((x1 + x2) / (n1 + n2))


def test_two_proportions_match_the_hand_computation():
    # 1/2 vs 0/2: p̂ = 1/4, SE = √(¼·¾·(½ + ½)) = √3/4, z = ½ / (√3/4) = 2/√3,
    # p = erfc(z/√2) = erfc(√(2/3)) = 0.248213.
    result = two_proportion_ztest(1, 2, 0, 2)
    assert result.statistic == pytest.approx(2 / math.sqrt(3), rel=1e-12)
    assert result.p == pytest.approx(math.erfc(math.sqrt(2 / 3)), rel=1e-12)
    assert result.p == pytest.approx(0.248213, abs=1e-6)


# sfi-analyses.md §10: pooled z-test on SFI's implied counts, z and p as printed there,
# and the marker SFI published ("" = not significant). Tolerance = half the last digit.
SFI_PRTESTS = [
    ("T4.4 other citizenship", 9, 39, 6, 80, "2.40", "0.016", "*"),
    ("T4.4 basic school only", 33, 39, 53, 80, "2.10", "0.036", "*"),
    ("T4.4 exit goal", 17, 39, 38, 80, "-0.40", "0.69", ""),
    ("T4.4 income from sex", 10, 37, 14, 65, "0.63", "0.53", ""),
    ("T4.4 abuse", 18, 36, 30, 61, "0.08", "0.94", ""),
    ("T6.6 end", 2, 39, 3, 79, "0.34", "0.74", ""),
    ("T6.4 psych", 108, 125, 51, 76, "3.26", "0.0011", "**"),
    ("T6.4 unemployed", 82, 120, 40, 75, "2.11", "0.035", "*"),
    ("T6.4 debt", 90, 106, 56, 70, "0.85", "0.40", ""),
    ("T6.4 income from sex", 29, 127, 3, 79, "3.67", "0.0002", "**"),
    ("T6.4 housing cost", 42, 103, 18, 70, "2.04", "0.041", "*"),
    ("T6.4 network", 68, 121, 35, 73, "1.12", "0.26", ""),
    ("T6.4 physical", 60, 121, 40, 77, "-0.32", "0.75", ""),
    ("T6.4 abuse", 57, 120, 29, 73, "1.05", "0.29", ""),
]


def _half_unit(printed: str) -> float:
    return 0.5 * 10 ** -len(printed.split(".")[1])


@pytest.mark.parametrize("label, x1, n1, x2, n2, z, p, marker", SFI_PRTESTS, ids=[r[0] for r in SFI_PRTESTS])
def test_it_reproduces_sfi_published_pr_tests(label, x1, n1, x2, n2, z, p, marker):
    result = two_proportion_ztest(x1, n1, x2, n2)
    assert result.statistic == pytest.approx(float(z), abs=_half_unit(z))
    assert result.p == pytest.approx(float(p), abs=_half_unit(p))
    assert result.p == pytest.approx(normal_two_sided(result.statistic), rel=1e-12)
    assert stars(result.p, SFI_TABLE_LEVELS) == marker


def test_sfi_daily_activities_marker_is_the_one_that_does_not_fit():
    # Table 6.4 "Dagligdag" 59/118 vs 20/71: p ≈ 0.003, which is "**"; SFI printed "*"
    # (sfi-analyses.md §9 item 10). We compute the test, not the misprint.
    result = two_proportion_ztest(59, 118, 20, 71)
    assert result.statistic == pytest.approx(2.95, abs=0.005) and result.p == pytest.approx(0.003, abs=0.0005)
    assert stars(result.p, SFI_TABLE_LEVELS) == "**"


@pytest.mark.parametrize("at_risk_start", [88, 89])
def test_sfi_figure_6_2_risk_share_falls_at_the_0001_level(at_risk_start):
    # Figure 6.2: 66 % of 134 at start vs 33 % of 64 at the end (21/64), "signifikant …
    # på et 0,001-niveau (pr-test)" (L4187–4188); 66 % of 134 is 88 or 89.
    result = two_proportion_ztest(at_risk_start, 134, 21, 64)
    assert significance_level(result.p) == 0.001 and stars(result.p) == "***"


def test_a_pooled_share_of_0_or_1_gives_p_1_and_an_empty_group_null():
    # evaluation.md Fine print, both rules.
    for args in [(0, 10, 0, 12), (10, 10, 12, 12)]:
        result = two_proportion_ztest(*args)
        assert (result.statistic, result.p) == (0.0, 1.0)
    empty = two_proportion_ztest(0, 0, 3, 10)
    assert (empty.p, empty.share1, empty.share2) == (None, None, 0.3)


@pytest.mark.parametrize("args", [(-1, 10, 2, 10), (11, 10, 2, 10), (1.5, 10, 2, 10), (1, 10, 2, float("nan"))])
def test_impossible_counts_give_no_test(args):
    result = two_proportion_ztest(*args)
    assert result.p is None and result.share1 is None
    assert_clean(result)


# ---------------------------------------------------------------------------- one proportion


@pytest.mark.parametrize("count, n, p0", [(40, 56, 0.0), (47, 56, 0.0), (5, 20, 0.1), (60, 130, 0.5), (3, 7, 0.9)])
def test_it_matches_statsmodels_one_sample_test_with_the_wald_variance(count, n, p0):
    ours = one_proportion_ztest(count, n, p0)
    z, p = proportions_ztest(count, n, value=p0)  # statsmodels' default: sample variance
    assert ours.statistic == pytest.approx(z, rel=1e-12)
    assert ours.p == pytest.approx(p, rel=1e-9)


@pytest.mark.parametrize("count, n, p0", [(5, 20, 0.1), (60, 130, 0.5), (3, 7, 0.9)])
def test_it_matches_statsmodels_one_sample_test_with_the_null_variance(count, n, p0):
    ours = one_proportion_ztest(count, n, p0, variance="null")
    z, p = proportions_ztest(count, n, value=p0, prop_var=p0)
    assert ours.statistic == pytest.approx(z, rel=1e-12)
    assert ours.p == pytest.approx(p, rel=1e-9)


def test_one_proportion_matches_the_hand_computation():
    # Wald, 1 of 4 against 0: SE = √(¼·¾/4) = √3/8, z = ¼/(√3/8) = 2/√3, p = erfc(√(2/3)).
    wald = one_proportion_ztest(1, 4, 0.0)
    assert wald.se == pytest.approx(math.sqrt(3) / 8, rel=1e-12)
    assert wald.p == pytest.approx(math.erfc(math.sqrt(2 / 3)), rel=1e-12)  # 0.248213
    # Null variance, 6 of 10 against ½: SE = √(¼/10), z = 0.1/√0.025 = √0.4, p = erfc(√0.2).
    null = one_proportion_ztest(6, 10, 0.5, variance="null")
    assert null.statistic == pytest.approx(math.sqrt(0.4), rel=1e-12)
    assert null.p == pytest.approx(math.erfc(math.sqrt(0.2)), rel=1e-12)  # 0.527089


def test_sfi_improvement_shares_differ_from_zero_at_the_0001_level():
    # Figure 6.3: 71 % of 56 improved WHO-5 at the end (40/56), "signifikant forskellig
    # fra nul på et 0,001-niveau" (L4220–4221). Table 6.2: 84 % = 47/56 with large
    # progression, "signifikant forskellig fra 0" (L4664). By hand for 40/56:
    # SE = √((5/7)(2/7)/56) = 0.060368, z = (5/7)/0.060368 = 11.83.
    improved = one_proportion_ztest(40, 56, 0.0)
    assert improved.statistic == pytest.approx(11.83, abs=0.005)
    assert significance_level(improved.p) == 0.001
    assert significance_level(one_proportion_ztest(47, 56).p) == 0.001


def test_one_proportion_degenerate_cases():
    assert one_proportion_ztest(0, 0).p is None  # empty
    assert (one_proportion_ztest(0, 12, 0.0).statistic, one_proportion_ztest(0, 12, 0.0).p) == (0.0, 1.0)
    all_of_them = one_proportion_ztest(12, 12, 0.0)  # Wald SE = 0 and share ≠ p0
    assert (all_of_them.share, all_of_them.se, all_of_them.p) == (1.0, 0.0, None)
    assert one_proportion_ztest(3, 10, 1.5).p is None
    assert one_proportion_ztest(3, 10, 0.5, variance="exact").p is None


# ---------------------------------------------------------------------------- significance


@pytest.mark.parametrize(
    "p, expected_stars, expected_level",
    [
        (None, "", None),
        (0.2, "", None),
        (0.05, "", None),  # "mindre end" 0,05 (fn 26): the boundary is not significant
        (0.0499, "*", 0.05),
        (0.01, "*", 0.05),
        (0.0099, "**", 0.01),
        (0.001, "**", 0.01),
        (0.000999, "***", 0.001),
        (0.0, "***", 0.001),
        (float("nan"), "", None),
    ],
)
def test_stars_and_levels(p, expected_stars, expected_level):
    assert stars(p) == expected_stars
    assert significance_level(p) == expected_level


def test_sfi_tables_stop_at_two_stars():
    assert stars(0.0002, SFI_TABLE_LEVELS) == "**"  # Table 6.4, income from sex
    assert significance_level(0.0002, SFI_TABLE_LEVELS) == 0.01


# ---------------------------------------------------------------------------- valid answers


#: The codebook's missing codes of most items (instruments.md §2.6), and of paid_trend.
MISSING_CODES = frozenset({88, 99})
PAID_TREND_MISSING_CODES = frozenset({8, 88, 99})


def test_mean_skips_missing_codes_and_reports_n():
    result = mean_of([40, 99, None, 60, 88, float("nan")], missing=MISSING_CODES)
    # (40 + 60)/2 = 50; sd = √((10² + 10²)/1) = 14.142136
    assert (result.n, result.mean) == (2, 50.0)
    assert result.sd == pytest.approx(math.sqrt(200), rel=1e-12)
    assert result.sd == pytest.approx(np.std([40, 60], ddof=1))


def test_eight_is_a_value_except_in_paid_trend():
    assert mean_of([8, 10], missing=MISSING_CODES).mean == 9.0  # a star dimension of 8 counts
    assert mean_of([8, 1, 3], missing=PAID_TREND_MISSING_CODES).n == 2


def test_mean_of_nothing_is_n_0_and_none():
    assert mean_of([]) == mean_of([99, None], missing=MISSING_CODES)
    result = mean_of([99, 88, None], missing=MISSING_CODES)
    assert (result.n, result.mean, result.sd) == (0, None, None)
    assert mean_of([7]).sd is None


def test_share_over_valid_answers():
    # debt 2.3: 1 ja, 5 nej, 99 ved ikke → 2 of 3 valid
    assert share_of([1, 5, 99, 1, None], {1}, missing=MISSING_CODES) == share_of([1, 1, 5], {1})
    result = share_of([1, 5, 99, 1, None], {1}, missing=MISSING_CODES)
    assert (result.n, result.count, result.share) == (3, 2, 2 / 3)
    assert share_of([99, None], {1}, missing=MISSING_CODES).share is None
    assert share_of([99], {1}).n == 1  # without missing codes, 99 is an answer like any


def test_share_of_counted_answers_is_the_share_of_the_answers():
    answers = [1, 5, 99, 1, None, (1, 5), (99,), 5]
    counted = {1: 2, 5: 2, 99: 1, None: 1, (1, 5): 1, (99,): 1}
    assert share_of_counts(counted, {1}, missing=MISSING_CODES) == share_of(answers, {1}, missing=MISSING_CODES)
    assert share_of_counts(counted, {1}, missing=MISSING_CODES) == share(3, 5)
    assert share(0, 0).share is None


def test_share_of_multiple_choice_answers():
    # income 2.1 "including code 1"; (99,) is "ved ikke" as a whole
    incomes = [(1, 5), (5,), (99,), (2, 8), (), (1,)]
    result = share_of(incomes, {1}, missing=MISSING_CODES)
    assert (result.n, result.count) == (4, 2)
    assert is_missing((99,), MISSING_CODES) and is_missing(()) and not is_missing((1, 99), MISSING_CODES)


def test_mean_of_counted_values_agrees_with_numpy_frequency_weights():
    values, times = [2.5, 0.0, 99.0, 7.25], [3, 1, 2, 1]
    result = mean_of_counts(dict(zip(values, times)))
    # numpy: the weighted mean, and the unbiased SD with frequency weights.
    assert result.n == 7
    assert result.mean == pytest.approx(np.average(values, weights=times), rel=1e-12)
    assert result.sd == pytest.approx(math.sqrt(np.cov(values, fweights=times)), rel=1e-12)
    assert mean_of_counts({40: 2, 99: 5, None: 1}, missing=MISSING_CODES).to_dict() == {"n": 2, "mean": 40.0, "sd": 0.0}


def test_share_with_a_predicate():
    result = share_of([0, 4, 8, 50, 99], lambda index: index <= 50, missing=MISSING_CODES)
    assert (result.n, result.count) == (4, 4)


# ---------------------------------------------------------------------------- properties

finite = st.floats(allow_nan=False, allow_infinity=False)
values = st.lists(st.one_of(finite, st.integers(-(10**6), 10**6), st.none()), max_size=20)


@settings(max_examples=300, deadline=None)
@given(values, values)
def test_the_t_test_never_raises_and_p_is_a_probability(a, b):
    assert_clean(two_sample_ttest(a, b))


@settings(max_examples=200, deadline=None)
@given(finite, finite, st.integers(-3, 10**6), finite, finite, st.integers(-3, 10**6))
def test_the_summary_t_test_never_raises(m1, s1, n1, m2, s2, n2):
    assert_clean(ttest_from_summary(m1, s1, n1, m2, s2, n2))


counts = st.one_of(st.integers(-5, 10**9), finite)


@settings(max_examples=300, deadline=None)
@given(counts, counts, counts, counts)
def test_the_two_proportion_test_never_raises(x1, n1, x2, n2):
    assert_clean(two_proportion_ztest(x1, n1, x2, n2))


@settings(max_examples=300, deadline=None)
@given(counts, counts, finite, st.sampled_from(["wald", "null"]))
def test_the_one_proportion_test_never_raises(x, n, p0, variance):
    assert_clean(one_proportion_ztest(x, n, p0, variance=variance))


@settings(max_examples=200, deadline=None)
@given(st.one_of(finite, st.none()))
def test_stars_never_raise(p):
    assert stars(p) in ("", "*", "**", "***")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(finite, st.integers(), st.none(), st.tuples(st.integers(0, 99))), max_size=20))
def test_mean_and_share_never_raise(items):
    mean = mean_of(items)
    assert mean.mean is None or math.isfinite(mean.mean)
    result = share_of(items, {1})
    assert result.share is None or 0 <= result.share <= 1


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 25), min_size=2, max_size=30, unique=True),
    st.lists(st.integers(0, 25), min_size=2, max_size=30, unique=True),
)
def test_the_t_test_agrees_with_scipy_on_who5_like_data(a, b):
    a, b = [4 * x for x in a], [4 * x for x in b]
    ours, ref = two_sample_ttest(a, b), scipy_stats.ttest_ind(a, b, equal_var=True)
    assert ours.p == pytest.approx(ref.pvalue, rel=1e-8, abs=1e-300)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 500), st.integers(1, 500), st.data())
def test_the_two_proportion_test_agrees_with_statsmodels(n1, n2, data):
    x1, x2 = data.draw(st.integers(0, n1)), data.draw(st.integers(0, n2))
    if x1 + x2 in (0, n1 + n2):
        return  # statsmodels divides by zero there; the spec's p = 1 is tested above
    z, p = proportions_ztest([x1, x2], [n1, n2])
    assert two_proportion_ztest(x1, n1, x2, n2).p == pytest.approx(p, rel=1e-8, abs=1e-300)


def test_no_module_of_the_evaluation_computes_a_mean_or_sd_of_its_own():
    """The report and the live fidelity view take their means, SDs and shares from this
    module (tested against scipy above), never from a sum divided in place."""
    import re
    from pathlib import Path

    own = re.compile(r"sum\(.*\)\s*/\s*(len\b|n\b)|/\s*len\(|\bstatistics\.|\.(mean|std|var)\(\)|np\.(mean|std|var)\(")
    package = Path(__file__).resolve().parents[1]
    found = [f"{path.name}:{number}" for path in sorted(package.glob("*.py")) if path.name != "stats.py"
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if own.search(line)]
    assert found == []

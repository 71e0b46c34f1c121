"""The statistics of the evaluation report, as pure functions (style.md rule 13).

Plain sequences in, small frozen results out; no ORM, no pandas. The tests are the ones
SFI used and evaluation.md fixes ("tests" row and "Fine print"):

- means: two-sample t-test with equal (pooled) variances — ``two_sample_ttest``;
- shares: two-sample z-test with the pooled proportion (Stata ``prtest``) —
  ``two_proportion_ztest``;
- a share against a fixed value (SFI: "signifikant forskellig fra 0") — one-sample z-test
  with the Wald standard error — ``one_proportion_ztest``;
- start vs end are independent groups, as SFI did (sfi-analyses.md §2.5), so there is no
  paired test here.

Every p-value is two-sided. A result never holds NaN and no function raises on finite
input: where a test is undefined (an empty group, too few observations, zero variance
with a non-zero difference) ``p`` is ``None``, which the JSON report writes as ``null``.
The two rules evaluation.md fixes are kept: a pooled share of 0 or 1 gives p = 1, and the
same holds, by the same argument, when all observations of a t-test are equal.

Missing codes are answers, but never enter a mean or a denominator (instruments.md
§2.6); which codes they are is the codebook's (``Item.missing_codes``: 88 and 99, and 8
in ``paid_trend`` only), passed in as ``missing``. ``mean_of`` and ``share_of`` skip them
and report the n they used.

The report computes every mean, SD and share here: whole numbers (WHO-5 indices, star
dimensions) are summed exactly in integers, other numbers with ``math.fsum``.

References: Stata Base Reference Manual, ``ttest`` and ``prtest`` (Methods and
formulas); Agresti, *Categorical Data Analysis*, 3rd ed., §1.3–1.4 and §3.1.4; scipy
``ttest_ind(equal_var=True)`` and statsmodels ``proportions_ztest``, against which the
tests check every function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import asdict, dataclass

from scipy import stats as _dist

_NO_CODES = frozenset()

#: Levels the report names (evaluation.md "tests": "report p and the level reached
#: (0.05/0.01/0.001)"; SFI's figure notes "signifikant … på et 0,001-niveau").
SIGNIFICANCE_LEVELS = (0.05, 0.01, 0.001)
#: SFI's tables mark only two levels: Table 6.4 defines "*" = 0.05 and "**" = 0.01
#: (source L4810–4813), so p = 0.0002 is printed "**" there.
SFI_TABLE_LEVELS = (0.05, 0.01)


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Mean:
    """A mean over the valid values; ``sd`` is the sample SD (n − 1), None when n < 2."""

    n: int
    mean: float | None
    sd: float | None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Share:
    """``count`` successes among ``n`` valid answers; ``share`` is None when n = 0."""

    n: int
    count: int
    share: float | None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TTest:
    """Two-sample t-test; ``difference`` = mean1 − mean2."""

    n1: int
    mean1: float | None
    n2: int
    mean2: float | None
    difference: float | None
    statistic: float | None
    df: int | None
    p: float | None


@dataclass(frozen=True)
class TwoProportionTest:
    """Pooled two-proportion z-test; ``difference`` = share1 − share2."""

    count1: int
    n1: int
    share1: float | None
    count2: int
    n2: int
    share2: float | None
    difference: float | None
    pooled: float | None
    statistic: float | None
    p: float | None


@dataclass(frozen=True)
class OneProportionTest:
    """One-sample z-test of a share against ``p0``; ``variance`` is "wald" or "null"."""

    count: int
    n: int
    share: float | None
    p0: float
    variance: str
    se: float | None
    statistic: float | None
    p: float | None


# ---------------------------------------------------------------------------- helpers


#: Whole numbers are kept exact below this size (a float holds them exactly up to it).
_EXACT_MAX = 2**53


def _number(value) -> int | float | None:
    """A whole number as it is (summed exactly), anything else numeric as a finite float,
    or None for None, NaN, ±inf and anything that is not a number."""
    if value is None or isinstance(value, (str, bytes)):
        return None
    if type(value) is int and -_EXACT_MAX < value < _EXACT_MAX:
        return value
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _plain_numbers(values: list) -> bool:
    """Every value already a clean number (the report's case), so no per-value checks."""
    kinds = set(map(type, values))
    if not kinds <= {int, float}:
        return False
    if float in kinds and not all(map(math.isfinite, filter(lambda v: type(v) is float, values))):
        return False
    return int not in kinds or max(map(abs, filter(lambda v: type(v) is int, values))) < _EXACT_MAX


def _sum_over(xs: list[float], n: int) -> float | None:
    """fsum(xs)/n, falling back to fsum(x/n) when the sum itself overflows."""
    try:
        return math.fsum(xs) / n
    except OverflowError:
        try:
            result = math.fsum(x / n for x in xs)
        except (OverflowError, ValueError):
            return None
        return result if math.isfinite(result) else None


def _moments(xs: list) -> tuple[int, float | None, float | None]:
    """(n, mean, sample SD) of clean numbers (``_number``).

    Whole numbers are summed exactly: mean = Σx/n, s² = (nΣx² − (Σx)²) / (n(n − 1)), each
    rounded once. Other numbers: mean = fsum(x)/n, s² = fsum((x − mean)²)/(n − 1). A
    constant sample has SD exactly 0, whatever rounding would give, so that "all values
    equal" is decided exactly. Where a square overflows or vanishes, the deviations are
    scaled by the largest one before squaring; SD None means it does not fit in a float."""
    n = len(xs)
    if n == 0:
        return 0, None, None
    if all(type(x) is int for x in xs):
        total = sum(xs)
        try:
            mean = total / n
        except OverflowError:
            mean = None
        if mean is not None:
            if n < 2:
                return n, mean, None
            spread = n * sum(x * x for x in xs) - total * total
            try:
                return n, mean, math.sqrt(spread / (n * (n - 1)))
            except OverflowError:
                return n, mean, None
    mean = _sum_over(xs, n)
    if mean is None or n < 2:
        return n, mean, None
    if all(x == xs[0] for x in xs):
        return n, float(xs[0]), 0.0
    try:
        sd = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
    except OverflowError:
        sd = math.inf
    if sd == 0 or not math.isfinite(sd):
        sd = _scaled_sd(xs, mean, n)
    return n, mean, sd


def _scaled_sd(xs, mean, n) -> float | None:
    deviations = [x - mean for x in xs]
    scale = max(abs(d) for d in deviations)
    if not math.isfinite(scale):
        return None
    if scale == 0:
        return 0.0
    sd = scale * math.sqrt(math.fsum((d / scale) ** 2 for d in deviations) / (n - 1))
    return sd if math.isfinite(sd) else None


def _two_sided_normal(z: float) -> float:
    return min(1.0, 2.0 * float(_dist.norm.sf(abs(z))))


def _count(value) -> int | None:
    """A non-negative whole number as int (2.0 is fine), else None."""
    number = _number(value)
    if number is None or number < 0 or number != math.floor(number):
        return None
    return int(number)


# ---------------------------------------------------------------------------- valid answers


def is_missing(value, missing: Collection = _NO_CODES) -> bool:
    """True for no answer (None, NaN, an empty multiple choice) and for a missing code.

    A multiple-choice answer (tuple, list, set) is missing when it holds only missing
    codes: ``(99,)`` is "ved ikke" as a whole (instruments.md §2.6)."""
    if value is None:
        return True
    if isinstance(value, (tuple, list, set, frozenset)):
        return not value or all(_in(code, missing) for code in value)
    if isinstance(value, float) and math.isnan(value):
        return True
    return _in(value, missing)


def _in(value, codes: Collection) -> bool:
    try:
        return value in codes
    except TypeError:  # unhashable value against a set of codes
        return False


def mean_of(values: Iterable, *, missing: Collection = _NO_CODES) -> Mean:
    """Mean and sample SD of the valid numeric values.

    mean = Σx / n, sd = √(Σ(x − mean)² / (n − 1)) over the values that are numbers and
    not missing codes (evaluation.md "valid answer": the item's missing codes, from the
    codebook, and no answer never enter a mean). Fractions and Decimals (star means,
    decimal items) are taken as floats; whole numbers are summed exactly."""
    values = values if isinstance(values, list) else list(values)
    if _plain_numbers(values):
        xs = values if not missing else [v for v in values if v not in missing]
    else:
        xs = [x for x in (_number(v) for v in values if not is_missing(v, missing)) if x is not None]
    n, mean, sd = _moments(xs)
    return Mean(n=n, mean=mean, sd=sd)


def mean_of_counts(counted: Mapping | Iterable, *, missing: Collection = _NO_CODES) -> Mean:
    """``mean_of`` over answers already counted: a mapping (or pairs) value → how many
    times it was given, so that a column whose answers repeat (whole and half hours) is
    summarised over its distinct values. None, NaN and missing codes are left out.

        n = Σk,  mean = Σkx / n,  sd = √(Σk(x − mean)² / (n − 1))

    Each product kx is rounded once, so the last bit may differ from ``mean_of`` over the
    expanded values (the tests hold them together). A single distinct value has SD 0."""
    pairs = counted.items() if isinstance(counted, Mapping) else counted
    clean = []
    for value, times in pairs:
        if not times or is_missing(value, missing):
            continue
        number = _number(value)
        if number is not None:
            clean.append((float(number), times))
    n = sum(times for _v, times in clean)
    if not n:
        return Mean(n=0, mean=None, sd=None)
    mean = math.fsum(v * k for v, k in clean) / n
    if n < 2:
        return Mean(n=n, mean=mean, sd=None)
    if len(clean) == 1:
        return Mean(n=n, mean=clean[0][0], sd=0.0)
    return Mean(n=n, mean=mean, sd=math.sqrt(math.fsum(k * (v - mean) ** 2 for v, k in clean) / (n - 1)))


def share(count: int, n: int) -> Share:
    """count / n as a ``Share`` (None when n = 0), for counts a caller tallied itself."""
    return Share(n=n, count=count, share=(count / n if n else None))


def share_of(
    values: Iterable,
    success: Collection | Callable[[object], bool],
    *,
    missing: Collection = _NO_CODES,
) -> Share:
    """Share of the valid answers that are a success: count / n.

    ``success`` is a collection of codes or a predicate. A single answer succeeds when
    its code is in the collection; a multiple-choice answer (a tuple of codes, as
    ``types.SelectMultiple`` stores it) when any of its codes is — "``income`` including
    code 1" is ``share_of(incomes, {1})``. Missing answers and the item's missing codes
    are left out of n (sfi-analyses.md §2.4; evaluation.md "valid answer")."""
    return share_of_counts(((value, 1) for value in values), success, missing=missing)


def share_of_counts(
    counted: Mapping | Iterable,
    success: Collection | Callable[[object], bool],
    *,
    missing: Collection = _NO_CODES,
) -> Share:
    """``share_of`` over answers already counted: a mapping (or pairs) answer → how many
    times it was given, e.g. a ``collections.Counter`` of a column, so that each
    distinct answer is judged once however many records gave it."""
    pairs = counted.items() if isinstance(counted, Mapping) else counted
    n = count = 0
    for value, times in pairs:
        if is_missing(value, missing):
            continue
        n += times
        if callable(success):
            hit = bool(success(value))
        elif isinstance(value, (tuple, list, set, frozenset)):
            hit = any(_in(code, success) for code in value)
        else:
            hit = _in(value, success)
        count += times * hit
    return Share(n=n, count=count, share=(count / n if n else None))


# ---------------------------------------------------------------------------- t-test


def two_sample_ttest(a: Iterable, b: Iterable) -> TTest:
    """Two-sample t-test assuming equal variances (SFI footnote 25, source L4078–4133).

        s_p² = ((n₁ − 1)s₁² + (n₂ − 1)s₂²) / (n₁ + n₂ − 2)
        t    = (x̄₁ − x̄₂) / (s_p √(1/n₁ + 1/n₂)),   df = n₁ + n₂ − 2
        p    = Pr(|T_df| > |t|)  (two-sided)

    Reference: Stata ``ttest`` (Methods and formulas); scipy ``ttest_ind(equal_var=True)``.

    ``a`` and ``b`` are plain numbers; None, NaN and ±inf are dropped (filter missing
    codes first with ``mean_of``'s rule, or pass summaries to ``ttest_from_summary``).
    p is None when a group is empty or df < 1, and when the pooled variance is 0 but the
    means differ (t is infinite). When every observation is equal the difference is
    exactly 0 and p = 1, as evaluation.md rules for a pooled share of 0 or 1.
    """
    xa = [x for x in (_number(v) for v in a) if x is not None]
    xb = [x for x in (_number(v) for v in b) if x is not None]
    n1, m1, v1 = _moments(xa)  # v = SD
    n2, m2, v2 = _moments(xb)
    # A sum or a spread that does not fit in a float: no test rather than a wrong one.
    if (n1 and m1 is None) or (n2 and m2 is None) or (n1 > 1 and v1 is None) or (n2 > 1 and v2 is None):
        return TTest(n1, m1, n2, m2, None, None, None, None)
    return _ttest(n1, m1, v1, n2, m2, v2)


def ttest_from_summary(mean1, sd1, n1, mean2, sd2, n2) -> TTest:
    """The same pooled t-test from published summaries (mean, sample SD, n per group).

    Same formula and degenerate cases as ``two_sample_ttest``; ``sd`` may be None for a
    group of one. Reference: scipy ``ttest_ind_from_stats(equal_var=True)``."""
    c1, c2 = _count(n1), _count(n2)
    m1, m2 = _number(mean1), _number(mean2)
    s1, s2 = _number(sd1), _number(sd2)
    if c1 is None or c2 is None or (s1 is not None and s1 < 0) or (s2 is not None and s2 < 0):
        return TTest(c1 or 0, m1, c2 or 0, m2, None, None, None, None)
    m1 = m1 if c1 else None
    m2 = m2 if c2 else None
    v1 = s1 if c1 > 1 else None
    v2 = s2 if c2 > 1 else None
    if (c1 > 1 and v1 is None) or (c2 > 1 and v2 is None) or (c1 and m1 is None) or (c2 and m2 is None):
        return TTest(c1, m1, c2, m2, None, None, None, None)
    return _ttest(c1, m1, v1, c2, m2, v2)


def _ttest(n1, m1, s1, n2, m2, s2) -> TTest:
    def result(difference=None, statistic=None, df=None, p=None):
        return TTest(n1, m1, n2, m2, difference, statistic, df, p)

    if n1 == 0 or n2 == 0:
        return result()
    difference = m1 - m2
    if not math.isfinite(difference):
        return result()
    df = n1 + n2 - 2
    if df < 1:
        return result(difference)
    # s_p = √(w₁s₁² + w₂s₂²) with w = (n − 1)/df, as a hypot so that it cannot overflow.
    pooled_sd = math.hypot(math.sqrt((n1 - 1) / df) * (s1 or 0.0), math.sqrt((n2 - 1) / df) * (s2 or 0.0))
    se = pooled_sd * math.sqrt(1 / n1 + 1 / n2)
    if se == 0 or not math.isfinite(se):
        if pooled_sd == 0 and difference == 0:
            return result(difference, 0.0, df, 1.0)
        return result(difference, None, df)
    t = difference / se
    if not math.isfinite(t):
        return result(difference, None, df)
    p = min(1.0, 2.0 * float(_dist.t.sf(abs(t), df)))
    return result(difference, t, df, p)


# ---------------------------------------------------------------------------- proportions


def two_proportion_ztest(count1, n1, count2, n2) -> TwoProportionTest:
    """Two-sample z-test of shares with the pooled proportion (SFI "pr-test", fn 28,
    source L4350–4359; sfi-analyses.md §2.5 and §10).

        p̂ = (x₁ + x₂) / (n₁ + n₂)
        z  = (x₁/n₁ − x₂/n₂) / √(p̂(1 − p̂)(1/n₁ + 1/n₂))
        p  = Pr(|Z| > |z|) = 2(1 − Φ(|z|))

    Reference: Stata ``prtest`` (Methods and formulas); Agresti (2013) §3.1.4;
    statsmodels ``proportions_ztest([x₁, x₂], [n₁, n₂])``.

    evaluation.md, Fine print: an empty group gives p None ("null"); a pooled share of 0
    or 1 (no variation at all, so the difference is exactly 0) gives z = 0 and p = 1.
    Counts that cannot be counts (negative, fractional, more successes than n) give
    p None and no shares.
    """
    x1, m1, x2, m2 = _count(count1), _count(n1), _count(count2), _count(n2)
    if None in (x1, m1, x2, m2) or x1 > m1 or x2 > m2:
        return TwoProportionTest(x1 or 0, m1 or 0, None, x2 or 0, m2 or 0, None, None, None, None, None)
    share1 = x1 / m1 if m1 else None
    share2 = x2 / m2 if m2 else None
    if not m1 or not m2:
        return TwoProportionTest(x1, m1, share1, x2, m2, share2, None, None, None, None)
    pooled = (x1 + x2) / (m1 + m2)
    difference = share1 - share2
    if x1 + x2 in (0, m1 + m2):
        return TwoProportionTest(x1, m1, share1, x2, m2, share2, difference, pooled, 0.0, 1.0)
    # p̂(1 − p̂)(1/n₁ + 1/n₂) = s(N − s)/(N·n₁·n₂) with s = x₁ + x₂, N = n₁ + n₂: in
    # integers, so that a share near 0 or 1 does not round to a zero variance.
    total, successes = m1 + m2, x1 + x2
    se = math.sqrt(successes * (total - successes) / (total * m1 * m2))
    if se == 0:  # underflow with astronomically large n
        return TwoProportionTest(x1, m1, share1, x2, m2, share2, difference, pooled, None, None)
    z = difference / se
    return TwoProportionTest(x1, m1, share1, x2, m2, share2, difference, pooled, z, _two_sided_normal(z))


def one_proportion_ztest(count, n, p0=0.0, *, variance: str = "wald") -> OneProportionTest:
    """One-sample z-test of a share against ``p0`` (SFI: the end share "er signifikant
    forskellig fra 0", Figure 6.3 and Table 6.2, source L4220, L4664).

        z = (x/n − p₀) / SE,   p = 2(1 − Φ(|z|))
        SE = √(p̂(1 − p̂)/n)       with variance="wald" (the default)
        SE = √(p₀(1 − p₀)/n)      with variance="null"

    evaluation.md, Fine print, fixes the Wald standard error: against p₀ = 0 the null
    variance is 0 and the test would not exist. The Wald form is statsmodels'
    ``proportions_ztest(x, n, value=p0)`` default; the null form is its
    ``prop_var=p0`` and Stata's one-sample ``prtest``. Reference: Agresti (2013) §1.3.

    p is None when n = 0, when the inputs are not counts or p₀ is outside [0, 1], and
    when SE = 0 while the share differs from p₀ (all or no successes: z is infinite).
    When SE = 0 and the share equals p₀ there is nothing to test: z = 0, p = 1.
    """
    x, m, target = _count(count), _count(n), _number(p0)
    target = None if target is None else float(target)
    target_out = target if target is not None else 0.0
    if variance not in ("wald", "null") or None in (x, m, target) or x > m or not 0 <= target <= 1:
        return OneProportionTest(x or 0, m or 0, None, target_out, variance, None, None, None)
    if m == 0:
        return OneProportionTest(0, 0, None, target, variance, None, None, None)
    share = x / m
    if variance == "wald":
        se = math.sqrt(x * (m - x) / m**3)  # p̂(1 − p̂)/n in integers (no rounding to 0)
    else:
        se = math.sqrt(target * (1 - target) / m)
    difference = share - target
    if se == 0:
        if difference == 0:
            return OneProportionTest(x, m, share, target, variance, 0.0, 0.0, 1.0)
        return OneProportionTest(x, m, share, target, variance, 0.0, None, None)
    z = difference / se
    return OneProportionTest(x, m, share, target, variance, se, z, _two_sided_normal(z))


# ---------------------------------------------------------------------------- significance


def significance_level(p, levels: Iterable[float] = SIGNIFICANCE_LEVELS) -> float | None:
    """The smallest level that p is below, or None (also for p None).

    "Strictly below": SFI concludes significance when "p-værdien er mindre end det
    alpha-niveau" (footnotes 26 and 29, source L4135, L4361), so p = 0.05 is not."""
    value = _number(p)
    if value is None:
        return None
    reached = [level for level in levels if value < level]
    return min(reached) if reached else None


def stars(p, levels: Iterable[float] = SIGNIFICANCE_LEVELS) -> str:
    """"", "*", "**" or "***": one star per level p is below.

    SFI's Table 6.4 (source L4810–4813): "*" significant at 0.05, "**" at 0.01; the
    figure notes name 0.001 in words. The report marks the three levels evaluation.md
    names; pass ``levels=SFI_TABLE_LEVELS`` to print a table exactly as SFI did (no
    "***"). SFI uses no 10 % marker."""
    value = _number(p)
    if value is None:
        return ""
    return "*" * sum(1 for level in levels if value < level)

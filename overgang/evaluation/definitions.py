"""The report's definitions (evaluation.md, "Definitions"), as one frozen value.

Each row of evaluation.md's table is a named setting with a default. The ones the spec
offers a choice for can be changed for one run, written as the CLI writes them:
``overgang report --set who5_improvement="10 percent" --set large_inclusive=true``.
``parse_overrides`` turns such ``key=value`` strings into checked values and raises
``DefinitionError`` — naming the key and the allowed values, in the user's language —
for anything else. The remaining rows are fixed definitions: they are fields too, so
that the report echoes them, but a ``--set`` on them is refused.

The helpers at the end (``at_risk``, ``improved``, ``progression_class`` …) are the
one place the thresholds are applied, so that a changed setting changes every table.
"""

from __future__ import annotations

import re

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from types import MappingProxyType

from django.utils.translation import gettext as _

from overgang.instruments import codebook, registry

#: Report points and the star ``time_point`` code each one takes (codes 3 and 5 are
#: transitions: stored and exported, never a report point).
POINT_CODES = MappingProxyType({"start": 1, "phase1": 2, "phase2": 4, "phase3": 6, "end": 7})
#: ``cti_ongoing.phase`` codes that are "in phase 1/2/3"; 2 and 4 are transitions.
ONGOING_PHASE_CODES = MappingProxyType({"phase1": 1, "phase2": 3, "phase3": 5})
#: Course length groups from ``cti_end.months`` (inclusive bounds; None = open) of SFI's
#: 12-month course. The keys are SFI's names; for a course of another planned length the
#: bounds scale (``course_length_bounds``): the rule gives exactly these for 12 months.
COURSE_LENGTH_GROUPS = MappingProxyType(
    {"le6": (None, 6), "m7_9": (7, 9), "m10_11": (10, 11), "m12": (12, 12), "m13_14": (13, None)}
)
DROPOUT_GROUPS = MappingProxyType({"before10": (None, 9), "from10": (10, None)})
#: SFI's 12-month course: the length the names above (``le6`` … ``from10``) were made for.
SFI_COURSE_MONTHS = 12
#: 30.4375 = 365.25 / 12, kept exact so that a star on a boundary day is placed the same
#: way on every machine.
DAYS_PER_MONTH = Fraction(487, 16)

_TRUE = ("true", "ja", "yes", "1")
_FALSE = ("false", "nej", "no", "0")


class DefinitionError(ValueError):
    """A ``--set`` the report cannot use. ``code`` is stable; ``message`` is for people."""

    def __init__(self, code: str, message: str, *, key: str | None = None, allowed: str | None = None):
        super().__init__(message)
        self.code = code
        self.key = key
        self.allowed = allowed
        self.message = message


# ---------------------------------------------------------------------------- value parsers
# Each parser takes the text after "=" (or a Python value, when a caller builds
# Definitions directly) and returns the typed value or None when it is not allowed.


def _choice(*allowed: str):
    def parse(value):
        return value if isinstance(value, str) and value in allowed else None

    parse.allowed = lambda: ", ".join(allowed)
    return parse


def _integer(low: int, high: int | None):
    def parse(value):
        if isinstance(value, bool):
            return None
        if isinstance(value, str):
            text = value.strip()
            if not re.fullmatch(r"-?[0-9]{1,9}", text):  # ASCII digits: "²".isdigit() is True
                return None
            value = int(text)
        if not isinstance(value, int) or value < low or (high is not None and value > high):
            return None
        return value

    if high is None:
        parse.allowed = lambda: _("et helt tal på mindst %(min)s") % {"min": low}
    else:
        parse.allowed = lambda: _("et helt tal fra %(min)s til %(max)s") % {"min": low, "max": high}
    return parse


def _boolean(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE:
        return False
    return None


_boolean.allowed = lambda: "true, false"


def _level(value):
    try:
        number = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None
    return number if number in (0.05, 0.01, 0.001) else None


_level.allowed = lambda: "0.05, 0.01, 0.001"


def _setting(default, parse):
    return field(default=default, metadata={"parse": parse, "fixed": False})


def _fixed(default):
    # init=False: a fixed definition is not a constructor argument either.
    # (a factory because dataclasses refuse a mapping as a plain default).
    return field(default_factory=lambda: default, init=False, metadata={"fixed": True})


def _from_codebook(read):
    """A fixed definition that is the codebook's, not the report's: echoed as read."""
    return field(default_factory=read, init=False, metadata={"fixed": True})


def _star_dimensions() -> int:
    return len(registry.get_instrument("star").score("star_mean").items)


def _missing_codes() -> tuple:
    return tuple(sorted(codebook.general_missing_codes(registry.all_instruments().values())))


def _paid_trend_missing_codes() -> tuple:
    own = registry.get_instrument("star").item("paid_trend").missing_codes
    return tuple(sorted(set(_missing_codes()) | own))


# ---------------------------------------------------------------------------- the definitions


@dataclass(frozen=True)
class Definitions:
    """evaluation.md's definitions with their defaults.

    Changeable (``--set``):

    - ``time_point_rule`` — how a star without ``time_point`` gets one; the spec defines
      one rule, ``nearest_even_month`` (active days / 30.4375 rounded to an even month).
    - ``end_measure`` — ``coded_end`` (the star coded 7, never carried forward) or
      ``last_observation`` (sensitivity run).
    - ``who5_risk_max`` — at risk of stress/depression ⇔ index ≤ this (50).
    - ``who5_depression_max`` — likely depression ⇔ index ≤ this (28, Topp et al. 2015).
    - ``who5_improvement`` — ``10 points`` (Δ ≥ 10) or ``10 percent`` (≥ 1.1 × start).
    - ``large_inclusive`` — large progression is Δ ≥ 1 instead of Δ > 1 (off).
    - ``alpha`` — significance level for "significant" (0.05); the report still prints
      the level reached.
    - ``small_cells`` — counts below this are shown as "<5" to project leaders (5). It
      can be raised, not lowered: security.md requires suppression below 5.

    Fixed (echoed, refused by ``--set``): the report points and their star codes, the
    ongoing-form phase codes, the course length and dropout groups, the star
    progression bounds, the star-completeness flag, the missing codes, the significance
    levels, the tests, the star dedupe and the start CTI record rules.
    """

    time_point_rule: str = _setting("nearest_even_month", _choice("nearest_even_month"))
    end_measure: str = _setting("coded_end", _choice("coded_end", "last_observation"))
    who5_risk_max: int = _setting(50, _integer(0, 100))
    who5_depression_max: int = _setting(28, _integer(0, 100))
    who5_improvement: str = _setting("10 points", _choice("10 points", "10 percent"))
    large_inclusive: bool = _setting(False, _boolean)
    alpha: float = _setting(0.05, _level)
    small_cells: int = _setting(5, _integer(5, None))

    points: tuple = _fixed(tuple(POINT_CODES))
    point_codes: MappingProxyType = _fixed(POINT_CODES)
    ongoing_phase_codes: MappingProxyType = _fixed(ONGOING_PHASE_CODES)
    course_length_groups: MappingProxyType = _fixed(COURSE_LENGTH_GROUPS)
    dropout_groups: MappingProxyType = _fixed(DROPOUT_GROUPS)
    progression_no_change: float = _fixed(0.25)  # |Δ| ≤ this is "no change"
    progression_large: float = _fixed(1.0)  # Δ above this (or at it, large_inclusive) is "large"
    # A star with fewer answered dimensions than the star has is flagged (the codebook's).
    star_min_dimensions: int = _from_codebook(_star_dimensions)
    # Echoed from the codebook: the codes that are missing in every list that has them,
    # and those with paid_trend's own (where 8 is "ved ikke"); the report reads each item's.
    missing_codes: tuple = _from_codebook(_missing_codes)
    paid_trend_missing_codes: tuple = _from_codebook(_paid_trend_missing_codes)
    significance_levels: tuple = _fixed((0.05, 0.01, 0.001))
    mean_test: str = _fixed("t_test_equal_variances")
    share_test: str = _fixed("z_test_pooled")
    share_vs_zero_test: str = _fixed("z_test_wald")
    star_dedupe: str = _fixed("possible_1_citizen_first_latest")
    start_cti_record: str = _fixed("cti_start_else_first_ongoing_phase1")

    def __post_init__(self):
        # Checked here too, so that Definitions(who5_risk_max=500) fails like --set does;
        # text values ("true", "40") are stored typed.
        for f in fields(self):
            if f.metadata.get("fixed"):
                continue
            value = f.metadata["parse"](getattr(self, f.name))
            if value is None:
                raise _value_error(f.name, getattr(self, f.name))
            object.__setattr__(self, f.name, value)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_overrides(cls, items: Iterable[str] = ()) -> Definitions:
        """Definitions with ``--set key=value`` overrides applied."""
        return replace(cls(), **parse_overrides(items))

    def to_json(self) -> dict:
        """The ``definitions`` object of the JSON report.

        The five keys evaluation.md's contract shows come first, in its order and form
        (``{"who5_risk_max": 50, "who5_improvement": "10 points", …}``); the other
        settings and the fixed definitions follow, so that a report says everything
        its numbers depend on (the contract welcomes extra keys)."""
        out = {
            "who5_risk_max": self.who5_risk_max,
            "who5_improvement": self.who5_improvement,
            "time_point_rule": self.time_point_rule,
            "end_measure": self.end_measure,
            "large_inclusive": self.large_inclusive,
        }
        for f in fields(self):
            if f.name not in out:
                out[f.name] = _plain(getattr(self, f.name))
        return out

    # ------------------------------------------------------------------ applying them

    def at_risk(self, index) -> bool:
        """WHO-5 index in the risk zone for stress/depression (index ≤ who5_risk_max)."""
        return index <= self.who5_risk_max

    def likely_depression(self, index) -> bool:
        return index <= self.who5_depression_max

    def improved(self, start, later) -> bool:
        """WHO-5 improvement from the start index. ``10 points``: later − start ≥ 10;
        ``10 percent``: later ≥ 1.1 × start, decided in integers (10·later ≥ 11·start)
        so that 1.1 × 50 = 55 counts. Note that with ``10 percent`` a start of 0 makes
        any later index an improvement — that is the spec's definition, taken as written."""
        if self.who5_improvement == "10 points":
            return later - start >= 10
        return 10 * later >= 11 * start

    def progression_class(self, delta) -> str:
        """``regression`` / ``no_change`` / ``moderate`` / ``large`` for a star Δ.

        Δ < −0.25 regression; −0.25 ≤ Δ ≤ 0.25 no change; 0.25 < Δ ≤ 1 moderate; Δ > 1
        large (Δ ≥ 1 with ``large_inclusive``). A float Δ is rounded to 9 decimals first
        (evaluation.md Fine print) so 1.0000000001 from float sums stays "moderate";
        an exact difference of star means (a Fraction) is used as is."""
        if not isinstance(delta, Fraction):
            delta = Fraction(str(round(float(delta), 9)))
        bound, large = Fraction(str(self.progression_no_change)), Fraction(str(self.progression_large))
        if delta < -bound:
            return "regression"
        if delta <= bound:
            return "no_change"
        if delta > large or (self.large_inclusive and delta == large):
            return "large"
        return "moderate"

    def time_point_code(self, active_days) -> int:
        """Star ``time_point`` code for a star filled ``active_days`` after the course
        start, paused days excluded (``nearest_even_month``): months m = days / 30.4375,
        even month e = 2·floor(m/2 + ½); e ≤ 0 → 1, 2 → 2, 4 → 3, … 10 → 6, ≥ 12 → 7."""
        months = Fraction(active_days) / DAYS_PER_MONTH
        even = 2 * math.floor(months / 2 + Fraction(1, 2))
        if even <= 0:
            return 1
        return min(even // 2 + 1, 7)

    def course_length_group(self, months, course_months=SFI_COURSE_MONTHS) -> str | None:
        """``le6`` … ``m13_14`` from ``cti_end.months`` of a course planned to last
        ``course_months`` (``course_length_bounds``); None without an end form."""
        if course_months == SFI_COURSE_MONTHS:
            return _group(self.course_length_groups, months)
        return _group(course_length_bounds(course_months), months)

    def dropout_group(self, months, course_months=SFI_COURSE_MONTHS) -> str | None:
        """``before10`` (before ``dropout_cutoff``: ≤ 9 of 12 months) or ``from10`` (≥ 10
        of 12); None without an end form."""
        if course_months == SFI_COURSE_MONTHS:
            return _group(self.dropout_groups, months)
        return _group(dropout_bounds(course_months), months)

    def significant(self, p) -> bool:
        """p strictly below ``alpha`` (SFI fn 26: "mindre end det alpha-niveau")."""
        return p is not None and p < self.alpha

    def suppressed(self, count) -> bool:
        """A count project leaders see as "<5" (evaluators see it exactly)."""
        return count < self.small_cells


def dropout_cutoff(course_months: int) -> int:
    """The month from which a course counts as run (nearly) to its end rather than
    dropped out: five sixths of the planned course length, rounded up to a whole month —
    SFI's 10th month of a 12-month course (sfi-analyses.md, Tables 4.4, 6.4, 6.5), the
    8th of a 9-month course, the 5th of a 6-month course."""
    return -(-5 * course_months // 6)


def course_length_bounds(course_months: int) -> MappingProxyType:
    """SFI's five course length groups for a course planned to last ``course_months``:
    ended within the first half (≤ ⌊L/2⌋), later but before the cutoff, from the cutoff
    to a month before the planned end, at the planned end (L) and after it (≥ L + 1).
    For 12 months exactly ``COURSE_LENGTH_GROUPS``; a group that the length leaves empty
    (a cutoff at the planned end) is ``None``."""
    length, cut = course_months, dropout_cutoff(course_months)
    half = length // 2

    def span(low, high):
        return (low, high) if low is None or high is None or low <= high else None

    return MappingProxyType({
        "le6": (None, half), "m7_9": span(half + 1, cut - 1), "m10_11": span(cut, length - 1),
        "m12": (length, length), "m13_14": (length + 1, None),
    })


def dropout_bounds(course_months: int) -> MappingProxyType:
    """``before10`` (before the cutoff) and ``from10`` (from it) for ``course_months``."""
    cut = dropout_cutoff(course_months)
    return MappingProxyType({"before10": (None, cut - 1), "from10": (cut, None)})


def _group(groups, months):
    if months is None:
        return None
    for name, bounds in groups.items():
        if bounds is None:
            continue  # a group the course length leaves empty
        low, high = bounds
        if (low is None or months >= low) and (high is None or months <= high):
            return name
    return None


def _plain(value):
    if isinstance(value, MappingProxyType):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------------------- overrides


def _settings() -> dict:
    return {f.name: f for f in fields(Definitions) if not f.metadata.get("fixed")}


def _fixed_error(key):
    return DefinitionError(
        "fixed_definition",
        _("Definitionen %(key)s ligger fast og kan ikke ændres. Definitioner, der kan ændres: %(allowed)s.")
        % {"key": key, "allowed": ", ".join(_settings())},
        key=key,
        allowed=", ".join(_settings()),
    )


def _value_error(key, value):
    allowed = _settings()[key].metadata["parse"].allowed()
    return DefinitionError(
        "bad_value",
        _("Ugyldig værdi %(value)s for definitionen %(key)s. Tilladte værdier: %(allowed)s.")
        % {"value": repr(value), "key": key, "allowed": allowed},
        key=key,
        allowed=allowed,
    )


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def parse_overrides(items: Iterable[str]) -> dict:
    """``["who5_improvement=10 percent", "large_inclusive=true"]`` → typed values.

    Whitespace around the key and value is ignored and one pair of quotes around the
    value is removed (``who5_improvement="10 percent"`` arrives with its quotes when it
    does not pass through a shell). Raises ``DefinitionError`` with code
    ``bad_format`` (no "="), ``unknown_definition``, ``fixed_definition``,
    ``bad_value`` or ``duplicate``; the message names the key and what is allowed.
    """
    settings = _settings()
    known = {f.name for f in fields(Definitions)}
    parsed: dict = {}
    for item in items:
        key, sep, raw = str(item).partition("=")
        key = key.strip()
        if not sep or not key:
            raise DefinitionError(
                "bad_format",
                _("Skriv en definition som navn=værdi, fx who5_improvement=\"10 percent\" (fik %(item)s).")
                % {"item": repr(item)},
                key=key or None,
            )
        if key not in known:
            raise DefinitionError(
                "unknown_definition",
                _("Ukendt definition %(key)s. Definitioner, der kan ændres: %(allowed)s.")
                % {"key": key, "allowed": ", ".join(settings)},
                key=key,
                allowed=", ".join(settings),
            )
        if key not in settings:
            raise _fixed_error(key)
        if key in parsed:
            raise DefinitionError(
                "duplicate",
                _("Definitionen %(key)s er angivet mere end én gang.") % {"key": key},
                key=key,
            )
        value = settings[key].metadata["parse"](_unquote(raw))
        if value is None:
            raise _value_error(key, _unquote(raw))
        parsed[key] = value
    return parsed

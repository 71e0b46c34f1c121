"""Complementary (secondary) suppression of the leaders' report (issue 14, item 4).

A leader sees every count under ``small`` as "<5" (primary suppression, ``document.Format``).
That alone is not enough: a hidden count can often be recovered by subtraction from
other numbers in the same report — a point's N minus one subgroup's N gives the other
subgroup, a table's total minus its shown rows gives the hidden row, Table 4.2's parts
add up to the end forms. This module finds the counts a leader's report publishes, the
linear relations between them, and hides further counts ("x") until no hidden count can
be derived:

1. ``track(report)``: a copy of the JSON report whose every count is a ``Tracked`` int
   that knows its JSON path (``"who5.by_point.start.n"``); a sum of tracked counts stays
   tracked (a table's total row). The document builders are unchanged: what they show
   is recorded by ``document.Format`` as it formats it (``Recorder``).
2. ``relations(report)``: the relations between counts a reader can know — a count is at
   most its N; the rows of one answer add up to (at most) its N; the subgroups' Ns at a
   point add up to at most the point's N; the course-length groups add up to the end
   forms; the same population's N under several keys. A relation stated as "at most"
   that holds with equality in the data counts as an equation: a reader who guesses it is
   an equation is right.
3. ``secondary(report, recorder, small)``: for every hidden count, the smallest and
   largest value it can take given every number shown, the relations, each hidden count
   in 0..small-1 and each "x" at least ``small`` (a linear programme per connected set of
   relations, ``scipy.optimize.linprog``; a count whose relations hold no other unknown
   is bounded directly). When that interval is narrower than ``PROTECTION`` (the count
   is determined), the smallest shown count of an equation linked to it (else of any
   relation with it) is hidden as well, and the counts linked to that one are audited
   again.

Shares, means and tests that rest on an "x" are hidden like those resting on a "<5"
(``Format.hidden_n``/``hidden_count``). Evaluators' reports never pass through here.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict, defaultdict

import numpy as np
from scipy.optimize import linprog

# A hidden count must keep at least this wide an interval (max - min) against everything
# the report shows: 1 means it is never determined; at least two values stay possible.
PROTECTION = 1

POINTS = ("start", "phase1", "phase2", "phase3", "end")


class Tracked(int):
    """An int from the report that knows which quantity it is: ``path`` (a JSON path,
    or for a sum of tracked counts an expression with ``terms``)."""

    def __new__(cls, value, path, terms=None, const=0):
        obj = int.__new__(cls, value)
        obj.path = path
        obj.terms = terms  # None for a count of the report; {path: coef} for a sum
        obj.const = const
        return obj

    def _as_terms(self):
        return (dict(self.terms), self.const) if self.terms is not None else ({self.path: 1}, 0)

    def _combine(self, other, sign):
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        terms, const = self._as_terms()
        if isinstance(other, Tracked):
            more, more_const = other._as_terms()
            for path, coef in more.items():
                terms[path] = terms.get(path, 0) + sign * coef
            const += sign * more_const
        else:
            const += sign * int(other)
        value = int(self) + sign * int(other)
        terms = {p: c for p, c in terms.items() if c}
        path = "(" + " ".join(f"{c:+d}*{p}" for p, c in sorted(terms.items())) + f" {const:+d})"
        return Tracked(value, path, terms, const)

    def __add__(self, other):
        return self._combine(other, 1)

    def __radd__(self, other):
        return self._combine(other, 1)

    def __sub__(self, other):
        return self._combine(other, -1)

    def __rsub__(self, other):
        result = self._combine(other, -1)
        if result is NotImplemented:
            return result
        terms = {p: -c for p, c in result.terms.items()}
        return Tracked(-int(result), "-" + result.path, terms, -result.const)

    # Counts copied or compared stay what they are; other arithmetic gives a plain number.
    def __reduce__(self):
        return (int, (int(self),))


def track(report, path=""):
    """A copy of ``report`` whose ints are ``Tracked`` by their JSON path."""
    if isinstance(report, dict):
        return {k: track(v, f"{path}.{k}" if path else str(k)) for k, v in report.items()}
    if isinstance(report, list):
        return [track(v, f"{path}[{i}]") for i, v in enumerate(report)]
    if isinstance(report, int) and not isinstance(report, bool):
        return Tracked(report, path)
    return report


class Recorder:
    """The tracked counts a document shows (filled by ``document.Format``)."""

    def __init__(self):
        self.seen: dict[str, Tracked] = {}
        self.revealed: set[str] = set()  # counts under the limit shown as they are ("N = 0")

    def see(self, value):
        if isinstance(value, Tracked) and value.path not in self.seen:
            self.seen[value.path] = value

    def reveal(self, value):
        self.see(value)
        if isinstance(value, Tracked):
            self.revealed.add(value.path)


# ---------------------------------------------------------------------------- relations


class Relations:
    """Linear relations between the report's counts, by JSON path: ``eq`` (sum of
    parts = total) and ``le`` (sum of parts <= total), each with the data's values so
    that an "at most" holding with equality becomes an equation."""

    def __init__(self, report):
        self.report = report
        self.rows: list[tuple[dict, bool]] = []  # ({path: coef}, is_equation): sum(coef * x) (=|<=) 0

    def _get(self, path):
        node = self.report
        for key in path.split("."):
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node if isinstance(node, Tracked) else None

    def _add(self, parts, total, equation):
        parts = [p for p in parts if p is not None]
        if total is None or not parts or any(not isinstance(p, Tracked) for p in parts):
            return
        terms = defaultdict(int)
        for p in parts:
            terms[p.path] += 1
        terms[total.path] -= 1
        terms = {k: v for k, v in terms.items() if v}
        if not terms:
            return
        equation = equation or sum(int(p) for p in parts) == int(total)
        self.rows.append((terms, equation))

    def le(self, parts, total):
        self._add([self._get(p) if isinstance(p, str) else p for p in parts],
                  self._get(total) if isinstance(total, str) else total, False)

    def eq(self, parts, total):
        parts = [self._get(p) if isinstance(p, str) else p for p in parts]
        total = self._get(total) if isinstance(total, str) else total
        if total is not None and all(p is not None for p in parts) and sum(int(p) for p in parts) == int(total):
            self._add(parts, total, True)
        else:  # a relation the data does not bear out (a template's report leaves parts out)
            self._add(parts, total, False)

    def same(self, a, b):
        self.eq([a], b)


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, f"{path}.{k}" if path else str(k))


def relations(report) -> Relations:
    """Every relation between counts the report's definitions make (README "The
    pipeline"; sfi-analyses.md)."""
    r = Relations(report)
    # A count is at most its N, wherever the report has a {"n", "count"} pair; counts of
    # a code are at most their N.
    for path, node in _walk(report):
        if isinstance(node.get("n"), Tracked):
            if isinstance(node.get("count"), Tracked):
                r.le([f"{path}.count"], f"{path}.n")
            for key in ("counts", "distribution"):
                if isinstance(node.get(key), dict):
                    for code in node[key]:
                        r.le([f"{path}.{key}.{code}"], f"{path}.n")
    c = "counts"
    r.eq([f"{c}.courses_ended", f"{c}.courses_active"], f"{c}.courses_started")
    r.le([f"{c}.end_forms"], f"{c}.courses_ended")
    r.le([f"{c}.start_cti_records"], f"{c}.courses_started")
    for p in POINTS:
        r.le([f"who5.by_point.{p}.n"], f"{c}.stars.{p}")
        r.le([f"star.by_point.{p}.n"], f"{c}.stars.{p}")
    descriptives = report.get("descriptives") or {}
    t41 = descriptives.get("table_4_1") or {}
    for m in t41:
        r.eq([f"descriptives.table_4_1.{m}.ended", f"descriptives.table_4_1.{m}.active"],
             f"descriptives.table_4_1.{m}.total")
    if len(t41) == 1:
        (m,) = t41
        r.same(f"descriptives.table_4_1.{m}.total", f"{c}.courses_started")
        r.same(f"descriptives.table_4_1.{m}.ended", f"{c}.courses_ended")
        r.same(f"descriptives.table_4_1.{m}.active", f"{c}.courses_active")
    # Course length (Table 4.2) and the dropout groups built from it.
    cl = "course_length"
    groups = [f"{cl}.{g}" for g in ("le6", "m7_9", "m10_11", "m12", "m13_14", "without_months")]
    r.eq(groups, f"{cl}.end_forms")
    r.same(f"{cl}.end_forms", f"{c}.end_forms")
    r.same(f"{cl}.ended", f"{c}.courses_ended")
    r.eq([f"{cl}.le6", f"{cl}.m7_9"], "dropout.before10.courses")
    r.eq([f"{cl}.m10_11", f"{cl}.m12", f"{cl}.m13_14"], "dropout.from10.courses")
    # The dropout groups are the end forms with a length (Table 6.5 against Table 4.2's
    # total: an equation whenever every end form has one).
    r.le(["dropout.before10.courses", "dropout.from10.courses"], f"{cl}.end_forms")
    r.same("dropout.all.courses", f"{c}.courses_started")
    r.same("dropout.all.who5_start_n", "who5.by_point.start.n")
    for key in ("who5_start_n", "sex_income_start.n", "sex_income_start.count", "sex_income_end.n",
                "sex_income_end.count"):
        r.le([f"dropout.before10.{key}", f"dropout.from10.{key}"], f"dropout.all.{key}")
    for g in ("before10", "from10", "all"):
        r.le([f"dropout.{g}.who5_start_n"], f"dropout.{g}.courses")
        r.le([f"dropout.{g}.sex_income_start.n"], f"dropout.{g}.courses")
        r.le([f"dropout.{g}.sex_income_end.n"], f"dropout.{g}.courses")
    r.same("dropout.all.sex_income_start.n", "staff_ratings.sex_income.start.n")
    r.same("dropout.all.sex_income_start.count", "staff_ratings.sex_income.start.count")
    r.same("dropout.from10.sex_income_end.n", "staff_ratings.sex_income.end_from10.n")
    r.same("dropout.from10.sex_income_end.count", "staff_ratings.sex_income.end_from10.count")
    for path, node in _walk(report.get("staff_ratings") or {}, "staff_ratings"):
        if "end_from10" in node:
            r.le([f"{path}.end_from10.n"], "dropout.from10.courses")
            r.le([f"{path}.start.n"], f"{c}.courses_started")
    # WHO-5 and the star.
    for p in POINTS:
        w = f"who5.by_point.{p}"
        r.le([f"{w}.at_risk_count"], f"{w}.n")
        r.le([f"{w}.depression_count"], f"{w}.at_risk_count")
        r.same(f"attrition.all.{p}.n", f"{w}.n")
        r.le([f"star.by_point.{p}.incomplete"], f"star.by_point.{p}.n")
        for name in (report.get("star") or {}).get("dimensions") or {}:
            r.le([f"star.dimensions.{name}.by_point.{p}.n"], f"star.by_point.{p}.n")
        for measure in ("paid_last_month", "paid_or_considered"):
            r.le([f"{measure}.by_point.{p}.n"], f"{c}.stars.{p}")
        r.le([f"paid_last_month.by_point.{p}.count"], f"paid_or_considered.by_point.{p}.count")
        r.le([f"attrition.retained.{p}.n", f"attrition.dropped.{p}.n"], f"attrition.all.{p}.n")
        for g in ("retained", "dropped", "all"):
            r.le([f"attrition.{g}.{p}.n"], f"attrition.{g}.courses")
        for name in (report.get("subgroups") or {}):
            s = f"subgroups.{name}"
            r.le([f"{s}.yes.{p}.n", f"{s}.no.{p}.n"], f"{w}.n")
            r.le([f"{s}.yes.{p}.n"], f"{s}.yes.courses")
            r.le([f"{s}.no.{p}.n"], f"{s}.no.courses")
    for name in (report.get("star") or {}).get("dimensions") or {}:
        r.same(f"star.dimensions.{name}.start_n", f"star.dimensions.{name}.by_point.start.n")
        r.same(f"star.dimensions.{name}.end_n", f"star.dimensions.{name}.by_point.end.n")
    for p in POINTS[1:]:
        prog = f"star.progression.{p}"
        r.eq([f"{prog}.counts.{k}" for k in ("regression", "no_change", "moderate", "large")], f"{prog}.n")
        r.le([f"{prog}.n"], f"star.by_point.{p}.n")
        r.le([f"who5.improved.{p}.n"], f"who5.by_point.{p}.n")
    r.le(["attrition.retained.courses", "attrition.dropped.courses"], "attrition.all.courses")
    r.same("attrition.all.courses", f"{c}.courses_started")
    for name in (report.get("subgroups") or {}):
        s = f"subgroups.{name}"
        r.le([f"{s}.yes.courses", f"{s}.no.courses"], f"{c}.courses_started")
    r.same("subgroups.who5_at_risk.yes.start.n", "who5.by_point.start.at_risk_count")
    r.eq(["subgroups.who5_at_risk.yes.start.n", "subgroups.who5_at_risk.no.start.n"], "who5.by_point.start.n")
    r.same("subgroups.substance_at_start.yes.courses", "descriptives.table_4_13.substance.count")
    r.le(["subgroups.substance_at_start.yes.courses", "subgroups.substance_at_start.no.courses"],
         "descriptives.table_4_13.substance.n")
    r.same("staff_ratings.substance.start.count", "descriptives.table_4_13.substance.count")
    r.same("staff_ratings.substance.start.n", "descriptives.table_4_13.substance.n")
    r.same("staff_ratings.mental_problems.start.count", "descriptives.table_4_12.mental_high_some.count")
    r.same("staff_ratings.mental_problems.start.n", "descriptives.table_4_12.mental_high_some.n")
    r.same("staff_ratings.debt.start.count", "descriptives.table_4_11.has_debt.count")
    r.same("staff_ratings.debt.start.n", "descriptives.table_4_11.has_debt.n")
    # Chapter 4: the rows of one answer add up to at most its N.
    d = "descriptives"
    partitions = {
        "table_4_3": None,  # the reasons (several may be given): one N
        "table_4_5": (("female", "male", "trans"), ("danish", "danish_other", "other_citizenship"),
                      ("referred", "not_referred")),
        "table_4_6": (("debut_over4y", "debut_1_4y", "debut_under1y"), ("last_over2y", "last_1_2y", "last_under1y")),
        "table_4_8": (("female", "male", "trans"), ("danish", "other_citizenship"),
                      ("age_under18", "age_18_25", "age_26_30", "age_31_35", "age_36_40", "age_41_50", "age_over50")),
        "table_4_9": (("school_0_6", "school_7_10", "school_upper"), ("voc_none", "voc_vocational", "voc_higher")),
        "table_4_10": (("unemployed", "sick_outside", "activation", "education", "employed"),),
        "figure_4_1": (("level_1", "level_2", "level_3", "level_4"),),
        "figure_4_2": (("level_1", "level_2", "level_3", "level_4"),),
        "table_4_12": (("mental_high_some", "mental_little_none"),),
        "table_4_14": (("youngest_lives_with", "youngest_not_with"),),
        "table_4_15": (("goal_exit", "goal_life"),),
        "table_5_1": (("ngo", "municipal", "kc", "self", "unknown", "other"),),
    }
    for table, sets in partitions.items():
        t = descriptives.get(table) or {}
        if sets is None:
            codes = t.get("codes") or {}
            for k in codes:
                r.same(f"{d}.{table}.codes.{k}.n", f"{d}.{table}.n")
            continue
        for keys in sets:
            present = [k for k in keys if k in t]
            if present:
                r.le([f"{d}.{table}.{k}.count" for k in present], f"{d}.{table}.{present[0]}.n")
                for k in present[1:]:
                    r.same(f"{d}.{table}.{k}.n", f"{d}.{table}.{present[0]}.n")
    t44 = descriptives.get("table_4_4") or {}
    for g in ("before10", "from10"):
        for row in t44:
            r.le([f"{d}.table_4_4.{row}.{g}.n"], f"dropout.{g}.courses")
        for keys in (("female", "male", "trans"), ("danish", "other_citizenship"), ("goal_exit", "goal_life")):
            present = [k for k in keys if k in t44]
            if present:
                r.le([f"{d}.table_4_4.{k}.{g}.count" for k in present], f"{d}.table_4_4.{present[0]}.{g}.n")
                for k in present[1:]:
                    r.same(f"{d}.table_4_4.{k}.{g}.n", f"{d}.table_4_4.{present[0]}.{g}.n")
    for k in ("debt_public", "debt_consumer", "debt_bank", "debt_private", "debt_milieu"):
        r.le([f"{d}.table_4_11.{k}.n"], f"{d}.table_4_11.has_debt.count")
    for k in ("cannabis", "hard_drugs", "alcohol"):
        r.le([f"{d}.table_4_13.{k}.n"], f"{d}.table_4_13.substance.count")
    r.le([f"{d}.table_4_14.youngest_lives_with.n"], f"{d}.table_4_14.children.count")
    r.le([f"{d}.table_4_15.life_not_paid_last_year.n"], f"{d}.table_4_15.goal_life.count")
    # Chapter 5 and 7: phases' forms, fidelity.
    for p in ("phase1", "phase2", "phase3"):
        f = f"fidelity.weekly_meetings.{p}"
        r.eq([f"{f}.distribution.{k}" for k in ("1", "2", "3", "4", "5")], f"{f}.n")
        r.eq([f"{f}.distribution.{k}" for k in ("1", "2", "3")], f"{f}.count")
        r.le([f"{f}.n"], f"{c}.ongoing_forms.{p}")
        for kind in ("focus_areas", "activity_types"):
            r.le([f"chapter5.{kind}.{p}.n"], f"{c}.ongoing_forms.{p}")
    nm = "fidelity.plan.needs_met"
    r.eq([f"{nm}.distribution.{k}" for k in ("1", "2", "3", "4")], f"{nm}.n")
    r.eq([f"{nm}.distribution.{k}" for k in ("1", "2")], f"{nm}.count")
    cp = "chapter5.contact_phase"
    r.le([f"{cp}.with_activities.n"], f"{cp}.n")
    chapter5 = report.get("chapter5") or {}
    for path, node in _walk((chapter5.get("contact_phase") or {}).get("types") or {}, f"{cp}.types"):
        if isinstance(node.get("n"), Tracked):
            r.le([f"{path}.n"], f"{cp}.with_activities.n")
    op = "chapter5.offers_phase3"
    for code in (chapter5.get("offers_phase3") or {}).get("offers") or {}:
        r.le([f"{op}.offers.{code}.n"], f"{op}.n")
    for code in (report.get("motives") or {}).get("codes") or {}:
        r.same(f"motives.codes.{code}.n", "motives.n")
    return r


# ---------------------------------------------------------------------------- the audit


class _Problem:
    """The attacker's linear programme over one report: the shown counts are constants,
    the hidden and unshown ones variables; it splits into independent parts (variables
    linked by a relation), each solved on its own."""

    def __init__(self, rows, seen, small):
        self.small = small
        self.rows = list(rows)
        self.values = {}  # path -> exact value of a shown count (None: not shown)
        for value in seen.values():
            self._learn(value)
        for terms, _eq, _c in self.rows:
            for path in terms:
                self.values.setdefault(path, None)
        self.seen = set(seen)
        self.memo = {}
        self.rows_of = defaultdict(list)
        for i, (terms, _eq, _c) in enumerate(self.rows):
            for path in terms:
                self.rows_of[path].append(i)

    def _learn(self, value):
        self.values[value.path] = int(value)
        if value.terms is not None:  # a sum shown: sum - terms = const
            terms = {value.path: 1}
            for p, coef in value.terms.items():
                terms[p] = terms.get(p, 0) - coef
            self.rows.append(({k: v for k, v in terms.items() if v}, True, value.const))
            for p in value.terms:
                self.values.setdefault(p, None)

    def fixed(self, path, primary, secondary):
        return path in self.seen and path not in primary and path not in secondary

    def part(self, target, primary, secondary):
        """The variables linked to ``target`` through relations (shown counts are
        constants and link nothing), and the rows among them."""
        variables, rows, todo = {target}, set(), [target]
        while todo:
            path = todo.pop()
            for i in self.rows_of.get(path, ()):
                if i in rows:
                    continue
                rows.add(i)
                for other in self.rows[i][0]:
                    if other not in variables and not self.fixed(other, primary, secondary):
                        variables.add(other)
                        todo.append(other)
        return variables, rows

    def interval(self, target, primary, secondary, enough=math.inf):
        """The smallest and largest value of ``target`` the reader can reach (None when
        the relations do not fit: treated as exposed). When the largest is at least
        ``enough`` above the true value, the smallest is not sought (the true value
        stands for it)."""
        found_vars, found_rows = self.part(target, primary, secondary)
        key = (target, frozenset(found_vars), frozenset(found_vars & set(secondary)), enough)
        if key not in self.memo:
            self.memo[key] = self._interval(target, primary, secondary, sorted(found_vars), found_rows, enough)
        return self.memo[key]

    def _interval(self, target, primary, secondary, variables, found_rows, enough):
        index = {p: i for i, p in enumerate(variables)}
        bounds = []
        for p in variables:
            if p in primary:
                bounds.append((0, self.small - 1))
            elif p in secondary:
                bounds.append((self.small, None))
            else:
                bounds.append((0, None))
        a_eq, b_eq, a_ub, b_ub = [], [], [], []
        for i in sorted(found_rows):
            terms, equation, const = self.rows[i]
            line = np.zeros(len(variables))
            rhs = const
            for p, coef in terms.items():
                if p in index:
                    line[index[p]] = coef
                else:
                    rhs -= coef * self.values[p]
            (a_eq if equation else a_ub).append(line)
            (b_eq if equation else b_ub).append(rhs)
        if len(variables) == 1:  # every other count in its relations is shown: no programme needed
            return self._alone(bounds[0], a_eq, b_eq, a_ub, b_ub)
        objective = np.zeros(len(variables))
        objective[index[target]] = 1
        found = []
        for sign in (-1, 1):
            if sign == 1 and self.values.get(target) is not None and found[0] - self.values[target] >= enough:
                found.insert(0, self.values[target])
                break
            result = linprog(sign * objective, A_ub=np.array(a_ub) if a_ub else None, b_ub=b_ub or None,
                             A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None, bounds=bounds,
                             method="highs")
            if result.status == 3:  # unbounded above
                found.append(math.inf)
            elif result.status != 0:
                return None  # the relations as modelled do not fit the data: treat as exposed
            else:
                found.append(sign * result.fun)
        else:
            found.reverse()
        low, high = found
        return math.ceil(low - 1e-7), (math.floor(high + 1e-7) if high != math.inf else high)

    @staticmethod
    def _alone(bound, a_eq, b_eq, a_ub, b_ub):
        """The interval of a variable that is the only unknown in its relations."""
        low, high = bound[0], math.inf if bound[1] is None else bound[1]
        for line, rhs in zip(a_eq, b_eq):
            coef = line[0]
            if coef:
                low = high = rhs / coef if low <= rhs / coef <= high else None
                if low is None:
                    return None
        for line, rhs in zip(a_ub, b_ub):
            coef = line[0]
            if coef > 0:
                high = min(high, rhs / coef)
            elif coef < 0:
                low = max(low, rhs / coef)
            elif rhs < 0:
                return None
        if low > high:
            return None
        return math.ceil(low - 1e-7), (math.floor(high + 1e-7) if high != math.inf else high)

    def neighbours(self, target, primary, secondary):
        """Shown counts in a relation with ``target`` or with a variable linked to it."""
        _found, found_rows = self.part(target, primary, secondary)
        direct = {p for i in self.rows_of.get(target, ()) for p in self.rows[i][0]}
        linked = {p for i in found_rows for p in self.rows[i][0]}
        return direct, linked


# The audits this process solved last: the same report shown again (a download of the
# report a page showed, the same report for another leader, its other language) is not
# solved again. The audit is a function of what ``_problem_key`` covers alone.
_SOLVED: OrderedDict = OrderedDict()
_SOLVED_KEEP = 32
_SOLVED_LOCK = threading.Lock()


def _problem_key(rows, recorder: Recorder, small: int) -> str:
    """A digest of everything the audit reads: the relations and the counts shown (each
    with its value and, for a sum, its terms), in their order, the counts revealed, the
    limit and ``PROTECTION``."""
    digest = hashlib.sha256()
    digest.update(repr((PROTECTION, small, sorted(recorder.revealed))).encode())
    for terms, equation in rows:
        digest.update(repr(("row", list(terms.items()), equation)).encode())
    for path, value in recorder.seen.items():
        digest.update(repr(("seen", path, value.path, int(value),
                            None if value.terms is None else list(value.terms.items()), value.const)).encode())
    return digest.hexdigest()


def secondary(recorder: Recorder, report, small: int) -> frozenset:
    """The paths to hide besides the counts under ``small``, so that no hidden count is
    determined (or narrowed below ``PROTECTION``) by what the report shows."""
    rel = relations(report)
    key = _problem_key(rel.rows, recorder, small)
    with _SOLVED_LOCK:
        if key in _SOLVED:
            _SOLVED.move_to_end(key)
            return _SOLVED[key]
    hidden = _secondary(rel, recorder, small)
    with _SOLVED_LOCK:
        _SOLVED[key] = hidden
        while len(_SOLVED) > _SOLVED_KEEP:
            _SOLVED.popitem(last=False)
    return hidden


def _secondary(rel, recorder: Recorder, small: int) -> frozenset:
    problem = _Problem([(terms, eq, 0) for terms, eq in rel.rows], recorder.seen, small)
    primary = {p for p in problem.seen
               if problem.values[p] is not None and problem.values[p] < small and p not in recorder.revealed}
    hidden: set[str] = set()

    def width(target, extra=()):
        found = problem.interval(target, primary, hidden | set(extra), enough=PROTECTION)
        return -1 if found is None else found[1] - found[0]

    def shown(paths):
        return sorted((p for p in paths if problem.fixed(p, primary, hidden)), key=lambda p: (problem.values[p], p))

    pending = sorted(p for p in primary if p in problem.rows_of)
    while pending:
        target = pending.pop(0)
        now = width(target)
        while now < PROTECTION:
            direct, linked = problem.neighbours(target, primary, hidden)
            _vars, rows = problem.part(target, primary, hidden)
            pinning = {p for i in rows if problem.rows[i][1] for p in problem.rows[i][0]}
            near = shown(pinning & linked) or shown(direct) or shown(linked)
            if not near:
                break
            chosen = near[0]
            hidden.add(chosen)
            now = width(target)
            # A new "x" is known to be at least ``small``: the others linked to it are
            # audited again.
            again, _rows = problem.part(chosen, primary, hidden)
            pending.extend(p for p in sorted(again) if p in primary and p != target and p not in pending)
    return frozenset(hidden)

"""Scores derived from a record's answers, declared in the instrument definition.

An instrument's ``scores`` (YAML, part of the definition and its content hash) each name
a formula over some of its items — the star's WHO-5 index and its mean over the ten
dimensions (instruments.md §5, evaluation.md). They are the one definition of those
numbers: the record page, the course page and the report compute them here, and the
report's lists of WHO-5 items and star dimensions are these scores' ``items``. Scores
are computed, never stored, so a corrected answer never leaves a stale score behind.

Formulas:

- ``sum``: ``factor`` × the sum of the items' values, only when every item has a valid
  value (WHO-5: 4 × (who5_1 + … + who5_5), 0–100);
- ``mean``: the mean of the items that have a valid value, exact (``Mean``, a Fraction
  and the number answered), so that thresholds on differences are decided without
  rounding error; a mean over fewer than all items is ``incomplete``.

A value is valid when the item allows it as a number and it is no missing code: a code
of a ``select_one`` list that is not flagged missing (its code is its value, as WHO-5's
5 … 0), or an integer or decimal within its constraint. Anything else is no value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

FORMULAS = ("sum", "mean")
#: Item types whose answers are numbers a score can add up.
SCORABLE_TYPES = ("select_one", "integer", "decimal")


class Mean(NamedTuple):
    """An exact mean: ``total`` over ``count`` answered of ``of`` items. (A named tuple:
    the report makes one per star, hundreds of thousands.)"""

    total: object
    count: int
    of: int

    @property
    def value(self) -> Fraction | None:
        return Fraction(self.total) / self.count if self.count else None

    @property
    def as_float(self) -> float | None:
        """The mean as the nearest float (for averaging means; ``value`` is exact)."""
        return self.total / self.count if self.count else None

    @property
    def complete(self) -> bool:
        return self.count == self.of


@dataclass(frozen=True)
class Score:
    name: str
    label: object  # build.Text
    formula: str
    items: tuple[str, ...]
    factor: int | float = 1
    # The built items the score reads (set by build): what a valid value is.
    item_defs: tuple = field(default=(), compare=False, repr=False)

    # ------------------------------------------------------------------ values

    def _valid(self, item, value):
        if value is None or isinstance(value, bool) or value in item.missing_codes:
            return None
        if item.handler.check(item, value):
            return None
        return value

    def values(self, answers: Mapping) -> tuple:
        """Per item (in ``items`` order) its valid value in ``answers`` (item → Python
        answer, after skip logic), or None."""
        return tuple(self._valid(item, answers.get(item.name)) for item in self.item_defs)

    def reader(self) -> Callable[[Mapping], tuple]:
        """``values`` for answers still as interchange strings (item → ``"5"``), fast:
        for a bounded item every valid string is looked up, never parsed (the report
        reads hundreds of thousands of stars)."""
        tables = [(item, _value_table(item)) for item in self.item_defs]
        if all(table is not None for _item, table in tables):
            lookups = [(item.name, table.get) for item, table in tables]

            def read_listed(answers: Mapping) -> tuple:
                get = answers.get
                # An unanswered item (None) is no key of any table.
                return tuple([lookup(get(name)) for name, lookup in lookups])

            return read_listed

        def read(answers: Mapping) -> tuple:
            get = answers.get
            out = []
            for item, table in tables:
                raw = get(item.name)
                if raw is None:
                    out.append(None)
                elif table is not None:
                    out.append(table.get(raw))
                else:
                    try:
                        out.append(self._valid(item, item.handler.parse(item, raw)))
                    except ValueError:
                        out.append(None)
            return tuple(out)

        return read

    # ------------------------------------------------------------------ the formula

    def compute(self, values: tuple):
        """The score of per-item ``values`` (as ``values``/``reader`` give them): an int
        (or number) for ``sum``, None unless all are valid; a ``Mean`` for ``mean``."""
        if self.formula == "sum":
            if None in values:
                return None
            return self.factor * sum(values)
        answered = [v for v in values if v is not None]
        return Mean(sum(answered), len(answered), len(values))

    def of(self, answers: Mapping):
        """The score of one record's answers (item → Python answer)."""
        return self.compute(self.values(answers))

    def to_dict(self):
        return {"name": self.name, "label": self.label.to_dict(), "formula": self.formula, "items": list(self.items),
                **({"factor": self.factor} if self.formula == "sum" else {})}


def _value_table(item) -> dict | None:
    """Every valid interchange string of a bounded item → its value (missing codes left
    out); None when the type cannot list them (a decimal, a wide integer): parsed."""
    finite = item.handler.finite_values(item)
    if finite is None:
        return None
    return {text: value for text, value in finite.items() if value not in item.missing_codes}

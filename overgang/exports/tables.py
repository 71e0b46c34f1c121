"""The one table model every evaluator-export writer is fed (style.md rule 12).

A ``Table`` is a name, a label, typed ``Column``s (with the variable label, value
labels and the codes that are missing values: the item's type handler gives them,
``types.ExportColumn``, so an item's columns are the codebook's) and rows of
plain Python values. A cell is a value, ``None`` (unanswered: relevant, no answer) or
``SKIPPED`` (the skip logic hid the item). Writers decide how each format shows these:
Stata ``.s`` for skipped and ``.`` for unanswered, SPSS system-missing, empty cells in
CSV and XLSX, nulls in Parquet (instruments.md §2.6).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from overgang.instruments.types import ExportColumn as Column


class _Skipped:
    __slots__ = ()

    def __repr__(self):
        return "SKIPPED"

    def __bool__(self):
        return False


SKIPPED = _Skipped()


@dataclass
class Table:
    name: str
    label: str
    columns: list
    rows: list = field(default_factory=list)

    def values(self, index):
        """The values of one column, top to bottom."""
        return [row[index] for row in self.rows]

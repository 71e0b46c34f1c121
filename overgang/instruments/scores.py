"""Values derived from one star record, as the codebook and evaluation.md define them.

They are computed, never stored as items, so that a correction of an answer can never
leave a stale score behind. Both take the record's values after skip logic
(``engine.values``); a star with ``possible`` ≠ 1 has no dimension or WHO-5 answers and
therefore no scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

WHO5_ITEMS = ("who5_1", "who5_2", "who5_3", "who5_4", "who5_5")
DIMENSIONS = (
    "dim_motivation", "dim_selfcare", "dim_money", "dim_network", "dim_substance",
    "dim_physical", "dim_mental", "dim_time", "dim_housing", "dim_offending",
)


def _score(value, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def who5_index(answers: Mapping) -> int | None:
    """WHO-5 well-being index 0–100: 4 × (who5_1 + … + who5_5), only when all five are
    answered (instruments.md §5, evaluation.md `who5_index`). Each answer's code is its
    score 0–5 (interchange.md); anything else means no index."""
    scores = [_score(answers.get(name), 0, 5) for name in WHO5_ITEMS]
    if any(s is None for s in scores):
        return None
    return 4 * sum(scores)


@dataclass(frozen=True)
class StarMean:
    """Mean of the answered dim_* items of one star (evaluation.md "star mean").

    ``mean`` is an exact Fraction so that progression thresholds (Δ = 1.0 is moderate)
    are decided without rounding error; ``complete`` is False when fewer than ten
    dimensions are answered, which the report flags."""

    mean: Fraction | None
    answered: int

    @property
    def complete(self) -> bool:
        return self.answered == len(DIMENSIONS)


def star_mean(answers: Mapping) -> StarMean:
    scores = [s for s in (_score(answers.get(n), 1, 10) for n in DIMENSIONS) if s is not None]
    return StarMean(mean=Fraction(sum(scores), len(scores)) if scores else None, answered=len(scores))

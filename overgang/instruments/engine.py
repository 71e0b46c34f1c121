"""Skip logic, completeness and answer checks for one record of one instrument.

Everything here is a pure function of a built ``Instrument`` and a dict of answers
(item name → Python answer, see types.py); no ORM, no request. The web form, the
importer and the exports all call these functions, so a record is judged the same way
wherever it comes from.

Relevance (instruments.md §2.4): an item's *value* is its answer only when the item is
relevant and answered; otherwise it has no value, so a hidden item never influences
later items and hiding cascades. References point only to earlier items (checked at
load), so one pass in form order decides every item; ``apply_skip_logic`` nevertheless
repeats until nothing changes, so the guarantee does not rest on that check alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import expressions
from .build import Instrument, Item
from .types import AnswerError, AnswerIssue, Context


def is_answered(value) -> bool:
    """An answer that counts: not None, not empty text, not an empty set of codes."""
    return value is not None and value != "" and value != () and value != []


def relevance(instrument: Instrument, answers: Mapping) -> dict[str, bool]:
    """Item name → relevant, for every item, in form order."""
    values: dict = {}
    out: dict[str, bool] = {}
    evaluate, always = expressions.evaluate, expressions.ALWAYS
    for name, condition, answerable in instrument.relevance_steps:
        relevant = condition is always or evaluate(condition, values)
        out[name] = relevant
        if relevant and answerable:
            value = answers.get(name)
            if is_answered(value):
                values[name] = value
    return out


def values(instrument: Instrument, answers: Mapping) -> dict:
    """The answers that are values: of relevant, answerable items only."""
    rel = relevance(instrument, answers)
    return {
        item.name: answers[item.name]
        for item in instrument.items
        if rel[item.name] and not item.is_note and is_answered(answers.get(item.name))
    }


def visible_items(instrument: Instrument, answers: Mapping) -> list[Item]:
    """Relevant items (notes included) in form order: what the form shows."""
    rel = relevance(instrument, answers)
    return [item for item in instrument.items if rel[item.name]]


def visible_pages(instrument: Instrument, answers: Mapping) -> list:
    """Pages with at least one relevant item; a page whose items are all hidden is skipped."""
    rel = relevance(instrument, answers)
    return [page for page in instrument.pages if any(rel[i.name] for i in page.items)]


def apply_skip_logic(instrument: Instrument, answers: Mapping) -> tuple[dict, list[str]]:
    """Drop the answers of hidden items (and of notes) and say which were dropped.

    Returns ``(kept, cleared)``: ``kept`` is a new dict, ``cleared`` the names of the
    items whose answers were removed, in form order. A caller must show or log
    ``cleared`` (never silently lose an answer) — e.g. a worker changes `debt` from 1
    to 5 and the eight debt types she had entered are cleared and listed.
    Names that are not items of the instrument are kept untouched; ``check_answers``
    reports them.
    """
    kept = dict(answers)
    cleared: set[str] = set()
    while True:
        rel = relevance(instrument, kept)
        hidden = [
            item.name for item in instrument.items
            if item.name in kept and (item.is_note or not rel[item.name])
        ]
        if not hidden:
            break
        for name in hidden:
            if is_answered(kept.pop(name)):
                cleared.add(name)  # an empty placeholder is dropped without a report: nothing is lost
    order = [item.name for item in instrument.items if item.name in cleared]
    return kept, order


def missing_required(instrument: Instrument, answers: Mapping) -> list[Item]:
    """Relevant required items without an answer: these block finalising (§2.5)."""
    rel = relevance(instrument, answers)
    return [
        item for item in instrument.items
        if item.required and rel[item.name] and not is_answered(answers.get(item.name))
    ]


@dataclass(frozen=True)
class Progress:
    answered: int
    relevant: int

    @property
    def fraction(self) -> float:
        return self.answered / self.relevant if self.relevant else 1.0

    @property
    def percent(self) -> int:
        return int(self.fraction * 100 + 0.5)


def progress(instrument: Instrument, answers: Mapping) -> Progress:
    """Answered vs. relevant answerable items (notes are not counted)."""
    rel = relevance(instrument, answers)
    relevant = [item for item in instrument.items if rel[item.name] and not item.is_note]
    return Progress(answered=sum(1 for i in relevant if is_answered(answers.get(i.name))), relevant=len(relevant))


def check_answers(instrument: Instrument, answers: Mapping, context: Context | None = None) -> list[AnswerIssue]:
    """Hard errors of a record (§2.5): unknown items, answers to notes or hidden items,
    and broken constraints. Soft checks and missing required answers are not errors."""
    context = context or Context()
    context = Context(filled_on=context.filled_on, answers=answers)
    issues = [
        AnswerIssue("unknown_item", str(name), f"{name!r} is not an item of {instrument.name}")
        for name in answers if not instrument.has_item(name)
    ]
    rel = relevance(instrument, answers)
    for item in instrument.items:
        if item.name not in answers or not is_answered(answers[item.name]):
            continue
        if item.is_note:
            issues.append(AnswerIssue("note_has_answer", item.name, "a note never has an answer"))
        elif not rel[item.name]:
            issues.append(AnswerIssue("not_relevant", item.name,
                                      f"answered although hidden by its relevance ({item.relevant})"))
        else:
            issues.extend(item.handler.check(item, answers[item.name], context))
    return issues


def parse_answers(instrument: Instrument, raw: Mapping[str, str]) -> tuple[dict, list[AnswerIssue]]:
    """Interchange strings (item → value) → Python answers; unparseable values are reported."""
    answers, issues = {}, []
    for name, text in raw.items():
        if not instrument.has_item(name):
            issues.append(AnswerIssue("unknown_item", str(name), f"{name!r} is not an item of {instrument.name}"))
            continue
        item = instrument.item(name)
        try:
            answers[name] = item.handler.parse(item, text)
        except AnswerError as exc:
            issues.append(exc.issue)
    return answers, issues


def serialise_answers(instrument: Instrument, answers: Mapping) -> dict[str, str]:
    """Python answers → interchange strings, in form order, unanswered items left out."""
    return {
        item.name: item.handler.serialise(item, answers[item.name])
        for item in instrument.items
        if not item.is_note and is_answered(answers.get(item.name))
    }

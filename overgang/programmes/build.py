"""Stage 3: a validated template definition → a frozen ``Template``.

Everything downstream (course creation, the calendar, the report, the interchange) reads
these immutable objects, never the YAML dicts. ``to_dict`` is the canonical plain form
that a ``TemplateVersion`` stores and hashes, and ``build(version.definition)`` gives the
same ``Template`` back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from overgang.instruments.build import Text, canonical_json


@dataclass(frozen=True)
class Calendar:
    """Phase lengths, the measurement interval and window: a course's rules.

    A template's calendar is the default; a municipality may override any number of it
    for the courses it starts (``TemplateOffer``)."""

    phase_months: tuple[int, int, int]
    interval_months: int
    window_days: int

    @property
    def course_months(self) -> int:
        return sum(self.phase_months)

    def to_dict(self):
        return {"phase_months": list(self.phase_months), "course_months": self.course_months,
                "interval_months": self.interval_months, "window_days": self.window_days}


@dataclass(frozen=True)
class Template:
    name: str
    title: Text
    target_group: Text
    transition: Text
    calendar: Calendar
    # (instrument, the item groups it includes beside its common core), in INSTRUMENTS order
    instruments: tuple[tuple[str, tuple[str, ...]], ...]
    goals: tuple[int, ...]
    measures: tuple[str, ...]
    subgroups: tuple[str, ...]
    source: str = ""
    # (choice list, ((code, Text), …)): the template's own wording of a choice
    choice_labels: tuple[tuple[str, tuple[tuple[int, Text], ...]], ...] = ()

    def groups(self, instrument: str) -> frozenset[str]:
        """The item groups of ``instrument`` that courses of this template have."""
        return frozenset(dict(self.instruments).get(instrument, ()))

    def codes(self, instrument: str) -> dict:
        """Item name → the codes a course of this template is offered (the `goal`)."""
        return {"goal": self.goals} if instrument in ("registration", "star") else {}

    def restrict(self, instrument):
        """``instrument`` (a built Instrument) as a course of this template has it: the
        common core and the template's item groups, and only its goals."""
        from overgang.instruments.groups import restrict

        return restrict(instrument, self.groups(instrument.name), self.codes(instrument.name),
                        labels=self.labels())

    def labels(self) -> dict:
        """``{(choice list, code): Text}``: the template's own wording of those choices."""
        return {(name, code): text for name, codes in self.choice_labels for code, text in codes}

    def has_measure(self, measure: str) -> bool:
        return measure in self.measures

    def to_dict(self) -> dict:
        return {
            "name": self.name, "title": self.title.to_dict(), "target_group": self.target_group.to_dict(),
            "transition": self.transition.to_dict(), "source": self.source, "calendar": self.calendar.to_dict(),
            "instruments": {name: list(groups) for name, groups in self.instruments},
            "goals": list(self.goals),
            "report": {"measures": list(self.measures), "subgroups": list(self.subgroups)},
            # only when there are any: a template without them keeps its content hash
            **({"choice_labels": {name: {str(code): text.to_dict() for code, text in codes}
                                  for name, codes in self.choice_labels}} if self.choice_labels else {}),
        }

    def canonical_json(self) -> str:
        return canonical_json(self.to_dict())

    def content_hash(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def _text(data) -> Text:
    return Text(da=" ".join(data["da"].split()), en=" ".join(data["en"].split()))


def build(definition: dict) -> Template:
    """A ``Template`` from a validated definition (resolved YAML or canonical JSON)."""
    from .validate import INSTRUMENTS

    calendar = definition["calendar"]
    instruments = definition["instruments"]
    report = definition["report"]
    return Template(
        name=definition["name"],
        title=_text(definition["title"]),
        target_group=_text(definition["target_group"]),
        transition=_text(definition["transition"]),
        source=" ".join(str(definition.get("source") or "").split()),
        calendar=Calendar(
            phase_months=tuple(int(m) for m in calendar["phase_months"]),
            interval_months=int(calendar["interval_months"]),
            window_days=int(calendar["window_days"]),
        ),
        instruments=tuple((name, tuple(instruments[name] or ())) for name in INSTRUMENTS if name in instruments),
        goals=tuple(int(code) for code in definition["goals"]),
        measures=tuple(report.get("measures") or ()),
        subgroups=tuple(report.get("subgroups") or ()),
        choice_labels=tuple(
            (name, tuple((int(code), _text(text)) for code, text in sorted(codes.items(), key=lambda kv: int(kv[0]))))
            for name, codes in sorted((definition.get("choice_labels") or {}).items())
        ),
    )

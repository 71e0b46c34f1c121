"""Stage 3 of the pipeline: a validated definition dict → frozen dataclasses.

Everything downstream (forms, skip logic, import/export, the codebook) works on these
immutable objects, never on the YAML dicts, so a consumer cannot change an instrument
by accident and a stored version can be rebuilt exactly from its canonical JSON
(``build(version.definition)``).

``build`` assumes ``validate`` found no problems; it does not repeat the checks.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property

from . import expressions
from .scores import Score


@dataclass(frozen=True)
class Text:
    """A user-facing text in both languages of the product."""

    da: str
    en: str

    def get(self, lang: str = "da") -> str:
        return self.en if lang.startswith("en") else self.da

    def __str__(self):
        # A Text that reaches a page or a message unconverted shows in the user's
        # language, never as "Text(da=..., en=...)".
        from django.utils.translation import get_language

        return self.get(get_language() or "da")

    def to_dict(self):
        return {"da": self.da, "en": self.en}


@dataclass(frozen=True)
class Choice:
    code: int
    label: Text
    missing: bool = False  # (m): an answer that never enters a mean or a denominator
    exclusive: bool = False  # (x): must be the only code of a select_multiple answer
    added: bool = False  # (+): not printed on paper, added by the codebook
    # The item group the choice belongs to ("" = the common core): a course whose
    # template lacks the group is never offered the choice (``groups.restrict``).
    group: str = ""

    def to_dict(self):
        return {"code": self.code, "label": self.label.to_dict(), "missing": self.missing,
                "exclusive": self.exclusive, "added": self.added, **({"group": self.group} if self.group else {})}


@dataclass(frozen=True)
class ChoiceList:
    name: str
    choices: tuple[Choice, ...]

    @cached_property
    def codes(self) -> tuple[int, ...]:
        """Codes in display order (as listed)."""
        return tuple(c.code for c in self.choices)

    @cached_property
    def missing_codes(self) -> frozenset[int]:
        return frozenset(c.code for c in self.choices if c.missing)

    @cached_property
    def exclusive_codes(self) -> frozenset[int]:
        return frozenset(c.code for c in self.choices if c.exclusive)

    def get(self, code: int) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)

    def to_dict(self):
        return [c.to_dict() for c in self.choices]


@dataclass(frozen=True)
class Constraint:
    """Bounds of a number or date. A date bound is an ISO date, 'filled_on' or '${item}'."""

    min: int | float | str | None = None
    max: int | float | str | None = None

    def to_dict(self):
        return {k: v for k, v in (("min", self.min), ("max", self.max)) if v is not None}


@dataclass(frozen=True)
class Item:
    name: str
    type: str  # the base type: select_one, select_multiple, integer, decimal, date, text, note
    label: Text
    paper: str = ""
    hint: Text | None = None
    required: bool = False
    relevant: str = ""
    constraint: Constraint | None = None
    choices: ChoiceList | None = None
    fixed: bool = False  # name and codes fixed by interchange.md (◆)
    page: str = ""
    position: int = 0  # 1-based, in form order across pages
    appearance: str = ""  # how a form shows the item: "" or "ladder" (the star's 1–10 ladder)
    # Declared `sealed: true`: the answer is stored encrypted with the citizen's key (the
    # special categories of security.md). Free text is sealed by its type; see is_sealed.
    sealed: bool = False
    # The source of the answer a new record opens with (instruments/prefill.py), or "".
    prefill: str = ""
    # The item group ("" = the common core every course has); a course template names the
    # groups its courses include (e.g. `prostitution`), and a course never sees an item
    # of a group its template lacks (``groups.restrict``).
    group: str = ""
    hint_group: str = ""  # the hint belongs to this group: a course without it shows no hint
    # What the citizen's own printout calls the item, where the form's label is a
    # professional's word (a star dimension "Kriminel adfærd" reads "Loven og mig").
    citizen: Text | None = None
    relevance: expressions.Expression = field(default=expressions.ALWAYS, compare=False, repr=False)

    @property
    def handler(self):
        """The question-type object of the registry in types.py."""
        return _types()[self.type]

    @property
    def is_note(self) -> bool:
        return not self.handler.answerable

    @property
    def missing_codes(self) -> frozenset[int]:
        """The codes that are answers but never enter a mean or a denominator (§2.6)."""
        return self.choices.missing_codes if self.choices else frozenset()

    @property
    def is_sealed(self) -> bool:
        """Whether an answer to this item is stored sealed (encrypted with the citizen's
        data key): declared on the item, or implied by its type (every free text)."""
        return self.sealed or self.handler.sealed

    @property
    def full_type(self) -> str:
        return f"{self.type} {self.choices.name}" if self.choices else self.type

    def to_dict(self):
        return {
            "name": self.name, "type": self.full_type, "paper": self.paper, "fixed": self.fixed,
            "label": self.label.to_dict(), "hint": self.hint.to_dict() if self.hint else None,
            "required": self.required, "relevant": self.relevant,
            "constraint": self.constraint.to_dict() if self.constraint else None,
            **({"appearance": self.appearance} if self.appearance else {}),
            # Only when declared, so that a definition without it keeps its content hash.
            **({"sealed": True} if self.sealed else {}),
            **({"prefill": self.prefill} if self.prefill else {}),
            **({"group": self.group} if self.group else {}),
            **({"hint_group": self.hint_group} if self.hint_group else {}),
            **({"citizen": self.citizen.to_dict()} if self.citizen else {}),
        }

    def citizen_label(self, lang: str = "da") -> str:
        """The item's name in the citizen's own words (falls back to its label)."""
        return (self.citizen or self.label).get(lang)


@dataclass(frozen=True)
class LadderStage:
    """One of the five stages of the star's 1–10 ladder (instruments.md §5.1)."""

    low: int
    high: int
    title: Text
    text: Text

    def to_dict(self):
        return {"low": self.low, "high": self.high, "title": self.title.to_dict(), "text": self.text.to_dict()}


@dataclass(frozen=True)
class Page:
    name: str
    label: Text
    items: tuple[Item, ...]

    def to_dict(self):
        return {"name": self.name, "label": self.label.to_dict(), "items": [i.to_dict() for i in self.items]}


@dataclass(frozen=True)
class Instrument:
    name: str
    title: Text
    pages: tuple[Page, ...]
    choice_lists: tuple[ChoiceList, ...]
    source: str = ""
    ladder: tuple[LadderStage, ...] = ()
    scores: tuple[Score, ...] = ()

    @cached_property
    def items(self) -> tuple[Item, ...]:
        """Every item in form order (the order of the paper form and of export columns)."""
        return tuple(item for page in self.pages for item in page.items)

    @cached_property
    def _by_name(self) -> dict[str, Item]:
        return {item.name: item for item in self.items}

    def item(self, name: str) -> Item:
        return self._by_name[name]

    @cached_property
    def relevance_steps(self) -> tuple[tuple[str, expressions.Expression, bool], ...]:
        """(name, relevance, answerable) of every item in form order: what
        ``engine.relevance`` walks for every record (looked up once, not per record)."""
        return tuple((item.name, item.relevance, not item.is_note) for item in self.items)

    def has_item(self, name: str) -> bool:
        return name in self._by_name

    @cached_property
    def sealed_names(self) -> frozenset[str]:
        """The items whose answers this version stores sealed (``Item.is_sealed``)."""
        return frozenset(item.name for item in self.items if item.is_sealed)

    @cached_property
    def prefilled_items(self) -> tuple[Item, ...]:
        """The items whose answer a new record opens with, from the source each names."""
        return tuple(item for item in self.items if item.prefill)

    @cached_property
    def groups(self) -> frozenset[str]:
        """The item groups the definition declares, on items or on choices."""
        found = {item.group for item in self.items} | {item.hint_group for item in self.items}
        found |= {choice.group for cl in self.choice_lists for choice in cl.choices}
        return frozenset(found - {""})

    def choice_list(self, name: str) -> ChoiceList:
        return next(c for c in self.choice_lists if c.name == name)

    def score(self, name: str) -> Score:
        """A derived score the definition declares (KeyError if it declares none so)."""
        for score in self.scores:
            if score.name == name:
                return score
        raise KeyError(f"{self.name} declares no score {name!r}")

    def to_dict(self) -> dict:
        """The canonical plain-data form: stored as the version's JSON and hashed."""
        return {
            "name": self.name, "title": self.title.to_dict(), "source": self.source,
            "pages": [p.to_dict() for p in self.pages],
            "choices": {c.name: c.to_dict() for c in self.choice_lists},
            **({"ladder": [stage.to_dict() for stage in self.ladder]} if self.ladder else {}),
            **({"scores": [score.to_dict() for score in self.scores]} if self.scores else {}),
        }

    def canonical_json(self) -> str:
        return canonical_json(self.to_dict())

    def content_hash(self) -> str:
        return self._content_hash

    @cached_property
    def _content_hash(self) -> str:
        # Once per definition: an Instrument is frozen, and every record started asks
        # which published version is the repository's (instruments/models.py).
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def canonical_json(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _text(data) -> Text:
    return Text(da=data["da"], en=data["en"])


def _bound(value):
    # An unquoted YAML date arrives as datetime.date; the canonical form is the ISO text.
    return value.isoformat() if isinstance(value, datetime.date) else value


def build(definition: dict) -> Instrument:
    """Build an Instrument from a validated definition (resolved YAML or canonical JSON).

    Only the choice lists that items use are kept, so a change to a shared list that an
    instrument does not use leaves that instrument's content hash alone.
    """
    all_lists = definition.get("choices") or {}
    used: dict[str, ChoiceList] = {}
    pages, position = [], 0
    for page in definition["pages"]:
        items = []
        for raw in page["items"]:
            position += 1
            base, _, list_name = str(raw["type"]).strip().partition(" ")
            list_name = list_name.strip()
            choice_list = None
            if list_name:
                if list_name not in used:
                    used[list_name] = ChoiceList(list_name, tuple(
                        Choice(code=int(c["code"]), label=_text(c["label"]), missing=bool(c.get("missing")),
                               exclusive=bool(c.get("exclusive")), added=bool(c.get("added")),
                               group=str(c.get("group") or ""))
                        for c in all_lists[list_name]))
                choice_list = used[list_name]
            constraint = raw.get("constraint")
            relevant = (raw.get("relevant") or "").strip()
            items.append(Item(
                name=raw["name"], type=base, label=_text(raw["label"]), paper=str(raw.get("paper") or ""),
                hint=_text(raw["hint"]) if raw.get("hint") else None, required=bool(raw.get("required")),
                relevant=relevant,
                constraint=Constraint(_bound(constraint.get("min")), _bound(constraint.get("max"))) if constraint else None,
                choices=choice_list, fixed=bool(raw.get("fixed")), page=page["name"], position=position,
                appearance=str(raw.get("appearance") or ""), sealed=bool(raw.get("sealed")),
                prefill=str(raw.get("prefill") or ""),
                group=str(raw.get("group") or ""), hint_group=str(raw.get("hint_group") or ""),
                citizen=_text(raw["citizen"]) if raw.get("citizen") else None,
                relevance=expressions.parse(relevant),
            ))
        pages.append(Page(name=page["name"], label=_text(page["label"]), items=tuple(items)))
    by_name = {item.name: item for page in pages for item in page.items}
    return Instrument(
        name=definition["name"], title=_text(definition["title"]), pages=tuple(pages),
        choice_lists=tuple(used.values()), source=str(definition.get("source") or ""),
        ladder=tuple(
            LadderStage(low=int(s["low"]), high=int(s["high"]), title=_text(s["title"]), text=_text(s["text"]))
            for s in definition.get("ladder") or ()
        ),
        scores=tuple(
            Score(name=raw["name"], label=_text(raw["label"]), formula=raw["formula"], items=tuple(raw["items"]),
                  factor=raw.get("factor", 1) if raw["formula"] == "sum" else 1,
                  item_defs=tuple(by_name[name] for name in raw["items"]))
            for raw in definition.get("scores") or ()
        ),
    )


_TYPES: dict | None = None


def _types() -> dict:
    """types.TYPES, imported on first use (types.py needs Django's translation) and then
    kept: ``Item.handler`` is asked thousands of times a page."""
    global _TYPES
    if _TYPES is None:
        from .types import TYPES

        _TYPES = TYPES
    return _TYPES

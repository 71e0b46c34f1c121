"""The codebook: what every answer means, per instrument and across its versions.

``Codebook`` is the one door to meaning for every consumer that is not filling in a
single record: per item its type handler (form field, parse, display, export columns,
cells and value labels — ``types.py``), its labels in Danish and English and its missing
codes, plus the scores the definition declares (``scores.py``) and which items are
stored sealed. A codebook spans the versions it is given, formpack's way: every item
any of them has, the newest definition of each (an item a later version dropped keeps
its place after the item it followed, and a retired code keeps its label), so that no
answer leaves an export or a report because a later version changed its form.
``of_versions`` builds one for the versions present in some data, ``current`` for every
published version and the repository's definition.

The data dictionary (``rows``, ``render_csv``, ``render_markdown``; ``overgang
codebook``) is generated from the definitions, never written by hand: one row per item
in form order with name, labels, type, choices and codes, relevance, paper reference
and whether it is required; then the choice lists with their flags.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import dataclass
from functools import cached_property

from .build import ChoiceList, Instrument, Item, build


class Codebook:
    """The meaning of one instrument's answers across ``versions``: (version number,
    built ``Instrument``) pairs, oldest first; the newest names the labels and scores."""

    def __init__(self, versions):
        self.versions = tuple(sorted(versions, key=lambda v: v[0]))
        if not self.versions:
            raise ValueError("a codebook needs at least one version")
        self.newest = self.versions[-1][1]
        self.name = self.newest.name
        self.title = self.newest.title

    def __repr__(self):
        return f"<Codebook {self.name} v{','.join(str(n) for n, _i in self.versions)}>"

    def version(self, number) -> Instrument:
        return dict(self.versions)[number]

    @cached_property
    def items(self) -> tuple[Item, ...]:
        """Every item of every version, in the newest form order; an item only older
        versions have stands after the item it followed there."""
        order = [item.name for item in self.newest.items]
        for _number, instrument in reversed(self.versions[:-1]):
            previous = None
            for item in instrument.items:
                if item.name not in order:
                    order.insert(order.index(previous) + 1 if previous in order else 0, item.name)
                previous = item.name
        return tuple(self._merged(name) for name in order)

    def _merged(self, name) -> Item:
        defined = [instrument.item(name) for _n, instrument in self.versions if instrument.has_item(name)]
        newest = defined[-1]
        if newest.choices is None:
            return newest
        codes = set(newest.choices.codes)
        retired = {}
        for item in defined[:-1]:
            for choice in item.choices.choices:
                if choice.code not in codes:
                    retired[choice.code] = choice
        if not retired:
            return newest
        choices = newest.choices.choices + tuple(retired[code] for code in sorted(retired))
        return dataclasses.replace(newest, choices=ChoiceList(newest.choices.name, choices))

    @cached_property
    def _by_name(self) -> dict[str, Item]:
        return {item.name: item for item in self.items}

    def item(self, name) -> Item:
        return self._by_name[name]

    def has_item(self, name) -> bool:
        return name in self._by_name

    @property
    def source(self) -> str:
        return self.newest.source

    @cached_property
    def choice_lists(self) -> tuple[ChoiceList, ...]:
        """The (merged) choice lists the items use, each once, in order of first use."""
        lists = {}
        for item in self.items:
            if item.choices is not None:
                lists.setdefault(item.choices.name, item.choices)
        return tuple(lists.values())

    @property
    def scores(self):
        return self.newest.scores

    def score(self, name):
        return self.newest.score(name)

    @cached_property
    def sealed_names(self) -> frozenset[str]:
        return frozenset().union(*(instrument.sealed_names for _n, instrument in self.versions))

    def label(self, item_name, code, lang="da") -> str:
        """The label of one code of one item (a retired code's too)."""
        return self.item(item_name).choices.get(code).label.get(lang)


def general_missing_codes(instruments) -> frozenset[int]:
    """The codes that are a missing code in every choice list that has them (88 and 99):
    the codes a reader may take as "no valid answer" without asking the item. A code
    missing only in some lists (8, "ved ikke" in ``paid_trend`` only) is not one."""
    missing, ordinary = set(), set()
    for instrument in instruments:
        for choices in instrument.choice_lists:
            for choice in choices.choices:
                (missing if choice.missing else ordinary).add(choice.code)
    return frozenset(missing - ordinary)


_built: dict = {}


def built(version) -> Instrument:
    """The built definition of an ``InstrumentVersion`` row, once per process."""
    key = (version.pk, version.content_hash)
    found = _built.get(key)
    if found is None:
        found = _built[key] = build(version.definition)
    return found


def of_versions(versions) -> Codebook:
    """The codebook of the given ``InstrumentVersion`` rows (of one instrument)."""
    return Codebook([(version.version, built(version)) for version in versions])


_current: dict = {}


def current(name) -> Codebook:
    """The codebook of every published version of ``name`` and of the repository's
    definition (newest, whether or not it is published yet). One small query; the
    codebook itself is built again only when the versions or the repository changed."""
    from . import registry
    from .models import InstrumentVersion

    published = frozenset(InstrumentVersion.objects.filter(name=name).values_list("pk", "version", "content_hash"))
    repository = registry.all_instruments().get(name)
    key = (published, id(repository))
    found = _current.get(name)
    if found is None or found[0] != key:
        versions = [(version.version, built(version))
                    for version in InstrumentVersion.objects.filter(pk__in=[pk for pk, _v, _h in published])]
        if repository is not None and repository.content_hash() not in {h for _pk, _v, h in published}:
            versions.append((max((n for _pk, n, _h in published), default=0) + 1, repository))
        found = _current[name] = (key, Codebook(versions), repository)
    return found[1]


class Codebooks(dict):
    """Instrument name → ``Codebook``, with the items of all of them by name: one name
    has one meaning in every instrument (instruments.md §2.1, checked at load), so a
    consumer that reads forms of several instruments (a start CTI record is a
    ``cti_start`` or a phase-1 ``cti_ongoing``) asks ``item(name)``."""

    @cached_property
    def _items(self) -> dict[str, Item]:
        found = {}
        for book in self.values():
            for item in book.items:
                found.setdefault(item.name, item)
        return found

    def item(self, name) -> Item:
        return self._items[name]

    def has_item(self, name) -> bool:
        return name in self._items


def all_current() -> Codebooks:
    """``current`` for every instrument of the repository, by name."""
    from . import registry

    return Codebooks({name: current(name) for name in registry.all_instruments()})


def repository() -> Codebooks:
    """The codebooks of the repository's definitions alone (no database): for pure code
    and tests that hold no published versions."""
    from . import registry

    return Codebooks({name: Codebook([(1, instrument)]) for name, instrument in registry.all_instruments().items()})

CSV_COLUMNS = [
    "instrument", "position", "page", "item", "fixed", "paper", "type", "choice_list", "label_da", "label_en",
    "hint_da", "hint_en", "required", "relevant", "constraint", "choices", "missing_codes", "export_columns",
    "prefill",
]


@dataclass(frozen=True)
class Row:
    instrument: str
    position: int
    page: str
    item: str
    fixed: bool
    paper: str
    type: str
    choice_list: str
    label_da: str
    label_en: str
    hint_da: str
    hint_en: str
    required: bool
    relevant: str
    constraint: str
    codes: tuple[int, ...]
    choices: str
    missing_codes: tuple[int, ...]
    export_columns: tuple[str, ...]
    prefill: str = ""


def rows(instrument: Instrument) -> list[Row]:
    return [_row(instrument, item) for item in instrument.items]


def _row(instrument: Instrument, item: Item) -> Row:
    cl = item.choices
    return Row(
        instrument=instrument.name, position=item.position, page=item.page, item=item.name, fixed=item.fixed,
        paper=item.paper, type=item.type, choice_list=cl.name if cl else "",
        label_da=item.label.da, label_en=item.label.en,
        hint_da=item.hint.da if item.hint else "", hint_en=item.hint.en if item.hint else "",
        required=item.required, relevant=item.relevant, constraint=item.handler.describe_constraint(item),
        codes=cl.codes if cl else (), choices=_choices_text(cl) if cl else "",
        missing_codes=tuple(sorted(cl.missing_codes)) if cl else (),
        export_columns=tuple(item.handler.export_columns(item)),
        prefill=_prefill_text(item),
    )


def _prefill_text(item: Item) -> str:
    """Where a pre-filled item's value comes from: the source and what it means."""
    if not item.prefill:
        return ""
    from .prefill import SOURCES

    return f"{item.prefill}: {SOURCES[item.prefill].description}"


def _flags(choice) -> str:
    return "".join(f for f, on in (("(m)", choice.missing), ("(x)", choice.exclusive), ("(+)", choice.added)) if on)


def _choices_text(cl: ChoiceList) -> str:
    return " · ".join(f"{c.code} {c.label.da} / {c.label.en}{' ' + _flags(c) if _flags(c) else ''}"
                      for c in cl.choices)


def render_csv(instruments: list[Instrument]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for instrument in instruments:
        for r in rows(instrument):
            writer.writerow([
                r.instrument, r.position, r.page, r.item, "yes" if r.fixed else "no", r.paper, r.type, r.choice_list,
                r.label_da, r.label_en, r.hint_da, r.hint_en, "yes" if r.required else "no", r.relevant,
                r.constraint, r.choices, " ".join(map(str, r.missing_codes)), " ".join(r.export_columns),
                r.prefill,
            ])
    return out.getvalue()


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(instruments: list[Instrument]) -> str:
    lines = ["# Codebook", "", "Generated from overgang/instruments/definitions. ◆ = name and codes fixed by "
             "interchange.md; (m) missing code, (x) exclusive, (+) added by the codebook; prefill: the source a new "
             "record's answer is pre-filled from (the worker may change it).", ""]
    for instrument in instruments:
        lines += [f"## `{instrument.name}` — {instrument.title.da} / {instrument.title.en}", ""]
        if instrument.source:
            lines += [f"Source: {instrument.source}", ""]
        if len(getattr(instrument, "versions", ())) > 1:
            numbers = ", ".join(str(number) for number, _built in instrument.versions)
            lines += [f"Versions {numbers}: every item of any of them; the newest wording.", ""]
        lines += ["| # | item | paper | type | label (da) | label (en) | choices / constraint | relevant | req | prefill |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows(instrument):
            what = f"`{r.choice_list}` ({', '.join(map(str, r.codes))})" if r.choice_list else r.constraint
            lines.append("| " + " | ".join(_cell(c) for c in (
                r.position, f"`{r.item}`" + (" ◆" if r.fixed else ""), r.paper, r.type, r.label_da, r.label_en,
                what, f"`{r.relevant}`" if r.relevant else "", "yes" if r.required else "no", r.prefill)) + " |")
        lines += ["", f"### Choice lists of `{instrument.name}`", ""]
        for cl in instrument.choice_lists:
            lines += [f"**`{cl.name}`** — {_cell(_choices_text(cl))}", ""]
    return "\n".join(lines).rstrip() + "\n"

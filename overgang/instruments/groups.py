"""An instrument as one kind of course has it: without the item groups it lacks.

An instrument declares item groups (``group: prostitution`` on items and on choices);
everything without a group is the common core. A course template names the groups its
courses include and the codes it offers for some items (the `goal`). ``restrict`` gives
the instrument such a course sees — the same frozen ``Instrument`` shape, so every
consumer (the form, the skip logic, the checks, the record page, the export columns, the
importer's judge) simply never meets an item or a code the course does not have.

Items keep their names, codes and positions (so columns and answers line up across
templates and versions); pages left without items disappear; choice lists lose the
choices of groups the course lacks and the codes a ``codes`` restriction leaves out.
"""

from __future__ import annotations

from dataclasses import replace

from .build import ChoiceList, Instrument


def restrict(instrument: Instrument, groups, codes=None, labels=None) -> Instrument:
    """``instrument`` with only the common core and ``groups``; ``codes`` (item name →
    allowed codes) narrows the choices of those items further; ``labels`` ((choice list,
    code) → Text) words choices the course's own way (a 9-month course's "planned course
    completed" for SFI's "12 måneders CTI-forløb afsluttes": the same code, the same
    meaning). The same object when nothing is left out or reworded."""
    groups = frozenset(groups)
    labels = labels or {}
    codes = {name: frozenset(allowed) for name, allowed in (codes or {}).items()}
    lists: dict[tuple[str, frozenset | None], ChoiceList] = {}

    def choices_of(item):
        if item.choices is None:
            return None
        allowed = codes.get(item.name)
        key = (item.choices.name, allowed)
        if key not in lists:
            kept = tuple(
                replace(c, label=labels[(item.choices.name, c.code)]) if (item.choices.name, c.code) in labels else c
                for c in item.choices.choices
                if (not c.group or c.group in groups) and (allowed is None or c.code in allowed or c.missing)
            )
            lists[key] = item.choices if kept == item.choices.choices else ChoiceList(item.choices.name, kept)
        return lists[key]

    pages = []
    changed = False
    for page in instrument.pages:
        items = []
        for item in page.items:
            if item.group and item.group not in groups:
                changed = True
                continue
            narrowed = choices_of(item)
            if narrowed is not item.choices:
                changed = True
                item = replace(item, choices=narrowed)
            if item.hint_group and item.hint_group not in groups:
                changed = True
                item = replace(item, hint=None, hint_group="")
            items.append(item)
        if len(items) != len(page.items) or any(a is not b for a, b in zip(items, page.items)):
            page = replace(page, items=tuple(items))
        if items:
            pages.append(page)
    if not changed:
        return instrument
    used = {}
    for page in pages:
        for item in page.items:
            if item.choices is not None:
                used.setdefault(item.choices.name, item.choices)
    return replace(instrument, pages=tuple(pages), choice_lists=tuple(used.values()))


def left_out(instrument: Instrument, restricted: Instrument) -> dict:
    """What a restriction leaves out: ``{"items": [names], "codes": {item: [codes]}}``."""
    items = [item.name for item in instrument.items if not restricted.has_item(item.name)]
    codes = {}
    for item in restricted.items:
        if item.choices is not None:
            gone = [c for c in instrument.item(item.name).choices.codes if item.choices.get(c) is None]
            if gone:
                codes[item.name] = gone
    return {"items": items, "codes": codes}

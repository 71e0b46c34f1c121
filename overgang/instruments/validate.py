"""Stage 2 of the pipeline: check a loaded definition and report every problem.

``validate`` never raises on bad input and never stops at the first problem: it returns
a list of ``Problem(code, where, message)`` so that whoever edits a YAML file sees all
mistakes at once. Codes are stable (tests and tools match on them); ``where`` names the
instrument and the item (``star.paid_count``), choice list (``star:choices:who5``) or
page (``star:page:who5``); messages are for developers and in English.

Problem codes:

==========================  ======================================================
unknown_key                 a key the format does not know (catches typos)
missing_field               a required key is absent or empty
bad_name                    a name does not match ``^[a-z][a-z0-9_]*$``
name_too_long               an item name longer than 32 characters (Stata/SPSS)
column_too_long             an export column (``income_99``) longer than 32 characters
duplicate_name              two items with the same name in one instrument
duplicate_page              two pages with the same name
empty_page                  a page without items
unknown_type                a type that is not in the registry of types.py
missing_choices             ``select_one``/``select_multiple`` without a list name
unexpected_choices          a list name on a type that takes none
unknown_choice_list         a list name that no ``choices`` entry defines
empty_choice_list           a choice list without choices
bad_code                    a choice code that is not a whole number ≥ 0
duplicate_code              a code twice in one list
bad_flag                    ``missing``/``exclusive``/``added``/``fixed``/``sealed`` that is not
                            true/false
missing_label               a label or hint without non-empty ``da`` and ``en`` text
bad_required                ``required`` not true/false, or a required note
bad_expression              a ``relevant`` that does not parse (message has the position)
unknown_reference           ``${x}`` (in relevant or constraint) names no item
forward_reference           ``${x}`` names the item itself or a later item
bad_reference_type          a reference to a text, date or note item in relevant,
                            or a constraint bound that is not an earlier date item
bad_operator                an operator the referenced type does not allow
unknown_code                a code in relevant that the referenced list lacks
bad_constraint              a malformed constraint for the item's type
group_reference             an item refers (relevance, date bound) to an item or a code
                            of another item group than its own or the common core
inconsistent_name           (across instruments) one name with two types or lists
bad_score                   a malformed ``scores`` entry: name, formula, factor or an item
                            that is not a select_one, integer or decimal
bad_prefill                 a ``prefill`` that names no source of prefill.py, or a source
                            whose value does not fit the item's type and choice list
==========================  ======================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
NAME_MAX = 32
_TOP_KEYS = {"name", "title", "source", "pages", "choices", "ladder", "scores"}
_PAGE_KEYS = {"name", "label", "items"}
_ITEM_KEYS = {"name", "type", "paper", "fixed", "label", "hint", "required", "relevant", "constraint", "appearance",
              "sealed", "prefill", "group", "hint_group", "citizen"}
_LADDER_KEYS = {"low", "high", "title", "text"}
APPEARANCES = {"ladder"}
_CHOICE_KEYS = {"code", "label", "missing", "exclusive", "added", "group"}
_SCORE_KEYS = {"name", "label", "formula", "items", "factor"}


@dataclass(frozen=True)
class Problem:
    code: str
    where: str
    message: str

    def __str__(self):
        return f"[{self.code}] {self.where}: {self.message}"


def validate(definition: dict) -> list[Problem]:
    """Every problem of one resolved definition (see ``load``); [] means it can be built."""
    from . import expressions
    from .types import TYPES, check_constraint_definition, constraint_references

    problems: list[Problem] = []

    def add(code, where, message):
        problems.append(Problem(code, where, message))

    inst = definition.get("name") if isinstance(definition.get("name"), str) else "?"
    for key in sorted(set(definition) - _TOP_KEYS, key=str):
        add("unknown_key", inst, f"unknown key {key!r}")
    if not isinstance(definition.get("name"), str) or not NAME.match(definition.get("name") or ""):
        add("bad_name", inst, f"instrument name {definition.get('name')!r} must match {NAME.pattern}")
    _label(definition.get("title"), inst, "title", add)

    # Choice lists first: items refer to them.
    lists = definition.get("choices") or {}
    if not isinstance(lists, dict):
        add("missing_field", f"{inst}:choices", "choices must be a mapping of list name → choices")
        lists = {}
    valid_codes: dict[str, set[int]] = {}
    for list_name, entries in lists.items():
        where = f"{inst}:choices:{list_name}"
        if not isinstance(list_name, str) or not NAME.match(list_name):
            add("bad_name", where, f"list name {list_name!r} must match {NAME.pattern}")
        if not isinstance(entries, list) or not entries:
            add("empty_choice_list", where, "a choice list needs at least one choice")
            continue
        codes = valid_codes.setdefault(list_name, set())
        for n, entry in enumerate(entries, 1):
            if not isinstance(entry, dict):
                add("missing_field", f"{where}#{n}", "a choice is a mapping with code and label")
                continue
            code = entry.get("code")
            at = f"{where}:{code}"
            for key in sorted(set(entry) - _CHOICE_KEYS, key=str):
                add("unknown_key", at, f"unknown key {key!r}")
            if isinstance(code, bool) or not isinstance(code, int) or code < 0:
                add("bad_code", f"{where}#{n}", f"code {code!r} must be a whole number ≥ 0")
            elif code in codes:
                add("duplicate_code", at, f"code {code} appears twice")
            else:
                codes.add(code)
            _label(entry.get("label"), at, "label", add)
            for flag in ("missing", "exclusive", "added"):
                if flag in entry and not isinstance(entry[flag], bool):
                    add("bad_flag", at, f"{flag} must be true or false")
            _group_name(entry, at, add)

    pages = definition.get("pages")
    if not isinstance(pages, list) or not pages:
        add("missing_field", inst, "an instrument needs a non-empty list of pages")
        pages = []
    seen_pages: set[str] = set()
    earlier: dict[str, tuple[str, str | None]] = {}  # name → (base type, list) of items so far
    all_names = {
        i.get("name") for p in pages if isinstance(p, dict) and isinstance(p.get("items"), list)
        for i in p["items"] if isinstance(i, dict)
    }
    position = 0
    for page in pages:
        if not isinstance(page, dict):
            add("missing_field", f"{inst}:page", "a page is a mapping with name, label and items")
            continue
        pname = page.get("name")
        pwhere = f"{inst}:page:{pname}"
        for key in sorted(set(page) - _PAGE_KEYS, key=str):
            add("unknown_key", pwhere, f"unknown key {key!r}")
        if not isinstance(pname, str) or not NAME.match(pname):
            add("bad_name", pwhere, f"page name {pname!r} must match {NAME.pattern}")
        elif pname in seen_pages:
            add("duplicate_page", pwhere, f"page {pname!r} appears twice")
        seen_pages.add(pname)
        _label(page.get("label"), pwhere, "label", add)
        items = page.get("items")
        if not isinstance(items, list) or not items:
            add("empty_page", pwhere, "a page needs at least one item")
            continue
        for raw in items:
            position += 1
            if not isinstance(raw, dict):
                add("missing_field", f"{inst}.#{position}", "an item is a mapping")
                continue
            name = raw.get("name")
            where = f"{inst}.{name}" if isinstance(name, str) and name else f"{inst}.#{position}"
            for key in sorted(set(raw) - _ITEM_KEYS, key=str):
                add("unknown_key", where, f"unknown key {key!r}")
            if not isinstance(name, str) or not name:
                add("missing_field", where, "an item needs a name")
            elif not NAME.match(name):
                add("bad_name", where, f"item name {name!r} must match {NAME.pattern}")
            elif len(name) > NAME_MAX:
                add("name_too_long", where, f"{len(name)} characters; at most {NAME_MAX}")
            elif name in earlier:
                add("duplicate_name", where, f"item {name!r} appears twice")

            base, list_name = _type(raw.get("type"))
            qtype = TYPES.get(base)
            if raw.get("type") in (None, ""):
                add("missing_field", where, "an item needs a type")
            elif qtype is None:
                add("unknown_type", where, f"unknown type {base!r}; known: {', '.join(TYPES)}")
            elif qtype.has_choices and not list_name:
                add("missing_choices", where, f"{base} needs a choice list: '{base} <list name>'")
            elif not qtype.has_choices and list_name:
                add("unexpected_choices", where, f"a {base} item takes no choice list")
            elif list_name and list_name not in lists:
                add("unknown_choice_list", where, f"no choice list {list_name!r}")
            elif qtype.has_choices and name and isinstance(name, str):
                for col in qtype_columns(base, name, sorted(valid_codes.get(list_name, ()))):
                    if len(col) > NAME_MAX:
                        add("column_too_long", where, f"export column {col!r} is longer than {NAME_MAX}")

            _label(raw.get("label"), where, "label", add)
            if "hint" in raw and raw["hint"] is not None:
                _label(raw["hint"], where, "hint", add)
            if "citizen" in raw:
                _label(raw["citizen"], where, "citizen", add)
            if "paper" in raw and not isinstance(raw["paper"], (str, int, float)):
                add("missing_field", where, "paper must be text")
            _group_name(raw, where, add)
            _group_name({"group": raw.get("hint_group")}, where, add)
            if raw.get("hint_group") and not raw.get("hint"):
                add("missing_field", where, "hint_group without a hint")
            for flag in ("fixed", "sealed"):
                if flag in raw and not isinstance(raw[flag], bool):
                    add("bad_flag", where, f"{flag} must be true or false")
            required = raw.get("required", False)
            if not isinstance(required, bool):
                add("bad_required", where, "required must be true or false")
            elif required and base == "note":
                add("bad_required", where, "a note is never required")

            relevant = raw.get("relevant")
            if relevant not in (None, ""):
                if not isinstance(relevant, str):
                    add("bad_expression", where, f"relevant must be text, not {relevant!r}")
                else:
                    try:
                        tree = expressions.parse(relevant)
                    except expressions.ExpressionError as exc:
                        add("bad_expression", where, str(exc))
                    else:
                        for atom in expressions.atoms(tree):
                            _check_atom(atom, name, earlier, all_names, valid_codes, where, add)

            appearance = raw.get("appearance")
            if appearance not in (None, ""):
                if appearance not in APPEARANCES:
                    add("bad_appearance", where, f"unknown appearance {appearance!r}; known: {', '.join(sorted(APPEARANCES))}")
                elif base != "integer" or (raw.get("constraint") or {}) != {"min": 1, "max": 10}:
                    add("bad_appearance", where, "a ladder is an integer item with constraint {min: 1, max: 10}")
                elif not definition.get("ladder"):
                    add("bad_appearance", where, "a ladder item needs the instrument's `ladder` stages")

            _check_prefill(raw.get("prefill"), base, list_name, where, add)

            constraint = raw.get("constraint")
            for message in check_constraint_definition(base, constraint) if qtype else []:
                add("bad_constraint", where, message)
            for ref in constraint_references(constraint):
                if ref not in all_names:
                    add("unknown_reference", where, f"constraint refers to unknown item {ref!r}")
                elif ref not in earlier:
                    add("forward_reference", where, f"constraint refers to {ref!r}, which is not earlier")
                elif earlier[ref][0] != "date":
                    add("bad_reference_type", where, f"constraint bound {ref!r} is not a date item")

            if isinstance(name, str) and name and name not in earlier:
                earlier[name] = (base, list_name)
    _check_ladder(definition.get("ladder"), inst, add)
    _check_scores(definition.get("scores"), inst, earlier, add)
    if not problems:
        _check_groups(definition, inst, add)
    return problems


def _check_scores(scores, inst, items, add):
    """Derived scores: a formula of scores.FORMULAS over numeric items of this instrument."""
    from .scores import FORMULAS, SCORABLE_TYPES

    if scores in (None, []):
        return
    if not isinstance(scores, list):
        add("bad_score", f"{inst}.scores", "scores is a list of mappings")
        return
    seen = set()
    for number, score in enumerate(scores, 1):
        if not isinstance(score, dict):
            add("bad_score", f"{inst}.scores[{number}]", "a score is a mapping of name, label, formula and items")
            continue
        name = score.get("name")
        where = f"{inst}.scores.{name}" if isinstance(name, str) else f"{inst}.scores[{number}]"
        for key in sorted(set(score) - _SCORE_KEYS, key=str):
            add("unknown_key", where, f"unknown key {key!r}")
        if not isinstance(name, str) or not NAME.match(name):
            add("bad_name", where, f"score name {name!r} must match {NAME.pattern}")
        elif name in seen or name in items:
            add("duplicate_name", where, f"{name!r} names another score or an item")
        seen.add(name)
        _label(score.get("label"), where, "label", add)
        formula = score.get("formula")
        if formula not in FORMULAS:
            add("bad_score", where, f"formula {formula!r}; known: {', '.join(FORMULAS)}")
        factor = score.get("factor")
        if factor is not None and (formula != "sum" or isinstance(factor, bool) or not isinstance(factor, (int, float))):
            add("bad_score", where, "factor is a number, and only for formula sum")
        names = score.get("items")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            add("bad_score", where, "items is a non-empty list of item names")
            continue
        if len(set(names)) != len(names):
            add("bad_score", where, "an item is named twice")
        for ref in names:
            if ref not in items:
                add("unknown_reference", where, f"score refers to unknown item {ref!r}")
            elif items[ref][0] not in SCORABLE_TYPES:
                add("bad_score", where, f"{ref!r} is a {items[ref][0]}; a score adds {', '.join(SCORABLE_TYPES)} items")


def _check_prefill(name, base, list_name, where, add):
    """A pre-filled item names a source whose value fits its type and choice list."""
    from .prefill import SOURCES

    if name in (None, ""):
        return
    found = SOURCES.get(name) if isinstance(name, str) else None
    if found is None:
        add("bad_prefill", where, f"unknown prefill source {name!r}; known: {', '.join(sorted(SOURCES))}")
    elif not found.fits(base, list_name):
        wanted = f"{found.type} {found.choice_list}".strip()
        actual = f"{base} {list_name or ''}".strip()
        add("bad_prefill", where, f"{name!r} fills a {wanted} item, not a {actual}")


def _check_ladder(ladder, inst, add):
    """The stages of a 1–10 ladder: contiguous, from 1 to 10, each with a title and a text."""
    if ladder in (None, []):
        return
    where = f"{inst}.ladder"
    if not isinstance(ladder, list):
        add("bad_ladder", where, "ladder is a list of stages")
        return
    expected_low = 1
    for number, stage in enumerate(ladder, 1):
        at = f"{where}[{number}]"
        if not isinstance(stage, dict):
            add("bad_ladder", at, "a stage is a mapping of low, high, title and text")
            return
        for key in sorted(set(stage) - _LADDER_KEYS, key=str):
            add("unknown_key", at, f"unknown key {key!r}")
        low, high = stage.get("low"), stage.get("high")
        if not isinstance(low, int) or not isinstance(high, int) or low != expected_low or high < low:
            add("bad_ladder", at, f"stage must start at {expected_low} and end at or after its start")
            return
        expected_low = high + 1
        _label(stage.get("title"), at, "title", add)
        _label(stage.get("text"), at, "text", add)
    if expected_low != 11:
        add("bad_ladder", where, "the stages must cover 1 to 10")


def validate_all(definitions: dict[str, dict]) -> list[Problem]:
    """Problems of each definition plus "one name, one meaning" across instruments (§2.1)."""
    problems = []
    for definition in definitions.values():
        problems.extend(validate(definition))
    seen: dict[str, tuple[str, str, str]] = {}
    for inst, definition in definitions.items():
        for page in definition.get("pages") or []:
            for raw in (page.get("items") if isinstance(page, dict) else None) or []:
                if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                    continue
                kind = " ".join(str(raw.get("type") or "").split())
                first = seen.setdefault(raw["name"], (inst, kind, ""))
                if first[1] != kind:
                    problems.append(Problem("inconsistent_name", f"{inst}.{raw['name']}",
                                            f"type {kind!r} here but {first[1]!r} in {first[0]}"))
    return problems


def qtype_columns(base: str, name: str, codes) -> list[str]:
    if base == "select_multiple":
        return [name] + [f"{name}_{c}" for c in codes]
    return [name]


def _type(value) -> tuple[str, str | None]:
    parts = str(value or "").split()
    if not parts:
        return "", None
    return parts[0], " ".join(parts[1:]) or None


def _label(value, where, what, add):
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value[k].strip() for k in ("da", "en")):
        add("missing_label", where, f"{what} needs non-empty da and en text")
    elif set(value) - {"da", "en"}:
        add("unknown_key", where, f"{what} has keys other than da and en")


def _group_name(entry, where, add):
    group = entry.get("group")
    if group is not None and not (isinstance(group, str) and NAME.match(group) and len(group) <= NAME_MAX):
        add("bad_name", where, f"group name {group!r} must match {NAME.pattern}")


def _check_groups(definition, inst, add):
    """A course without a group must still be a whole instrument: an item may refer (in
    its relevance or a date bound) only to items and codes of the common core or of its
    own group (``group_reference``)."""
    from . import expressions
    from .types import constraint_references

    lists = definition.get("choices") or {}
    items = [raw for page in definition["pages"] for raw in page["items"]]
    group_of = {raw["name"]: raw.get("group") or "" for raw in items}
    code_group = {
        name: {entry["code"]: entry.get("group") or "" for entry in entries} for name, entries in lists.items()
    }
    list_of = {raw["name"]: _type(raw.get("type"))[1] for raw in items}
    for raw in items:
        own = raw.get("group") or ""
        where = f"{inst}.{raw['name']}"
        relevant = raw.get("relevant") or ""
        atoms = list(expressions.atoms(expressions.parse(relevant))) if relevant.strip() else []
        for ref in [a.name for a in atoms] + list(constraint_references(raw.get("constraint"))):
            if group_of.get(ref, "") not in ("", own):
                add("group_reference", where,
                    f"refers to {ref!r} of group {group_of[ref]!r}; a course without that group lacks it")
        for atom in atoms:
            code = getattr(atom, "code", None)
            if code is None and hasattr(atom, "value") and atom.value == atom.value.to_integral_value():
                code = int(atom.value)
            group = code_group.get(list_of.get(atom.name) or "", {}).get(code, "")
            if group not in ("", own):
                add("group_reference", where,
                    f"refers to code {code} of {atom.name!r}, which is in group {group!r}")


def _check_atom(atom, name, earlier, all_names, valid_codes, where, add):
    from .expressions import Compare, Selected

    ref = atom.name
    if ref not in all_names:
        add("unknown_reference", where, f"relevant refers to unknown item {ref!r}")
        return
    if ref == name or ref not in earlier:
        add("forward_reference", where, f"relevant refers to {ref!r}, which is not an earlier item")
        return
    base, list_name = earlier[ref]
    if base in ("text", "date", "note"):
        add("bad_reference_type", where, f"relevant may not refer to the {base} item {ref!r}")
        return
    codes = valid_codes.get(list_name or "", set())
    if isinstance(atom, Selected):
        if base != "select_multiple":
            add("bad_operator", where, f"selected() needs a select_multiple item; {ref!r} is {base}")
        elif atom.code not in codes:
            add("unknown_code", where, f"{atom.code} is not a code of {list_name} ({ref})")
    elif isinstance(atom, Compare):
        if base == "select_multiple":
            add("bad_operator", where, f"use selected() with the select_multiple item {ref!r}")
        elif base == "select_one":
            if atom.op not in ("=", "!="):
                add("bad_operator", where, f"only = and != apply to the select_one item {ref!r}")
            elif atom.value != atom.value.to_integral_value() or int(atom.value) not in codes:
                add("unknown_code", where, f"{atom.value} is not a code of {list_name} ({ref})")

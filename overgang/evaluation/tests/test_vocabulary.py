"""Every item and code the report names is the codebook's, and every item it names is listed.

A renamed item or a retired code must fail here, loudly, instead of quietly counting
nothing in a table (issue 11): ``vocabulary.NAMES`` is held against the instruments'
codebook, and the evaluation's code is held against ``vocabulary.NAMES``.
"""

import ast
from pathlib import Path

import pytest

from overgang.evaluation import descriptives, measures, vocabulary
from overgang.instruments import codebook

EVALUATION = Path(__file__).resolve().parent.parent
BOOKS = codebook.repository()
ITEM_NAMES = {item.name for book in BOOKS.values() for item in book.items}


def _item_in(role, name):
    """The item ``name`` as the first of the role's instruments that has it defines it."""
    for instrument in vocabulary.ROLES[role]:
        if BOOKS[instrument].has_item(name):
            return BOOKS[instrument].item(name)
    return None


@pytest.mark.parametrize("role, name, codes", vocabulary.named())
def test_every_item_and_code_the_report_names_is_in_the_codebook(role, name, codes):
    item = _item_in(role, name)
    assert item is not None, f"{name} is no item of {vocabulary.ROLES[role]}"
    if codes:
        assert item.choices is not None, f"{name} has no codes"
        assert codes <= set(item.choices.codes), f"{name}: {sorted(codes - set(item.choices.codes))} are no codes"


def _tables(module):
    """(item, codes) of a module's definition tables: every tuple holding an item name
    and, after it, a set of codes (``("female", "gender", {1})``, Table 6.4's rows)."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            names = [i for i, v in enumerate(value) if isinstance(v, str) and v in ITEM_NAMES]
            sets = [i for i, v in enumerate(value) if isinstance(v, (set, frozenset))]
            if names and sets and names[0] < sets[0]:
                found.append((value[names[0]], value[sets[0]]))
            for v in value:
                walk(v)

    for name, value in vars(module).items():
        if name.isupper():
            walk(value)
    return found


@pytest.mark.parametrize("module", [descriptives, measures])
def test_the_codes_of_the_definition_tables_are_listed(module):
    listed = {}
    for _role, name, codes in vocabulary.named():
        listed.setdefault(name, set()).update(codes)
    tables = _tables(module)
    assert tables
    for name, codes in tables:
        assert name in listed and set(codes) <= listed[name], (name, codes)


def test_every_item_the_evaluation_names_is_listed():
    listed = {name for _role, name, _codes in vocabulary.named()}
    scored = {name for book in BOOKS.values() for score in book.scores for name in score.items}
    for path in sorted(EVALUATION.glob("*.py")):
        literals = {node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        unlisted = (literals & ITEM_NAMES) - listed
        assert not unlisted, f"{path.name} names {sorted(unlisted)}: list them in vocabulary.NAMES"
        assert not literals & scored, f"{path.name} restates the star's items: read score.items instead"


def test_a_renamed_item_or_a_retired_code_would_fail():
    names = vocabulary.NAMES["start"]
    assert _item_in("start", "plan_made") is None  # a name the codebook does not have
    assert not {77} <= set(_item_in("start", "income").choices.codes)
    assert "income" in names and 1 in names["income"]


def test_the_report_opens_sealed_answers_only_where_it_reads_them():
    # Who knows about the sale of sex and the special categories (SECURITY.md) are sealed;
    # the report opens exactly those of them it reads in each role, never free text.
    knows = {f"knows_{g}" for g in ("partner", "siblings", "parents", "children", "other_family", "friends")}
    assert knows <= vocabulary.sealed_needs("start", BOOKS)
    assert {"substance", "income", "children"} <= vocabulary.sealed_needs("start", BOOKS)
    assert vocabulary.sealed_needs("registration", BOOKS) >= {"birth_date"}
    assert vocabulary.sealed_needs("star", BOOKS) >= {"paid_last_month"}
    assert vocabulary.sealed_needs("not_started", BOOKS) == frozenset()
    for role in vocabulary.ROLES:
        needs = vocabulary.sealed_needs(role, BOOKS)
        assert needs <= set(vocabulary.NAMES[role]), role  # only what the report reads
        assert "dim_money" not in needs and "who5_1" not in needs  # the scores stay plain

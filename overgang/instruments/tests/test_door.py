"""The codebook as the one door to meaning: versions, scores, and the type registry."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.http import QueryDict

from overgang.instruments import registry
from overgang.instruments.codebook import Codebook, general_missing_codes
from overgang.instruments.registry import DefinitionError

V1 = """
name: small
title: {da: Lille, en: Small}
pages:
- name: p1
  label: {da: Side, en: Page}
  items:
  - {name: debt, type: select_one yn, label: {da: Gæld, en: Debt}}
  - {name: kind, type: select_one kinds, label: {da: Slags, en: Kind}}
  - {name: hours, type: decimal, label: {da: Timer, en: Hours}, constraint: {min: 0, max: 744}}
  - {name: notes, type: text, label: {da: Noter, en: Notes}}
choices:
  yn:
  - {code: 1, label: {da: Ja, en: 'Yes'}}
  - {code: 5, label: {da: Nej, en: 'No'}}
  - {code: 99, label: {da: Ved ikke, en: Don't know}, missing: true}
  kinds:
  - {code: 1, label: {da: Bolig, en: Housing}}
  - {code: 2, label: {da: Gammel kode, en: Old code}}
"""
# Version 2 drops ``hours``, retires code 2 of ``kinds``, adds code 3 and rewords ``debt``.
V2 = (V1.replace("  - {name: hours, type: decimal, label: {da: Timer, en: Hours}, constraint: {min: 0, max: 744}}\n", "")
      .replace("  - {code: 2, label: {da: Gammel kode, en: Old code}}\n", "  - {code: 3, label: {da: Ny, en: New}}\n")
      .replace("label: {da: Gæld, en: Debt}", "label: {da: Har borgeren gæld?, en: Any debt?}"))


def test_a_codebook_spans_its_versions_as_formpack_does():
    book = Codebook([(2, registry.compile_text(V2)), (1, registry.compile_text(V1))])
    assert [item.name for item in book.items] == ["debt", "kind", "hours", "notes"]  # hours after kind, as in v1
    assert book.item("debt").label.da == "Har borgeren gæld?"  # the newest wording
    assert [c.code for c in book.item("kind").choices.choices] == [1, 3, 2]  # the retired code keeps its label
    assert book.label("kind", 2, "en") == "Old code"
    assert book.item("hours").handler.export_columns(book.item("hours")) == ["hours"]
    assert book.item("debt").missing_codes == {99}
    assert book.sealed_names == {"notes"}  # free text, by its type


SCORED = V1.replace("choices:\n", """scores:
- {name: total, label: {da: I alt, en: Total}, formula: sum, factor: 2, items: [debt, hours]}
- {name: average, label: {da: Snit, en: Average}, formula: mean, items: [debt, hours]}
choices:
""")


def test_a_score_is_declared_once_and_computed_from_valid_values():
    instrument = registry.compile_text(SCORED)
    total, average = instrument.score("total"), instrument.score("average")
    assert total.of({"debt": 5, "hours": Decimal("2.5")}) == 15
    assert total.of({"debt": 99, "hours": Decimal("2.5")}) is None  # a missing code is no value
    assert average.of({"debt": 1}).value == 1 and not average.of({"debt": 1}).complete
    assert average.reader()({"debt": "5", "hours": "3"}) == (5, Decimal(3))
    assert average.reader()({"debt": "99", "hours": "x"}) == (None, None)
    with pytest.raises(KeyError):
        instrument.score("nothing")


@pytest.mark.parametrize("score, code", [
    ("{name: s, label: {da: S, en: S}, formula: median, items: [debt]}", "bad_score"),
    ("{name: s, label: {da: S, en: S}, formula: sum, items: [nothing]}", "unknown_reference"),
    ("{name: s, label: {da: S, en: S}, formula: sum, items: [notes]}", "bad_score"),
    ("{name: s, label: {da: S, en: S}, formula: mean, factor: 2, items: [debt]}", "bad_score"),
    ("{name: debt, label: {da: S, en: S}, formula: sum, items: [hours]}", "duplicate_name"),
    ("{name: s, formula: sum, items: [hours]}", "missing_label"),
])
def test_a_malformed_score_is_a_located_problem(score, code):
    with pytest.raises(DefinitionError) as caught:
        registry.compile_text(V1.replace("choices:\n", f"scores:\n- {score}\nchoices:\n"))
    assert code in [p.code for p in caught.value.problems]


def test_the_star_declares_who5_and_its_ten_dimensions():
    star = registry.get_instrument("star")
    assert star.score("who5_index").items == tuple(f"who5_{k}" for k in range(1, 6))
    assert len(star.score("star_mean").items) == 10
    assert all(name.startswith("dim_") for name in star.score("star_mean").items)
    assert general_missing_codes(registry.all_instruments().values()) == {88, 99}


def test_the_type_registry_reads_a_form_and_shows_an_answer():
    instrument = registry.compile_text(V1)
    debt, kind, hours, notes = (instrument.item(n) for n in ("debt", "kind", "hours", "notes"))
    assert hours.handler.form_text(hours, " 1 000,5 ") == "1000.5"
    assert hours.handler.form_initial(hours, Decimal("2.5")) == "2,5"
    assert hours.handler.display(hours, Decimal("2.5"), "da") == "2,5"
    assert hours.handler.display(hours, Decimal("2.5"), "en") == "2.5"
    assert debt.handler.display(debt, 1, "en") == "Yes"  # the label, not the code (issue 10, item 14)
    assert debt.handler.label_text(debt, 5, "da") == "Nej"
    assert debt.handler.layout(debt) == "choices" and notes.handler.layout(notes) == "field"
    assert debt.handler.submitted(QueryDict("debt=5"), debt) == "5"
    [column] = debt.handler.export_specs(debt, "en")
    assert (column.kind, column.value_labels[99], column.missing_codes) == ("int", "Don't know", (99,))
    assert [c.kind for c in hours.handler.export_specs(hours)] == ["float"]
    assert notes.handler.free_text and notes.is_sealed and not kind.is_sealed
    assert kind.handler.finite_values(kind) == {"1": 1, "2": 2}


def test_no_module_outside_the_registry_branches_on_an_item_type():
    package = Path(__file__).resolve().parents[2]
    branch = re.compile(r"\.type\s*(==|!=|\bin\b|\bnot in\b)")
    found = [f"{path.relative_to(package)}:{number}"
             for path in package.rglob("*.py") if "tests" not in path.parts and path.parts[-2] != "instruments"
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if branch.search(line)]
    assert found == []

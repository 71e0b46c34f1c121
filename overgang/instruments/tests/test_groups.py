"""Item groups: declared on items, choices and hints; an instrument restricted to the
groups a course has keeps its shape and loses everything else."""

import pytest

from overgang.instruments import engine, groups, load, registry
from overgang.instruments.registry import compile_text
from overgang.instruments.validate import validate

SMALL = """
name: small
title: {da: Lille, en: Small}
pages:
- name: core
  label: {da: Kerne, en: Core}
  items:
  - {name: goal, type: select_one goal, label: {da: Mål, en: Goal}, required: true}
  - {name: income, type: select_multiple income, label: {da: Indtægt, en: Income}, required: true}
  - name: work
    type: select_one yn
    label: {da: Arbejde?, en: Work?}
    hint: {da: Salg tæller ikke, en: Selling does not count}
    hint_group: special
- name: special
  label: {da: Særligt, en: Special}
  items:
  - {name: paid, type: select_one yn, label: {da: Betalt?, en: Paid?}, required: true, group: special}
  - {name: paid_n, type: integer, label: {da: Antal, en: Count}, required: true, group: special,
     relevant: '${paid} = 1'}
choices:
  yn:
  - {code: 1, label: {da: Ja, en: 'Yes'}}
  - {code: 5, label: {da: Nej, en: 'No'}}
  goal:
  - {code: 1, label: {da: A, en: A}}
  - {code: 2, label: {da: B, en: B}}
  - {code: 3, label: {da: C, en: C}}
  income:
  - {code: 1, label: {da: Salg, en: Selling}, group: special}
  - {code: 2, label: {da: Løn, en: Wages}}
  - {code: 99, label: {da: Ved ikke, en: Don't know}, missing: true, exclusive: true}
"""


def problems(text):
    return sorted((p.code, p.where) for p in validate(load.load_text(text)))


def test_an_instrument_declares_its_groups():
    instrument = compile_text(SMALL)
    assert instrument.groups == {"special"}
    assert instrument.item("paid").group == "special" and instrument.item("goal").group == ""


def test_restricting_to_the_core_leaves_out_the_groups_items_choices_hints_and_empty_pages():
    instrument = compile_text(SMALL)
    core = groups.restrict(instrument, set(), {"goal": {2, 3}})
    assert [p.name for p in core.pages] == ["core"]
    assert [i.name for i in core.items] == ["goal", "income", "work"]
    assert core.item("goal").choices.codes == (2, 3)
    assert core.item("income").choices.codes == (2, 99)  # a missing code stays an answer
    assert core.item("work").hint is None
    # Names, labels and positions are the instrument's own, so columns line up.
    assert core.item("work").position == instrument.item("work").position
    assert groups.left_out(instrument, core) == {"items": ["paid", "paid_n"], "codes": {"goal": [1], "income": [1]}}
    # The restricted instrument is a whole one: every engine function works on it.
    assert [i.name for i in engine.missing_required(core, {})] == ["goal", "income"]
    assert engine.check_answers(core, {"paid": 1})[0].code == "unknown_item"


def test_restricting_to_every_group_changes_nothing():
    instrument = compile_text(SMALL)
    assert groups.restrict(instrument, {"special"}) is instrument


@pytest.mark.parametrize("change,expected", [
    # A core item may not depend on an item of a group: a course without it would break.
    (("label: {da: Arbejde?, en: Work?}", "label: {da: Arbejde?, en: Work?}\n    relevant: '${paid} = 1'"),
     ("forward_reference", "small.work")),
    (("  - {name: income, type: select_multiple income, label: {da: Indtægt, en: Income}, required: true}",
      "  - {name: income, type: select_multiple income, label: {da: Indtægt, en: Income}, required: true}\n"
      "  - {name: sold, type: integer, label: {da: X, en: X}, relevant: 'selected(${income}, 1)'}"),
     ("group_reference", "small.sold")),
    (("group: special,\n     relevant: '${paid} = 1'", "group: other,\n     relevant: '${paid} = 1'"),
     ("group_reference", "small.paid_n")),
    (("hint_group: special", "hint_group: Special"), ("bad_name", "small.work")),
    (("  - {code: 2, label: {da: Løn, en: Wages}}", "  - {code: 2, label: {da: Løn, en: Wages}, group: 7}"),
     ("bad_name", "small:choices:income:2")),
])
def test_it_refuses_group_mistakes_with_a_code_and_a_place(change, expected):
    old, new = change
    assert old in SMALL
    assert expected in problems(SMALL.replace(old, new))


def test_the_shipped_instruments_put_every_question_about_selling_sex_in_the_prostitution_group():
    for name, instrument in registry.all_instruments().items():
        core = groups.restrict(instrument, set(), {"goal": {3, 4}} if instrument.has_item("goal") else {})
        texts = []
        for item in core.items:
            texts += [item.label.da, item.label.en] + ([item.hint.da, item.hint.en] if item.hint else [])
            texts += [t for c in (item.choices.choices if item.choices else ()) for t in (c.label.da, c.label.en)]
        words = " ".join(texts).lower()
        for word in ("sex", "seksuel", "prostitu", "betaling for", "kompetencecenter"):
            assert word not in words, (name, word)
    registration = registry.get_instrument("registration")
    assert {"first_paid", "last_paid", "arenas", "payment"} <= set(groups.left_out(
        registration, groups.restrict(registration, set()))["items"])

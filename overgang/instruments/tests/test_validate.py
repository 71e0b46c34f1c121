"""Every validation problem code, each shown with the smallest instrument that has it."""

import textwrap

import pytest

from overgang.instruments import load
from overgang.instruments.registry import DefinitionError, compile_text
from overgang.instruments.validate import Problem, validate, validate_all

DEMO = """
name: demo
title: {da: Demo, en: Demo}
pages:
- name: p1
  label: {da: Side 1, en: Page 1}
  items:
%s
choices:
  yn:
  - {code: 1, label: {da: Ja, en: 'Yes'}}
  - {code: 5, label: {da: Nej, en: 'No'}}
  many:
  - {code: 1, label: {da: En, en: One}}
  - {code: 2, label: {da: To, en: Two}}
  - {code: 99, label: {da: Ved ikke, en: Don't know}, missing: true, exclusive: true}
%s
"""
L = "label: {da: Tekst, en: Text}"


def problems(items: str, extra: str = "") -> list[Problem]:
    text = DEMO % (textwrap.indent(textwrap.dedent(items).strip(), "  "), extra)
    try:
        return validate(load.load_text(text))
    except load.LoadError as exc:
        return exc.problems


def codes(items: str, extra: str = "") -> list[str]:
    return [p.code for p in problems(items, extra)]


def test_it_accepts_a_valid_instrument():
    assert problems(f"""
        - {{name: debt, type: select_one yn, {L}, required: true}}
        - {{name: debt_types, type: select_multiple many, {L}, relevant: '${{debt}} = 1'}}
        - {{name: debt_other, type: text, {L}, relevant: 'selected(${{debt_types}}, 2)'}}
        - {{name: amount, type: decimal, {L}, constraint: {{min: 0, max: 744}}}}
        - {{name: big, type: note, {L}, relevant: '${{amount}} > 100'}}
        - {{name: since, type: date, {L}, constraint: {{min: '2000-01-01', max: filled_on}}}}
        - {{name: until, type: date, {L}, constraint: {{min: '${{since}}'}}}}
    """) == []


@pytest.mark.parametrize(("code", "items", "extra"), [
    ("unknown_type", f"- {{name: a, type: slider, {L}}}", ""),
    ("duplicate_name", f"- {{name: a, type: integer, {L}}}\n- {{name: a, type: text, {L}}}", ""),
    ("name_too_long", f"- {{name: {'a' * 33}, type: integer, {L}}}", ""),
    ("bad_name", f"- {{name: Debt, type: integer, {L}}}", ""),
    ("bad_name", f"- {{name: 1debt, type: integer, {L}}}", ""),
    ("unknown_reference", f"- {{name: a, type: text, {L}, relevant: '${{nothing}} = 1'}}", ""),
    ("forward_reference", f"- {{name: a, type: text, {L}, relevant: '${{b}} = 1'}}\n- {{name: b, type: select_one yn, {L}}}", ""),
    ("forward_reference", f"- {{name: a, type: integer, {L}, relevant: '${{a}} = 1'}}", ""),
    ("missing_choices", f"- {{name: a, type: select_one, {L}}}", ""),
    ("unknown_choice_list", f"- {{name: a, type: select_one nolist, {L}}}", ""),
    ("unexpected_choices", f"- {{name: a, type: integer yn, {L}}}", ""),
    ("duplicate_code", f"- {{name: a, type: select_one dup, {L}}}",
     "  dup:\n  - {code: 1, label: {da: A, en: A}}\n  - {code: 1, label: {da: B, en: B}}"),
    ("bad_code", f"- {{name: a, type: select_one bad, {L}}}", "  bad:\n  - {code: x, label: {da: A, en: A}}"),
    ("bad_code", f"- {{name: a, type: select_one bad, {L}}}", "  bad:\n  - {code: -1, label: {da: A, en: A}}"),
    ("empty_choice_list", f"- {{name: a, type: select_one empty, {L}}}", "  empty: []"),
    ("bad_flag", f"- {{name: a, type: select_one flag, {L}}}", "  flag:\n  - {code: 1, label: {da: A, en: A}, missing: 'yes'}"),
    ("bad_flag", f"- {{name: a, type: integer, sealed: 'yes', {L}}}", ""),
    ("bad_expression", f"- {{name: a, type: integer, {L}}}\n- {{name: b, type: text, {L}, relevant: '${{a}} =='}}", ""),
    ("missing_label", "- {name: a, type: integer, label: {da: Kun dansk}}", ""),
    ("missing_label", "- {name: a, type: integer, label: {da: '', en: Empty}}", ""),
    ("missing_label", f"- {{name: a, type: integer, {L}, hint: {{en: only}}}}", ""),
    ("missing_label", f"- {{name: a, type: select_one nolabel, {L}}}", "  nolabel:\n  - {code: 1}"),
    ("unknown_key", f"- {{name: a, type: integer, {L}, requried: true}}", ""),
    ("missing_field", f"- {{type: integer, {L}}}", ""),
    ("missing_field", f"- {{name: a, {L}}}", ""),
    ("bad_required", f"- {{name: a, type: note, {L}, required: true}}", ""),
    ("bad_required", f"- {{name: a, type: integer, {L}, required: 'yes'}}", ""),
    ("bad_reference_type", f"- {{name: a, type: text, {L}}}\n- {{name: b, type: integer, {L}, relevant: '${{a}} = 1'}}", ""),
    ("bad_reference_type", f"- {{name: a, type: integer, {L}}}\n- {{name: b, type: date, {L}, constraint: {{min: '${{a}}'}}}}", ""),
    ("bad_operator", f"- {{name: a, type: select_one yn, {L}}}\n- {{name: b, type: text, {L}, relevant: '${{a}} > 1'}}", ""),
    ("bad_operator", f"- {{name: a, type: select_multiple many, {L}}}\n- {{name: b, type: text, {L}, relevant: '${{a}} = 1'}}", ""),
    ("bad_operator", f"- {{name: a, type: select_one yn, {L}}}\n- {{name: b, type: text, {L}, relevant: 'selected(${{a}}, 1)'}}", ""),
    ("unknown_code", f"- {{name: a, type: select_one yn, {L}}}\n- {{name: b, type: text, {L}, relevant: '${{a}} = 2'}}", ""),
    ("unknown_code", f"- {{name: a, type: select_multiple many, {L}}}\n- {{name: b, type: text, {L}, relevant: 'selected(${{a}}, 3)'}}", ""),
    ("bad_constraint", f"- {{name: a, type: integer, {L}, constraint: {{min: 10, max: 1}}}}", ""),
    ("bad_constraint", f"- {{name: a, type: integer, {L}, constraint: {{min: ten}}}}", ""),
    ("bad_constraint", f"- {{name: a, type: text, {L}, constraint: {{min: 1}}}}", ""),
    ("bad_constraint", f"- {{name: a, type: date, {L}, constraint: {{max: yesterday}}}}", ""),
    ("bad_constraint", f"- {{name: a, type: integer, {L}, constraint: {{minimum: 1}}}}", ""),
    ("unknown_reference", f"- {{name: a, type: date, {L}, constraint: {{min: '${{nothing}}'}}}}", ""),
    ("forward_reference", f"- {{name: a, type: date, {L}, constraint: {{min: '${{b}}'}}}}\n- {{name: b, type: date, {L}}}", ""),
    ("column_too_long", f"- {{name: {'m' * 30}, type: select_multiple many, {L}}}", ""),
])
def test_it_reports_each_problem_with_its_code(code, items, extra):
    found = problems(items, extra)
    assert code in [p.code for p in found], found


def test_it_names_instrument_and_item_in_where():
    [problem] = problems(f"- {{name: a, type: slider, {L}}}")
    assert problem == Problem("unknown_type", "demo.a", problem.message)
    [problem] = problems(f"- {{name: a, type: select_one dup, {L}}}",
                         "  dup:\n  - {code: 1, label: {da: A, en: A}}\n  - {code: 1, label: {da: B, en: B}}")
    assert problem.where == "demo:choices:dup:1"


def test_it_reports_the_position_of_a_bad_expression():
    [problem] = problems(f"- {{name: a, type: integer, {L}}}\n- {{name: b, type: text, {L}, relevant: '${{a}} = 1 an ${{a}} = 2'}}")
    assert problem.code == "bad_expression" and "position 9" in problem.message


def test_it_reports_all_problems_at_once():
    found = codes(f"""
        - {{name: A, type: slider, {L}}}
        - {{name: b, type: select_one nolist, label: {{da: x}}}}
    """)
    assert {"bad_name", "unknown_type", "unknown_choice_list", "missing_label"} <= set(found)


def test_it_reports_page_problems():
    text = """
name: demo
title: {da: Demo, en: Demo}
pages:
- {name: p1, label: {da: A, en: A}, items: [{name: a, type: integer, label: {da: A, en: A}}]}
- {name: p1, label: {da: B, en: B}, items: [{name: b, type: integer, label: {da: B, en: B}}]}
- {name: p3, label: {da: C, en: C}, items: []}
"""
    assert {"duplicate_page", "empty_page"} <= {p.code for p in validate(load.load_text(text))}


def test_it_reports_load_problems_with_codes(tmp_path):
    assert codes("- {name: a, type: integer, label: {da: A, en: A}") == ["bad_yaml"]
    with pytest.raises(load.LoadError) as exc:
        load.load_text("name: x\ninclude: [shared/nothing.yaml]\n", directory=tmp_path)
    assert [p.code for p in exc.value.problems] == ["missing_include"]
    (tmp_path / "a.yaml").write_text("include: [b.yaml]\n")
    (tmp_path / "b.yaml").write_text("include: [a.yaml]\n")
    with pytest.raises(load.LoadError) as exc:
        load.load_text("name: x\ninclude: [a.yaml]\n", directory=tmp_path)
    assert "include_cycle" in [p.code for p in exc.value.problems]
    (tmp_path / "c.yaml").write_text("choices:\n  yn: [{code: 1, label: {da: J, en: Y}}]\n")
    with pytest.raises(load.LoadError) as exc:
        load.load_text("name: x\ninclude: [c.yaml]\nchoices:\n  yn: []\n", directory=tmp_path)
    assert [p.code for p in exc.value.problems] == ["duplicate_choice_list"]
    (tmp_path / "wrong.yaml").write_text("name: right\n")
    with pytest.raises(load.LoadError) as exc:
        load.load_instrument("wrong", tmp_path)
    assert [p.code for p in exc.value.problems] == ["name_mismatch"]


def test_it_splices_included_pages_items_and_choices(tmp_path):
    (tmp_path / "lists.yaml").write_text("choices:\n  yn: [{code: 1, label: {da: Ja, en: 'Yes'}}]\n")
    (tmp_path / "pages.yaml").write_text(
        "pages:\n- {name: shared, label: {da: F, en: S}, items: [{name: b, type: select_one yn, label: {da: B, en: B}}]}\n")
    (tmp_path / "items.yaml").write_text("items:\n- {name: a0, type: integer, label: {da: A, en: A}}\n")
    instrument = compile_text("""
name: demo
title: {da: Demo, en: Demo}
include: [lists.yaml]
pages:
- name: own
  label: {da: Egen, en: Own}
  items:
  - include: items.yaml
  - {name: a, type: select_one yn, label: {da: A, en: A}}
- include: pages.yaml
""", tmp_path)
    assert [i.name for i in instrument.items] == ["a0", "a", "b"]
    assert [p.name for p in instrument.pages] == ["own", "shared"]
    assert instrument.item("b").choices.codes == (1,)


def test_it_checks_one_name_one_meaning_across_instruments():
    one = load.load_text(DEMO % (f"  - {{name: debt, type: select_one yn, {L}}}", ""))
    two = dict(load.load_text(DEMO % (f"  - {{name: debt, type: select_multiple many, {L}}}", "")), name="other")
    assert [p.code for p in validate_all({"demo": one, "other": two})] == ["inconsistent_name"]


def test_it_raises_definition_error_with_every_problem():
    with pytest.raises(DefinitionError) as exc:
        compile_text(DEMO % (f"  - {{name: A, type: slider, {L}}}", ""))
    assert {p.code for p in exc.value.problems} == {"bad_name", "unknown_type"}


LADDER_HEAD = """
name: t
title: {da: T, en: T}
pages:
- name: p
  label: {da: P, en: P}
  items:
  - name: dim_x
    type: integer
    label: {da: X, en: X}
    appearance: ladder
    constraint: {min: 1, max: 10}
"""

STAGES = """
ladder:
- {low: 1, high: 4, title: {da: A, en: A}, text: {da: a, en: a}}
- {low: 5, high: 10, title: {da: B, en: B}, text: {da: b, en: b}}
"""


def _codes(text):
    from overgang.instruments.registry import DefinitionError, compile_text

    try:
        compile_text(text)
    except DefinitionError as exc:
        return [p.code for p in exc.problems]
    return []


def test_it_builds_a_ladder_item_with_its_stages():
    from overgang.instruments.registry import compile_text

    instrument = compile_text(LADDER_HEAD + STAGES)
    assert instrument.item("dim_x").appearance == "ladder"
    assert [(s.low, s.high, s.title.da) for s in instrument.ladder] == [(1, 4, "A"), (5, 10, "B")]
    assert instrument.to_dict()["ladder"][1]["text"] == {"da": "b", "en": "b"}


def test_a_ladder_needs_stages_covering_one_to_ten():
    assert "bad_appearance" in _codes(LADDER_HEAD)
    assert "bad_ladder" in _codes(LADDER_HEAD + STAGES.replace("high: 10", "high: 9"))
    assert "bad_ladder" in _codes(LADDER_HEAD + STAGES.replace("low: 5", "low: 6"))


def test_only_a_one_to_ten_integer_can_be_a_ladder():
    assert "bad_appearance" in _codes((LADDER_HEAD + STAGES).replace("max: 10", "max: 5"))
    assert "bad_appearance" in _codes((LADDER_HEAD + STAGES).replace("appearance: ladder", "appearance: slider"))


def test_the_star_dimensions_are_ladders():
    from overgang.instruments.registry import get_instrument

    star = get_instrument("star")
    assert [i.name for i in star.items if i.appearance == "ladder"] == [
        "dim_motivation", "dim_selfcare", "dim_money", "dim_network", "dim_substance",
        "dim_physical", "dim_mental", "dim_time", "dim_housing", "dim_offending",
    ]
    assert len(star.ladder) == 5 and star.ladder[0].title.da == "Står fast"

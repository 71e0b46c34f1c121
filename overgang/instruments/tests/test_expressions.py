"""The relevance language: parser, evaluator, and properties that must hold for any input."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overgang.instruments.expressions import (
    ALWAYS, And, Compare, ExpressionError, Not, Or, Selected, evaluate, parse, references,
)


def test_it_parses_a_comparison():
    assert parse("${debt} = 1") == Compare("debt", "=", Decimal(1), 0)


def test_it_parses_every_operator():
    for op in ("=", "!=", "<", "<=", ">", ">="):
        assert parse(f"${{x}} {op} -2.5").op == op


def test_it_parses_selected_with_free_spaces():
    assert parse("selected( ${income} ,9 )") == Selected("income", 9, 0)


def test_it_gives_not_then_and_then_or_precedence():
    tree = parse("${a} = 1 or ${b} = 2 and not (${c} = 3)")
    assert isinstance(tree, Or)
    assert isinstance(tree.operands[1], And)
    assert isinstance(tree.operands[1].operands[1], Not)


def test_it_groups_with_parentheses():
    tree = parse("(${a} = 1 or ${b} = 2) and ${c} = 3")
    assert isinstance(tree, And) and isinstance(tree.operands[0], Or)


def test_it_treats_empty_as_always_relevant():
    assert parse("") is ALWAYS and parse(None) is ALWAYS and parse("   ") is ALWAYS
    assert evaluate(ALWAYS, {}) is True


def test_it_lists_references_once_in_order():
    assert references(parse("${b} = 1 or selected(${a}, 2) or ${b} = 3")) == ["b", "a"]


@pytest.mark.parametrize(("source", "position"), [
    ("${a} =", 6),                 # no number
    ("${a} == 1", 6),              # no such operator: '=' then '='
    ("not ${a} = 1", 4),           # not needs parentheses
    ("${a} = 1 AND ${b} = 2", 9),  # keywords are lower case
    ("${A} = 1", 0),               # bad item name
    ("${a = 1", 0),                # unclosed reference
    ("selected(${a}, 1.5)", 15),   # a code is a whole number
    ("selected(${a}, -1)", 15),
    ("${a} = 1 ${b} = 2", 9),      # missing connective
    ("(${a} = 1", 9),              # unclosed parenthesis
    ("${a} = 'x'", 7),             # no strings in the language
    ("1 = ${a}", 0),               # a reference comes first
    ("${a} = 1.", 7),
    ("true", 0),
])
def test_it_reports_parse_errors_with_position(source, position):
    with pytest.raises(ExpressionError) as exc:
        parse(source)
    assert exc.value.position == position


def test_it_makes_every_atom_false_without_a_value():
    for source in ("${a} = 1", "${a} != 1", "${a} < 1", "${a} >= 0", "selected(${a}, 1)"):
        assert evaluate(parse(source), {}) is False
        assert evaluate(parse(source), {"a": None}) is False


def test_it_reads_not_equal_as_answered_and_different():
    assert evaluate(parse("${debt} != 5"), {"debt": 1}) is True
    assert evaluate(parse("${debt} != 5"), {"debt": 5}) is False
    assert evaluate(parse("${debt} != 5"), {}) is False
    # not() of an atom is plain Boolean negation, so it is true when unanswered
    assert evaluate(parse("not (${debt} = 5)"), {}) is True


def test_it_compares_numbers_exactly():
    tree = parse("${hours} <= 2.5")
    assert evaluate(tree, {"hours": Decimal("2.5")})
    assert not evaluate(tree, {"hours": Decimal("2.51")})
    assert evaluate(parse("${n} >= 3"), {"n": 3})
    assert evaluate(parse("${n} > -1"), {"n": 0})


def test_it_tests_membership_with_selected():
    tree = parse("selected(${income}, 9)")
    assert evaluate(tree, {"income": (1, 9)})
    assert evaluate(tree, {"income": "1 9"})  # the interchange string works too
    assert not evaluate(tree, {"income": (1, 2)})
    assert not evaluate(tree, {"income": 9})  # not a multiple-choice answer


def test_it_combines_with_and_or():
    tree = parse("${lives_where} = 4 or ${lives_where} = 6")
    assert [evaluate(tree, {"lives_where": v}) for v in (4, 5, 6)] == [True, False, True]
    both = parse("${a} = 1 and selected(${b}, 3)")
    assert evaluate(both, {"a": 1, "b": (3,)}) and not evaluate(both, {"a": 1})


def test_it_renders_back_to_equivalent_text():
    source = "${a} = 1 and not (selected(${b}, 3)) or ${c} >= -2.5"
    assert str(parse(str(parse(source)))) == str(parse(source))
    assert evaluate(parse(str(parse(source))), {"c": 0}) == evaluate(parse(source), {"c": 0})


# --- properties --------------------------------------------------------------------

ALPHABET = st.sampled_from(list("${}()=!<>,.-_ 0123456789abcdnotrselectd") + ["and", "or", "not", "selected(", "${a}", "${b}"])


@given(st.text())
def test_it_raises_only_expression_errors_on_arbitrary_text(source):
    try:
        parse(source)
    except ExpressionError:
        pass


@given(st.lists(ALPHABET, max_size=30).map("".join))
def test_it_raises_only_expression_errors_on_near_miss_text(source):
    try:
        tree = parse(source)
    except ExpressionError:
        return
    assert isinstance(evaluate(tree, {"a": 1, "b": (1, 2)}), bool)


ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.decimals(allow_nan=True),
    st.text(max_size=8), st.tuples(st.integers(), st.text(max_size=3)), st.lists(st.integers(), max_size=4),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2), st.frozensets(st.integers(), max_size=3),
)
EXPRESSIONS = [parse(s) for s in (
    "${a} = 1", "${a} != 1", "${a} < -1.5", "${b} >= 2", "selected(${a}, 3)",
    "not (${a} = 1) and (selected(${b}, 0) or ${c} <= 0)",
)]


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), ANY_VALUE))
def test_it_never_crashes_evaluating_any_answers(answers):
    for tree in EXPRESSIONS:
        assert isinstance(evaluate(tree, answers), bool)

"""The type registry: parsing, serialising, constraints and export columns per type."""

import datetime
from decimal import Decimal

import pytest

from overgang.instruments.registry import compile_text
from overgang.instruments.types import TYPES, AnswerError, Context

FORM = compile_text("""
name: demo
title: {da: Demo, en: Demo}
pages:
- name: p1
  label: {da: Side, en: Page}
  items:
  - {name: debt, type: select_one yn, label: {da: Gæld, en: Debt}}
  - {name: income, type: select_multiple income, label: {da: Indtægt, en: Income}}
  - {name: n, type: integer, label: {da: Antal, en: Count}, constraint: {min: 0, max: 999}}
  - {name: hours, type: decimal, label: {da: Timer, en: Hours}, constraint: {min: 0, max: 744}}
  - {name: first, type: date, label: {da: Første, en: First}, constraint: {min: '2000-01-01', max: filled_on}}
  - {name: last, type: date, label: {da: Sidste, en: Last}, constraint: {min: '${first}'}}
  - {name: notes, type: text, label: {da: Noter, en: Notes}}
  - {name: stem, type: note, label: {da: Stamme, en: Stem}}
choices:
  yn:
  - {code: 1, label: {da: Ja, en: 'Yes'}}
  - {code: 5, label: {da: Nej, en: 'No'}}
  income:
  - {code: 1, label: {da: Salg af sex, en: Selling sex}}
  - {code: 3, label: {da: SU, en: Grant}}
  - {code: 9, label: {da: Andet, en: Other}}
  - {code: 0, label: {da: Ingen, en: None}, exclusive: true}
  - {code: 99, label: {da: Ved ikke, en: Don't know}, missing: true, exclusive: true}
""")


def parse(name, raw):
    item = FORM.item(name)
    return item.handler.parse(item, raw)


def serialise(name, value):
    item = FORM.item(name)
    return item.handler.serialise(item, value)


def check(name, value, **context):
    item = FORM.item(name)
    return [i.code for i in item.handler.check(item, value, Context(**context))]


@pytest.mark.parametrize(("name", "raw", "value"), [
    ("debt", "5", 5),
    ("income", "1 3 9", (1, 3, 9)),
    ("income", "99", (99,)),
    ("income", "0", (0,)),
    ("n", "12", 12),
    ("n", "0", 0),
    ("hours", "2.5", Decimal("2.5")),
    ("hours", "10", Decimal("10")),
    ("first", "2016-03-01", datetime.date(2016, 3, 1)),
    ("notes", "  verbatim; with spaces\nand lines ", "  verbatim; with spaces\nand lines "),
])
def test_it_round_trips_interchange_strings(name, raw, value):
    assert parse(name, raw) == value
    assert serialise(name, value) == raw


def test_it_serialises_multiple_choice_ascending_and_decimals_plainly():
    assert serialise("income", (9, 1, 3)) == "1 3 9"
    assert serialise("hours", Decimal("2.50")) == "2.5"
    assert serialise("hours", Decimal("100")) == "100"
    assert serialise("hours", Decimal("0.00")) == "0"


@pytest.mark.parametrize(("name", "raw", "code"), [
    ("debt", "2", "unknown_code"),
    ("debt", "01", "not_a_code"),
    ("debt", "Ja", "not_a_code"),
    ("debt", "", "empty"),
    ("debt", " 1", "bad_format"),
    ("income", "3 1", "not_ascending"),
    ("income", "1 1", "not_ascending"),
    ("income", "1  3", "bad_format"),
    ("income", "1,3", "bad_format"),
    ("income", "1 99", "exclusive_code"),
    ("income", "0 1", "exclusive_code"),
    ("income", "4", "unknown_code"),
    ("n", "1.5", "not_an_integer"),
    ("n", "+3", "not_an_integer"),
    ("n", "007", "not_an_integer"),
    ("hours", "2,5", "not_a_number"),
    ("hours", "2.555", "too_many_decimals"),
    ("hours", "1e3", "not_a_number"),
    ("first", "2016-02-30", "not_a_date"),
    ("first", "1/3/2016", "not_a_date"),
    ("notes", "", "empty"),
    ("stem", "anything", "note_has_answer"),
])
def test_it_rejects_malformed_strings_with_a_code(name, raw, code):
    with pytest.raises(AnswerError) as exc:
        parse(name, raw)
    assert exc.value.issue.code == code and exc.value.issue.item == name


def test_it_checks_ranges():
    assert check("n", 1000) == ["above_max"]
    assert check("n", -1) == ["below_min"]
    assert check("n", 999) == []
    assert check("hours", Decimal("744.01")) == ["above_max"]
    assert check("hours", Decimal("0.125")) == ["too_many_decimals"]
    assert check("n", True) == ["not_an_integer"]


def test_it_checks_dates_against_filled_on_and_earlier_items():
    filled = datetime.date(2017, 1, 1)
    assert check("first", datetime.date(1999, 12, 31), filled_on=filled) == ["below_min"]
    assert check("first", datetime.date(2017, 1, 2), filled_on=filled) == ["above_max"]
    assert check("first", datetime.date(2017, 1, 1), filled_on=filled) == []
    first = datetime.date(2016, 5, 1)
    assert check("last", datetime.date(2016, 4, 30), answers={"first": first}) == ["below_min"]
    assert check("last", datetime.date(2018, 1, 1), answers={"first": first}, filled_on=filled) == []


def test_it_checks_text_length():
    assert check("notes", "x" * 2000) == []
    assert check("notes", "x" * 2001) == ["too_long"]


def test_it_lists_export_columns_and_values():
    income = FORM.item("income")
    assert income.handler.export_columns(income) == ["income", "income_0", "income_1", "income_3", "income_9", "income_99"]
    assert income.handler.export_values(income, (1, 9)) == ["1 9", 0, 1, 0, 1, 0]
    assert income.handler.export_values(income, None) == [None] * 6
    stem = FORM.item("stem")
    assert stem.handler.export_columns(stem) == []
    assert FORM.item("n").handler.export_columns(FORM.item("n")) == ["n"]


def test_it_gives_value_labels_in_both_languages():
    debt = FORM.item("debt")
    assert debt.handler.value_labels(debt) == {1: "Ja", 5: "Nej"}
    assert debt.handler.value_labels(debt, "en") == {1: "Yes", 5: "No"}
    assert FORM.item("income").choices.missing_codes == {99}
    assert FORM.item("n").handler.value_labels(FORM.item("n")) == {}


def test_it_has_one_registry_entry_per_type_of_the_codebook():
    assert set(TYPES) == {"select_one", "select_multiple", "integer", "decimal", "date", "text", "note"}


def test_a_date_is_typed_day_first_in_the_form_and_read_as_iso_everywhere_else():
    item = FORM.item("first")
    handler = item.handler
    # The form's text (day first, or ISO) becomes the interchange text parse reads ...
    for typed in ("01.03.2016", "1-3-2016", "01/03/2016", "01,03,2016", "2016-03-01"):
        assert handler.parse(item, handler.form_text(item, typed)) == datetime.date(2016, 3, 1)
    # ... a half-typed or impossible date stays as typed, for parse to refuse ...
    for typed in ("01.03", "31.02.2016", "2016/13/01"):
        assert handler.form_text(item, typed) == typed
        with pytest.raises(AnswerError):
            handler.parse(item, handler.form_text(item, typed))
    # ... and files and imports still take ISO only.
    with pytest.raises(AnswerError):
        parse("first", "01.03.2016")
    # A stored answer is shown day first in a text field, never <input type="date">.
    html = handler.form_field(item).widget.render("first", handler.form_initial(item, datetime.date(2016, 3, 1)))
    assert 'type="text"' in html and 'value="01.03.2016"' in html

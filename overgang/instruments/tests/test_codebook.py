"""The definitions against docs/instruments.md, item by item, through the generated codebook."""

import csv
import io
import re

import pytest
from django.core.management import call_command

from overgang.instruments import codebook, registry

from . import specmd

SPEC_ITEMS = specmd.parse_items()
SPEC_LISTS = specmd.parse_choice_lists()
INSTRUMENTS = registry.all_instruments()
# English choice labels the codebook abbreviates or annotates in §3; the YAML spells them out.
EN_EXCEPTIONS = {
    ("missed_reasons", 2): "The citizen has been away", ("missed_reasons", 3): "The citizen has been in hospital",
    ("missed_reasons", 4): "The citizen has not had the energy to meet", ("dimensions_worked", 5): "Physical health",
}


def test_it_defines_exactly_the_six_instruments():
    assert sorted(INSTRUMENTS) == sorted(specmd.INSTRUMENTS)


def test_the_registry_names_every_instrument_once_in_course_order():
    assert sorted(registry.INSTRUMENTS) == sorted(INSTRUMENTS) and len(set(registry.INSTRUMENTS)) == len(INSTRUMENTS)
    assert registry.INSTRUMENTS[0] == "registration" and registry.INSTRUMENTS[-1] == "not_started"


@pytest.mark.parametrize("name", specmd.INSTRUMENTS)
def test_it_matches_the_spec_item_by_item(name):
    generated = codebook.render_markdown([INSTRUMENTS[name]])
    table = [line for line in generated.splitlines() if re.match(r"^\| \d+ \|", line)]
    # The spec's tables have no prefill column (the codebook's last): compare the others.
    rows = [specmd.parse_item_row(line.rsplit(" | ", 1)[0] + " |") for line in table]
    spec = SPEC_ITEMS[name]
    assert [r["name"] for r in rows] == [s["name"] for s in spec]
    for row, want in zip(rows, spec, strict=True):
        where = f"{name}.{want['name']}"
        assert row["type"] == want["type"], where
        assert row["list"] == want["list"], where
        assert row["relevant"] == want["relevant"], where
        assert row["required"] == want["required"], where
        assert row["fixed"] == want["fixed"], where
        assert row["paper"] == want["paper"], where
        assert (row["da"], row["en"]) == (want["da"], want["en"]), where
        if want["codes"] is not None:
            assert row["codes"] == _expected_codes(want), where


def _expected_codes(want):
    codes = want["codes"]
    if codes == ["98 codes"]:
        return [c["code"] for c in SPEC_LISTS["municipality"]]
    if codes and codes[0] == "municipality codes":
        return [c["code"] for c in SPEC_LISTS["municipality"]] + codes[1:]
    return codes


@pytest.mark.parametrize("name", specmd.INSTRUMENTS)
def test_it_matches_the_spec_constraints(name):
    for item in INSTRUMENTS[name].items:
        want = next(s for s in SPEC_ITEMS[name] if s["name"] == item.name)["choices_cell"]
        cell = want.replace("`", "").replace(" ", "")
        c = item.constraint
        if item.type in ("integer", "decimal"):
            text = f"{c.min}–{c.max}" if c.max is not None else f"≥{c.min}"
            assert cell.startswith(text), (item.name, want)
        elif item.type == "date":
            lo = c.min.strip("${}") if c.min else None
            text = f"{lo}…{c.max}" if c.max else f"≥{lo}"
            assert cell.startswith(text), (item.name, want)
        else:
            assert c is None, item.name


def test_it_matches_every_choice_list_of_the_spec():
    used = {}
    for instrument in INSTRUMENTS.values():
        for cl in instrument.choice_lists:
            assert used.setdefault(cl.name, cl) == cl, f"{cl.name} differs between instruments"
    assert set(used) == set(SPEC_LISTS)
    for name, cl in used.items():
        spec = SPEC_LISTS[name]
        assert [c.code for c in cl.choices] == [s["code"] for s in spec], name
        for choice, want in zip(cl.choices, spec, strict=True):
            assert choice.label.da == want["da"], (name, choice.code)
            assert choice.label.en == EN_EXCEPTIONS.get((name, choice.code), want["en"]), (name, choice.code)
            assert (choice.missing, choice.exclusive, choice.added) == (
                want["missing"], want["exclusive"], want["added"]), (name, choice.code)


@pytest.mark.parametrize("name", specmd.INSTRUMENTS)
def test_it_has_the_item_counts_of_section_11(name):
    rows_, notes, answerable, required, text, fixed = specmd.parse_counts()[name]
    items = INSTRUMENTS[name].items
    assert len(items) == rows_
    assert sum(i.is_note for i in items) == notes
    assert sum(not i.is_note for i in items) == answerable
    assert sum(i.required for i in items) == required
    assert sum(i.type == "text" for i in items) == text
    assert sum(i.fixed for i in items) == fixed


def test_it_shares_themes_2_to_9_word_for_word():
    blocks = [[i.to_dict() for i in INSTRUMENTS[n].items if i.page not in ("theme1",)] for n in
              ("cti_start", "cti_ongoing", "cti_end")]
    assert len(blocks[0]) == 82 and blocks[0] == blocks[1] == blocks[2]
    assert len({i.name for i in INSTRUMENTS["star"].items if i.type != "note"}) == 28
    names = {i.name for inst in INSTRUMENTS.values() for i in inst.items}
    assert len(names) == 194  # §11: distinct item names across the six instruments


def test_it_puts_one_theme_per_page_and_one_dimension_per_page():
    assert [p.name for p in INSTRUMENTS["cti_start"].pages] == [f"theme{k}" for k in range(1, 10)]
    star_pages = [p.name for p in INSTRUMENTS["star"].pages]
    assert star_pages[0] == "start" and star_pages[-2:] == ["prostitution", "who5"]
    assert star_pages[1:11] == [n for n in (i.name for i in INSTRUMENTS["star"].items) if n.startswith("dim_")]


def test_it_prints_the_codebook_as_markdown_and_csv():
    out = io.StringIO()
    call_command("codebook", "--format", "md", "--instrument", "star", stdout=out)
    assert "| 18 | `paid_count` ◆ | 4.1 | integer |" in out.getvalue()
    out = io.StringIO()
    call_command("codebook", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 13 + 30 + 95 + 118 + 116 + 21
    income = next(r for r in rows if r["instrument"] == "cti_end" and r["item"] == "income")
    assert income["choices"].endswith("99 Ved ikke / Don't know (m)(x)") and income["missing_codes"] == "99"
    assert income["export_columns"].split()[:2] == ["income", "income_1"]


def test_it_refuses_an_unknown_instrument():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("codebook", "--instrument", "nope", stdout=io.StringIO())

"""No "<5" in a leader's report can be recovered by subtraction (issue 14, item 4): Figure
7.3 showed N = 6 with substance use at start while Figure 6.1 showed N = 8 at start, so
the hidden group was 2; Table 4.6's rows add up to its N.

The attacker here knows nothing of the report's JSON or of ``disclosure.py``: it reads
the leader's document as shown, takes the relations a reader sees between its tables
(a point's N and the two subgroups' Ns of Figures 7.3–7.5, the retained and dropped of
Figure 6.8, the rows of one answer adding up to its N, Table 4.2's parts adding up to
its total and Table 6.5's dropout groups to it, Figure 7.5's at-risk group and Figure
6.2's at-risk count, Table 4.1's ended and active courses), and bounds every
"<5" it can ("<5" is 0–4; "x" is at least 5). A hidden count it pins to one value, and
that value is the true one, is a leak.
"""

import datetime as dt
import io
import math

import openpyxl

import pytest

from overgang.evaluation import document, render
from overgang.evaluation.definitions import Definitions
from overgang.evaluation.report_json import compute
from overgang.evaluation.reports import Filters
from overgang.synthetic import database, lives


def _bounds(text):
    if text == "<5":
        return (0, 4)
    if text == document.SECONDARY:
        return (5, math.inf)
    return (int(text), int(text))


def _tables(doc):
    return {block.key: doc.rows(block) for section in doc.sections for block in section.blocks}


def _relations(tables):
    """(parts, total, equation): each a (block key, row, column) of a shown count."""
    found = []
    points = tables.get("f6-1", [])
    for key in ("figur7-3", "figur7-4", "figur7-5"):
        for i, _row in enumerate(tables.get(key, [])):
            if i < len(points):
                found.append(([(key, i, 1), (key, i, 3)], ("f6-1", i, 1), False))
    if "figur7-5" in tables and "f6-2" in tables:
        found.append(([("figur7-5", 0, 1)], ("f6-2", 0, 1), True))  # at risk at start
        found.append(([("figur7-5", 0, 1), ("figur7-5", 0, 3)], ("f6-1", 0, 1), True))
    for i, _row in enumerate(tables.get("f6-8", [])):
        found.append(([("f6-8", i, 1), ("f6-8", i, 2)], ("f6-8", i, 3), False))
    for key in ("figur4-1", "figur4-2", "f7-2"):
        rows = tables.get(key, [])
        if rows:
            found.append(([(key, i, 1) for i in range(len(rows))], (key, 0, 3), True))
    if "t4-2" in tables:
        found.append(([("t4-2", i, 1) for i in range(5)], ("t4-2", 5, 1), True))
    # One answer's rows against their N (the reader guesses they add up to it).
    for key, groups in (("t4-6", ((0, 1, 2), (3, 4, 5))), ("t4-8", ((0, 1, 2), (3, 4), tuple(range(5, 12)))),
                        ("t4-9", ((0, 1, 2), (3, 4, 5))), ("t4-15", ((0, 1),)), ("t5-1", (tuple(range(6)),))):
        rows = tables.get(key, [])
        for group in groups:
            if group[-1] < len(rows):
                found.append(([(key, i, 1) for i in group], (key, group[0], 3), True))
    if "t6-5" in tables:  # the dropout groups within all started, and within Table 4.2's end forms
        for col in (1, 3):
            found.append(([("t6-5", 0, col), ("t6-5", 1, col)], ("t6-5", 2, col), False))
        if "t4-2" in tables:
            found.append(([("t6-5", 0, 1), ("t6-5", 1, 1)], ("t4-2", 5, 1), True))
    if "t4-1" in tables:
        for i, _row in enumerate(tables["t4-1"]):
            found.append(([("t4-1", i, 1), ("t4-1", i, 2)], ("t4-1", i, 3), True))
    return found


def _derived(tables, exact, relations):
    """Every "<5" the relations pin to its true value."""
    leaks = []

    def at(where, source):
        key, row, col = where
        return source[key][row][col]

    for parts, total, equation in relations:
        if at(total, tables) in ("<5", document.SECONDARY):
            continue
        t = int(at(total, tables))
        bounds = [_bounds(at(p, tables)) for p in parts]
        for i, part in enumerate(parts):
            if at(part, tables) != "<5":
                continue
            others = bounds[:i] + bounds[i + 1:]
            high = min(4, t - sum(low for low, _h in others))
            low = max(0, t - sum(h for _l, h in others)) if equation else 0
            truth = int(at(part, exact))
            if low == high == truth:
                leaks.append((part, truth, parts, total))
    return leaks


def _cohort(world, seed, courses):
    options = lives.Options(courses=courses, seed=seed, today=dt.date(2026, 12, 1), years=3,
                            municipalities=(world.a.name,), workers={world.a.name: [world.worker.username]})
    database.write(lives.plan(options))
    return compute(Filters(), Definitions(), [world.a])


@pytest.mark.parametrize("seed,courses", [(7, 30), (11, 18), (23, 40)])
def test_no_hidden_count_in_a_leaders_report_can_be_recovered_by_subtraction(world, seed, courses):
    report = _cohort(world, seed, courses)
    leader, exact = document.build(report, suppress=True), document.build(report, suppress=False)
    tables, truth = _tables(leader), _tables(exact)
    relations = _relations(tables)
    assert len(relations) > 20, "the attacker finds the report's relations"
    hidden = sum(cell == "<5" for rows in tables.values() for row in rows for cell in row)
    assert hidden > 10, "a small municipality's report has small cells to protect"
    assert _derived(tables, truth, relations) == []
    assert any(cell == document.SECONDARY for rows in tables.values() for row in rows for cell in row)
    # The workbook a leader downloads hides the same cells (the page and the PDF are
    # written from the same document).
    book = openpyxl.load_workbook(io.BytesIO(render.xlsx(report, suppress=True)))
    blocks = [block for section in leader.sections for block in section.blocks]
    for sheet, block in zip(book.worksheets[1:], blocks):
        cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=6, max_row=5 + len(block.rows))]
        for shown, written in zip(leader.rows(block), cells):
            for text, value in zip(shown, written):
                if text in ("<5", "(<5)", document.SECONDARY):
                    assert value == text, (block.number, shown, written)
    # The data warnings beside the tables (chapter 3's note shows the same counts).
    warnings = render.context(report, suppress=True)["warnings"]
    assert warnings and all(value == "<5" for _name, key, value in warnings if report["warnings"][key] < 5)
    # Evaluators' numbers stay exact: no "x", nothing hidden.
    assert not any(cell in ("<5", document.SECONDARY) for rows in truth.values() for row in rows for cell in row)


def test_a_count_hidden_as_x_hides_the_shares_and_tests_resting_on_it():
    fmt = document.Format(suppress=True, small=5, secondary=frozenset({"a.n"}))
    from overgang.evaluation.disclosure import Tracked

    n, shown = Tracked(22, "a.n"), Tracked(20, "b.count")
    assert fmt.show(document.count(n)) == "x"
    assert fmt.show(document.count(shown)) == "20"
    assert fmt.show(document.pct_of(shown, n)) == "(<5)"
    assert fmt.show(document.mean(31.0, n)) == "(<5)"
    assert fmt.show(document.pval(0.2, n, Tracked(30, "c.n"))) == "(<5)"
    assert fmt.n_label(n) == "N = x"
    assert fmt.number(document.count(n)) == "x"
    assert document.Format(suppress=False, secondary=frozenset({"a.n"})).show(document.count(n)) == "22"


def test_an_audit_is_solved_once_per_report_and_again_for_any_other(world, monkeypatch):
    import copy
    import re
    from collections import OrderedDict

    from overgang.evaluation import disclosure

    report = _cohort(world, 11, 18)
    solved = []
    real = disclosure._secondary
    monkeypatch.setattr(disclosure, "_secondary", lambda *args: solved.append(1) or real(*args))
    monkeypatch.setattr(disclosure, "_SOLVED", OrderedDict())
    first = document.hidden_counts(report)
    assert first and len(solved) == 1  # a small municipality's report hides counts besides the "<5"
    # The same report again (another page of it, a download, another leader): not solved again.
    assert document.hidden_counts(copy.deepcopy(report)) == first and len(solved) == 1

    # Another limit, or one shown count changed: solved again, and as if never solved before.
    recorder = disclosure.Recorder()
    tracked = disclosure.track(report)
    laid_out = document._build(tracked, document.Format(suppress=True, small=5, recorder=recorder))
    for section in laid_out.sections:
        for block in section.blocks:
            laid_out.rows(block)
    path = next(p for p, v in recorder.seen.items() if v.terms is None and int(v) >= 5 and "[" not in p)
    changed = copy.deepcopy(report)
    *parents, last = re.split(r"\.", path)
    node = changed
    for key in parents:
        node = node[key]
    node[last] += 1
    seven = document.hidden_counts(report, small=7)
    other = document.hidden_counts(changed)
    assert len(solved) == 3
    assert seven != first
    monkeypatch.setattr(disclosure, "_SOLVED", OrderedDict())
    assert document.hidden_counts(changed) == other and len(solved) == 4

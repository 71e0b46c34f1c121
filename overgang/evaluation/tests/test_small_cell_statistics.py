"""No statistic for a comparison with a hidden group (issue 14, item 4): a leader read
"p 0,386" in Table 4.4 and "p = 0,601" under Figure 6.1 for groups whose counts were
shown as "<5" — a test over 3 citizens says something about each of them."""

from overgang.evaluation import document
from overgang.evaluation.definitions import Definitions
from overgang.evaluation.report_json import compute
from overgang.evaluation.reports import Filters

from . import cohorts

LEADER = document.Format(suppress=True, small=5)
EXACT = document.Format(suppress=False, small=5)


def test_a_p_value_of_a_hidden_group_is_not_shown_to_a_leader():
    assert LEADER.show(document.pval(0.386, 12, 3)) == "(<5)"  # Table 4.4's "p 0,386" with a group of 3
    assert LEADER.show(document.pval(0.386, 12, 30, 6, 2)) == "(<5)"  # a test of shares with 2 successes
    assert LEADER.show(document.pval(0.386, 12, 30, 6, 0)) == "(<5)"  # none of the few tells as much
    assert LEADER.show(document.pval(0.386)) == "(<5)"  # a test that does not name its groups
    assert LEADER.show(document.pval(0.386, 12, 30)) == "0,386"
    assert EXACT.show(document.pval(0.386, 12, 3)) == "0,386"  # evaluators see exact numbers


def test_the_leaders_report_names_no_test_of_a_hidden_group(world):
    cohorts.main_cohort(world)
    report = compute(Filters(), Definitions(), [world.a])
    leader, exact = document.build(report, suppress=True), document.build(report, suppress=False)
    p_cells = [cell for section in leader.sections for block in section.blocks for row in block.rows
               for cell in row if isinstance(cell, document.Cell) and cell.kind == "p" and cell.value is not None]
    assert p_cells, "the cohort has tests to hide"
    for cell in p_cells:
        # A group under 5, or a group hidden as "x" so that another cannot be recovered.
        small = not cell.groups or any(g is None or g < 5 or leader.fmt.hidden_n(g) for g in cell.groups)
        assert (leader.fmt.show(cell) == "(<5)") == small, cell
    notes = " ".join(block.note for section in leader.sections for block in section.blocks if block.note)
    exact_notes = " ".join(block.note for section in exact.sections for block in section.blocks if block.note)
    assert "vises ikke (en gruppe er for lille)" in notes
    assert "vises ikke" not in exact_notes and "p = " in exact_notes

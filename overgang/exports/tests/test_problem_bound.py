"""A hostile package of many bad rows: the first 1,000 problems are kept, the rest
counted, in bounded memory (problems.PROBLEM_LIMIT)."""

import io
import tracemalloc

import pytest
from django.core.management import CommandError, call_command

from overgang.exports.actions import do_import_package
from overgang.exports.problems import PROBLEM_LIMIT, Problems, problem
from overgang.exports.tests.packages import BASE, write_package

BAD_ROWS = 50_000


def _hostile(directory, rows=BAD_ROWS):
    # Every row names a record that does not exist: one problem per row, nothing else kept.
    answers = BASE["answers.csv"] + "".join(f"X{i},possible,1\n" for i in range(rows))
    return write_package(directory, answers_csv=answers)


def test_problems_keep_the_first_and_count_the_rest():
    problems = Problems(limit=3)
    built = []

    def make(*args, **params):
        built.append(args)
        return problem(*args, **params)

    for line in range(10):
        problems.report(make, "a.csv", line, "x", "required", code="required")
    assert len(problems) == 10 and problems.omitted == 7 and len(list(problems)) == 3
    assert len(built) == 3  # messages for the rest are never built
    merged = problems + Problems([problem("b.csv", 1, "y", "bad_date")])
    assert len(merged) == 11 and merged.codes == {"required", "bad_date"}


@pytest.mark.django_db
def test_a_hostile_package_is_reported_in_bounded_memory(tmp_path):
    small = _hostile(tmp_path / "small", rows=PROBLEM_LIMIT * 2)
    large = _hostile(tmp_path / "large")
    peaks = {}
    for name, path in (("small", small), ("large", large)):
        tracemalloc.start()
        result = do_import_package(path)
        peaks[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert not result.ok
        assert len(list(result.problems)) == PROBLEM_LIMIT
    assert len(result.problems) == BAD_ROWS and result.problems.omitted == BAD_ROWS - PROBLEM_LIMIT
    assert result.problems[0].code == "unknown_record" and result.problems[0].line == 6
    # 25 times the bad rows: the memory does not grow with them (measured: a peak of
    # about 3.8 MB for 2,000 and for 200,000 bad rows; keeping every problem it was 11 MB
    # for 50,000 and grew ~0.2 kB per row).
    assert peaks["large"] < peaks["small"] + 1024 * 1024, peaks


@pytest.mark.django_db
def test_the_command_lists_the_first_and_counts_the_rest(tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError, match=f"{PROBLEM_LIMIT + 500} problem"):
        call_command("import", str(_hostile(tmp_path / "p", rows=PROBLEM_LIMIT + 500)), stderr=err,
                     stdout=io.StringIO())
    lines = err.getvalue().splitlines()
    assert sum("unknown_record" in line for line in lines) == PROBLEM_LIMIT
    assert "and 500 more problem(s)" in err.getvalue()

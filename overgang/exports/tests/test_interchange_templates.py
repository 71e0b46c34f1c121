"""overgang-interchange/2 carries each course's template (issue 13); /1 packages import as
Exit prostitution, and an export in /1 is refused when a course follows another template."""

import datetime as dt
import json
import random

import pytest

from overgang import testing
from overgang.citizens.models import Citizen
from overgang.courses.models import Course
from overgang.exports.actions import do_export_package, do_import_package
from overgang.exports.exporter import ExportError
from overgang.exports.tests.packages import MANIFEST, add_rows, empty_installation, write_package
from overgang.measurements.models import Record
from overgang.tests.test_template_without_prostitution import fill

V2 = {**MANIFEST, "version": 2}
COURSES_V2 = ("course_id,citizen_id,start_date,end_date,status,phase2_start,phase3_start,template\n"
              "F1,Anna,2016-01-10,,active,,,homelessness\n")
RECORDS_V2 = ("record_id,citizen_id,course_id,instrument,filled_on,respondent,template\n"
              "R1,Anna,F1,star,2016-01-10,citizen,\n"
              "R2,Anna,,registration,2016-01-09,,homelessness\n")


def codes(result):
    return sorted((p.file, p.line, p.column, p.code) for p in result.problems)


def test_it_round_trips_the_templates_of_courses_and_forms(world, tmp_path):
    testing.offer_templates(world.a, "exit_prostitution", "homelessness")
    rng = random.Random(3)
    other = Citizen.objects.create(municipality=world.a, pseudonym="Vibe", worker=world.worker)
    for citizen, template in ((world.citizen, "exit_prostitution"), (other, "homelessness")):
        course = testing.make_course(citizen, template=template, start=dt.date(2026, 1, 15))
        fill(course, "registration", dt.date(2026, 1, 15), rng)
        fill(course, "star", dt.date(2026, 1, 15), rng, possible=1)
    do_export_package(tmp_path / "one")
    assert json.loads((tmp_path / "one" / "manifest.json").read_text())["version"] == 2
    courses = (tmp_path / "one" / "courses.csv").read_text()
    assert courses.splitlines()[0].endswith(",template") and ",homelessness\n" in courses
    assert ",exit_prostitution\n" in courses
    empty_installation()
    world = testing.make_world()
    result = do_import_package(tmp_path / "one")
    assert result.ok, codes(result)
    imported = {c.citizen.pseudonym: c.template_version.name for c in Course.objects.select_related("citizen")}
    assert imported == {"Solsikke": "exit_prostitution", "Vibe": "homelessness"}
    homeless = Course.objects.get(citizen__pseudonym="Vibe")
    assert (homeless.phase1_months, homeless.phase2_months, homeless.phase3_months) == (3, 3, 3)
    registration = Record.objects.get(citizen__pseudonym="Vibe", instrument="registration")
    assert registration.template_version.name == "homelessness"
    do_export_package(tmp_path / "two")
    for name in ("citizens.csv", "courses.csv", "records.csv", "answers.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_a_version_1_package_imports_as_exit_prostitution(world, tmp_path):
    result = do_import_package(write_package(tmp_path / "p"))
    assert result.ok, codes(result)
    course = Course.objects.get()
    assert course.template_version.name == "exit_prostitution"
    assert {r.template_version.name for r in Record.objects.all()} == {"exit_prostitution"}


def test_a_version_1_package_has_no_template_column(world, tmp_path):
    result = do_import_package(write_package(tmp_path / "p", courses_csv=COURSES_V2))
    assert ("courses.csv", 1, "template", "unknown_column") in codes(result)


def test_a_version_2_package_places_its_courses_in_their_templates(world, tmp_path):
    result = do_import_package(write_package(tmp_path / "p", manifest=V2, courses_csv=COURSES_V2,
                                             records_csv=RECORDS_V2))
    assert result.ok, codes(result)
    assert Course.objects.get().template_version.name == "homelessness"
    assert {r.template_version.name for r in Record.objects.all()} == {"homelessness"}


def test_a_version_2_package_refuses_bad_templates_and_foreign_questions(world, tmp_path):
    courses = COURSES_V2 + "F2,Bo,2016-01-10,,active,,,shelter\n"
    citizens = add_rows("citizens.csv", "Bo,Aby Kommune,worker,2016-01-01")
    records = RECORDS_V2 + "R3,Anna,F1,star,2016-02-10,citizen,homelessness\n"
    answers = add_rows("answers.csv", "R3,time_point,2", "R3,possible,1", "R3,paid_last_month,2")
    result = do_import_package(write_package(tmp_path / "p", manifest=V2, citizens_csv=citizens, courses_csv=courses,
                                             records_csv=records, answers_csv=answers))
    found = codes(result)
    assert ("courses.csv", 3, "template", "unknown_value") in found
    assert ("records.csv", 4, "template", "not_allowed") in found
    assert Course.objects.count() == 0  # all or nothing
    # The question about selling sex in a homelessness course's star: refused, located.
    records = RECORDS_V2 + "R3,Anna,F1,star,2016-02-10,citizen,\n"
    result = do_import_package(write_package(tmp_path / "q", manifest=V2, courses_csv=COURSES_V2,
                                             records_csv=records, answers_csv=answers))
    problem = next(p for p in result.problems if p.code == "not_in_template")
    assert (problem.file, problem.line) == ("records.csv", 4)
    assert "paid_last_month" in problem.message_da and "homelessness" in problem.message_en
    assert Record.objects.count() == 0


def test_an_export_in_version_1_holds_only_exit_prostitution(world, tmp_path):
    testing.make_course(world.citizen, start=dt.date(2026, 1, 15))
    do_export_package(tmp_path / "old", version=1)
    assert json.loads((tmp_path / "old" / "manifest.json").read_text())["version"] == 1
    assert "template" not in (tmp_path / "old" / "courses.csv").read_text()
    testing.offer_templates(world.a, "exit_prostitution", "homelessness")
    other = Citizen.objects.create(municipality=world.a, pseudonym="Vibe", worker=world.worker)
    testing.make_course(other, template="homelessness", start=dt.date(2026, 1, 15))
    with pytest.raises(ExportError, match="version 2"):
        do_export_package(tmp_path / "refused", version=1)


def _table(tables, name):
    return next(t for t in tables if t.name == name)


def test_the_evaluator_export_says_the_template_and_leaves_out_what_it_lacks(world):
    from overgang.exports import extract
    from overgang.exports.tables import SKIPPED

    testing.offer_templates(world.a, "exit_prostitution", "homelessness")
    other = Citizen.objects.create(municipality=world.a, pseudonym="Vibe", worker=world.worker)
    rng = random.Random(4)
    course = testing.make_course(other, template="homelessness", start=dt.date(2026, 1, 15))
    fill(course, "star", dt.date(2026, 1, 15), rng, possible=1)
    tables, _counts, books = extract.build_tables([world.a], ["star"])
    star = _table(tables, "star_wide")
    names = [c.name for c in star.columns]
    assert "template" in names and not any(n.startswith(("paid_last_month", "considered")) for n in names)
    assert star.rows[0][names.index("template")] == "homelessness"
    assert not books[0].newest.has_item("paid_last_month")  # nor in the codebook
    courses = _table(tables, "courses")
    assert courses.rows[0][[c.name for c in courses.columns].index("template")] == "homelessness"
    # With an Exit prostitution course in the export the column is there, skipped for the other.
    exit_course = testing.make_course(world.citizen, template="exit_prostitution", start=dt.date(2026, 1, 15))
    fill(exit_course, "star", dt.date(2026, 1, 15), rng, possible=1, paid_last_month=1)
    tables, _counts, _books = extract.build_tables([world.a], ["star"])
    star = _table(tables, "star_wide")
    names = [c.name for c in star.columns]
    column = next(i for i, n in enumerate(names) if n.startswith("paid_last_month"))
    by_template = {row[names.index("template")]: row for row in star.rows}
    assert by_template["homelessness"][column] is SKIPPED
    assert by_template["exit_prostitution"][column] not in (SKIPPED, None)


def test_the_evaluator_codebook_words_a_choice_as_the_templates_in_it_do(world):
    """A homelessness-only export's end form codebook says the template's "Det planlagte
    CTI-forløb afsluttes" for reason 2; with an Exit prostitution course beside it the
    instrument's own (SFI's) wording."""
    from overgang.exports import extract

    testing.offer_templates(world.a, "exit_prostitution", "homelessness")
    rng = random.Random(6)
    other = Citizen.objects.create(municipality=world.a, pseudonym="Vibe", worker=world.worker)
    fill(testing.make_course(other, template="homelessness", start=dt.date(2026, 1, 15)), "cti_end",
         dt.date(2026, 4, 1), rng)
    _tables, _counts, books = extract.build_tables([world.a], ["cti_end"])
    label = books[0].newest.item("end_reasons").choices.get(2).label
    assert (label.da, label.en) == ("Det planlagte CTI-forløb afsluttes", "The planned CTI course is completed")
    fill(testing.make_course(world.citizen, template="exit_prostitution", start=dt.date(2026, 1, 15)), "cti_end",
         dt.date(2026, 4, 1), rng)
    _tables, _counts, books = extract.build_tables([world.a], ["cti_end"])
    assert books[0].newest.item("end_reasons").choices.get(2).label.da == "12 måneders CTI-forløb afsluttes"


def test_an_old_version_1_package_imports_unchanged(world, tmp_path):
    """Issue 13's check: a /1 package (from before templates) imports as Exit prostitution
    and, exported again as /1 for the older installation, gives back the same rows and
    columns (no template column)."""
    package = write_package(tmp_path / "p")
    Citizen.objects.all().delete()  # the installation holds the package's citizen only
    result = do_import_package(package)
    assert result.ok, codes(result)
    do_export_package(tmp_path / "back", version=1)
    assert json.loads((tmp_path / "back" / "manifest.json").read_text())["version"] == 1
    for name in ("citizens.csv", "courses.csv", "records.csv", "answers.csv"):
        back, sent = ((path / name).read_text().splitlines() for path in (tmp_path / "back", package))
        assert (back[0], sorted(back[1:])) == (sent[0], sorted(sent[1:])), name  # the export orders by date


@pytest.mark.parametrize("goal,refused", [("3", False), ("4", False), ("1", True), ("2", True)])
def test_a_goal_the_template_does_not_offer_is_refused_at_its_record(world, tmp_path, goal, refused):
    """The homelessness template offers the goals 3 and 4 of the registration's goal
    question; a package cannot give a homelessness registration Exit prostitution's."""
    answers = add_rows("answers.csv", f"R2,goal,{goal}")
    result = do_import_package(write_package(tmp_path / "p", manifest=V2, courses_csv=COURSES_V2,
                                             records_csv=RECORDS_V2, answers_csv=answers))
    found = [(p.file, p.line, p.column, p.code) for p in result.problems]
    if refused:
        assert found == [("records.csv", 3, "record_id", "not_in_template")]
        assert "goal" in result.problems[0].message_da
        assert Record.objects.count() == 0
    else:
        assert result.ok, found
        assert Record.objects.get(instrument="registration").get_answers()["goal"] == int(goal)

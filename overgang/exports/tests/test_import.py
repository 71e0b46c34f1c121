"""do_import_package and the import command: all or nothing, idempotent, audited."""

import random
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from overgang.accounts.models import Membership, Municipality, Role, User
from overgang.audit.log import verify
from overgang.audit.models import AuditEvent
from overgang.citizens.models import Citizen
from overgang.courses.models import Course, Pause
from overgang.synthetic import answers
from overgang.synthetic import package as cohort
from overgang.exports.actions import do_export_package, do_import_package
from overgang.exports.interchange import judge_for
from overgang.exports.tests.packages import BASE, add_rows, empty_installation, write_package
from overgang.instruments import engine, registry
from overgang.instruments.types import Context
from overgang.lib import crypto
from overgang.measurements.models import Record


def _counts():
    return (Citizen.objects.count(), Course.objects.count(), Pause.objects.count(), Record.objects.count())


def test_it_imports_a_package_and_audits_it(world, tmp_path):
    result = do_import_package(write_package(tmp_path / "p"))
    assert result.ok and result.written
    anna = Citizen.objects.get(pseudonym="Anna")
    assert anna.worker == world.worker and anna.created_on.isoformat() == "2016-01-01"
    course = Course.objects.get(external_id="F1")
    assert course.status == "active" and course.first_contact_on == course.start_date
    registration = Record.objects.get(external_id="R2")
    assert registration.course is None and registration.status == "completed"
    assert registration.get_answers()["gender"] == 1
    assert registration.incomplete  # most registration items are missing
    events = AuditEvent.objects.filter(action="interchange.import")
    assert events.count() == 1
    assert events.get().details["created"]["records"] == 2


def test_it_writes_every_row_through_its_apps_action_each_audited(world, tmp_path):
    citizens = add_rows("citizens.csv", "Bo,Cby Kommune,ny_medarbejder,", "Cille,Aby Kommune,ny_medarbejder,")
    pauses = add_rows("pauses.csv", "F1,2016-03-01,2016-04-01")
    result = do_import_package(write_package(tmp_path / "p", citizens_csv=citizens, pauses_csv=pauses),
                               actor=world.administrator)
    assert result.ok, result.problems
    anna = Citizen.objects.get(pseudonym="Anna")
    course = Course.objects.get(external_id="F1")
    pause = Pause.objects.get(course=course)
    by_action = {}
    for event in AuditEvent.objects.exclude(action="interchange.import"):
        by_action.setdefault(event.action, []).append(event)
    # One event per row written, naming it, its citizen and municipality, as the apps' own actions do.
    assert sorted(by_action) == ["citizen.import", "course.import", "course.pause_import", "municipality.create",
                                 "record.import", "user.create", "user.roles_change"]
    assert {e.object_code for e in by_action["citizen.import"]} == {
        str(c.code) for c in Citizen.objects.filter(pseudonym__in=["Anna", "Bo", "Cille"])}
    [course_event] = by_action["course.import"]
    assert (course_event.object_code, course_event.citizen_code) == (str(course.code), str(anna.code))
    assert course_event.municipality_code == str(world.a.code)
    [pause_event] = by_action["course.pause_import"]
    assert (pause_event.object_code, pause_event.citizen_code) == (str(pause.code), str(anna.code))
    assert sorted(e.object_code for e in by_action["record.import"]) == sorted(
        str(code) for code in Record.objects.values_list("code", flat=True))
    assert {e.citizen_code for e in by_action["record.import"]} == {str(anna.code)}
    assert {e.details["instrument"] for e in by_action["record.import"]} == {"star", "registration"}
    # The placeholder worker: created inactive in Cby Kommune, given the worker role in Aby Kommune.
    [created] = by_action["user.create"]
    assert created.details == {"username": "ny_medarbejder", "roles": ["worker"], "active": False}
    [roles] = by_action["user.roles_change"]
    assert roles.municipality_code == str(world.a.code) and roles.details["new"] == ["worker"]
    assert all(e.actor_code == str(world.administrator.code) for events in by_action.values() for e in events)
    assert Record.objects.get(external_id="R1").created_by == world.administrator
    assert verify().ok


def test_a_refused_import_leaves_no_event_of_its_rows(world, tmp_path):
    answers = add_rows("answers.csv", "R2,shoe_size,41")
    before = AuditEvent.objects.count()
    result = do_import_package(write_package(tmp_path / "p", answers_csv=answers))
    assert [p.code for p in result.problems] == ["unknown_item"]
    assert list(AuditEvent.objects.values_list("action", flat=True)[before:]) == ["interchange.import_rejected"]


def test_it_writes_nothing_when_the_last_line_is_wrong(world, tmp_path):
    directory = tmp_path / "cohort"
    cohort.write_cohort(directory, courses=5, seed=4)
    last_record = (directory / "records.csv").read_text(encoding="utf-8").splitlines()[-1].split(",")[0]
    with open(directory / "answers.csv", "a", encoding="utf-8") as handle:
        handle.write(f"{last_record},shoe_size,41\n")
    lines = (directory / "answers.csv").read_bytes().count(b"\n")
    before = _counts()
    result = do_import_package(directory)
    assert [(p.file, p.line, p.code) for p in result.problems] == [("answers.csv", lines, "unknown_item")]
    assert _counts() == before
    assert not AuditEvent.objects.filter(action="interchange.import").exists()
    assert AuditEvent.objects.filter(action="interchange.import_rejected").count() == 1


def test_it_writes_nothing_on_a_dry_run(world, tmp_path):
    before = _counts()
    result = do_import_package(write_package(tmp_path / "p"), dry_run=True)
    assert result.ok and not result.written
    assert result.summary.created["records"] == 2
    assert _counts() == before
    assert not AuditEvent.objects.filter(action__startswith="interchange").exists()


def test_it_changes_nothing_on_a_second_import(world, tmp_path):
    directory = tmp_path / "cohort"
    cohort.write_cohort(directory, courses=6, seed=5, worker_names={"Aby Kommune": ["worker"], "Bby Kommune": ["stranger"]})
    assert do_import_package(directory).ok
    before = _counts()
    stamps = sorted(Record.objects.values_list("updated", flat=True))
    again = do_import_package(directory)
    assert again.ok, again.problems[:3]
    assert _counts() == before
    assert sorted(Record.objects.values_list("updated", flat=True)) == stamps
    assert dict(again.summary.created) == {}
    assert again.summary.unchanged["records"] == before[3]


def test_it_reports_a_conflict_instead_of_overwriting(world, tmp_path):
    assert do_import_package(write_package(tmp_path / "p")).ok
    changed = write_package(tmp_path / "q", answers_csv=BASE["answers.csv"].replace("R2,gender,1", "R2,gender,2"))
    result = do_import_package(changed)
    assert [(p.file, p.line, p.column, p.code) for p in result.problems] == [("records.csv", 3, "record_id", "conflict")]
    assert Record.objects.get(external_id="R2").get_answers()["gender"] == 1


def test_it_creates_municipalities_and_placeholder_workers_on_the_command_line(world, tmp_path):
    citizens = add_rows("citizens.csv", "Bo,Cby Kommune,ny_medarbejder,")
    result = do_import_package(write_package(tmp_path / "p", citizens_csv=citizens))
    assert result.ok, result.problems
    assert result.summary.municipalities_created == ["Cby Kommune"]
    assert result.summary.workers_created == ["ny_medarbejder"]
    placeholder = User.objects.get(username="ny_medarbejder")
    assert not placeholder.has_usable_password() and not placeholder.is_active
    cby = Municipality.objects.get(name="Cby Kommune")
    assert Membership.objects.filter(user=placeholder, municipality=cby, role=Role.WORKER).exists()
    assert Citizen.objects.get(pseudonym="Bo").worker == placeholder


@pytest.mark.parametrize("row,column,code", [
    ("Bo,Bby Kommune,,", "municipality", "wrong_municipality"),
    ("Bo,Aby Kommune,nobody,", "worker", "unknown_worker"),
    ("Bo,Aby Kommune,leader,", "worker", "worker_not_in_municipality"),
])
def test_it_holds_an_administrators_import_to_the_municipality(world, tmp_path, row, column, code):
    directory = write_package(tmp_path / "p", citizens_csv=add_rows("citizens.csv", row))
    result = do_import_package(directory, actor=world.administrator, municipality=world.a)
    assert [(p.file, p.line, p.column, p.code) for p in result.problems] == [("citizens.csv", 3, column, code)]
    assert not Citizen.objects.filter(pseudonym="Anna").exists()


def test_it_keeps_free_text_encrypted(world, tmp_path):
    answers = add_rows("answers.csv", "R2,citizenship,2", 'R2,citizenship_other,"Æbleø, ""Norge""\r\nog mere"')
    assert do_import_package(write_package(tmp_path / "p", answers_csv=answers)).ok
    record = Record.objects.get(external_id="R2")
    assert "citizenship_other" not in record.plain_answers and "Norge" not in record.sealed_answers
    assert record.get_answers()["citizenship_other"] == 'Æbleø, "Norge"\r\nog mere'


def _where_sealed(monkeypatch, tmp_path):
    """Record the process that seals each record's answers (a forked worker writes too)."""
    import os

    from overgang.measurements.codec import AnswerCodec

    log = tmp_path / "sealed-in"
    seal = AnswerCodec._seal

    def logged(self, *args):
        with open(log, "a") as out:
            out.write(f"{os.getpid()}\n")
        return seal(self, *args)

    monkeypatch.setattr(AnswerCodec, "_seal", logged)
    return lambda: [int(pid) for pid in log.read_text().split()] if log.exists() else []


def test_worker_processes_seal_the_answers_of_new_citizens_and_leave_keys_they_lack_to_this_one(
        world, tmp_path, monkeypatch):
    import os

    sealed_in = _where_sealed(monkeypatch, tmp_path)
    text = 'Æbleø, "Norge"\r\nog mere'
    answers = add_rows("answers.csv", "R2,citizenship,2", 'R2,citizenship_other,"Æbleø, ""Norge""\r\nog mere"')
    assert do_import_package(write_package(tmp_path / "p", answers_csv=answers), workers=1).ok
    record = Record.objects.get(external_id="R2")
    assert "citizenship_other" not in record.plain_answers and "Norge" not in record.sealed_answers
    assert record.get_answers()["citizenship_other"] == text
    # A new citizen's key was made before the worker was forked: the worker sealed.
    assert sealed_in() and os.getpid() not in sealed_in()

    # A re-import adding a record to that (now existing) citizen: its key is fetched from
    # the key store before the fork, with the package's other existing citizens', so the
    # worker seals that record too.
    (tmp_path / "sealed-in").unlink()
    records = add_rows("records.csv", "R3,Anna,,registration,2016-02-09,")
    more = add_rows("answers.csv", "R2,citizenship,2", 'R2,citizenship_other,"Æbleø, ""Norge""\r\nog mere"',
                    "R3,citizenship,2", "R3,citizenship_other,Færøerne")
    result = do_import_package(write_package(tmp_path / "q", records_csv=records, answers_csv=more), workers=1)
    assert result.ok and result.summary.created["records"] == 1
    added = Record.objects.get(external_id="R3")
    assert "Færøerne" not in added.sealed_answers and added.get_answers()["citizenship_other"] == "Færøerne"
    assert sealed_in() and os.getpid() not in sealed_in()

    # A key the importing process does not hold at the fork: the worker declines and this
    # process seals.
    (tmp_path / "sealed-in").unlink()
    monkeypatch.setattr(crypto.DataKeys, "prefetch", lambda self, data_keys: None)
    records = add_rows("records.csv", "R3,Anna,,registration,2016-02-09,", "R4,Anna,,registration,2016-02-10,")
    more += "R4,citizenship,2\nR4,citizenship_other,Island\n"
    result = do_import_package(write_package(tmp_path / "r", records_csv=records, answers_csv=more), workers=1)
    assert result.ok and result.summary.created["records"] == 1
    assert Record.objects.get(external_id="R4").get_answers()["citizenship_other"] == "Island"
    assert sealed_in() == [os.getpid()]


def test_worker_processes_give_back_answers_in_form_order_when_the_file_has_another(world, tmp_path):
    # The worker sends back only answers it changed; answers out of form order are changed.
    answers = ("record_id,item,value\nR1,possible,4\nR1,time_point,1\nR2,gender,1\nR2,birth_date,1990-05-17\n")
    package = write_package(tmp_path / "p", answers_csv=answers)
    assert do_import_package(package).ok
    here = {r.external_id: list(r.plain_answers) for r in Record.objects.all()}
    Record.objects.all().delete()
    Course.objects.all().delete()
    Citizen.objects.all().delete()
    assert do_import_package(package, workers=1).ok
    assert {r.external_id: list(r.plain_answers) for r in Record.objects.all()} == here
    assert here["R1"] == ["time_point", "possible"] or connection.vendor == "postgresql"


def test_it_reads_a_zip_like_a_directory_and_judges_alike_in_worker_processes(db, tmp_path):
    import shutil

    directory = tmp_path / "cohort"
    cohort.write_cohort(directory, courses=8, seed=6)
    archive = shutil.make_archive(str(tmp_path / "cohort"), "zip", directory)
    assert do_import_package(archive, workers=1).ok
    do_export_package(tmp_path / "zipped")
    empty_installation()
    assert do_import_package(directory).ok
    do_export_package(tmp_path / "plain")
    for name in ("citizens.csv", "records.csv", "answers.csv"):
        assert (tmp_path / "zipped" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()


def test_it_judges_records_as_the_engine_does():
    rng = random.Random(11)
    day = __import__("datetime").date(2016, 3, 1)
    for name, instrument in registry.all_instruments().items():
        for _ in range(40):
            drawn = answers.draw(instrument, day, rng, profile=answers.WIDE)
            raw = engine.serialise_answers(instrument, drawn)
            names = [i.name for i in instrument.items]
            if rng.random() < 0.5 and raw:  # break something: a hidden answer, a bad code, a lost controller
                victim = rng.choice(names)
                raw[victim] = rng.choice(["1", "42", "x", "2016-01-01", "1 2"])
            if rng.random() < 0.3 and raw:
                raw.pop(rng.choice(list(raw)))
            parsed, issues = engine.parse_answers(instrument, raw)
            checked = engine.check_answers(instrument, parsed, Context(filled_on=day))
            expected = {(i.code, i.item) for i in issues} | {
                (i.code, i.item) for i in checked if not (issues and i.code == "not_relevant")}
            canonical, incomplete, found = judge_for(name).judge(raw, day)
            assert {(i.code, i.item) for i in found} == expected, (name, raw)
            if not found:
                assert incomplete == bool(engine.missing_required(instrument, parsed))
                assert canonical == engine.serialise_answers(instrument, parsed)


def test_the_commands_import_and_export(world, tmp_path, capsys):
    directory = write_package(tmp_path / "p")
    call_command("import", str(directory), "--dry-run")
    assert not Citizen.objects.filter(pseudonym="Anna").exists()
    call_command("import", str(directory))
    assert Citizen.objects.filter(pseudonym="Anna").exists()
    call_command("export", str(tmp_path / "out.zip"))  # one worker per core
    assert (tmp_path / "out.zip").stat().st_size > 0
    call_command("export", str(tmp_path / "here"), "--workers", "0")
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert archive.read("answers.csv") == (tmp_path / "here" / "answers.csv").read_bytes()
    with pytest.raises(CommandError, match="--workers"):
        call_command("export", str(tmp_path / "never"), "--workers", "-1")
    bad = write_package(tmp_path / "bad", citizens_csv=add_rows("citizens.csv", "010190-1234,Aby Kommune,,"))
    with pytest.raises(CommandError):
        call_command("import", str(bad))
    assert "cpr_number" in capsys.readouterr().err


def test_it_refuses_a_second_open_course_for_a_citizen_already_in_the_installation(world, tmp_path):
    assert do_import_package(write_package(tmp_path / "one")).ok
    second = write_package(tmp_path / "two", courses_csv="course_id,citizen_id,start_date,end_date,status,"
                                                         "phase2_start,phase3_start\nF2,Anna,2017-01-10,,active,,\n",
                           records_csv="record_id,citizen_id,course_id,instrument,filled_on,respondent\n",
                           answers_csv="record_id,item,value\n")
    result = do_import_package(second)
    assert [(p.file, p.line, p.column, p.code) for p in result.problems] == [("courses.csv", 2, "status",
                                                                               "second_active_course")]
    assert Course.objects.filter(citizen__pseudonym="Anna").count() == 1


def test_the_same_ids_in_two_municipalities_export_and_import_again(world, tmp_path):
    """Two municipalities imported packages with the same course and record ids (F1, R1,
    R2): the export gives the later ones their own codes, so it imports into an empty
    installation and exports again byte-identical."""
    from overgang.exports.exporter import ExportError

    assert do_import_package(write_package(tmp_path / "a")).ok
    other = {name.replace(".", "_"): BASE[name].replace("Anna", "Birthe").replace("Aby Kommune", "Bby Kommune")
             .replace(",worker,", ",",) for name in ("citizens.csv", "courses.csv", "records.csv")}
    other["citizens_csv"] = "citizen_id,municipality,worker,created_on\nBirthe,Bby Kommune,,2016-01-01\n"
    assert do_import_package(write_package(tmp_path / "b", **other)).ok
    do_export_package(tmp_path / "one")
    empty_installation()
    result = do_import_package(tmp_path / "one")
    assert result.ok, [str(p) for p in result.problems]
    do_export_package(tmp_path / "two")
    for name in ("citizens.csv", "courses.csv", "records.csv", "answers.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    # The same pseudonym in two municipalities cannot be one package: said, not written.
    Citizen.objects.create(municipality=Municipality.objects.get(name="Bby Kommune"), pseudonym="anna")
    with pytest.raises(ExportError, match="--municipality"):
        do_export_package(tmp_path / "three")
    assert not (tmp_path / "three" / "citizens.csv").exists()
    do_export_package(tmp_path / "four", municipalities=[Municipality.objects.get(name="Aby Kommune")])


def test_a_number_too_large_for_any_format_is_refused(world, tmp_path):
    records = add_rows("records.csv", "R3,Anna,F1,cti_end,2016-12-10,")
    answers = add_rows("answers.csv", "R3,months,11", "R3,hours_practical,111111111111111111111111111")
    result = do_import_package(write_package(tmp_path / "p", records_csv=records, answers_csv=answers))
    assert [(p.file, p.line, p.code) for p in result.problems if p.code == "out_of_range"] == [("answers.csv", 7, "out_of_range")]


def _judge_dies(batch):
    """A judging worker's work that kills the worker (as the out-of-memory killer would)."""
    import os

    os._exit(9)


def test_a_judging_worker_that_dies_stops_the_import_and_writes_nothing(world, tmp_path, monkeypatch):
    from overgang.exports import interchange

    monkeypatch.setattr(interchange, "_judge_batch", _judge_dies)
    monkeypatch.setattr(interchange._Judging, "BATCH", 1)
    before = Record.objects.count()
    with pytest.raises(interchange.JudgingStopped, match="stoppede uventet.*stopped unexpectedly"):
        do_import_package(write_package(tmp_path / "p"), workers=1)
    assert Record.objects.count() == before and not Citizen.objects.filter(pseudonym="Anna").exists()
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import", str(write_package(tmp_path / "q")))

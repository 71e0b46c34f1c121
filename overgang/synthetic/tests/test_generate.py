"""``overgang generate``: realistic, valid, encrypted as the application stores it, deterministic."""

import collections
import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from overgang.audit.models import AuditEvent
from overgang.citizens.models import Citizen
from overgang.courses.models import Activity, Contact, Course, FocusArea, NetworkMember
from overgang.instruments import engine
from overgang.instruments.types import Context
from overgang.lib import crypto
from overgang.measurements.models import Record
from overgang.synthetic import database, lives, names

TODAY = dt.date(2026, 6, 1)


def _world(courses=150, seed=5, **options):
    return lives.plan(lives.Options(courses=courses, seed=seed, today=TODAY, **options))


def test_it_is_the_same_for_the_same_seed_and_day_and_differs_for_another_seed(db):  # the codebook's versions
    def summary(world):
        return [(c.pseudonym, c.worker, c.course.status, c.course.start_date, c.course.contacts,
                 [(r.instrument, r.filled_on, r.answers) for r in c.course.records]) for c in lives.citizens(world)]

    first = summary(_world(60))
    assert first == summary(_world(60))
    assert first != summary(_world(60, seed=6))


def test_it_gives_every_worker_about_ten_open_courses(db):
    world = _world(400, municipalities=2)
    people = list(lives.citizens(world))
    open_ = collections.Counter(c.worker for c in people if c.course.is_open)
    workers = [u for names_ in world.workers.values() for u in names_]
    assert len(workers) == sum(-(-sum(1 for c in people if c.course.is_open and c.municipality == m) // 10)
                               for m in world.municipalities)
    assert set(open_) == set(workers) and max(open_.values()) - min(open_.values()) <= 1
    assert {s.role for s in world.staff} == {"worker", "leader", "admin", "evaluator"}


def test_it_writes_courses_in_every_state_with_valid_answers_and_encrypted_text(db):
    counts = database.write(_world(years=2), password="kodeord-til-test-1")
    statuses = collections.Counter(Course.objects.values_list("status", flat=True))
    assert set(statuses) == {"contact", "active", "ended", "not_started"}, statuses
    assert Course.objects.filter(status="active", pauses__end_date=None, pauses__isnull=False).exists()  # paused now
    assert Course.objects.filter(status="active", phase3_start__isnull=False).exists()
    assert Course.objects.filter(status="ended", end_date__lte=TODAY).count() == statuses["ended"]
    assert counts["citizen"] == Citizen.objects.count() == 150

    # Every completed record keeps the codebook's rules, as a record completed in a form does.
    instruments = collections.Counter()
    for record in Record.objects.select_related("instrument_version", "citizen"):
        answers = record.get_answers()
        assert engine.check_answers(record.definition, answers, Context(filled_on=record.filled_on)) == [], record
        if record.status == "completed":
            assert not engine.missing_required(record.definition, answers), record
        instruments[record.instrument] += 1
    assert set(instruments) == {"registration", "star", "cti_start", "cti_ongoing", "cti_end", "not_started"}
    stars = [r.get_answers() for r in Record.objects.filter(instrument="star").select_related("instrument_version",
                                                                                            "citizen")]
    assert any(a.get("possible") == 3 for a in stars) and any(a.get("paid_trend") == 88 for a in stars)

    # Free text and "who knows" never in the clear; each citizen's own key opens them.
    start = Record.objects.filter(instrument="cti_start").select_related("citizen").first()
    assert not any(name.startswith("knows_") for name in start.plain_answers)
    assert any(name.startswith("knows_") for name in start.get_answers())
    contact = Contact.objects.exclude(note_encrypted="").select_related("course__citizen").first()
    assert contact.get_note() in names.CONTACT_NOTES and contact.get_note() not in contact.note_encrypted
    other = Citizen.objects.exclude(pk=contact.course.citizen_id).first()
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(other.data_key, contact.note_encrypted)
    assert FocusArea.objects.exists() and Activity.objects.filter(status="planned").exists()
    assert NetworkMember.objects.exclude(takes_over_encrypted="").exists()

    event = AuditEvent.objects.get(action="synthetic.generate")
    assert event.details["seed"] == 5 and event.details["citizen"] == 150


def test_what_it_writes_exports_and_imports_again(db, tmp_path):
    """The importer judges every row and answer: the generated installation passes."""
    from overgang.exports.actions import do_export_package, do_import_package
    from overgang.exports.tests.packages import empty_installation

    database.write(_world(40, seed=8))
    do_export_package(tmp_path / "one")
    empty_installation()
    result = do_import_package(tmp_path / "one")
    assert result.ok, [(p.file, p.line, p.code, p.message_en) for p in result.problems[:5]]


def test_the_command_fills_an_empty_installation_and_refuses_otherwise(db, settings, capsys):
    call_command("generate", "--courses", "12", "--seed", "2", "--today", "2026-06-01", "--municipalities", "1")
    assert Citizen.objects.count() == 12
    assert "citizen" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--add"):
        call_command("generate", "--courses", "5")
    call_command("generate", "--courses", "5", "--seed", "3", "--add")
    assert Citizen.objects.count() == 17
    assert Citizen.objects.values("municipality", "pseudonym").distinct().count() == 17
    with pytest.raises(CommandError, match="not a date"):
        call_command("generate", "--courses", "5", "--today", "1.6.2026", "--add")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("generate", "--courses", "5", "--add")
    assert Citizen.objects.count() == 17

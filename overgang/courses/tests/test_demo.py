"""The demo seeds a course in every state, and seeding again adds nothing."""

import pytest

from overgang.accounts.demo import seed
from overgang.audit.log import verify
from overgang.courses.demo import GENERATED_COURSES, seed_courses, seed_generated
from overgang.courses.models import Course
from overgang.measurements.models import Record

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_course_in_every_state_and_is_idempotent():
    seed()
    seed_courses()
    seed_generated()
    states = {c.citizen.pseudonym: (c.status, c.phase, c.is_paused) for c in Course.objects.select_related("citizen")}
    assert states["Måge"][0] == "contact"
    assert states["Solsikke"][:2] == ("active", 1)
    assert states["Havørn"][:2] == ("active", 2)
    assert states["Lærke"][:2] == ("active", 3)
    assert states["Birk"][2] is True
    assert states["Ræv"][0] == "ended" and states["Ask"][0] == "ended"
    assert states["Stjerne"][0] == "not_started"
    ended_early = Course.objects.get(citizen__pseudonym="Ræv")
    assert ended_early.active_months() < 12 <= Course.objects.get(citizen__pseudonym="Ask").active_months()
    # The second template, Homelessness → own home, in every state too (9 months).
    second = {c.citizen.pseudonym: c for c in Course.objects.filter(template_version__name="homelessness")}
    assert states["Mejse"][0] == "contact" and states["Odder"][:2] == ("active", 1)
    assert states["Hyld"][:2] == ("active", 1) and states["Pil"][:2] == ("active", 2)
    assert states["Tjørn"][:2] == ("active", 3) and states["Lind"][2] is True
    assert states["Egern"][0] == "ended" and states["Kastanje"][0] == "ended" and states["Vibe"][0] == "not_started"
    assert set(second) == {"Mejse", "Odder", "Hyld", "Pil", "Tjørn", "Lind", "Egern", "Kastanje", "Vibe"}
    kastanje = second["Kastanje"]
    assert (kastanje.phase1_months, kastanje.phase2_months, kastanje.phase3_months) == (3, 3, 3)
    records = list(Record.objects.filter(course__in=second.values(), status="completed"))
    assert {r.instrument for r in records} >= {"registration", "cti_start", "star", "cti_end", "not_started"}
    for record in records:
        assert not {"paid_last_month", "first_paid", "knows_partner"} & set(record.get_answers()), record.instrument
        assert record.template_version.name == "homelessness"
    assert {c.template_version.name for c in Course.objects.exclude(pk__in=[c.pk for c in second.values()])} == {
        "exit_prostitution"}
    stars = Record.objects.filter(instrument="star", status="completed").count()
    assert stars > 10
    # The generator filled out the demo workers' caseloads: about ten open courses each.
    assert Course.objects.count() == 10 + len(second) + GENERATED_COURSES
    open_ = Course.objects.filter(status__in=["contact", "active"]).values_list("citizen__worker__username", flat=True)
    assert all(5 <= list(open_).count(worker) <= 14 for worker in ("anna", "bo", "carla")), sorted(open_)
    before = (Course.objects.count(), Record.objects.count())
    seed()
    seed_courses()
    seed_generated()
    assert (Course.objects.count(), Record.objects.count()) == before
    assert verify().ok


def test_the_demo_exports_and_imports_again_into_an_empty_installation(tmp_path):
    """The demo's records are as valid as real ones: its export passes the import's
    validation (every answer, every date bound) and round-trips."""
    from overgang.exports.actions import do_export_package, do_import_package
    from overgang.exports.tests.packages import empty_installation
    from overgang.instruments import engine
    from overgang.instruments.types import Context

    seed()
    seed_courses()
    seed_generated()
    for record in Record.objects.filter(status="completed"):
        assert engine.check_answers(record.definition, record.get_answers(), Context(filled_on=record.filled_on)) == []
    do_export_package(tmp_path / "one")
    empty_installation()
    result = do_import_package(tmp_path / "one")
    assert result.ok, [(p.file, p.line, p.code, p.message_en) for p in result.problems[:5]]
    do_export_package(tmp_path / "two")
    for name in ("citizens.csv", "courses.csv", "pauses.csv", "records.csv", "answers.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name

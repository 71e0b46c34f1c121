"""The next due registration kept on each course (due.py) follows the calendar through every change."""

import datetime as dt
import random

import pytest

from overgang import testing
from overgang.courses import actions, due, overview
from overgang.courses.models import Course
from overgang.measurements import actions as record_actions
from overgang.measurements.models import Record
from overgang.synthetic.answers import draw

D = dt.date


def _kept(course):
    return Course.objects.values_list(*due.FIELDS).get(pk=course.pk)


def _live(course):
    """What the calendar says now, from the course's records (the caseload's own reading)."""
    course = Course.objects.prefetch_related("pauses").get(pk=course.pk)
    found = overview.next_due(course, list(course.records.all()), dt.date.today())
    if found is None:
        return due.NONE
    window_end = next(o.window_end for o in course.occasions(course.records.all()) if o.due == found.due)
    return found.due, window_end, found.instrument


def _complete(course, instrument, day, fixed=None):
    record = actions.do_start_course_record(course, instrument, actor=course.citizen.worker, filled_on=day,
                                            respondent="citizen" if instrument == "star" else "")
    answers = draw(record.definition, day, random.Random(1), {**record.get_answers(), **(fixed or {})})
    record_actions.do_save_answers(record, answers, actor=course.citizen.worker, version=record.version)
    record.refresh_from_db()
    record_actions.do_complete_record(record, actor=course.citizen.worker, version=record.version)
    record.refresh_from_db()
    return record


def test_it_follows_start_records_corrections_pauses_and_the_end(world):
    course = testing.make_course(world.citizen, start=D(2026, 1, 15))
    assert _kept(course) == _live(course) == (D(2026, 1, 15), D(2026, 1, 29), "cti_start")

    star = _complete(course, "star", D(2026, 1, 16))
    _complete(course, "registration", D(2026, 1, 16))
    assert _kept(course) == _live(course) == (D(2026, 1, 15), D(2026, 1, 29), "cti_start")

    # A star's date corrected to the next occasion: the start star is due again.
    record_actions.do_change_record_meta(star, actor=world.worker, version=star.version, filled_on=D(2026, 3, 14),
                                         respondent="citizen")
    assert _kept(course) == _live(course) == (D(2026, 1, 15), D(2026, 1, 29), "cti_start")
    _complete(course, "cti_start", D(2026, 1, 16))
    assert _kept(course) == _live(course) == (D(2026, 1, 15), D(2026, 1, 29), "star")

    course.refresh_from_db()
    actions.do_pause(course, actor=world.worker, start_date=D(2026, 2, 1), reason="")
    assert _kept(course) == due.NONE == _live(course)
    course = Course.objects.get(pk=course.pk)
    actions.do_resume(course, actor=world.worker, end_date=D(2026, 3, 1))
    assert _kept(course) == _live(course) != due.NONE

    course = Course.objects.get(pk=course.pk)
    _complete(course, "cti_end", D(2026, 4, 1), {"end_reasons": (4,)})
    assert _kept(course) == _live(course)
    actions.do_end_course(Course.objects.get(pk=course.pk), actor=world.worker, end_date=D(2026, 4, 1))
    assert _kept(course) == due.NONE


def test_a_save_of_an_older_course_object_does_not_put_back_a_stale_next_due(world):
    course = testing.make_course(world.citizen, start=D(2026, 1, 15))
    stale = Course.objects.get(pk=course.pk)
    _complete(course, "cti_start", D(2026, 1, 16))
    kept = _kept(course)
    stale.save()
    assert _kept(course) == kept


@pytest.mark.parametrize("source", ["generator", "import"])
def test_generated_and_imported_courses_carry_it(db, tmp_path, source):
    from overgang.synthetic import database, lives, package

    if source == "generator":
        database.write(lives.plan(lives.Options(courses=60, seed=4, today=dt.date.today(), years=2)))
    else:
        from overgang.exports.actions import do_import_package

        package.write_cohort(tmp_path / "p", courses=40, seed=9, today=dt.date.today(), years=2)
        assert do_import_package(tmp_path / "p").ok
    running = Course.objects.filter(status="active")
    assert running.exclude(next_due_on=None).exists()
    for course in Course.objects.all():
        assert _kept(course) == _live(course), course
    assert Record.objects.exists()

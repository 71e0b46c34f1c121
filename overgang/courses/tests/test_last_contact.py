"""The latest reached contact kept on the course (``last_contact.py``) says what the
contact log says after every kind of change, and the caseload sorts by it."""

import datetime as dt

import pytest
from django.db.models import Max, Q

from overgang import testing
from overgang.citizens.models import Citizen
from overgang.courses import actions, caseload
from overgang.courses.models import Course
from overgang.synthetic import database, lives

pytestmark = pytest.mark.django_db
D = dt.date


def _from_the_log():
    return dict(Course.objects.annotate(latest=Max("contacts__date", filter=Q(contacts__reached=True)))
                .values_list("pk", "latest"))


def _kept():
    return dict(Course.objects.values_list("pk", "last_contact_on"))


def test_it_follows_every_change_of_the_contact_log(world):
    course = testing.make_course(world.citizen, start=D(2026, 3, 1), first_contact=D(2026, 2, 1))
    assert course.last_contact_on is None
    first = actions.do_log_contact(course, actor=world.worker, date=D(2026, 3, 10), form="meeting")
    assert _kept()[course.pk] == D(2026, 3, 10) == course.last_contact_on
    # An unanswered call is no contact; an earlier entry does not move it back.
    actions.do_log_contact(course, actor=world.worker, date=D(2026, 4, 1), form="phone", reached=False)
    actions.do_log_contact(course, actor=world.worker, date=D(2026, 3, 5), form="sms")
    assert _kept()[course.pk] == D(2026, 3, 10)
    # A correction of the date, then of whether the citizen was reached.
    actions.do_change_contact(first, actor=world.worker, version=1, date=D(2026, 4, 20), form="meeting", minutes=None,
                              reached=True, third_party=False, outside_hours=False, note="")
    assert _kept()[course.pk] == D(2026, 4, 20)
    first.refresh_from_db()
    actions.do_change_contact(first, actor=world.worker, version=first.version, date=D(2026, 4, 20), form="meeting",
                              minutes=None, reached=False, third_party=False, outside_hours=False, note="")
    assert _kept()[course.pk] == D(2026, 3, 5)
    assert _kept() == _from_the_log()
    # A course object read before the change and saved after it does not put back what it read.
    stale = Course.objects.get(pk=course.pk)
    actions.do_log_contact(course, actor=world.worker, date=D(2026, 5, 1), form="meeting")
    stale.third_party = True
    stale.save()
    assert _kept()[course.pk] == D(2026, 5, 1)


def test_the_generator_writes_it_with_the_log(world):
    options = lives.Options(courses=40, seed=3, today=dt.date.today(), years=1.5, municipalities=(world.a.name,),
                            workers={world.a.name: [world.worker.username]})
    database.write(lives.plan(options))
    assert sum(1 for day in _kept().values() if day) > 20
    assert _kept() == _from_the_log()


def test_the_caseload_sorts_by_it(world):
    """Same due date: the citizen reached longest ago first; never reached counts from the
    first contact."""
    def course(name, first, reached=None, unanswered=None):
        citizen = Citizen.objects.create(municipality=world.a, pseudonym=name, worker=world.worker)
        made = testing.make_course(citizen, started=False, first_contact=first)
        if reached:
            actions.do_log_contact(made, actor=world.worker, date=reached, form="meeting")
        if unanswered:
            actions.do_log_contact(made, actor=world.worker, date=unanswered, form="phone", reached=False)
        return citizen

    course("Anemone", D(2026, 1, 1), reached=D(2026, 6, 1))
    course("Bregne", D(2026, 1, 1), reached=D(2026, 3, 1), unanswered=D(2026, 9, 1))
    course("Cypres", D(2026, 2, 1))
    found = caseload.listing(Citizen.objects.filter(pseudonym__in=("Anemone", "Bregne", "Cypres")), sort="contact")
    assert [(c.pseudonym, c.last_contact) for c in found] == [
        ("Cypres", D(2026, 2, 1)), ("Bregne", D(2026, 3, 1)), ("Anemone", D(2026, 6, 1))]

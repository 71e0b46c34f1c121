"""The demo seeds a course in every state, and seeding again adds nothing."""

import pytest

from overgang.accounts.demo import seed
from overgang.audit.log import verify
from overgang.courses.demo import seed_courses
from overgang.courses.models import Course
from overgang.measurements.models import Record

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_course_in_every_state_and_is_idempotent():
    seed()
    seed_courses()
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
    stars = Record.objects.filter(instrument="star", status="completed").count()
    assert stars > 10
    before = (Course.objects.count(), Record.objects.count())
    seed()
    seed_courses()
    assert (Course.objects.count(), Record.objects.count()) == before
    assert verify().ok

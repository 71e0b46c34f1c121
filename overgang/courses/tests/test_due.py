"""What is due is one tap away (issue 12, item 2)."""

import datetime as dt

import pytest
from django.urls import reverse

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.courses import actions
from overgang.courses.actions import CourseError
from overgang.courses.schedule import add_months
from overgang.measurements.models import Record

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _course(world, months_ago, days=0):
    start = add_months(TODAY, -months_ago) - dt.timedelta(days=days)
    return testing.make_course(world.citizen, start=start, first_contact=start - dt.timedelta(days=10))


def _complete(course, instrument, day):
    record = actions.do_start_course_record(course, instrument, actor=course.citizen.worker, filled_on=day,
                                            respondent="citizen" if instrument == "star" else "")
    Record.objects.filter(pk=record.pk).update(status="completed")


def test_a_due_row_opens_the_right_instrument_at_the_right_time_point(world, login, client):
    # Four months and five days in: the month-4 star is due (in its window), the start ones done.
    course = _course(world, 4, days=5)
    for instrument in ("registration", "cti_start", "star"):
        _complete(course, instrument, course.start_date)
    for instrument in ("star", "cti_ongoing"):
        _complete(course, instrument, add_months(course.start_date, 2))
    login(world.worker)
    page = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    star_url = reverse("courses:record_due", kwargs={"code": course.code, "instrument": "star", "number": 2})
    assert star_url in page
    assert reverse("courses:record_due", kwargs={"code": course.code, "instrument": "cti_ongoing", "number": 2}) in page
    response = client.post(star_url, {"respondent": "worker"})
    record = Record.objects.get(status="draft")
    assert response["Location"] == reverse("measurements:fill", kwargs={"code": record.code, "page": 1})
    # Month 4 with 4 + 4 + 4 months is the transition between phases 1 and 2 (code 3),
    # although on the day itself the course has run four whole months and a bit.
    assert (record.instrument, record.respondent, record.get_answers()["time_point"]) == ("star", "worker", 3)
    assert record.course == course and record.filled_on == TODAY
    # A second tap opens the same draft, not a new one.
    assert client.post(star_url)["Location"] == response["Location"]
    assert Record.objects.filter(status="draft").count() == 1
    response = client.post(reverse("courses:record_due", kwargs={"code": course.code, "instrument": "cti_ongoing",
                                                                 "number": 2}))
    ongoing = Record.objects.get(instrument="cti_ongoing", status="draft")
    assert ongoing.get_answers()["phase"] == 2 and ongoing.respondent == ""
    assert AuditEvent.objects.filter(action="record.create", object_code=str(ongoing.code)).exists()


def test_an_overdue_start_star_gets_the_start_time_point(world, login, client):
    course = _course(world, 1)
    login(world.worker)
    client.post(reverse("courses:record_due", kwargs={"code": course.code, "instrument": "star", "number": 0}))
    record = Record.objects.get()
    assert record.get_answers()["time_point"] == 1 and record.respondent == "citizen"


def test_a_row_that_is_not_due_or_a_made_up_instrument_is_refused(world, login, client):
    course = _course(world, 1)
    login(world.worker)
    for instrument, number in (("star", 5), ("not_started", 0), ("cti_end", 0)):
        response = client.post(reverse("courses:record_due", kwargs={"code": course.code, "instrument": instrument,
                                                                     "number": number}))
        assert response.status_code == 302
    assert not Record.objects.exists()
    with pytest.raises(CourseError):
        actions.do_open_due_record(course, "star", 9, actor=world.worker, filled_on=TODAY)


def test_only_the_responsible_worker_taps(world, login, client):
    course = _course(world, 1)
    url = reverse("courses:record_due", kwargs={"code": course.code, "instrument": "star", "number": 0})
    login(world.leader)
    assert client.post(url).status_code == 403
    login(world.stranger)
    assert client.post(url).status_code == 404
    assert not Record.objects.exists()


def test_min_uge_has_the_button_too(world, login, client):
    course = _course(world, 1)
    login(world.worker)
    page = client.get(reverse("courses:week")).content.decode()
    assert reverse("courses:record_due", kwargs={"code": course.code, "instrument": "cti_start", "number": 0}) in page
    login(world.leader)
    page = client.get(reverse("courses:week")).content.decode()
    assert reverse("courses:record_due", kwargs={"code": course.code, "instrument": "cti_start", "number": 0}) not in page


def test_the_new_form_choice_offers_only_what_can_apply_now(world, login, client):
    from overgang.courses import page

    contact = testing.make_course(world.citizen, started=False)
    assert page.allowed_instruments(contact) == ["registration", "not_started"]
    actions.do_start_course(contact, actor=world.worker, start_date=TODAY)
    assert page.allowed_instruments(contact) == ["star", "cti_ongoing", "cti_start", "registration", "cti_end"]
    _complete(contact, "cti_start", TODAY)
    _complete(contact, "registration", TODAY)
    assert page.allowed_instruments(contact) == ["star", "cti_ongoing", "cti_end"]
    login(world.worker)
    html = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    choices = html[html.index('name="record-instrument"'):html.index("</select>", html.index('name="record-instrument"'))]
    assert 'value="star"' in choices and 'value="not_started"' not in choices and 'value="cti_start"' not in choices
    # The forms page sends the worker to that one choice instead of offering every form.
    html = client.get(reverse("measurements:list", kwargs={"code": world.citizen.code})).content.decode()
    assert "?skema=ny#new-record" in html and 'value="not_started"' not in html


def test_the_caseload_shows_every_due_item_with_its_button(world, login, client):
    course = _course(world, 0, days=3)  # the three start forms are all due now
    login(world.worker)
    page = client.get(reverse("courses:caseload")).content.decode()
    for instrument in ("registration", "cti_start", "star"):
        assert reverse("courses:record_due", kwargs={"code": course.code, "instrument": instrument, "number": 0}) in page
    assert page.count('class="due-item"') == 3
    login(world.leader)
    page = client.get(reverse("courses:caseload")).content.decode()
    assert page.count('class="due-item"') == 3 and "courses/udfyld" not in page and "/udfyld/" not in page

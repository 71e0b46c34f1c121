"""The first contact: how it came about, with the worker's own words for "other"."""

import datetime as dt

import pytest
from django.urls import reverse

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.courses import actions
from overgang.courses.models import Course

pytestmark = pytest.mark.django_db


def _post(client, world, **data):
    from overgang.programmes.offers import offered
    payload = {"first_contact_on": "2026-02-01", "contact_route": "7", "template": offered(world.a)[0].name, **data}
    return client.post(reverse("courses:first_contact", kwargs={"code": world.citizen.code}), payload)


def test_other_has_a_place_to_write_stored_encrypted_and_shown_to_the_worker(client, world, login):
    login(world.worker)
    form = client.get(reverse("courses:first_contact", kwargs={"code": world.citizen.code})).content.decode()
    assert "Andet, skriv hvad" in form and 'name="contact_route_other"' in form
    response = _post(client, world, contact_route_other="Via en veninde fra sprogskolen")
    assert response.status_code == 302
    course = Course.objects.get()
    assert course.contact_route == 7 and course.get_contact_route_other() == "Via en veninde fra sprogskolen"
    assert "veninde" not in course.contact_route_other_encrypted  # encrypted at rest
    event = AuditEvent.objects.get(action="course.contact_register")
    assert event.details["contact_route_other"] is True and "veninde" not in str(event.details)
    page = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert "Via en veninde fra sprogskolen" in page
    login(world.leader)  # a leader reads the course, never the worker's free text
    page = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert "veninde" not in page and "Andet, skriv hvad" in page


def test_other_text_with_another_route_is_kept_in_the_form_with_a_message(client, world, login):
    login(world.worker)
    response = _post(client, world, contact_route="1", contact_route_other="Via en veninde")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Vælg «Andet, skriv hvad» ovenfor, eller tøm feltet." in page and "Via en veninde" in page
    assert not Course.objects.exists()


def test_the_start_form_and_the_not_started_form_begin_with_the_first_contacts_answer(world):
    course = actions.do_register_first_contact(world.citizen, actor=world.worker, first_contact_on=dt.date(2026, 1, 5),
                                               contact_route=7, third_party=False, contact_route_other="Via en veninde")
    not_started = actions.do_start_course_record(course, "not_started", actor=world.worker, filled_on=dt.date(2026, 1, 6))
    assert not_started.get_answers()["contact_route_other"] == "Via en veninde"
    actions.do_start_course(course, actor=world.worker, start_date=dt.date(2026, 1, 15))
    start = actions.do_start_course_record(course, "cti_start", actor=world.worker, filled_on=dt.date(2026, 1, 15))
    answers = start.get_answers()
    assert answers["contact_route"] == 7 and answers["contact_route_other"] == "Via en veninde"
    assert "veninde" not in str(start.plain_answers) and "veninde" not in start.sealed_answers


def test_labels_say_what_to_write_not_how_it_is_stored(client, world, login):
    login(world.worker)
    course = testing.make_course(world.citizen)
    pages = [client.get(reverse(name, kwargs={"code": code})).content.decode() for name, code in (
        ("courses:citizen", world.citizen.code), ("courses:plan", course.code), ("courses:network", course.code),
        ("courses:handover", course.code), ("citizens:edit", world.citizen.code))]
    pages.append(client.get(reverse("citizens:new")).content.decode())
    for page in pages:
        assert "krypteret" not in page

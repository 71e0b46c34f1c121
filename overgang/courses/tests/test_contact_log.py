"""The richer contact log (cti-method.md §5) and the contact intensity per phase."""

import datetime as dt

import pytest
from django.urls import reverse

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.courses import actions, caseload, intensity, overview
from overgang.courses.models import Contact, Course

pytestmark = pytest.mark.django_db
D = dt.date


def test_it_logs_attempts_accompaniments_third_parties_and_evening_contacts(world, login, client):
    course = testing.make_course(world.citizen, start=D(2026, 1, 15))
    login(world.worker)
    response = client.post(reverse("courses:contact_add", kwargs={"code": course.code}), {
        "contact-date": "2026-02-02", "contact-form": "accompaniment", "contact-minutes": "120",
        "contact-third_party": "on", "contact-outside_hours": "on", "contact-note": "Med til lægen",
    })
    assert response.status_code == 302
    client.post(reverse("courses:contact_add", kwargs={"code": course.code}), {
        "contact-date": "2026-02-03", "contact-form": "phone", "contact-minutes": "5", "contact-attempt": "on",
    })
    accompaniment, attempt = Contact.objects.order_by("date")
    assert (accompaniment.form, accompaniment.reached, accompaniment.third_party, accompaniment.outside_hours) == (
        "accompaniment", True, True, True)
    assert accompaniment.is_physical and accompaniment.get_note() == "Med til lægen"
    assert (attempt.form, attempt.reached, attempt.is_physical) == ("phone", False, False)
    event = AuditEvent.objects.filter(action="course.contact_log").order_by("pk").last()
    assert event.details == {"form": "phone", "has_note": False, "reached": False, "third_party": False,
                             "outside_hours": False}
    page = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert "Ledsagelse til en aftale, 120 min., tredjepart til stede, uden for arbejdstid – Med til lægen" in page
    assert "Telefon, 5 min., forsøg uden svar" in page


def test_an_attempt_without_answer_is_no_contact_for_the_warning(world):
    course = testing.make_course(world.citizen, start=D(2026, 1, 15), first_contact=D(2026, 1, 5))
    actions.do_log_contact(course, actor=world.worker, date=D(2026, 2, 1), form="meeting", minutes=30)
    actions.do_log_contact(course, actor=world.worker, date=D(2026, 3, 1), form="phone", reached=False)
    contacts = list(course.contacts.all())
    assert overview.days_since_contact(course, contacts, D(2026, 3, 2)) == 29
    found = caseload.listing(type(world.citizen).objects.filter(pk=world.citizen.pk), today=D(2026, 3, 2))
    assert caseload.rows(list(found), D(2026, 3, 2))[0]["contact_warning"] is True


def test_the_intensity_is_counted_per_phase_and_active_month(world):
    # Contact period 5.1–14.1 (10 days), phase 1 15.1–14.5 with a pause 1.3–31.3 (30
    # paused days), phase 2 from 15.5; today 13.6.
    course = testing.make_course(world.citizen, start=D(2026, 1, 15), first_contact=D(2026, 1, 5))
    log = actions.do_log_contact
    log(course, actor=world.worker, date=D(2026, 1, 8), form="meeting", minutes=60, third_party=True)
    for day in (D(2026, 1, 20), D(2026, 2, 3), D(2026, 4, 7)):
        log(course, actor=world.worker, date=day, form="meeting", minutes=45)
    log(course, actor=world.worker, date=D(2026, 2, 10), form="accompaniment", minutes=120)
    log(course, actor=world.worker, date=D(2026, 2, 11), form="sms")
    log(course, actor=world.worker, date=D(2026, 2, 12), form="phone", minutes=5, reached=False, outside_hours=True)
    actions.do_pause(course, actor=world.worker, start_date=D(2026, 3, 1), reason="")
    course = Course.objects.get(pk=course.pk)
    actions.do_resume(course, actor=world.worker, end_date=D(2026, 3, 31))
    course = Course.objects.get(pk=course.pk)
    # The phase change itself is tested elsewhere; here only its date matters.
    Course.objects.filter(pk=course.pk).update(phase2_start=D(2026, 5, 15))
    log(course, actor=world.worker, date=D(2026, 6, 1), form="phone", minutes=20)
    course = Course.objects.get(pk=course.pk)

    contact, phase1, phase2 = intensity.by_phase(course, list(course.contacts.all()), D(2026, 6, 13))
    assert (contact.label, contact.start, contact.end, contact.active_days) == ("Kontaktperiode", D(2026, 1, 5), D(2026, 1, 14), 10)
    assert (contact.contacts, contact.physical, contact.minutes, contact.third_party) == (1, 1, 60, 1)
    assert contact.contacts_per_month is None  # ten days: no rate
    # Phase 1: 15.1–14.5 is 120 days, 30 of them paused: 90 active days = 2.957 months.
    assert (phase1.start, phase1.end, phase1.active_days) == (D(2026, 1, 15), D(2026, 5, 14), 90)
    # Minutes are time spent: 3 × 45 + 120, and the 5 minutes of the unanswered call.
    assert (phase1.contacts, phase1.physical, phase1.minutes, phase1.attempts, phase1.outside_hours) == (5, 4, 260, 1, 1)
    months = 90 / (365.2425 / 12)
    assert phase1.contacts_per_month == pytest.approx(5 / months)
    assert phase1.minutes_per_month == pytest.approx(260 / months)
    # Phase 2: 15.5–13.6 (today counted): 30 days.
    assert (phase2.active_days, phase2.contacts, phase2.physical, phase2.minutes) == (30, 1, 0, 20)


def test_the_citizen_page_shows_the_intensity_and_the_leader_sees_no_notes(world, login, client):
    course = testing.make_course(world.citizen, start=dt.date.today() - dt.timedelta(days=60))
    actions.do_log_contact(course, actor=world.worker, date=dt.date.today() - dt.timedelta(days=20), form="meeting",
                           minutes=90, note="Hemmelig note")
    login(world.leader)
    page = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert "Kontaktintensitet" in page and "Fase 1" in page
    assert "Hemmelig note" not in page


def test_the_live_fidelity_counts_an_unanswered_entry_as_an_attempt(world):
    from overgang.evaluation import fidelity_queries

    course = testing.make_course(world.citizen, start=D(2026, 1, 15))
    actions.do_log_contact(course, actor=world.worker, date=D(2026, 2, 1), form="accompaniment")
    actions.do_log_contact(course, actor=world.worker, date=D(2026, 2, 2), form="phone", reached=False)
    rows = fidelity_queries.load([world.a], today=D(2026, 3, 1), period_months=None)
    assert sorted((day, kind) for _course, day, kind in rows.contacts) == [
        (D(2026, 2, 1), "accompaniment"), (D(2026, 2, 2), "outreach_attempt")]

"""Slips can be undone, big steps are confirmed (issue 12, item 5)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.courses import actions
from overgang.courses.actions import CourseError, EarlyPhaseChange, StaleEdit
from overgang.courses.models import Activity, Contact, Course, FocusArea, NetworkMember
from overgang.courses.schedule import add_months
from overgang.courses.tests.test_courses import _end_form

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = dt.date.today()


def _course(world, days_ago=30):
    return testing.make_course(world.citizen, start=TODAY - dt.timedelta(days=days_ago),
                               first_contact=TODAY - dt.timedelta(days=days_ago + 10))


def _fresh(course):
    return Course.objects.get(pk=course.pk)


# --- the phase change before the expected month -----------------------------------------


def test_an_early_phase_change_needs_a_confirmation(world):
    course = testing.make_course(world.citizen, start=D(2026, 1, 15))
    with pytest.raises(EarlyPhaseChange):
        actions.do_change_phase(course, actor=world.worker, date=D(2026, 5, 14))  # month 4: early
    assert _fresh(course).phase2_start is None
    actions.do_change_phase(course, actor=world.worker, date=D(2026, 5, 14), early_confirmed=True)
    assert AuditEvent.objects.get(action="course.phase_change").details == {"phase": 2, "active_months": 3, "early": True}
    # Phase 3 expected from month 9 (4 + 4 months): 15 September is on time, no question asked.
    actions.do_change_phase(_fresh(course), actor=world.worker, date=D(2026, 9, 15))
    assert AuditEvent.objects.filter(action="course.phase_change").last().details["early"] is False


def test_the_phase_lengths_and_pauses_decide_what_is_early(world):
    from overgang.courses import phases
    from overgang.programmes.actions import do_change_template_offer

    do_change_template_offer(world.a, "exit_prostitution", actor=world.administrator, offered=True,
                             phase1_months=3, phase2_months=3, phase3_months=3)
    course = testing.make_course(world.citizen, start=D(2026, 1, 15))
    assert not phases.is_early_change(course, D(2026, 4, 15))
    assert phases.is_early_change(course, D(2026, 4, 14))
    actions.do_pause(course, actor=world.worker, start_date=D(2026, 2, 1), reason="")
    actions.do_resume(_fresh(course), actor=world.worker, end_date=D(2026, 3, 1))
    # 28 paused days move the expected change to 13 May.
    assert phases.is_early_change(_fresh(course), D(2026, 5, 12))
    assert not phases.is_early_change(_fresh(course), D(2026, 5, 13))


def test_the_page_asks_naming_the_purpose_of_the_phase_and_changes_only_when_confirmed(world, login, client):
    course = _course(world, days_ago=20)
    login(world.worker)
    url = reverse("courses:phase", kwargs={"code": course.code})
    response = client.post(url, {"phase-date": TODAY.isoformat()})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Gå til fase 2 før tiden?" in page
    assert "Formålet med fase 1: Planlægning og igangsættelse af forløbet" in page
    assert "En aktivitetsplan lavet sammen med borgeren" in page
    assert "måned 5" in page  # expected at the start of month 5
    assert _fresh(course).phase2_start is None
    assert AuditEvent.objects.filter(action="citizen.read", details__view="phase_confirm").exists()
    response = client.post(url, {"phase-date": TODAY.isoformat(), "confirm": "early"})
    assert response.status_code == 302
    assert _fresh(course).phase2_start == TODAY


def test_the_confirmation_is_in_english_too(world, login, client):
    course = _course(world, days_ago=20)
    login(world.worker)
    client.cookies["django_language"] = "en"
    page = client.post(reverse("courses:phase", kwargs={"code": course.code}), {"phase-date": TODAY.isoformat()}).content.decode()
    assert "Move to phase 2 early?" in page and "The purpose of phase 1: Planning and starting the course" in page


# --- ending a course ---------------------------------------------------------------------


def test_ending_shows_the_gaps_and_the_missing_final_star_and_asks(world, login, client):
    course = _course(world, days_ago=200)
    _end_form(course, day=TODAY)
    login(world.worker)
    url = reverse("courses:end", kwargs={"code": course.code})
    response = client.post(url, {"end-date": TODAY.isoformat()})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Netværksmøde holdt" in page and "Langsigtet plan skrevet sammen med borgeren" in page
    assert "Stjernen ved afslutningen er ikke udfyldt" in page
    assert "Afslut forløbet alligevel" in page
    assert "Forløbet afsluttes efter 6 aktive måneder af de planlagte 12." in page
    assert _fresh(course).status == "active"
    response = client.post(url, {"end-date": TODAY.isoformat(), "confirm": "end"})
    assert response.status_code == 302 and _fresh(course).status == "ended"


def test_ending_with_everything_in_place_still_asks_once(world, login, client):
    course = _course(world, days_ago=200)
    actions.do_add_handover_meeting(course, actor=world.worker, kind="network", date=TODAY, note="")
    actions.do_add_handover_meeting(course, actor=world.worker, kind="handover", date=TODAY, note="")
    actions.do_set_long_term_plan(course, actor=world.worker, text="Plan")
    actions.do_add_network_member(course, actor=world.worker, role="ngo", name="Reden", contact="", takes_over="Samtaler")
    testing.make_record(world.citizen, "star", answers={**testing.STAR_ANSWERS, "time_point": 7}, completed=True,
                        filled_on=TODAY)
    from overgang.measurements.models import Record

    Record.objects.filter(instrument="star").update(course=course)
    _end_form(course, day=TODAY)
    login(world.worker)
    page = client.post(reverse("courses:end", kwargs={"code": course.code}), {"end-date": TODAY.isoformat()}).content.decode()
    assert "Tjeklisten for overdragelsen er opfyldt." in page
    assert "Stjernen ved afslutningen er udfyldt." in page
    assert "Ja, afslut forløbet" in page
    assert _fresh(course).status == "active"


def test_ending_without_the_end_form_says_so_before_asking(world, login, client):
    course = _course(world, days_ago=200)
    login(world.worker)
    response = client.post(reverse("courses:end", kwargs={"code": course.code}), {"end-date": TODAY.isoformat()})
    assert response.status_code == 400
    assert "slutskema" in response.content.decode()


# --- undo the same day ----------------------------------------------------------------------


def test_the_last_phase_change_can_be_undone_the_same_day_only(world, login, client):
    course = _course(world, days_ago=200)
    actions.do_change_phase(course, actor=world.worker, date=TODAY - dt.timedelta(days=60))
    actions.do_change_phase(_fresh(course), actor=world.worker, date=TODAY, early_confirmed=True)
    login(world.worker)
    page = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert "Fortryd faseskiftet" in page
    response = client.post(reverse("courses:phase_undo", kwargs={"code": course.code}))
    assert response.status_code == 302
    course = _fresh(course)
    assert course.phase == 2 and course.phase3_start is None and course.phase2_start is not None
    # Only the last change: phase 2 stays.
    with pytest.raises(CourseError):
        actions.do_undo_phase_change(course, actor=world.worker)
    undo = AuditEvent.objects.get(action="course.phase_change_undo")
    assert undo.details == {"phase": 3}
    # The change itself is still in the log, before the undo.
    assert AuditEvent.objects.filter(action="course.phase_change", pk__lt=undo.pk).count() == 2


def test_a_phase_change_registered_yesterday_cannot_be_undone(world):
    course = _course(world, days_ago=200)
    actions.do_change_phase(course, actor=world.worker, date=TODAY)
    Course.objects.filter(pk=course.pk).update(phase_changed_at=timezone.now() - dt.timedelta(days=1))
    assert not actions.can_undo_phase_change(_fresh(course))
    with pytest.raises(CourseError):
        actions.do_undo_phase_change(_fresh(course), actor=world.worker)


def test_a_mistaken_pause_is_undone_the_same_day(world, login, client):
    course = _course(world, days_ago=60)
    actions.do_pause(course, actor=world.worker, start_date=TODAY - dt.timedelta(days=2), reason="Fejl",
                     expected_end=TODAY + dt.timedelta(days=10))
    login(world.worker)
    page = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert "Fortryd pausen" in page
    assert client.post(reverse("courses:pause_undo", kwargs={"code": course.code})).status_code == 302
    course = _fresh(course)
    assert not course.pauses.exists() and not course.is_paused
    assert course.planned_end() == add_months(course.start_date, 12)
    event = AuditEvent.objects.get(action="course.pause_undo")
    assert event.details == {"was_open": True}
    assert AuditEvent.objects.filter(action="course.pause", object_code=event.object_code).exists()


def test_a_pause_from_an_earlier_day_cannot_be_undone(world, login, client):
    course = _course(world, days_ago=60)
    pause = actions.do_pause(course, actor=world.worker, start_date=TODAY - dt.timedelta(days=2), reason="")
    type(pause).objects.filter(pk=pause.pk).update(created=timezone.now() - dt.timedelta(days=1))
    login(world.worker)
    assert "Fortryd pausen" not in client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    client.post(reverse("courses:pause_undo", kwargs={"code": course.code}))
    assert _fresh(course).is_paused
    assert not AuditEvent.objects.filter(action="course.pause_undo").exists()


def test_the_leader_cannot_undo(world, login, client):
    course = _course(world, days_ago=60)
    actions.do_pause(course, actor=world.worker, start_date=TODAY, reason="")
    login(world.leader)
    assert client.post(reverse("courses:pause_undo", kwargs={"code": course.code})).status_code == 403
    assert "Fortryd pausen" not in client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()


# --- removing asks first ------------------------------------------------------------------


def test_removing_a_focus_area_asks_first(world, login, client):
    course = _course(world)
    focus = actions.do_add_focus_area(course, actor=world.worker, phase=1, area="housing", goal="Egen bolig",
                                      citizen_took_part=True)
    actions.do_add_activity(focus, actor=world.worker, what="Boligkontoret", actor_kind="housing", due_date=None)
    login(world.worker)
    plan = client.get(reverse("courses:plan", kwargs={"code": course.code})).content.decode()
    assert f'href="{reverse("courses:focus_remove", kwargs={"code": focus.code})}"' in plan
    page = client.get(reverse("courses:focus_remove", kwargs={"code": focus.code})).content.decode()
    assert "Fjern fokusområdet «Bolig»?" in page and "Egen bolig" in page and "dets ene aktivitet" in page
    assert FocusArea.objects.filter(pk=focus.pk).exists()
    assert client.post(reverse("courses:focus_remove", kwargs={"code": focus.code})).status_code == 302
    assert not FocusArea.objects.exists() and not Activity.objects.exists()
    assert AuditEvent.objects.filter(action="plan.focus_remove").exists()


# --- corrections by the author --------------------------------------------------------------


def test_the_author_corrects_a_contact_and_the_audit_names_the_fields(world, login, client):
    course = _course(world)
    contact = actions.do_log_contact(course, actor=world.worker, date=TODAY, form="phone", minutes=10, note="Ringede")
    login(world.worker)
    page = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert reverse("courses:contact_edit", kwargs={"code": contact.code}) in page
    form = client.get(reverse("courses:contact_edit", kwargs={"code": contact.code})).content.decode()
    assert "Ringede" in form
    response = client.post(reverse("courses:contact_edit", kwargs={"code": contact.code}), {
        "version": "1", "date": TODAY.isoformat(), "form": "meeting", "minutes": "45", "note": "Mødtes på caféen",
        "third_party": "on",
    })
    assert response.status_code == 302
    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.form, contact.minutes, contact.third_party, contact.get_note(), contact.version) == (
        "meeting", 45, True, "Mødtes på caféen", 2)
    event = AuditEvent.objects.get(action="course.contact_correct")
    assert event.details == {"fields": ["form", "minutes", "third_party", "note"]}
    assert "Mødtes" not in str(event.details)
    assert AuditEvent.objects.filter(action="citizen.read", details__view="contact_edit").exists()


def test_a_correction_over_a_newer_save_is_refused_with_the_input_kept(world, login, client):
    course = _course(world)
    contact = actions.do_log_contact(course, actor=world.worker, date=TODAY, form="phone", minutes=10)
    actions.do_change_contact(contact, actor=world.worker, version=1, date=TODAY, form="sms", minutes=10, reached=True,
                              third_party=False, outside_hours=False, note="")
    login(world.worker)
    response = client.post(reverse("courses:contact_edit", kwargs={"code": contact.code}), {
        "version": "1", "date": TODAY.isoformat(), "form": "mail", "minutes": "99", "note": "Min tekst",
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "ændret, siden du åbnede siden" in page and "Min tekst" in page
    assert Contact.objects.get(pk=contact.pk).form == "sms"
    with pytest.raises(StaleEdit):
        actions.do_change_contact(contact, actor=world.worker, version=1, date=TODAY, form="mail", minutes=1,
                                  reached=True, third_party=False, outside_hours=False, note="")


def test_only_the_author_corrects(world, login, client):
    """After a reassignment the new worker sees the entries but cannot correct the old
    worker's; the old worker no longer has the case."""
    course = _course(world)
    contact = actions.do_log_contact(course, actor=world.worker, date=TODAY, form="phone")
    focus = actions.do_add_focus_area(course, actor=world.worker, phase=1, area="housing", goal="", citizen_took_part=True)
    activity = actions.do_add_activity(focus, actor=world.worker, what="x", actor_kind="ngo", due_date=None)
    member = actions.do_add_network_member(course, actor=world.worker, role="ngo", name="Reden", contact="", takes_over="")
    actions.do_reassign(world.citizen, actor=world.leader, to_worker=world.teammate, note="")
    login(world.teammate)
    for name, obj in (("courses:contact_edit", contact), ("courses:activity_edit", activity),
                      ("courses:network_edit", member)):
        assert client.get(reverse(name, kwargs={"code": obj.code})).status_code == 403, name
    page = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert reverse("courses:contact_edit", kwargs={"code": contact.code}) not in page
    # The teammate's own entry is theirs to correct.
    own = actions.do_log_contact(_fresh(course), actor=world.teammate, date=TODAY, form="sms")
    assert client.get(reverse("courses:contact_edit", kwargs={"code": own.code})).status_code == 200
    login(world.worker)
    assert client.get(reverse("courses:contact_edit", kwargs={"code": contact.code})).status_code == 404


def test_the_author_corrects_an_activity_and_a_network_member(world, login, client):
    course = _course(world)
    focus = actions.do_add_focus_area(course, actor=world.worker, phase=1, area="housing", goal="", citizen_took_part=True)
    activity = actions.do_add_activity(focus, actor=world.worker, what="Ring til boligkontoret", actor_kind="housing",
                                       due_date=None)
    member = actions.do_add_network_member(course, actor=world.worker, role="ngo", name="Reden", contact="", takes_over="")
    login(world.worker)
    assert reverse("courses:activity_edit", kwargs={"code": activity.code}) in client.get(
        reverse("courses:plan", kwargs={"code": course.code})).content.decode()
    response = client.post(reverse("courses:activity_edit", kwargs={"code": activity.code}), {
        "version": "1", "what": "Møde på boligkontoret", "actor_kind": "housing", "due_date": "2026-12-24",
    })
    assert response.status_code == 302
    activity = Activity.objects.get(pk=activity.pk)
    assert (activity.get_what(), activity.due_date) == ("Møde på boligkontoret", D(2026, 12, 24))
    assert AuditEvent.objects.get(action="plan.activity_correct").details == {"fields": ["due_date", "what"]}
    response = client.post(reverse("courses:network_edit", kwargs={"code": member.code}), {
        "version": "1", "role": "ngo", "name": "Reden København", "contact": "33 33 33 33", "takes_over": "Samtaler",
    })
    assert response.status_code == 302
    member = NetworkMember.objects.get(pk=member.pk)
    assert (member.get_name(), member.get_contact(), member.get_takes_over()) == ("Reden København", "33 33 33 33", "Samtaler")
    assert AuditEvent.objects.get(action="network.correct").details == {"fields": ["name", "contact", "takes_over"]}


def test_a_correction_keeps_the_contact_inside_the_course(world, login, client):
    course = _course(world)
    contact = actions.do_log_contact(course, actor=world.worker, date=TODAY, form="phone")
    login(world.worker)
    response = client.post(reverse("courses:contact_edit", kwargs={"code": contact.code}), {
        "version": "1", "date": (course.first_contact_on - dt.timedelta(days=1)).isoformat(), "form": "phone",
    })
    assert response.status_code == 400
    assert "mellem den første kontakt" in response.content.decode()

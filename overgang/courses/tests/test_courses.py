"""The course lifecycle, its rules, the caseload and the citizen's page."""

import datetime as dt
import random

import pytest
from django.urls import reverse

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.courses import actions
from overgang.courses.actions import CourseError
from overgang.courses.models import Course, CourseSettings
from overgang.instruments.types import Context
from overgang.programmes.actions import do_change_template_offer
from overgang.measurements.models import Record

pytestmark = pytest.mark.django_db
D = dt.date


def _end_form(course, day=D(2026, 6, 1)):
    record = actions.do_start_course_record(course, "cti_end", actor=course.citizen.worker, filled_on=day)
    from overgang.measurements.actions import do_complete_record, do_save_answers
    from overgang.instruments import engine

    instrument = record.definition
    answers = record.get_answers()
    # Answer every relevant required item as its type handler draws a plausible answer.
    rng = random.Random(7)
    for _ in range(10):
        missing = engine.missing_required(instrument, answers)
        if not missing:
            break
        for item in missing:
            answers[item.name] = item.handler.draw_plausible(item, rng, Context(filled_on=day, answers=answers))
        answers, _cleared = engine.apply_skip_logic(instrument, answers)
    do_save_answers(record, answers, actor=course.citizen.worker, version=record.version)
    record.refresh_from_db()
    do_complete_record(record, actor=course.citizen.worker, version=record.version)
    return record


def test_a_contact_period_becomes_a_course_with_the_municipalitys_phases(world):
    do_change_template_offer(world.a, "exit_prostitution", actor=world.administrator, offered=True,
                             phase1_months=3, phase2_months=3, phase3_months=3)
    course = testing.make_course(world.citizen, started=False)
    assert course.status == "contact"
    actions.do_start_course(course, actor=world.worker, start_date=D(2026, 1, 20))
    assert (course.status, course.start_date, course.plan().phase_months) == ("active", D(2026, 1, 20), (3, 3, 3))
    assert AuditEvent.objects.filter(action="course.start", object_code=str(course.code)).exists()


def test_only_one_open_contact_or_course_per_citizen(world):
    testing.make_course(world.citizen, started=False)
    with pytest.raises(CourseError):
        testing.make_course(world.citizen, started=False)


def test_a_course_cannot_end_without_a_completed_end_form(world):
    course = testing.make_course(world.citizen)
    with pytest.raises(CourseError, match="slutskema"):
        actions.do_end_course(course, actor=world.worker, end_date=D(2026, 6, 1))
    draft = actions.do_start_course_record(course, "cti_end", actor=world.worker, filled_on=D(2026, 6, 1))
    with pytest.raises(CourseError):
        actions.do_end_course(course, actor=world.worker, end_date=D(2026, 6, 1))
    assert draft.status == "draft"
    _end_form(course)
    actions.do_end_course(course, actor=world.worker, end_date=D(2026, 6, 1))
    course.refresh_from_db()
    assert course.status == "ended" and course.end_date == D(2026, 6, 1)
    event = AuditEvent.objects.get(action="course.end")
    assert event.details == {"active_months": 4, "early": True}


def test_a_contact_closes_as_not_started_only_with_the_form(world):
    course = testing.make_course(world.citizen, started=False)
    with pytest.raises(CourseError):
        actions.do_close_not_started(course, actor=world.worker)
    record = actions.do_start_course_record(course, "not_started", actor=world.worker, filled_on=D(2026, 2, 1))
    assert record.course == course
    from overgang.measurements.models import Record as R

    R.objects.filter(pk=record.pk).update(status="completed")
    actions.do_close_not_started(course, actor=world.worker)
    course.refresh_from_db()
    assert course.status == "not_started" and course.end_date == D(2026, 2, 1)


def test_phases_move_forward_one_at_a_time(world):
    course = testing.make_course(world.citizen)
    with pytest.raises(CourseError):
        actions.do_change_phase(course, actor=world.worker, date=D(2026, 1, 10))
    assert actions.do_change_phase(course, actor=world.worker, date=D(2026, 5, 15)) == 2
    assert actions.do_change_phase(course, actor=world.worker, date=D(2026, 9, 15)) == 3
    with pytest.raises(CourseError):
        actions.do_change_phase(course, actor=world.worker, date=D(2026, 10, 15))
    assert course.phase_on(D(2026, 6, 1)) == 2 and course.phase_on(D(2026, 12, 1)) == 3


def test_a_pause_extends_the_calendar_but_not_the_active_months(world):
    course = testing.make_course(world.citizen, start=D(2026, 1, 15))
    actions.do_pause(course, actor=world.worker, start_date=D(2026, 3, 1), reason="Indlagt")
    course = Course.objects.get(pk=course.pk)
    assert course.is_paused and course.planned_end() is None
    with pytest.raises(CourseError):
        actions.do_pause(course, actor=world.worker, start_date=D(2026, 3, 2), reason="")
    actions.do_resume(course, actor=world.worker, end_date=D(2026, 4, 1))
    course = Course.objects.get(pk=course.pk)
    assert course.planned_end() == D(2027, 2, 15)
    # 31 paused days: on 16 May the course has run three active months, on 15 May two.
    assert course.active_months(D(2026, 5, 16)) == 3
    assert course.active_months(D(2026, 5, 15)) == 2
    assert course.pauses.get().get_reason() == "Indlagt"


def test_records_are_stamped_with_the_time_point_from_the_calendar(world):
    course = testing.make_course(world.citizen, start=D(2026, 1, 15))
    star = actions.do_start_course_record(course, "star", actor=world.worker, filled_on=D(2026, 5, 16), respondent="citizen")
    assert star.get_answers() == {"time_point": 3}
    ongoing = actions.do_start_course_record(course, "cti_ongoing", actor=world.worker, filled_on=D(2026, 7, 20))
    # (and, with no activity plan, "Er der en aktivitetsplan?" Nej, from the plan)
    assert ongoing.get_answers() == {"phase": 3, "months": 6, "plan_exists": 5}
    first = actions.do_start_course_record(course, "star", actor=world.worker, filled_on=D(2026, 1, 15), respondent="worker")
    assert first.get_answers() == {"time_point": 1}


def test_the_caseload_lists_phase_due_contact_and_sorts_the_most_urgent_first(client, world, login):
    from overgang.citizens.actions import do_create_citizen

    calm = do_create_citizen(world.a, "Rolig", actor=world.worker, worker=world.worker)
    today = dt.date.today()
    testing.make_course(calm, start=today - dt.timedelta(days=3), first_contact=today - dt.timedelta(days=3))
    testing.make_course(world.citizen, start=today - dt.timedelta(days=100), first_contact=today - dt.timedelta(days=100))
    login(world.worker)
    html = client.get(reverse("courses:caseload")).content.decode()
    assert html.index("Solsikke") < html.index("Rolig")  # overdue start forms first
    assert "forsinket 100 dage" in html
    assert "Fase 1, måned 4" in html
    assert "100 dage siden" in html and "⚠" in html


def test_a_leader_sees_the_team_with_caseload_sizes(client, world, login):
    testing.make_course(world.citizen)
    login(world.leader)
    html = client.get(reverse("courses:caseload")).content.decode()
    assert "Teamets sagsstamme" in html and "Worker: <strong>1</strong>" in html


def test_the_citizen_page_shows_timeline_schedule_stars_and_who5(client, world, login):
    course = testing.make_course(world.citizen, start=D(2026, 1, 15))
    for day, who in ((D(2026, 1, 15), 2), (D(2026, 3, 15), 3), (D(2026, 5, 15), 4)):
        answers = {**testing.STAR_ANSWERS, "who5_1": who, "who5_2": who}
        record = actions.do_start_course_record(course, "star", actor=world.worker, filled_on=day, respondent="citizen")
        from overgang.measurements.actions import do_complete_record, do_save_answers

        do_save_answers(record, answers, actor=world.worker, version=record.version)
        record.refresh_from_db()
        do_complete_record(record, actor=world.worker, version=record.version)
    actions.do_log_contact(course, actor=world.worker, date=D(2026, 2, 1), form="meeting", minutes=45, note="Café")
    login(world.worker)
    html = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert "Tidslinje" in html and "Forløbet startede" in html and "Møde, 45 min." in html
    assert "Målingsplan" in html and "udfyldt" in html
    assert 'class="chart radar"' in html and 'class="chart line"' in html
    assert html.count('name="stjerne"') == 3
    assert "Café" in html
    assert AuditEvent.objects.filter(action="citizen.read", details__view="overview").exists()


def test_the_leader_does_not_see_contact_notes(client, world, login):
    course = testing.make_course(world.citizen)
    actions.do_log_contact(course, actor=world.worker, date=D(2026, 2, 1), form="phone", note="privat note")
    login(world.leader)
    html = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert "privat note" not in html
    response = client.post(reverse("courses:contact_add", kwargs={"code": course.code}), {"contact-date": "2026-02-02", "contact-form": "sms"})
    assert response.status_code == 403


def test_a_bad_form_on_the_citizen_page_comes_back_with_the_input_and_a_message(client, world, login):
    course = testing.make_course(world.citizen)
    login(world.worker)
    response = client.post(
        reverse("courses:pause", kwargs={"code": course.code}),
        {"pause-date": "2025-12-01", "pause-reason": "Rejse til familie"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Pausen skal begynde efter forløbets start" in html and "Rejse til familie" in html
    assert not course.pauses.exists()


def test_the_leader_reassigns_a_citizen_with_a_handover_note(client, world, login):
    login(world.leader)
    url = reverse("courses:reassign", kwargs={"code": world.citizen.code})
    response = client.post(url, {"to_worker": world.teammate.pk, "note": "Borgeren har sagt ja"})
    assert response.status_code == 302
    world.citizen.refresh_from_db()
    assert world.citizen.worker == world.teammate
    handover = world.citizen.handovers.get()
    assert handover.get_note() == "Borgeren har sagt ja" and handover.from_worker == world.worker
    assert AuditEvent.objects.get(action="citizen.reassign").details["to"] == str(world.teammate.code)
    login(world.worker)
    assert client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).status_code == 404


def test_the_plan_keeps_three_to_five_focus_areas_per_phase(world):
    course = testing.make_course(world.citizen)
    for area in ("economy", "housing", "network", "daily", "mental"):
        actions.do_add_focus_area(course, actor=world.worker, phase=1, area=area, goal="mål", citizen_took_part=True)
    with pytest.raises(CourseError, match="højst 5"):
        actions.do_add_focus_area(course, actor=world.worker, phase=1, area="work", goal="", citizen_took_part=True)
    actions.do_add_focus_area(course, actor=world.worker, phase=2, area="work", goal="", citizen_took_part=True)
    with pytest.raises(CourseError, match="allerede valgt"):
        actions.do_add_focus_area(course, actor=world.worker, phase=2, area="work", goal="", citizen_took_part=True)


def test_the_handover_checklist_shows_what_is_missing(world):
    from overgang.courses.overview import handover_checklist

    course = testing.make_course(world.citizen)
    assert [done for _label, done in handover_checklist(course)] == [False] * 5
    actions.do_add_handover_meeting(course, actor=world.worker, kind="network", date=D(2026, 10, 1), note="")
    actions.do_set_long_term_plan(course, actor=world.worker, text="Bostøtte og psykolog")
    actions.do_add_network_member(course, actor=world.worker, role="housing", name="Bostøtten", contact="", takes_over="Ugentlige besøg")
    assert [done for _label, done in handover_checklist(course)] == [True, True, False, True, False]


def test_the_printout_is_the_citizens_own_without_stigmatising_words_or_notes(client, world, login):
    from overgang.courses.printout import render_html

    course = testing.make_course(world.citizen)
    testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS, completed=True)
    testing.make_record(world.foreign_citizen, "star", answers=testing.STAR_ANSWERS, completed=True)
    actions.do_log_contact(course, actor=world.worker, date=D(2026, 2, 1), form="meeting", note="arbejdsnote hemmelig")
    actions.do_add_focus_area(course, actor=world.worker, phase=1, area="housing", goal="Egen lejlighed", citizen_took_part=True)
    actions.do_add_network_member(course, actor=world.worker, role="ngo", name="Reden", contact="", takes_over="Samtaler")
    html = render_html(course)
    assert "Egen lejlighed" in html and "Reden" in html and "Dine stjerner" in html
    assert "prostitution" not in html.lower() and "hemmelig" not in html and "Havørn" not in html
    assert "Your stars" in render_html(course, "en")
    login(world.worker)
    response = client.get(reverse("courses:printout", kwargs={"code": course.code}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="citizen.printout").exists()


def test_the_administrator_sets_the_course_rules(client, world, login):
    login(world.administrator)
    url = reverse("courses:settings", kwargs={"municipality": world.a.code})
    data = {"contact_warning_days": 28, "caseload_cap": 8}
    assert client.post(url, data).status_code == 302
    rules = CourseSettings.objects.get(municipality=world.a)
    assert (rules.contact_warning_days, rules.caseload_cap) == (28, 8)
    event = AuditEvent.objects.filter(action="course_settings.change").get()
    assert event.details["changed"]["caseload_cap"] == [10, 8]
    bad = client.post(url, {**data, "contact_warning_days": 0})
    assert bad.status_code == 400
    assert client.post(url, {**data, "caseload_cap": 0}).status_code == 400


@pytest.mark.parametrize("name", ["courses:plan", "courses:network", "courses:handover"])
def test_reading_the_plan_network_and_handover_is_audited(client, world, login, name):
    course = testing.make_course(world.citizen)
    login(world.leader)
    assert client.get(reverse(name, kwargs={"code": course.code})).status_code == 200
    assert AuditEvent.objects.filter(action="citizen.read", actor_code=str(world.leader.code)).exists()


def test_a_worker_adds_focus_areas_and_activities_on_the_plan_page(client, world, login):
    course = testing.make_course(world.citizen)
    login(world.worker)
    response = client.post(reverse("courses:focus_add", kwargs={"code": course.code}),
                           {"phase": 1, "area": "housing", "goal": "Egen bolig", "citizen_took_part": "on"})
    assert response.status_code == 302
    focus = course.focus_areas.get()
    assert focus.get_goal() == "Egen bolig" and focus.citizen_took_part
    response = client.post(reverse("courses:activity_add", kwargs={"code": focus.code}),
                           {"what": "Skriv op til bolig", "actor_kind": "housing", "due_date": "2026-03-01"})
    assert response.status_code == 302
    activity = focus.activities.get()
    client.post(reverse("courses:activity_status", kwargs={"code": activity.code}), {"status": "done"})
    activity.refresh_from_db()
    assert activity.status == "done"
    html = client.get(reverse("courses:plan", kwargs={"code": course.code})).content.decode()
    assert "Egen bolig" in html and "Skriv op til bolig" in html
    bad = client.post(reverse("courses:focus_add", kwargs={"code": course.code}), {"phase": 1, "area": "nowhere", "goal": "x"})
    assert bad.status_code == 400 and "gyldig valgmulighed" in bad.content.decode()


def test_a_stranger_cannot_change_another_municipalitys_plan(client, world, login):
    course = testing.make_course(world.citizen)
    login(world.stranger)
    response = client.post(reverse("courses:focus_add", kwargs={"code": course.code}),
                           {"phase": 1, "area": "housing", "goal": "x"})
    assert response.status_code == 404
    assert not course.focus_areas.exists()


def test_a_draft_does_not_answer_a_due_measurement(world):
    from overgang.courses.overview import next_due
    from overgang.measurements.models import Record as R

    course = testing.make_course(world.citizen, start=D(2026, 1, 15))
    for instrument in ("registration", "cti_start"):
        record = actions.do_start_course_record(course, instrument, actor=world.worker, filled_on=D(2026, 1, 15))
        R.objects.filter(pk=record.pk).update(status="completed")
    draft = actions.do_start_course_record(course, "star", actor=world.worker, filled_on=D(2026, 1, 15), respondent="citizen")
    due = next_due(course, list(course.records.all()), D(2026, 1, 20))
    assert draft.status == "draft"
    assert (due.instrument, due.state, due.due) == ("star", "window", D(2026, 1, 15))
    R.objects.filter(pk=draft.pk).update(status="completed")
    due = next_due(course, list(course.records.all()), D(2026, 1, 20))
    assert (due.instrument, due.due) == ("cti_ongoing", D(2026, 3, 15))

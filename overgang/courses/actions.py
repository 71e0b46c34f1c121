"""Every change to a course, its plan, network and handover; each writes its audit event.

Rules (cti-method.md §1): a citizen has at most one open contact period or course; a
course starts from a contact period; a contact period that does not become a course is
closed with a completed `not_started` form; a course ends, at any time, only with a
completed `cti_end` form; phases move forward one at a time; pauses do not overlap.
Free text is encrypted with the citizen's data key; audit events carry no text.
"""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from overgang.accounts.models import Role
from overgang.audit.log import record as audit
from overgang.courses import schedule
from overgang.courses.models import (
    Activity,
    Contact,
    Course,
    CourseSettings,
    FocusArea,
    Handover,
    HandoverMeeting,
    NetworkMember,
    Pause,
    PlanEvent,
)
from overgang.lib import crypto
from overgang.measurements import actions as record_actions
from overgang.measurements.models import Record
from overgang.programmes import offers
from overgang.programmes.models import current_version as current_template_version

MAX_FOCUS_AREAS = 5


class CourseError(Exception):
    """A rule of the method stops the change; the message says which, in the user's language."""


def _audit(action, course, actor, obj=None, details=None):
    audit(action, actor=actor, obj=obj or course, citizen=course.citizen, municipality=course.citizen.municipality,
          details=details or {})


def _enc(course, text):
    return crypto.encrypt(course.citizen.data_key, text or "")


def _template_version(citizen, template):
    """The published version of the template a new contact period follows: ``template``
    (a name) must be one the citizen's municipality offers; without one, the only
    template it offers."""
    offered = [offer.name for offer in offers.offered(citizen.municipality)]
    if template is None:
        if len(offered) != 1:
            raise CourseError(_("Vælg den forløbsskabelon, kontaktperioden følger."))
        template = offered[0]
    if template not in offered:
        raise CourseError(_("Kommunen tilbyder ikke den valgte forløbsskabelon."))
    return current_template_version(template)


@transaction.atomic
def do_register_first_contact(citizen, *, actor, first_contact_on, contact_route, third_party, template=None):
    """Begin a contact period of ``template`` (a template name; see ``_template_version``)."""
    if citizen.courses.open().exists():
        raise CourseError(_("Borgeren har allerede en åben kontaktperiode eller et forløb."))
    version = _template_version(citizen, template)
    course = Course.objects.create(
        citizen=citizen, template_version=version, first_contact_on=first_contact_on, contact_route=contact_route,
        third_party=third_party,
    )
    _audit("course.contact_register", course, actor, details={
        "contact_route": contact_route, "third_party": third_party,
        "template": version.name, "template_version": version.version,
    })
    return course


@transaction.atomic
def do_log_contact(course, *, actor, date, form, minutes=None, note="", reached=True, third_party=False,
                   outside_hours=False):
    if course.status not in (Course.Status.CONTACT, Course.Status.ACTIVE):
        raise CourseError(_("Kontakter kan kun registreres i en åben kontaktperiode eller et forløb."))
    if date < course.first_contact_on:
        raise CourseError(_("Kontakten kan ikke ligge før den første kontakt."))
    contact = Contact.objects.create(
        course=course, date=date, form=form, minutes=minutes, note_encrypted=_enc(course, note), created_by=actor,
        reached=reached, third_party=third_party, outside_hours=outside_hours,
    )
    _audit("course.contact_log", course, actor, obj=contact, details={
        "form": form, "has_note": bool(note), "reached": reached, "third_party": third_party,
        "outside_hours": outside_hours,
    })
    return contact


@transaction.atomic
def do_start_course(course, *, actor, start_date):
    if course.status != Course.Status.CONTACT:
        raise CourseError(_("Kun en kontaktperiode kan startes som forløb."))
    if start_date < course.first_contact_on:
        raise CourseError(_("Forløbet kan ikke starte før den første kontakt."))
    calendar = offers.calendar_for(course.citizen.municipality, course.template)
    course.status = Course.Status.ACTIVE
    course.start_date = start_date
    course.phase1_months, course.phase2_months, course.phase3_months = calendar.phase_months
    course.interval_months, course.window_days = calendar.interval_months, calendar.window_days
    course.version += 1
    course.save()
    _audit("course.start", course, actor, details={"phase_months": list(course.plan().phase_months)})
    return course


def _completed(course, instrument):
    return course.records.filter(instrument=instrument, status=Record.Status.COMPLETED).order_by("-filled_on").first()


@transaction.atomic
def do_close_not_started(course, *, actor):
    if course.status != Course.Status.CONTACT:
        raise CourseError(_("Kun en kontaktperiode kan registreres som ikke startet."))
    form = _completed(course, "not_started")
    if form is None:
        raise CourseError(_("Udfyld og afslut skemaet for kontakter, der ikke blev til et forløb, først."))
    course.status = Course.Status.NOT_STARTED
    course.end_date = form.filled_on
    course.version += 1
    course.save()
    _audit("course.not_started", course, actor, details={"record": str(form.code)})


@transaction.atomic
def do_change_phase(course, *, actor, date):
    if course.status != Course.Status.ACTIVE or course.is_paused:
        raise CourseError(_("Fasen kan kun skiftes i et igangværende forløb, der ikke er på pause."))
    if course.phase3_start:
        raise CourseError(_("Forløbet er allerede i fase 3."))
    previous = course.phase2_start or course.start_date
    if date <= previous:
        raise CourseError(_("Faseskiftet skal ligge efter starten af den nuværende fase."))
    if course.phase2_start is None:
        course.phase2_start, new_phase = date, 2
    else:
        course.phase3_start, new_phase = date, 3
    course.version += 1
    course.save()
    _audit("course.phase_change", course, actor, details={"phase": new_phase, "active_months": course.active_months(date)})
    return new_phase


@transaction.atomic
def do_pause(course, *, actor, start_date, reason):
    if course.status != Course.Status.ACTIVE:
        raise CourseError(_("Kun et igangværende forløb kan sættes på pause."))
    if course.open_pause:
        raise CourseError(_("Forløbet er allerede på pause."))
    last = course.pauses.order_by("-start_date").first()
    if start_date < course.start_date or (last and last.end_date and start_date < last.end_date):
        raise CourseError(_("Pausen skal begynde efter forløbets start og efter den forrige pause."))
    pause = Pause.objects.create(course=course, start_date=start_date, reason_encrypted=_enc(course, reason))
    course.version += 1
    course.save(update_fields=["version"])
    _audit("course.pause", course, actor, obj=pause, details={"has_reason": bool(reason)})
    return pause


@transaction.atomic
def do_resume(course, *, actor, end_date):
    pause = course.open_pause
    if pause is None:
        raise CourseError(_("Forløbet er ikke på pause."))
    if end_date <= pause.start_date:
        raise CourseError(_("Forløbet kan kun genoptages efter pausens første dag."))
    pause.end_date = end_date
    pause.save(update_fields=["end_date"])
    course.version += 1
    course.save(update_fields=["version"])
    _audit("course.resume", course, actor, obj=pause, details={"days": (end_date - pause.start_date).days})


@transaction.atomic
def do_end_course(course, *, actor, end_date):
    """End a course, planned or early. Always requires a completed `cti_end` form."""
    if course.status != Course.Status.ACTIVE:
        raise CourseError(_("Kun et igangværende forløb kan afsluttes."))
    if _completed(course, "cti_end") is None:
        raise CourseError(_("Et forløb kan kun afsluttes med et afsluttet slutskema (CTI-skema ved afslutning)."))
    if end_date < course.start_date:
        raise CourseError(_("Slutdatoen kan ikke ligge før startdatoen."))
    pause = course.open_pause
    if pause is not None:
        pause.end_date = max(end_date, pause.start_date + dt.timedelta(days=1))
        pause.save(update_fields=["end_date"])
    course.status = Course.Status.ENDED
    course.end_date = end_date
    course.version += 1
    course.save()
    months = course.active_months(end_date)
    _audit("course.end", course, actor, details={"active_months": months, "early": months < sum(course.plan().phase_months)})


@transaction.atomic
def do_reassign(citizen, *, actor, to_worker, note, date=None):
    if not to_worker.has_role(Role.WORKER, citizen.municipality):
        raise CourseError(_("Den nye medarbejder skal være CTI-medarbejder i samme kommune."))
    if to_worker.pk == citizen.worker_id:
        raise CourseError(_("Borgeren har allerede denne medarbejder."))
    handover = Handover.objects.create(
        citizen=citizen, from_worker_id=citizen.worker_id, to_worker=to_worker, date=date or dt.date.today(),
        note_encrypted=crypto.encrypt(citizen.data_key, note or ""),
    )
    old = citizen.worker
    citizen.worker = to_worker
    citizen.save(update_fields=["worker", "updated"])
    audit("citizen.reassign", actor=actor, obj=handover, citizen=citizen, municipality=citizen.municipality,
          details={"from": str(old.code) if old else "", "to": str(to_worker.code)})
    return handover


def time_point_prefill(course, instrument, day):
    """What the calendar says about a record filled in on ``day`` (instruments.md §2.8)."""
    if course.start_date is None:
        return {}
    months = schedule.whole_active_months(course.start_date, day, course.schedule_pauses())
    plan = course.plan()
    ending = course.status == Course.Status.ENDED or _completed(course, "cti_end") is not None
    if instrument == "star":
        return {"time_point": schedule.expected_time_point(months, plan, ending=ending)}
    if instrument == "cti_ongoing":
        return {"phase": schedule.expected_phase_code(months, plan), "months": months}
    if instrument == "cti_end":
        return {"months": months}
    return {}


@transaction.atomic
def do_start_course_record(course, instrument, *, actor, filled_on, respondent=""):
    allowed = {Course.Status.CONTACT: {"registration", "not_started"}}.get(
        course.status, {"registration", "star", "cti_start", "cti_ongoing", "cti_end"}
    )
    if course.status in (Course.Status.ENDED, Course.Status.NOT_STARTED):
        allowed = {"star", "cti_end"} if course.status == Course.Status.ENDED else set()
    if instrument not in allowed:
        raise CourseError(_("Dette skema hører ikke til forløbets nuværende tilstand."))
    return record_actions.do_start_record(
        course.citizen, instrument, actor=actor, filled_on=filled_on, respondent=respondent, course=course,
        prefill=time_point_prefill(course, instrument, filled_on),
    )


# --- activity plan, network, handover -------------------------------------------------


@transaction.atomic
def do_add_focus_area(course, *, actor, phase, area, goal, citizen_took_part):
    if course.focus_areas.filter(phase=phase).count() >= MAX_FOCUS_AREAS:
        raise CourseError(_("En fase har højst 5 fokusområder."))
    if course.focus_areas.filter(phase=phase, area=area).exists():
        raise CourseError(_("Fokusområdet er allerede valgt i denne fase."))
    focus = FocusArea.objects.create(
        course=course, phase=phase, area=area, goal_encrypted=_enc(course, goal), citizen_took_part=citizen_took_part
    )
    _audit("plan.focus_add", course, actor, obj=focus, details={"phase": phase, "area": area})
    return focus


@transaction.atomic
def do_remove_focus_area(focus, *, actor):
    course = focus.course
    _audit("plan.focus_remove", course, actor, obj=focus, details={"phase": focus.phase, "area": focus.area})
    focus.delete()


@transaction.atomic
def do_add_activity(focus, *, actor, what, actor_kind, due_date):
    activity = Activity.objects.create(
        focus_area=focus, what_encrypted=_enc(focus.course, what), actor=actor_kind, due_date=due_date
    )
    _audit("plan.activity_add", focus.course, actor, obj=activity, details={"actor": actor_kind})
    return activity


@transaction.atomic
def do_set_activity_status(activity, *, actor, status):
    old = activity.status
    activity.status = status
    activity.save(update_fields=["status"])
    _audit("plan.activity_status", activity.focus_area.course, actor, obj=activity, details={"old": old, "new": status})


@transaction.atomic
def do_add_plan_event(course, *, actor, kind, date, citizen_took_part, note):
    event = PlanEvent.objects.create(
        course=course, kind=kind, date=date, citizen_took_part=citizen_took_part, note_encrypted=_enc(course, note)
    )
    _audit("plan.event_add", course, actor, obj=event, details={"kind": kind})
    return event


@transaction.atomic
def do_add_network_member(course, *, actor, role, name, contact, takes_over):
    member = NetworkMember.objects.create(
        course=course, role=role, name_encrypted=_enc(course, name), contact_encrypted=_enc(course, contact),
        takes_over_encrypted=_enc(course, takes_over),
    )
    _audit("network.add", course, actor, obj=member, details={"role": role})
    return member


@transaction.atomic
def do_remove_network_member(member, *, actor):
    _audit("network.remove", member.course, actor, obj=member, details={"role": member.role})
    member.delete()


@transaction.atomic
def do_add_handover_meeting(course, *, actor, kind, date, note):
    meeting = HandoverMeeting.objects.create(course=course, kind=kind, date=date, note_encrypted=_enc(course, note))
    _audit("handover.meeting_add", course, actor, obj=meeting, details={"kind": kind})
    return meeting


@transaction.atomic
def do_set_long_term_plan(course, *, actor, text):
    course.long_term_plan_encrypted = _enc(course, text)
    course.version += 1
    course.save(update_fields=["long_term_plan_encrypted", "version"])
    _audit("handover.long_term_plan", course, actor, details={"empty": not text})


@transaction.atomic
def do_change_course_settings(settings_row, *, actor, **values):
    changed = {k: [getattr(settings_row, k), v] for k, v in values.items() if getattr(settings_row, k) != v}
    for key, value in values.items():
        setattr(settings_row, key, value)
    settings_row.save()
    audit("course_settings.change", actor=actor, obj=settings_row.municipality, municipality=settings_row.municipality,
          details={"changed": changed})

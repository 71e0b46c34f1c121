"""Every change to a course, its plan, network and handover; each writes its audit event.

Rules (cti-method.md §1): a citizen has at most one open contact period or course; a
course starts from a contact period; a contact period that does not become a course is
closed with a completed `not_started` form; a course ends, at any time, only with a
completed `cti_end` form; phases move forward one at a time; pauses do not overlap.
Free text is encrypted with the citizen's data key; audit events carry no text.
"""

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from overgang.accounts.models import Role
from overgang.audit.log import record as audit
from overgang.audit.log import record_many
from overgang.citizens.models import Citizen
from overgang.courses import due, last_contact, phases, prefill, schedule
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
from overgang.instruments.models import current_version
from overgang.instruments.names import instrument_name
from overgang.lib import crypto
from overgang.measurements import actions as record_actions
from overgang.measurements.models import Record
from overgang.measurements.starting import StartRefused
from overgang.programmes import offers
from overgang.programmes.models import current_version as current_template_version

MAX_FOCUS_AREAS = 5


class CourseError(Exception):
    """A rule of the method stops the change; the message says which, in the user's language."""


class EarlyPhaseChange(CourseError):
    """The phase would change before the expected month: the worker must confirm it."""


class StaleEdit(CourseError):
    """The entry was changed by someone else after the form was opened; nothing is saved."""

    def __init__(self):
        super().__init__(_("Oplysningerne er blevet ændret, siden du åbnede siden. Dine indtastninger er ikke gemt, "
                           "men står stadig herunder: tjek dem og gem igen."))


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


def _citizen_codes(citizen_pks) -> dict:
    """citizen pk → (citizen code, municipality code), one query for a batch."""
    rows = Citizen.objects.filter(pk__in=set(citizen_pks)).values_list("pk", "code", "municipality__code")
    return {pk: (str(code), str(municipality)) for pk, code, municipality in rows}


@transaction.atomic
def do_import_courses(courses, *, actor):
    """The bulk variant of the course actions for an import: ``courses`` are unsaved
    ``Course`` rows the importer checked (one open course per citizen, the template's
    calendar); written at once, each with its ``course.import`` event."""
    Course.objects.bulk_create(courses, batch_size=2000)
    codes = _citizen_codes(course.citizen_id for course in courses)
    record_many([
        dict(action="course.import", actor=actor, obj=course, citizen=codes[course.citizen_id][0],
             municipality=codes[course.citizen_id][1], details={"status": course.status})
        for course in courses
    ], events=False)
    return courses


@transaction.atomic
def do_import_pauses(pauses, *, actor):
    """The bulk variant of ``do_pause``/``do_resume`` for an import: ``pauses`` are unsaved
    ``Pause`` rows of imported courses; written at once, each with its
    ``course.pause_import`` event (on the pause, like ``course.pause``)."""
    for pause in pauses:
        pause.course_id = pause.course.pk
    Pause.objects.bulk_create(pauses, batch_size=2000)
    codes = _citizen_codes(pause.course.citizen_id for pause in pauses)
    record_many([
        dict(action="course.pause_import", actor=actor, obj=pause, citizen=codes[pause.course.citizen_id][0],
             municipality=codes[pause.course.citizen_id][1], details={"open": pause.end_date is None})
        for pause in pauses
    ], events=False)
    return pauses


@transaction.atomic
def do_register_first_contact(citizen, *, actor, first_contact_on, contact_route, third_party, template=None,
                              contact_route_other=""):
    """Begin a contact period of ``template`` (a template name; see ``_template_version``)."""
    if citizen.courses.open().exists():
        raise CourseError(_("Borgeren har allerede en åben kontaktperiode eller et forløb."))
    version = _template_version(citizen, template)
    course = Course(
        citizen=citizen, template_version=version, first_contact_on=first_contact_on, contact_route=contact_route,
        third_party=third_party,
    )
    course.contact_route_other_encrypted = _enc(course, contact_route_other) if contact_route_other else ""
    course.save()
    # The audit event says that there is a text, never the text.
    _audit("course.contact_register", course, actor, details={
        "contact_route": contact_route, "third_party": third_party,
        "template": version.name, "template_version": version.version,
        "contact_route_other": bool(contact_route_other),
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
    last_contact.refresh_course(course)
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
    due.refresh_course(course)
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
    due.refresh_course(course)
    _audit("course.not_started", course, actor, details={"record": str(form.code)})


def check_phase_change(course, date):
    """Raise CourseError if the course cannot move to its next phase on ``date``."""
    if course.status != Course.Status.ACTIVE or course.is_paused:
        raise CourseError(_("Fasen kan kun skiftes i et igangværende forløb, der ikke er på pause."))
    if course.phase3_start:
        raise CourseError(_("Forløbet er allerede i fase 3."))
    previous = course.phase2_start or course.start_date
    if date <= previous:
        raise CourseError(_("Faseskiftet skal ligge efter starten af den nuværende fase."))


@transaction.atomic
def do_change_phase(course, *, actor, date, early_confirmed=False):
    """Move to the next phase. Before the expected month (the municipality's phase
    lengths) only with ``early_confirmed``: raises EarlyPhaseChange otherwise."""
    check_phase_change(course, date)
    early = phases.is_early_change(course, date)
    if early and not early_confirmed:
        raise EarlyPhaseChange(_("Faseskiftet ligger før den forventede måned og skal bekræftes."))
    if course.phase2_start is None:
        course.phase2_start, new_phase = date, 2
    else:
        course.phase3_start, new_phase = date, 3
    course.phase_changed_at = timezone.now()
    course.version += 1
    course.save()
    _audit("course.phase_change", course, actor,
           details={"phase": new_phase, "active_months": course.active_months(date), "early": early})
    return new_phase


def _today_local(moment):
    return moment is not None and timezone.localdate(moment) == timezone.localdate()


def can_undo_phase_change(course) -> bool:
    """The last phase change can be undone on the day it was registered."""
    return (course.status == Course.Status.ACTIVE and course.phase2_start is not None
            and _today_local(course.phase_changed_at))


@transaction.atomic
def do_undo_phase_change(course, *, actor):
    """Take back the last phase change (a slip); the change stays in the audit log."""
    if not can_undo_phase_change(course):
        raise CourseError(_("Kun det seneste faseskift kan fortrydes, og kun samme dag, som det blev registreret."))
    if course.phase3_start:
        course.phase3_start, undone = None, 3
    else:
        course.phase2_start, undone = None, 2
    course.phase_changed_at = None
    course.version += 1
    course.save()
    _audit("course.phase_change_undo", course, actor, details={"phase": undone})
    return undone


@transaction.atomic
def do_pause(course, *, actor, start_date, reason, expected_end=None):
    if course.status != Course.Status.ACTIVE:
        raise CourseError(_("Kun et igangværende forløb kan sættes på pause."))
    if course.open_pause:
        raise CourseError(_("Forløbet er allerede på pause."))
    last = course.pauses.order_by("-start_date").first()
    if start_date < course.start_date or (last and last.end_date and start_date < last.end_date):
        raise CourseError(_("Pausen skal begynde efter forløbets start og efter den forrige pause."))
    if expected_end is not None and expected_end <= start_date:
        raise CourseError(_("Den forventede genoptagelse skal ligge efter pausens første dag."))
    pause = Pause.objects.create(course=course, start_date=start_date, reason_encrypted=_enc(course, reason),
                                 expected_end=expected_end, created=timezone.now())
    course.version += 1
    course.save(update_fields=["version"])
    due.refresh_course(course)
    _audit("course.pause", course, actor, obj=pause,
           details={"has_reason": bool(reason), "has_expected_end": expected_end is not None})
    return pause


def undoable_pause(course):
    """The course's last pause, if it was registered today (a slip can be taken back)."""
    last = max(course.pauses.all(), key=lambda p: p.start_date, default=None)
    if course.status == Course.Status.ACTIVE and last is not None and _today_local(last.created):
        return last
    return None


@transaction.atomic
def do_undo_pause(course, *, actor):
    """Remove a pause registered today, as if it had not been made; the audit log keeps both."""
    pause = undoable_pause(course)
    if pause is None:
        raise CourseError(_("Kun en pause, der er registreret i dag, kan fortrydes."))
    _audit("course.pause_undo", course, actor, obj=pause, details={"was_open": pause.end_date is None})
    pause.delete()
    course.version += 1
    course.save(update_fields=["version"])
    due.refresh_course(course)


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
    due.refresh_course(course)
    _audit("course.resume", course, actor, obj=pause, details={"days": (end_date - pause.start_date).days})


def check_end_course(course, end_date):
    """Raise CourseError if the course cannot end on ``end_date``."""
    if course.status != Course.Status.ACTIVE:
        raise CourseError(_("Kun et igangværende forløb kan afsluttes."))
    if _completed(course, "cti_end") is None:
        raise CourseError(_("Et forløb kan kun afsluttes med et afsluttet slutskema (%(name)s).") % {"name": instrument_name("cti_end")})
    if end_date < course.start_date:
        raise CourseError(_("Slutdatoen kan ikke ligge før startdatoen."))


@transaction.atomic
def do_end_course(course, *, actor, end_date):
    """End a course, planned or early. Always requires a completed `cti_end` form.

    The web page shows what the handover still misses and asks for confirmation first
    (views.end); this action is the rule, not the conversation.
    """
    check_end_course(course, end_date)
    pause = course.open_pause
    if pause is not None:
        pause.end_date = max(end_date, pause.start_date + dt.timedelta(days=1))
        pause.save(update_fields=["end_date"])
    course.status = Course.Status.ENDED
    course.end_date = end_date
    course.version += 1
    course.save()
    due.refresh_course(course)
    months = course.active_months(end_date)
    _audit("course.end", course, actor, details={"active_months": months, "early": months < sum(course.plan().phase_months)})


@transaction.atomic
def do_reassign(citizen, *, actor, to_worker, note, date=None):
    if not to_worker.has_role(Role.WORKER, citizen.municipality) or to_worker.is_administrator:
        # An administrator is never made responsible for a citizen (separation of duties).
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


@transaction.atomic
def record_caseload_read(actor, *, what, citizens, items, municipality=None):
    """One audit event for a page listing a caseload: how many citizens and items it
    showed, never who (the pseudonyms are case data)."""
    audit("caseload.read", actor=actor, municipality=municipality,
          details={"view": what, "citizens": citizens, "items": items})


def prefill_values(course, instrument, filled_on, occasion=None):
    """The answers a new record of ``instrument`` opens with: for each item its definition
    declares pre-filled, the value of the named source (courses/prefill.py)."""
    facts = prefill.Facts(course, instrument, filled_on, occasion)
    return prefill.values(current_version(instrument).instrument(), facts)


ONCE_PER_COURSE = ("registration", "cti_start", "cti_end", "not_started")


def allowed_instruments(course, *, completed=None):
    """The forms that can apply to ``course`` now: by its state, and without the forms
    filled in once per course that are already completed (a second start form is a slip).
    ``completed``: the instruments of the course's completed records, when the caller
    has read them already (the citizen's page)."""
    if course.status == Course.Status.CONTACT:
        candidates = ["registration", "not_started"]
    elif course.status == Course.Status.ACTIVE:
        candidates = ["star", "cti_ongoing", "cti_start", "registration", "cti_end"]
    elif course.status == Course.Status.ENDED:
        candidates = ["star", "cti_end"]
    else:
        return []
    if completed is not None:
        done = set(completed) & set(ONCE_PER_COURSE)
    else:
        done = set(course.records.filter(status=Record.Status.COMPLETED, instrument__in=ONCE_PER_COURSE)
                   .values_list("instrument", flat=True))
    return [name for name in candidates if name not in done]


def _refusal(course, instrument):
    allowed = allowed_instruments(course)
    if not allowed:
        return _("«%(form)s» kan ikke udfyldes nu: forløbet er %(state)s, og der kan ikke begyndes flere skemaer "
                 "til det.") % {"form": instrument_name(instrument), "state": course.get_status_display().lower()}
    return _("«%(form)s» kan ikke udfyldes nu: det passer ikke til forløbets tilstand (%(state)s), eller det er "
             "allerede udfyldt. Det kan udfyldes nu: %(allowed)s.") % {
        "form": instrument_name(instrument), "state": course.get_status_display().lower(),
        "allowed": ", ".join(f"«{instrument_name(name)}»" for name in allowed)}


def first_contact_prefill(course, instrument):
    """The start form's question 1.1 as answered at the first contact (cti_start and
    not_started ask it with the same codes and the same "other" text)."""
    if instrument not in ("cti_start", "not_started") or course.contact_route is None:
        return {}
    answers = {"contact_route": course.contact_route}
    other = course.get_contact_route_other() if course.contact_route_other_encrypted else ""
    if other:
        answers["contact_route_other"] = other
    return answers


@transaction.atomic
def do_start_course_record(course, instrument, *, actor, filled_on, respondent=""):
    """A new record of ``instrument`` for ``course``: only a form that can apply now
    (``allowed_instruments``), pre-filled from the sources its definition names."""
    if instrument not in allowed_instruments(course):
        raise CourseError(_refusal(course, instrument))
    return record_actions.do_start_record(
        course.citizen, instrument, actor=actor, filled_on=filled_on, respondent=respondent, course=course,
        prefill={**first_contact_prefill(course, instrument), **prefill_values(course, instrument, filled_on)},
    )


def occasion_months(course, occasion) -> int:
    """The active months a due measurement stands for: k × interval, or the course's
    months at its (planned or real) end."""
    if occasion.kind == "start":
        return 0
    if occasion.kind == "end":
        return schedule.whole_active_months(course.start_date, occasion.due, course.schedule_pauses())
    return occasion.number * course.interval_months


def open_occasion(course, instrument, number):
    """The due (not yet completed) measurement ``number`` of ``instrument``, or None."""
    records = list(course.records.filter(status=Record.Status.COMPLETED))
    for occasion in course.occasions(records):
        if occasion.number == number and instrument in occasion.instruments and instrument not in occasion.done:
            return occasion
    return None


@transaction.atomic
def do_open_due_record(course, instrument, number, *, actor, filled_on, respondent=""):
    """Open what a due row of the measurement plan asks for: the draft already begun for
    it, or a new record with the occasion's time point (instruments.md §2.8) filled in.
    Returns (record, created)."""
    if course.status != Course.Status.ACTIVE or course.is_paused:
        raise CourseError(_("Målingsplanen gælder kun et igangværende forløb, der ikke er på pause."))
    occasion = open_occasion(course, instrument, number)
    if occasion is None or occasion.state(filled_on, instrument)[0] not in ("window", "overdue"):
        raise CourseError(_("Denne registrering er ikke udestående nu."))
    draft = (course.records.filter(instrument=instrument, status=Record.Status.DRAFT,
                                   filled_on__gte=occasion.window_start, filled_on__lte=max(occasion.window_end, filled_on))
             .order_by("-updated").first())
    if draft is not None:
        return draft, False
    due = prefill.Occasion(months=occasion_months(course, occasion), ending=occasion.kind == "end")
    record = record_actions.do_start_record(
        course.citizen, instrument, actor=actor, filled_on=filled_on, respondent=respondent, course=course,
        prefill=prefill_values(course, instrument, filled_on, due),
    )
    return record, True


def start_citizen_record(citizen, instrument, *, actor, filled_on, respondent=""):
    """``measurements:start``: a record for the citizen's open course (or, with none
    open, the latest), by the same rule as the course page (measurements/starting.py)."""
    course = citizen.courses.open().first() or citizen.courses.first()
    if course is None:
        raise StartRefused(_("«%(form)s» kan ikke udfyldes nu: borgeren har ingen kontaktperiode eller forløb. "
                             "Registrér først den første kontakt på borgerens overblik.") % {"form": instrument_name(instrument)})
    try:
        return do_start_course_record(course, instrument, actor=actor, filled_on=filled_on, respondent=respondent)
    except CourseError as exc:
        raise StartRefused(str(exc)) from None


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
        focus_area=focus, what_encrypted=_enc(focus.course, what), actor=actor_kind, due_date=due_date, created_by=actor
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
        takes_over_encrypted=_enc(course, takes_over), created_by=actor,
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


# --- corrections by the author --------------------------------------------------------


def _correct(obj, *, version, plain, encrypted, course):
    """Apply changed fields to ``obj`` if nobody saved since ``version``; return the
    names of the fields that changed (the audit lists names, never values)."""
    locked = type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("version", flat=True).first()
    if locked is None or locked != version:
        raise StaleEdit
    changed = [name for name, value in plain.items() if getattr(obj, name) != value]
    for name, value in plain.items():
        setattr(obj, name, value)
    for name, (getter, value) in encrypted.items():
        if getter() != (value or ""):
            changed.append(name)
            setattr(obj, f"{name}_encrypted", _enc(course, value))
    if changed:
        obj.version = F("version") + 1
        obj.save()
        obj.refresh_from_db()
    return changed


@transaction.atomic
def do_change_contact(contact, *, actor, version, date, form, minutes, reached, third_party, outside_hours, note):
    course = contact.course
    if date < course.first_contact_on or (course.end_date and date > course.end_date):
        raise CourseError(_("Kontakten skal ligge mellem den første kontakt og forløbets slutdato."))
    changed = _correct(contact, version=version, course=course, plain={
        "date": date, "form": form, "minutes": minutes, "reached": reached, "third_party": third_party,
        "outside_hours": outside_hours,
    }, encrypted={"note": (contact.get_note, note)})
    if changed:
        last_contact.refresh_course(course)
        _audit("course.contact_correct", course, actor, obj=contact, details={"fields": changed})
    return changed


@transaction.atomic
def do_change_activity(activity, *, actor, version, what, actor_kind, due_date):
    course = activity.focus_area.course
    changed = _correct(activity, version=version, course=course, plain={"actor": actor_kind, "due_date": due_date},
                       encrypted={"what": (activity.get_what, what)})
    if changed:
        _audit("plan.activity_correct", course, actor, obj=activity, details={"fields": changed})
    return changed


@transaction.atomic
def do_change_network_member(member, *, actor, version, role, name, contact, takes_over):
    course = member.course
    changed = _correct(member, version=version, course=course, plain={"role": role}, encrypted={
        "name": (member.get_name, name), "contact": (member.get_contact, contact),
        "takes_over": (member.get_takes_over, takes_over),
    })
    if changed:
        _audit("network.correct", course, actor, obj=member, details={"fields": changed})
    return changed

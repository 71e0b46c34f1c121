"""Everything Overgang holds about one citizen, as a readable PDF (GDPR art. 15).

``context(citizen)`` gathers, decrypted and in words: the citizen's own facts and
identity note, consents, every course with its pauses, contacts, activity plan,
network, handover meetings and long-term plan, reassignments with their notes, every
record with its questions and answers in words (and corrections), and the audit log's
events about the citizen: who read or changed their data, and when. The same context
feeds the worker's button and ``overgang subject-access``.
"""

import datetime

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from overgang.accounts.models import User
from overgang.audit.models import AuditEvent
from overgang.courses.models import FOCUS_AREAS, Course, Handover
from overgang.measurements.models import Record
from overgang.measurements.presentation import answer_pages


def action_labels():
    """The audit log's actions in words (unknown ones are shown by their code)."""
    return {
        "citizen.read": _("så borgerens oplysninger"),
        "record.read": _("så et skema"),
        "citizen.printout": _("udskrev borgerens plan og stjerner"),
        "citizen.subject_access": _("lavede denne indsigtsrapport"),
        "citizen.create": _("oprettede borgeren"),
        "citizen.change": _("rettede borgerens oplysninger"),
        "citizen.reassign": _("gav borgeren en ny medarbejder"),
        "consent.give": _("registrerede et samtykke"),
        "consent.withdraw": _("registrerede, at et samtykke blev trukket tilbage"),
        "retention.delete_course": _("slettede et forløb efter opbevaringsreglen"),
        "course.contact_register": _("registrerede den første kontakt"),
        "course.contact_log": _("skrev en kontakt i kontaktloggen"),
        "course.start": _("startede forløbet"),
        "course.not_started": _("afsluttede kontaktperioden uden forløb"),
        "course.phase_change": _("skiftede fase"),
        "course.pause": _("satte forløbet på pause"),
        "course.resume": _("genoptog forløbet"),
        "course.end": _("afsluttede forløbet"),
        "plan.focus_add": _("tilføjede et fokusområde til planen"),
        "plan.focus_remove": _("fjernede et fokusområde fra planen"),
        "plan.activity_add": _("tilføjede en aktivitet til planen"),
        "plan.activity_status": _("ændrede en aktivitets status"),
        "plan.event_add": _("evaluerede eller justerede planen"),
        "network.add": _("tilføjede en person til netværket"),
        "network.remove": _("fjernede en person fra netværket"),
        "handover.meeting_add": _("registrerede et overdragelsesmøde"),
        "handover.long_term_plan": _("skrev den langsigtede plan"),
        "record.create": _("begyndte et skema"),
        "record.change": _("gemte svar i et skema"),
        "record.complete": _("afsluttede et skema"),
        "record.correct": _("rettede et afsluttet skema"),
        "record.delete": _("kasserede en kladde"),
    }


def action_label(action, labels) -> str:
    """An event's action in words; an action this list does not know yet is described
    by its kind, with its code."""
    if action in labels:
        return labels[action]
    kind = _("ændrede et skema") if action.startswith("record.") else _("ændrede borgerens oplysninger")
    return f"{kind} ({action})"


def view_labels():
    """Which page a read was (``details.view`` of a read event) in words."""
    return {
        "page": _("oplysninger"), "overview": _("overblik"), "plan": _("aktivitetsplan"),
        "network": _("støttenetværk"), "handover": _("overdragelse"), "caseload": _("borgerlisten"), "week": _("Min uge"),
        "edit": _("ret oplysninger"), "erase": _("sletning"), "records": _("skemaer"),
        "first_contact": _("første kontakt"), "reassign": _("ny medarbejder"), "rights": _("samtykke og rettigheder"),
        "information": _("informationsark"), "fill": _("udfyldning"), "detail": _("skemaet"),
    }


def _when(moment):
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _people():
    return {str(u.code): (u.get_full_name() or u.username) for u in User.objects.all()}


def _log(citizen, people):
    labels, views = action_labels(), view_labels()
    rows = []
    for event in AuditEvent.objects.filter(citizen_code=str(citizen.code)).order_by("seq"):
        who = people.get(event.actor_code) or event.actor_username or _("systemet")
        what = action_label(event.action, labels)
        view = (event.details or {}).get("view") if isinstance(event.details, dict) else None
        rows.append({"when": _when(event.at), "who": who, "what": what, "view": views.get(view, view or "")})
    return rows


def _course(course):
    areas = dict(FOCUS_AREAS)
    return {
        "course": course,
        "pauses": [{"pause": p, "reason": p.get_reason()} for p in course.pauses.all()],
        "contacts": [{"contact": c, "note": c.get_note()} for c in course.contacts.all()],
        "focus": [{"focus": f, "area": areas.get(f.area, f.area), "goal": f.get_goal(),
                   "activities": [{"activity": a, "what": a.get_what()} for a in f.activities.all()]}
                  for f in course.focus_areas.prefetch_related("activities")],
        "events": [{"event": e, "note": e.get_note()} for e in course.plan_events.all()],
        "network": [{"member": m, "name": m.get_name(), "contact": m.get_contact(), "takes_over": m.get_takes_over()}
                    for m in course.network.all()],
        "meetings": [{"meeting": m, "note": m.get_note()} for m in course.handover_meetings.all()],
        "long_term_plan": course.get_long_term_plan(),
    }


def _records(citizen):
    rows = []
    records = (Record.objects.of_citizen(citizen).select_related("instrument_version", "citizen")
               .order_by("filled_on", "created"))
    for record in records:
        answers = record.get_answers()
        rows.append({
            "record": record,
            "title": record.definition.title.get(translation.get_language() or "da"),
            "pages": answer_pages(record, answers, show_text=True),
            "changes": [{"change": c, "items": c.get_changes()} for c in record.changes.select_related("actor")],
        })
    return rows


def context(citizen):
    people = _people()
    courses = (Course.objects.filter(citizen=citizen)
               .prefetch_related("pauses", "contacts", "plan_events", "network", "handover_meetings")
               .order_by("first_contact_on", "created"))
    return {
        "citizen": citizen,
        "identity_note": citizen.identity_note,
        "consents": list(citizen.consents.select_related("recorded_by", "withdrawn_recorded_by").order_by("created")),
        "courses": [_course(c) for c in courses],
        "handovers": [{"handover": h, "note": h.get_note()}
                      for h in Handover.objects.filter(citizen=citizen).select_related("from_worker", "to_worker")],
        "records": _records(citizen),
        "log": _log(citizen, people),
        "made": _when(timezone.now()),
        "today": date_format(datetime.date.today(), "DATE_FORMAT"),
    }


def render_document(citizen, language="da", base_url=None):
    """The report laid out in pages (WeasyPrint's document), before it is written."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string("rights/subject_access.html", context(citizen))
    return HTML(string=html, base_url=base_url).render()


def render_pdf(citizen, language="da", base_url=None) -> bytes:
    return render_document(citizen, language, base_url).write_pdf()

"""The context of the citizen's page and of the plan, network and handover pages."""

import datetime as dt
import uuid

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from overgang.accounts.models import Role
from overgang.citizens.access import can_read_notes, can_write
from overgang.courses import actions, forms, intensity, overview, phases, schedule
from overgang.courses.access import authored, is_author
from overgang.courses.models import FOCUS_AREAS, Course
from overgang.instruments import codebook, engine, registry
from overgang.instruments.names import instrument_name
from overgang.lib import charts
from overgang.lib.dates import short_date
from overgang.measurements.forms import _lang
from overgang.measurements.models import Record

MAX_STARS = 3


# The rule lives with the actions that enforce it; the page offers what it allows.
allowed_instruments = actions.allowed_instruments


def star_answers(records):
    """Each completed star's values by record pk, decoded once for all of a page's charts
    (the star and the WHO-5 line read the same records)."""
    return {r.pk: engine.values(r.definition, r.get_answers())
            for r in records if r.instrument == "star" and r.status == Record.Status.COMPLETED}


def _star_values(values, dimensions):
    """The star's dimension values, or None for a star that was not filled in
    (``possible`` ≠ 1 hides every dimension)."""
    values = dimensions.values(values)
    return values if any(v is not None for v in values) else None


def _breakable(label):
    """A date that may wrap before its year ("30.11.<wbr>2026"): three stars' dates side
    by side then fit a phone's width instead of pushing the third out of sight."""
    cut = max((i for i, c in enumerate(label) if not c.isdigit()), default=-1) + 1
    return format_html("{}<wbr>{}", label[:cut], label[cut:]) if 0 < cut < len(label) else label


def star_block(records, chosen_codes=(), *, citizen_words=False, answers=None, book=None):
    """Up to three completed stars overlaid: the chosen ones (the newest three unless
    chosen). More than three chosen: the newest three of them, and ``too_many`` says how
    many were chosen, so the page can say so. ``citizen_words``: the dimensions named as
    the citizen's printout names them (the star definition's ``citizen`` wording).
    ``answers`` (``star_answers``) and ``book`` (the star's current codebook) when the
    caller has them already."""
    stars = [r for r in records if r.instrument == "star" and r.status == Record.Status.COMPLETED]
    if not stars:
        return None
    answers = star_answers(stars) if answers is None else answers
    dimensions = (book or codebook.current("star")).score("star_mean")
    stars = [(r, v) for r in sorted(stars, key=lambda r: (r.filled_on, r.created))
             if (v := _star_values(answers[r.pk], dimensions))]
    if not stars:
        return None
    picked = [(r, v) for r, v in stars if str(r.code) in set(chosen_codes)]
    chosen = picked[-MAX_STARS:] if picked else stars[-MAX_STARS:]
    codes = {r.code for r, _v in chosen}
    lang = _lang()
    # The dimensions as the current definition names them (the same items in every version;
    # the citizen's wording came with a later version than older stars were filled in).
    axes = [item.citizen_label(lang) if citizen_words else item.label.get(lang) for item in dimensions.item_defs]
    newest_first = list(reversed(chosen))
    series = [(short_date(r.filled_on), list(v)) for r, v in newest_first]
    return {
        "svg": charts.radar(axes, series, title=_("Borgerens stjerner")),
        "options": [{"record": r, "checked": r.code in codes} for r, _v in stars],
        "headers": [_breakable(label) for label, _values in series],
        "rows": [(axis, [values[i] for _l, values in series]) for i, axis in enumerate(axes)],
        "too_many": len(picked) if len(picked) > MAX_STARS else 0,
        "chosen": [r.code for r, _v in chosen],
        "first_and_latest": [stars[0][0].code, stars[-1][0].code] if len(stars) > 2 else [],
    }


def who5_block(course, records, *, answers=None, book=None):
    stars = sorted((r for r in records if r.instrument == "star" and r.status == Record.Status.COMPLETED),
                   key=lambda r: r.filled_on)
    if not stars:
        return None
    answers = star_answers(stars) if answers is None else answers
    who5 = (book or codebook.current("star")).score("who5_index")
    start = records_start(records)
    points = []
    for record in stars:
        index = who5.of(answers[record.pk])
        if index is None:
            continue
        points.append((short_date(record.filled_on), (record.filled_on - start).days, index))
    if not points:
        return None
    return {
        "svg": charts.line(points, title=_("WHO-5-trivselsindeks over forløbet"), reference=50,
                           reference_label=_("50: risiko for nedsat trivsel")),
        "points": points,
    }


def contact_route_text(course, show_text):
    """How the contact came about, in the start form's words; the worker's own words for
    "other" only to those who may read free text."""
    if course is None or course.contact_route is None:
        return ""
    choice = registry.get_instrument("cti_start").item("contact_route").choices.get(course.contact_route)
    label = choice.label.get(_lang()) if choice else str(course.contact_route)
    if show_text and course.contact_route_other_encrypted:
        return course.get_contact_route_other()  # the worker's own words say it better than "Andet, skriv hvad"
    return label


def records_start(records):
    return min(r.filled_on for r in records)


def timeline(course, records, contacts, show_text, described=None):
    """The course's events, newest first: (date, text). ``described``: each contact's
    ``describe()`` by pk, when the caller has them already."""
    events = []
    if course is None:
        return events
    described = described if described is not None else {c.pk: c.describe() for c in contacts}
    events.append((course.first_contact_on, _("Første kontakt")))
    contact_label = _("Kontakt: %(text)s")
    for contact in contacts:
        events.append((contact.date, contact_label % {"text": described[contact.pk]}))
    if course.start_date:
        events.append((course.start_date, _("Forløbet startede (fase 1)")))
    if course.phase2_start:
        events.append((course.phase2_start, _("Fase 2 begyndte")))
    if course.phase3_start:
        events.append((course.phase3_start, _("Fase 3 begyndte")))
    for pause in course.pauses.all():
        events.append((pause.start_date, _("Pause begyndte") + (f": {pause.get_reason()}" if show_text and pause.get_reason() else "")))
        if pause.end_date:
            events.append((pause.end_date, _("Forløbet genoptaget")))
    for record in records:
        events.append((record.filled_on, f"{instrument_name(record.instrument)} ({record.get_status_display().lower()})"))
    for event in course.plan_events.all():
        events.append((event.date, _("Aktivitetsplanen: %(kind)s") % {"kind": event.get_kind_display().lower()}))
    for meeting in course.handover_meetings.all():
        events.append((meeting.date, meeting.get_kind_display()))
    if course.end_date:
        label = _("Forløbet sluttede") if course.status == Course.Status.ENDED else _("Kontaktperioden sluttede uden forløb")
        events.append((course.end_date, label))
    return sorted(events, key=lambda e: e[0], reverse=True)


def url_for_code(name):
    """``reverse(name, kwargs={"code": code})`` for many codes: the pattern is reversed
    once and each code put in its place (a page of fifty contacts links fifty of them)."""
    marker = str(uuid.UUID(int=0))
    url = reverse(name, kwargs={"code": marker})
    return lambda code: url.replace(marker, str(code))


def contact_log(request, citizen, contacts, described, show_text):
    """The contact log as the responsible worker reads it (notes are free text: nothing
    for anyone else): date, what, the note and the link to correct one's own entries."""
    if not show_text:
        return []
    mine = authored(request.user, contacts, citizen)
    edit = url_for_code("courses:contact_edit")
    hidden = _("kontakten %(day)s")
    return [{"day": short_date(c.date), "text": described[c.pk], "note": c.get_note(),
             "edit": edit(c.code) if c.pk in mine else None, "edit_label": hidden % {"day": short_date(c.date)}}
            for c in contacts]


def schedule_rows(course, records, today):
    rows = []
    by_pk = {r.pk: r for r in records}
    for occasion in course.occasions(records):
        for instrument in occasion.instruments:
            state, days = occasion.state(today, instrument)
            rows.append({
                "due": occasion.due, "instrument": instrument_name(instrument), "state": state, "days": abs(days),
                "key": instrument, "number": occasion.number,
                "record": by_pk.get(occasion.done.get(instrument)), "window_start": occasion.window_start,
                "window_end": occasion.window_end,
            })
    return rows


def citizen_context(request, citizen, *, course=None, bound=None):
    today = dt.date.today()
    bound = bound or {}
    courses = list(citizen.courses.select_related("template_version")
                   .prefetch_related("pauses", "contacts", "plan_events", "handover_meetings"))
    course = course or overview.current_course(citizen, courses)
    writer = can_write(request.user, citizen)
    show_text = can_read_notes(request.user, citizen)
    records = list(Record.objects.of_citizen(citizen).with_version().select_related("citizen"))
    lang = _lang()
    detail = url_for_code("measurements:detail")
    for record in records:
        record.title = record.definition.title.get(lang)  # the form's name in the user's language
        record.url = detail(record.code)
    course_records = [r for r in records if course and r.course_id == course.pk]
    completed = {r.instrument for r in course_records if r.status == Record.Status.COMPLETED}
    contacts = list(course.contacts.all()) if course else []
    described = {c.pk: c.describe() for c in contacts}  # for the timeline and the log
    answers = star_answers(records)  # decoded once for both charts
    book = codebook.current("star") if answers else None
    ctx = {
        "citizen": citizen,
        "course": course,
        "courses": courses,
        "can_write": writer,
        "show_text": show_text,
        "is_leader": request.user.has_role(Role.LEADER, citizen.municipality),
        "records": records,
        "contacts": contacts,
        "contact_log": contact_log(request, citizen, contacts, described, show_text),
        "timeline": timeline(course, course_records, contacts, show_text, described),
        "stars": star_block(records, request.GET.getlist("stjerne"), answers=answers, book=book),
        "who5": who5_block(course, records, answers=answers, book=book),
        "today": today,
    }
    if course is not None:
        ctx.update({
            "template_title": course.template.title.get(lang),
            "contact_route": contact_route_text(course, show_text),
            "schedule": schedule_rows(course, course_records, today) if course.start_date else [],
            "next_due": overview.next_due(course, course_records, today),
            "planned_end": course.planned_end(),
            "since_contact": overview.days_since_contact(course, contacts, today),
            "intensity": intensity.by_phase(course, contacts, today),
            "can_fill": writer and course.status == Course.Status.ACTIVE and not course.is_paused,
            "undo_phase": writer and actions.can_undo_phase_change(course),
            "undo_pause": writer and actions.undoable_pause(course),
            "checklist": (overview.handover_checklist(course, has_end_form="cti_end" in completed)
                          if course.phase == 3 or course.status == Course.Status.ENDED else None),
            "has_end_form": "cti_end" in completed,
            "has_not_started_form": "not_started" in completed,
        })
    if writer and course is not None:
        ctx["forms"] = {
            "contact": bound.get("contact") or forms.ContactForm(prefix="contact"),
            "start": bound.get("start") or forms.DateForm(prefix="start"),
            "phase": bound.get("phase") or forms.DateForm(prefix="phase"),
            "pause": bound.get("pause") or forms.PauseForm(prefix="pause"),
            "resume": bound.get("resume") or forms.DateForm(prefix="resume"),
            "end": bound.get("end") or forms.DateForm(prefix="end"),
            "record": bound.get("record") or forms.RecordStartForm(
                prefix="record", instruments=allowed_instruments(course, completed=completed)),
        }
    return ctx


def plan_context(request, course, bound=None):
    bound = bound or {}
    writer = can_write(request.user, course.citizen)
    show_text = can_read_notes(request.user, course.citizen)
    areas = dict(FOCUS_AREAS)
    phases = []
    for number in (1, 2, 3):
        focus_rows = []
        for focus in course.focus_areas.filter(phase=number).prefetch_related("activities"):
            focus_rows.append({
                "focus": focus,
                "area": areas.get(focus.area, focus.area),
                "goal": focus.get_goal() if show_text else None,
                "activities": [{"activity": a, "what": a.get_what() if show_text else None,
                                "can_correct": is_author(request.user, a, course.citizen)} for a in focus.activities.all()],
                "form": bound.get(f"activity_{focus.code}") or forms.ActivityForm(focus=focus),
            })
        phases.append({"number": number, "focus": focus_rows, "count": len(focus_rows)})
    return {
        "course": course, "citizen": course.citizen, "phases": phases, "can_write": writer, "show_text": show_text,
        "events": [{"event": e, "note": e.get_note() if show_text else None} for e in course.plan_events.all()],
        "focus_form": bound.get("focus") or forms.FocusAreaForm(initial={"phase": course.phase or 1}),
        "event_form": bound.get("event") or forms.PlanEventForm(),
        "status_choices": forms.Activity.Status.choices,
    }


def network_context(request, course, bound=None):
    bound = bound or {}
    show_text = can_read_notes(request.user, course.citizen)
    members = [
        {"member": m, "name": m.get_name() if show_text else None, "contact": m.get_contact() if show_text else None,
         "takes_over": m.get_takes_over() if show_text else None,
         "can_correct": is_author(request.user, m, course.citizen)}
        for m in course.network.all()
    ]
    return {"course": course, "citizen": course.citizen, "members": members, "show_text": show_text,
            "can_write": can_write(request.user, course.citizen),
            "form": bound.get("member") or forms.NetworkMemberForm()}


def handover_context(request, course, bound=None):
    bound = bound or {}
    show_text = can_read_notes(request.user, course.citizen)
    return {
        "course": course, "citizen": course.citizen, "show_text": show_text,
        "can_write": can_write(request.user, course.citizen),
        "checklist": overview.handover_checklist(course),
        "meetings": [{"meeting": m, "note": m.get_note() if show_text else None} for m in course.handover_meetings.all()],
        "meeting_form": bound.get("meeting") or forms.HandoverMeetingForm(),
        "plan_form": bound.get("long_term") or forms.LongTermPlanForm(
            initial={"text": course.get_long_term_plan() if show_text else ""}),
    }


def phase_confirm_context(course, date, form):
    """What the worker sees before leaving a phase early: where the course is, when the
    change was expected, and what the phase is for (the guide's Table 1)."""
    current = course.phase_on(date) or 1
    purpose = phases.PURPOSES[current]
    focus = [f for f in course.focus_areas.all() if f.phase == current]
    return {
        "course": course, "citizen": course.citizen, "form": form, "date": date,
        "current": current, "next": current + 1,
        "month": course.active_month(date), "expected_month": phases.months_before_change(course) + 1,
        "expected_date": phases.expected_change_date(course),
        "purpose": purpose,
        "focus_count": len(focus),
        "activity_count": sum(f.activities.count() for f in focus),
        "evaluations": course.plan_events.filter(kind="evaluation").count(),
        "network_count": course.network.count(),
    }


def end_review(course, end_date, form):
    """What ending on ``end_date`` leaves undone: the handover checklist's gaps and
    whether the last star (due at the end) has been filled in."""
    records = list(course.records.filter(status=Record.Status.COMPLETED))
    occasions = schedule.match(
        schedule.occasions(course.start_date, course.plan(), course.schedule_pauses(), end=end_date),
        [(r.pk, r.instrument, r.filled_on) for r in records],
    )
    final = occasions[-1]
    months = course.active_months(end_date)
    return {
        "course": course, "citizen": course.citizen, "form": form, "end_date": end_date,
        "missing": [label for label, done in overview.handover_checklist(course) if not done],
        "final_star_done": "star" in final.done,
        "final_window": (final.window_start, final.window_end),
        "months": months,
        "planned_months": course.plan().course_months,
        "early": months < course.plan().course_months,
    }


def team_workers(citizens):
    """The workers responsible for ``citizens``, for a leader's filter."""
    from overgang.accounts.models import User

    return list(User.objects.filter(pk__in=citizens.order_by().values("worker_id")).order_by(
        "first_name", "last_name", "username"))


def week_rows(request, found):
    """The lines of "Min uge" for the items ``found``: the links and the responsible
    worker's access worked out once per page (per citizen), not once per line."""
    urls = {name: url_for_code(f"{app}:{name}") for app, name in (
        ("courses", "citizen"), ("courses", "plan"), ("courses", "handover"), ("measurements", "detail"))}
    writes, notes = {}, {}

    def may_write(citizen):
        if citizen.pk not in writes:
            writes[citizen.pk] = can_write(request.user, citizen)
        return writes[citizen.pk]

    def may_read_notes(citizen):
        if citizen.pk not in notes:
            notes[citizen.pk] = can_read_notes(request.user, citizen)
        return notes[citizen.pk]

    return [week_row(item, urls=urls, may_write=may_write, may_read_notes=may_read_notes)
            for item in found]


def week_row(item, *, urls, may_write, may_read_notes):
    """One line of "Min uge": what, in words (free text only for the responsible worker),
    and the page where it is done."""
    citizen = item.citizen
    citizen_url = urls["citizen"](citizen.code)
    row = {"item": item, "citizen": citizen, "url": citizen_url, "citizen_url": citizen_url}
    if item.kind == "registration":
        row["what"] = instrument_name(item.instrument)
        row["url"] += "#schedule-heading"
        row["fill"] = may_write(citizen)
    elif item.kind == "activity":
        what = item.activity.get_what() if may_read_notes(citizen) else ""
        row["what"] = _("Aktivitet: %(what)s") % {"what": what} if what else _("Aktivitet i planen (%(area)s)") % {
            "area": item.extra["area"]}
        row["url"] = urls["plan"](item.course.code)
    elif item.kind == "no_contact":
        row["what"] = _("Ingen kontakt i %(days)s dage") % {"days": item.extra["days"]}
    elif item.kind == "handover":
        row["what"] = _("Overdragelsen bør begynde (planlagt slut %(day)s)") % {
            "day": short_date(item.extra["planned_end"])}
        row["url"] = urls["handover"](item.course.code)
    elif item.kind == "draft":
        row["what"] = _("Kladde: %(form)s, ikke afsluttet") % {"form": instrument_name(item.instrument)}
        row["url"] = urls["detail"](item.record.code)
    elif item.kind == "pause":
        row["what"] = _("Pausen fra %(day)s burde være slut") % {"day": short_date(item.extra["start"])}
    return row

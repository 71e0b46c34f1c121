"""The live fidelity view's queries: the daily registrations as plain rows.

The only module of the fidelity view that touches the ORM. ``load`` runs a fixed number
of ``values_list`` queries whatever the number of courses (a test counts them): no
per-course query, no free text, no answers — only dates, kinds and flags of the worker's
registrations, which is all the measures need (``fidelity.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, CharField, F, Value, When

from overgang.accounts.models import Membership, Role
from overgang.courses.models import Contact, Course, CourseSettings, FocusArea, HandoverMeeting, Pause, PlanEvent
from overgang.lib.idlist import among
from overgang.measurements.models import Record


@dataclass
class Rows:
    municipalities: dict = field(default_factory=dict)  # id -> name
    # (id, worker id or None, municipality id, status, start, end, phase2, phase3, (p1, p2, p3), interval, window)
    courses: list = field(default_factory=list)
    pauses: list = field(default_factory=list)  # (course, start, end or None)
    contacts: list = field(default_factory=list)  # (course, date, form)
    focus_areas: list = field(default_factory=list)  # (course, phase, citizen_took_part)
    plan_events: list = field(default_factory=list)  # (course, kind, date)
    meetings: list = field(default_factory=list)  # (course, kind, date)
    records: list = field(default_factory=list)  # (course, record id, instrument, filled_on) — completed only
    # (user id, municipality id, username, first, last name, code, working time as a Decimal share of full time)
    workers: list = field(default_factory=list)
    caps: dict = field(default_factory=dict)  # municipality id -> caseload cap


def load(municipalities, *, today: dt.date, period_months: int | None) -> Rows:
    """The rows of ``municipalities`` (objects): the open courses, and the courses that
    ended within ``period_months`` before ``today`` (None: every course ever started)."""
    ids = [m.pk for m in municipalities]
    rows = Rows(municipalities={m.pk: m.name for m in municipalities})
    courses = Course.objects.filter(citizen__municipality_id__in=ids).exclude(status=Course.Status.NOT_STARTED)
    if period_months is not None:
        from overgang.courses.schedule import add_months

        since = add_months(today, -period_months)
        courses = courses.exclude(status=Course.Status.ENDED, end_date__lt=since)
    courses = courses.order_by()
    rows.courses = [
        (pk, worker, municipality, status, start, end, p2, p3, (m1, m2, m3), interval, window)
        for pk, worker, municipality, status, start, end, p2, p3, m1, m2, m3, interval, window in courses.values_list(
            "pk", "citizen__worker_id", "citizen__municipality_id", "status", "start_date", "end_date", "phase2_start",
            "phase3_start", "phase1_months", "phase2_months", "phase3_months", "interval_months", "window_days")
    ]
    # Their rows by the ids of the courses just read (lib/idlist.py: on PostgreSQL a
    # subquery made it read every focus area, plan event and meeting of the installation).
    scope = among([row[0] for row in rows.courses], courses.values("pk"))
    rows.pauses = list(Pause.objects.filter(course__in=scope).order_by().values_list("course_id", "start_date", "end_date"))
    # An entry that did not reach the citizen (Contact.reached) counts as an outreach
    # attempt, whatever its channel: logged, but not a contact.
    rows.contacts = list(Contact.objects.filter(course__in=scope).order_by().annotate(
        kind=Case(When(reached=False, then=Value("outreach_attempt")), default=F("form"), output_field=CharField()),
    ).values_list("course_id", "date", "kind"))
    rows.focus_areas = list(
        FocusArea.objects.filter(course__in=scope).order_by().values_list("course_id", "phase", "citizen_took_part"))
    rows.plan_events = list(PlanEvent.objects.filter(course__in=scope).order_by().values_list("course_id", "kind", "date"))
    rows.meetings = list(
        HandoverMeeting.objects.filter(course__in=scope).order_by().values_list("course_id", "kind", "date"))
    rows.records = list(
        Record.objects.filter(course__in=scope, status=Record.Status.COMPLETED).order_by()
        .values_list("course_id", "pk", "instrument", "filled_on"))
    rows.workers = list(
        Membership.objects.filter(municipality_id__in=ids, role=Role.WORKER).order_by()
        .values_list("user_id", "municipality_id", "user__username", "user__first_name", "user__last_name", "user__code",
                     "working_time"))
    found = dict(CourseSettings.objects.filter(municipality_id__in=ids).values_list("municipality_id", "caseload_cap"))
    default = CourseSettings._meta.get_field("caseload_cap").default  # a municipality that kept the defaults
    rows.caps = {m: found.get(m, default) for m in ids}
    return rows

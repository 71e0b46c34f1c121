""""Min uge": what needs doing across a caseload, most urgent first (issue 12, item 3).

One list of items per caseload, each saying what, for whom, since or until when:

- ``registration``: a star or form of the measurement plan that can be filled in now
  (in its window) or is overdue;
- ``activity``: an open plan activity whose deadline is within the coming week or past;
- ``no_contact``: a citizen not reached for longer than the municipality's warning;
- ``handover``: a course within three months of its planned end with no handover
  begun (no network meeting, handover talk or long-term plan; cti-method.md §1.10:
  begin 2–3 months before the end);
- ``draft``: a form left unfinished (not saved today);
- ``pause``: an open pause past the day it was expected to end, or open for more than
  30 days when no day was given.

``days_late`` is positive for what is past its date and zero or negative for what is
due in the coming days; the list is sorted by it, latest first. The reminder e-mails
count the same items (``overgang reminders send``), so the page and the mail agree.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, Q
from django.utils import timezone

from overgang.courses import caseload, overview, schedule
from overgang.courses.models import Activity, Contact, Course, CourseSettings, FocusArea, HandoverMeeting, Pause
from overgang.lib.idlist import among
from overgang.measurements.models import Record

ACTIVITY_HORIZON_DAYS = 7
HANDOVER_MONTHS = 3
PAUSE_REVIEW_DAYS = 30
PAGE_SIZE = 50  # items per page of a leader's team week
KINDS = ("registration", "activity", "no_contact", "handover", "draft", "pause")
OPEN = (Course.Status.CONTACT, Course.Status.ACTIVE)


@dataclass
class Item:
    kind: str
    citizen: object
    course: object
    date: dt.date  # the day it became (or becomes) due
    days_late: int
    instrument: str = ""
    occasion: object = None
    activity: object = None
    record: object = None
    extra: dict = field(default_factory=dict)

    @property
    def late(self):
        return self.days_late > 0

    @property
    def sort_key(self):
        return (-self.days_late, KINDS.index(self.kind), self.citizen.pseudonym.casefold())


def prefetched(citizens, today):
    """The caseload with everything the items need, in a fixed number of queries: only
    citizens with an open contact period or course, or a draft, and of them only the
    open course and the drafts (an ended course has nothing due), so a municipality's
    years of ended courses are never read. Of the open course only what an item can come
    from, and only the columns it needs: the completed records (a draft answers no due
    measurement), the contacts that reached the citizen (an attempt is no contact), the
    open activities due by the end of the coming week; never an answer or a note."""
    open_ = Course.objects.filter(status__in=OPEN)
    drafts = Record.objects.filter(status=Record.Status.DRAFT).defer("plain_answers", "sealed_answers", "prefilled")
    completed = Record.objects.filter(status=Record.Status.COMPLETED).only("id", "course_id", "instrument",
                                                                           "filled_on", "status")
    reached = Contact.objects.filter(reached=True).only("id", "course_id", "date", "reached")
    horizon = today + dt.timedelta(days=ACTIVITY_HORIZON_DAYS)
    due = Activity.objects.filter(status__in=(Activity.Status.PLANNED, Activity.Status.ONGOING), due_date__lte=horizon)
    # Lists as attributes (to_attr), not related managers: a manager's queryset is cloned
    # per object, which was most of the cost of a page of a leader's team week.
    return (citizens.filter(Exists(open_.filter(citizen=OuterRef("pk"))) | Exists(drafts.filter(citizen=OuterRef("pk"))))
            .select_related("worker", "municipality").prefetch_related(
                Prefetch("courses", queryset=open_, to_attr="week_courses"),
                Prefetch("week_courses__pauses", queryset=Pause.objects.defer("reason_encrypted")),
                Prefetch("week_courses__contacts", queryset=reached, to_attr="week_contacts"),
                Prefetch("week_courses__records", queryset=completed, to_attr="week_records"),
                Prefetch("week_courses__focus_areas", queryset=FocusArea.objects.defer("goal_encrypted"),
                         to_attr="week_focus_areas"),
                Prefetch("week_courses__week_focus_areas__activities", queryset=due, to_attr="week_activities"),
                Prefetch("week_courses__handover_meetings", queryset=HandoverMeeting.objects.only("id", "course_id", "kind"),
                         to_attr="week_handover_meetings"),
                Prefetch("records", queryset=drafts, to_attr="week_drafts")))


def _registrations(course, records, today):
    for occasion in course.occasions(records):
        for instrument in occasion.instruments:
            state, _days = occasion.state(today, instrument)
            if state in ("window", "overdue"):
                yield Item("registration", course.citizen, course, occasion.due, (today - occasion.due).days,
                           instrument=instrument, occasion=occasion)


def _activities(course, today):
    horizon = today + dt.timedelta(days=ACTIVITY_HORIZON_DAYS)
    for focus in course.week_focus_areas:
        for activity in focus.week_activities:
            if activity.is_open and activity.due_date and activity.due_date <= horizon:
                yield Item("activity", course.citizen, course, activity.due_date, (today - activity.due_date).days,
                           activity=activity, extra={"area": focus.get_area_display()})


def _no_contact(course, today, warn_after):
    since = overview.days_since_contact(course, course.week_contacts, today)
    if since is not None and since > warn_after:
        became = today - dt.timedelta(days=since - warn_after)
        yield Item("no_contact", course.citizen, course, became, since - warn_after, extra={"days": since})


def _handover(course, today):
    end = course.planned_end()
    if end is None:
        return
    begin = schedule.add_months(end, -HANDOVER_MONTHS)
    begun = course.long_term_plan_encrypted or course.week_handover_meetings
    if today >= begin and not begun:
        yield Item("handover", course.citizen, course, begin, (today - begin).days, extra={"planned_end": end})


def _pause(course, today):
    pause = course.open_pause
    if pause is None:
        return
    should_end = pause.expected_end or pause.start_date + dt.timedelta(days=PAUSE_REVIEW_DAYS)
    if today > should_end:
        yield Item("pause", course.citizen, course, should_end, (today - should_end).days,
                   extra={"start": pause.start_date, "expected": pause.expected_end})


def _drafts(citizen, today):
    for record in citizen.week_drafts:
        saved = timezone.localdate(record.updated) if record.updated else record.filled_on
        if record.status == Record.Status.DRAFT and saved < today:
            yield Item("draft", citizen, None, saved, (today - saved).days, instrument=record.instrument, record=record)


def items(citizens, today) -> list[Item]:
    """Every item of ``citizens`` (a queryset), most urgent first."""
    warn_after = {}
    found = []
    for citizen in prefetched(citizens, today):
        course = overview.current_course(citizen, citizen.week_courses)
        found += _drafts(citizen, today)
        if course is None or course.status not in (Course.Status.CONTACT, Course.Status.ACTIVE):
            continue
        if citizen.municipality_id not in warn_after:
            warn_after[citizen.municipality_id] = CourseSettings.for_municipality(citizen.municipality).contact_warning_days
        found += _pause(course, today)
        if course.is_paused:
            continue
        found += _no_contact(course, today, warn_after[citizen.municipality_id])
        found += _activities(course, today)
        if course.status == Course.Status.ACTIVE:
            found += _registrations(course, course.week_records, today)
            found += _handover(course, today)
    return sorted(found, key=lambda item: item.sort_key)


def counts(found) -> dict:
    """Per kind: how many items, and how many of them are late (what a digest says)."""
    total = Counter(item.kind for item in found)
    late = Counter(item.kind for item in found if item.late)
    return {kind: {"all": total[kind], "late": late[kind]} for kind in KINDS if total[kind]}


# ------------------------------------------------------------------ the leader's team


@dataclass
class Lead:
    """What makes a citizen appear on the team's week: the most urgent item of one
    source (a course's earliest open registration, an activity, a draft …), read as a few
    columns in bulk. Every lead stands for at least one item, none of that source's items
    is more urgent than the lead, and ``sort_key`` orders leads as ``Item.sort_key``
    orders items."""

    kind: str
    citizen_id: int
    worker_id: int | None
    pseudonym: str
    days_late: int

    @property
    def sort_key(self):
        return (-self.days_late, KINDS.index(self.kind), self.pseudonym.casefold())


def leads(citizens, today) -> list[Lead]:
    """Every lead of ``citizens`` (a queryset): a handful of queries returning a few
    columns per open course, activity, pause or draft; no course is read in full and
    no calendar worked out except for the courses near their planned end."""
    who = ("citizen_id", "citizen__worker_id", "citizen__pseudonym")
    mine = Q(citizen__in=citizens.values("pk"))
    found = []

    # The pauses of the open courses, in one query: which running courses are paused
    # (they have nothing else due), pauses past their expected end, and the pauses that
    # move a planned end. (A list of the few paused courses, not a subquery per course:
    # the plans stay simple whatever the database knows of its tables.)
    pauses, paused = {}, set()
    for course, status, citizen, worker, pseudonym, start, end, expected in Pause.objects.filter(
            course__citizen__in=citizens.values("pk"), course__status__in=OPEN).values_list(
            "course_id", "course__status", "course__citizen_id", "course__citizen__worker_id",
            "course__citizen__pseudonym", "start_date", "end_date", "expected_end").order_by("course_id", "start_date"):
        pauses.setdefault(course, []).append(schedule.Pause(start, end))
        if end is None and course not in paused:  # the course's open pause (the first, as Course.open_pause)
            paused.add(course)
            should_end = expected or start + dt.timedelta(days=PAUSE_REVIEW_DAYS)
            if today > should_end:
                found.append(Lead("pause", citizen, worker, pseudonym, (today - should_end).days))
    running = Course.objects.filter(mine, status__in=OPEN).exclude(
        Q(status=Course.Status.ACTIVE) & Q(pk__in=sorted(paused)))
    # The running courses in one read, with the columns each kind of lead below needs
    # (one query each before: five passes over the municipality's courses).
    # (Whether a long-term plan is written, not its ciphertext.)
    courses = list(running.annotate(without_plan=ExpressionWrapper(
        Q(long_term_plan_encrypted=""), output_field=BooleanField())).values_list(
        "pk", *who, "status", "citizen__municipality_id", "next_due_on", "window_days", "first_contact_on",
        "last_contact_on", "start_date", "phase1_months", "phase2_months", "phase3_months",
        "without_plan").order_by())
    running_ids = among([row[0] for row in courses], running.values("pk"))
    warnings = caseload.warning_days({row[5] for row in courses})  # the running courses' municipalities
    with_meeting = set(HandoverMeeting.objects.filter(course_id__in=running_ids).values_list("course_id", flat=True)
                       .order_by().distinct())
    horizon = today + dt.timedelta(days=ACTIVITY_HORIZON_DAYS)
    who_of = {}
    for (pk, citizen, worker, pseudonym, status, municipality, due, window, first, last, start, *months,
         without_plan) in courses:
        who_of[pk] = (citizen, worker, pseudonym)
        active = status == Course.Status.ACTIVE
        # Registrations: the earliest open one is kept on the course (due.py); it is the
        # most urgent of the course's registrations, and an item once its window has opened.
        if active and due is not None and due - dt.timedelta(days=window) <= today:
            found.append(Lead("registration", citizen, worker, pseudonym, (today - due).days))
        # Not reached for longer than the municipality's warning: no reached contact since
        # the cut-off, counted from the latest reached contact kept on the course
        # (last_contact.py) or else the first contact.
        warn_after = warnings[municipality]
        if first is not None:
            cutoff = today - dt.timedelta(days=warn_after)
            if first < cutoff and (last is None or last < cutoff):
                since = (today - max(first, last or first)).days
                found.append(Lead("no_contact", citizen, worker, pseudonym, since - warn_after))
        # Handover not begun within three months of the planned end: pauses only move the
        # end later, so only courses whose end without pauses is that near are worked out.
        if active and without_plan and pk not in with_meeting and start and schedule.add_months(
                schedule.add_months(start, sum(months)), -HANDOVER_MONTHS) <= today:
            plan = schedule.Plan(phase_months=tuple(months), interval_months=1, window_days=0)
            begin = schedule.add_months(schedule.planned_end(start, plan, pauses.get(pk, [])), -HANDOVER_MONTHS)
            if today >= begin:
                found.append(Lead("handover", citizen, worker, pseudonym, (today - begin).days))

    # The open activities of the running courses by the courses' ids (lib/idlist.py; a
    # join of the activities with a subquery of the citizens let PostgreSQL with stale
    # statistics plan seconds for a few hundred rows), their citizens from the list above
    # (joining every activity found to its course and citizen cost more than the activities).
    for course, due in Activity.objects.filter(
            focus_area__course_id__in=running_ids,
            status__in=(Activity.Status.PLANNED, Activity.Status.ONGOING), due_date__lte=horizon).values_list(
            "focus_area__course_id", "due_date").order_by():
        found.append(Lead("activity", *who_of[course], (today - due).days))

    for citizen, worker, pseudonym, updated, filled_on in Record.objects.filter(
            mine, status=Record.Status.DRAFT).values_list(*who, "updated", "filled_on").order_by():
        saved = timezone.localdate(updated) if updated else filled_on
        if saved < today:
            found.append(Lead("draft", citizen, worker, pseudonym, (today - saved).days))
    return found


@dataclass
class TeamWeek:
    summary: list  # per worker: citizens with something late, with only something soon, drafts, not reached
    items: list  # the page's items, most urgent first
    number: int
    has_previous: bool
    has_next: bool

    @property
    def start_index(self):
        return (self.number - 1) * PAGE_SIZE + 1 if self.items else 0

    @property
    def end_index(self):
        return (self.number - 1) * PAGE_SIZE + len(self.items)


def team(citizens, workers, today, number=1) -> TeamWeek:
    """The leader's team week: a summary line per worker of ``workers`` (and one for
    citizens without a worker, if any has something waiting) — how many citizens have
    something late, how many only something due now or in the coming days, the drafts
    and how many citizens are not reached — and the ``number``-th page of the team's
    items, most urgent first.

    Both come from ``leads`` (a few bulk queries over the municipality); only the
    citizens of the first ``number × PAGE_SIZE + 1`` leads are then read in full by
    ``items``, however large the municipality. That is exact: every item belongs to a
    lead at least as urgent, so the ``T`` most urgent items all belong to the ``T`` most
    urgent leads (and ties with the last of them); and as each lead stands for an item,
    there is a next page exactly when those citizens have more than a page's worth."""
    try:
        number = max(1, int(number or 1))
    except (TypeError, ValueError):
        number = 1
    found = sorted(leads(citizens, today), key=lambda lead: lead.sort_key)
    wanted = number * PAGE_SIZE + 1
    if len(found) > wanted:
        last = found[wanted - 1].sort_key
        chosen = [lead for lead in found if lead.sort_key <= last]
    else:
        chosen = found
    some = items(citizens.filter(pk__in={lead.citizen_id for lead in chosen}), today) if chosen else []
    if number > 1 and len(some) <= (number - 1) * PAGE_SIZE:
        # Past the last page (all items are known then): the last page, as a paginator gives.
        return team(citizens, workers, today, max(1, -(-len(some) // PAGE_SIZE)))
    shown = some[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
    return TeamWeek(_summary(found, workers), shown, number, number > 1, len(some) > number * PAGE_SIZE)


def _summary(found, workers) -> list[dict]:
    tally = {}
    for lead in found:
        line = tally.setdefault(lead.worker_id, {"late": set(), "soon": set(), "draft": 0, "no_contact": set()})
        line["late" if lead.days_late > 0 else "soon"].add(lead.citizen_id)
        if lead.kind == "draft":
            line["draft"] += 1
        elif lead.kind == "no_contact":
            line["no_contact"].add(lead.citizen_id)

    def counted(line):
        # "soon": citizens with something due now or in the coming days and nothing late
        # (a citizen with a long-overdue star may have the next one in its window too;
        # that is counted as late, which is what a leader acts on).
        line = {**line, "soon": line["soon"] - line["late"]}
        return {key: len(value) if isinstance(value, set) else value for key, value in line.items()}

    empty = {"late": set(), "soon": set(), "draft": 0, "no_contact": set()}
    lines = [{"worker": w, **counted(tally.get(w.pk, empty))} for w in workers]
    if None in tally:
        lines.append({"worker": None, **counted(tally[None])})
    return lines

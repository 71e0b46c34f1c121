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

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from overgang.courses import overview, schedule
from overgang.courses.models import Activity, Contact, Course, CourseSettings, FocusArea, HandoverMeeting, Pause
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
    return (citizens.filter(Exists(open_.filter(citizen=OuterRef("pk"))) | Exists(drafts.filter(citizen=OuterRef("pk"))))
            .select_related("worker", "municipality").prefetch_related(
                Prefetch("courses", queryset=open_),
                Prefetch("courses__pauses", queryset=Pause.objects.defer("reason_encrypted")),
                Prefetch("courses__contacts", queryset=reached),
                Prefetch("courses__records", queryset=completed),
                Prefetch("courses__focus_areas", queryset=FocusArea.objects.defer("goal_encrypted")),
                Prefetch("courses__focus_areas__activities", queryset=due),
                Prefetch("courses__handover_meetings", queryset=HandoverMeeting.objects.only("id", "course_id", "kind")),
                Prefetch("records", queryset=drafts)))


def _registrations(course, records, today):
    for occasion in course.occasions(records):
        for instrument in occasion.instruments:
            state, _days = occasion.state(today, instrument)
            if state in ("window", "overdue"):
                yield Item("registration", course.citizen, course, occasion.due, (today - occasion.due).days,
                           instrument=instrument, occasion=occasion)


def _activities(course, today):
    horizon = today + dt.timedelta(days=ACTIVITY_HORIZON_DAYS)
    for focus in course.focus_areas.all():
        for activity in focus.activities.all():
            if activity.is_open and activity.due_date and activity.due_date <= horizon:
                yield Item("activity", course.citizen, course, activity.due_date, (today - activity.due_date).days,
                           activity=activity, extra={"area": focus.get_area_display()})


def _no_contact(course, today, warn_after):
    since = overview.days_since_contact(course, list(course.contacts.all()), today)
    if since is not None and since > warn_after:
        became = today - dt.timedelta(days=since - warn_after)
        yield Item("no_contact", course.citizen, course, became, since - warn_after, extra={"days": since})


def _handover(course, today):
    end = course.planned_end()
    if end is None:
        return
    begin = schedule.add_months(end, -HANDOVER_MONTHS)
    begun = course.long_term_plan_encrypted or list(course.handover_meetings.all())
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
    for record in citizen.records.all():
        saved = timezone.localdate(record.updated) if record.updated else record.filled_on
        if record.status == Record.Status.DRAFT and saved < today:
            yield Item("draft", citizen, None, saved, (today - saved).days, instrument=record.instrument, record=record)


def items(citizens, today) -> list[Item]:
    """Every item of ``citizens`` (a queryset), most urgent first."""
    warn_after = {}
    found = []
    for citizen in prefetched(citizens, today):
        courses = list(citizen.courses.all())
        course = overview.current_course(citizen, courses)
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
            found += _registrations(course, list(course.records.all()), today)
            found += _handover(course, today)
    return sorted(found, key=lambda item: item.sort_key)


def per_worker(found, workers) -> list[dict]:
    """The leader's summary of the team's week: for each worker of ``workers`` (and one
    line for citizens without a worker, if any has items) how many items are overdue,
    due in the coming days, unfinished drafts and citizens not reached. Counted from
    ``found`` (the whole team's items), so it agrees with the list a worker sees."""
    tally = {}
    for item in found:
        line = tally.setdefault(item.citizen.worker_id, Counter())
        line["late" if item.late else "soon"] += 1
        if item.kind in ("draft", "no_contact"):
            line[item.kind] += 1
    lines = [{"worker": w, **{k: tally.get(w.pk, Counter())[k] for k in ("late", "soon", "draft", "no_contact")}}
             for w in workers]
    if None in tally:
        lines.append({"worker": None, **{k: tally[None][k] for k in ("late", "soon", "draft", "no_contact")}})
    return lines


def counts(found) -> dict:
    """Per kind: how many items, and how many of them are late (what a digest says)."""
    total = Counter(item.kind for item in found)
    late = Counter(item.kind for item in found if item.late)
    return {kind: {"all": total[kind], "late": late[kind]} for kind in KINDS if total[kind]}

"""The caseload lists — the worker's "Mine borgere" and the leader's citizens of the
municipality — filtered, sorted by urgency and paged in the database.

A page costs the same few queries whether the list holds ten citizens or ten thousand:
the filters and the order are SQL over the citizen's current course (its open contact
period or course, joined once, with its next due registration and latest contact kept
on it by ``due.py`` and ``last_contact.py``), and only
the citizens of the page are then read in full (their course, pauses and open
activities). Urgency: the earliest next due registration first (overdue ones are the
earliest), then the longest time since the last contact, then the pseudonym.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, Window
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext_lazy as _

from overgang.accounts.models import User
from overgang.courses.models import Activity, Course, CourseSettings, Pause
from overgang.courses.overview import all_due, current_course, next_due
from overgang.measurements.models import Record

PAGE_SIZE = 25
OPEN = (Course.Status.CONTACT, Course.Status.ACTIVE)
OPEN_ACTIVITY = (Activity.Status.PLANNED, Activity.Status.ONGOING)

STATES = (
    ("current", _("Kontaktperioder og forløb")),
    ("contact", _("Kun kontaktperioder")),
    ("active", _("Kun forløb i gang")),
    ("paused", _("Kun forløb på pause")),
    ("closed", _("Afsluttede og ikke startede")),
    ("all", _("Alle")),
)
SORTS = (("urgency", _("det mest presserende")), ("contact", _("dage siden kontakt")), ("pseudonym", _("pseudonym")))


def templates_of(citizens) -> dict:
    """Template name → title (in the user's language), by title, of the courses of
    ``citizens``: the list offers a filter, and names each row's template, only when
    there is more than one."""
    from overgang.measurements.forms import _lang
    from overgang.programmes.models import TemplateVersion

    # Per template version, whether any of the citizens has a course of it (a semi-join
    # that stops at the first course found), not every course of the municipality read.
    names = set(TemplateVersion.objects.filter(Exists(Course.objects.filter(
        template_version=OuterRef("pk"), citizen__in=citizens.values("pk")))).values_list("name", flat=True))
    lang = _lang()
    titles = {}
    for name in names:
        version = TemplateVersion.objects.latest_for(name)
        titles[name] = version.template().title.get(lang) if version else name
    return dict(sorted(titles.items(), key=lambda kv: kv[1].casefold()))


def listing(citizens, *, state="current", overdue=False, worker=None, template=None, sort="urgency", today=None,
            few=False):
    """``citizens`` (the user's caseload from the access door) filtered and ordered;
    ``few``: they are a worker's caseload, not a municipality."""
    today = today or dt.date.today()
    # A worker's list (or one worker's, chosen by a leader) also holds its subqueries over
    # a citizen's courses to the courses of the citizens listed: PostgreSQL may run such an
    # EXISTS once as a hash of every course it can find, which without this is every
    # course of the installation (50,000 read for ten citizens), with it their own. A
    # municipality's list is better served by the hash of every course. No answer changes.
    scope = None
    if worker is not None:
        scope = citizens.filter(worker=worker).order_by().values("pk")
    elif few:
        scope = citizens.order_by().values("pk")
    open_course = _courses_of(scope).filter(citizen=OuterRef("pk"), status__in=OPEN)
    # The open contact period or course (a citizen has at most one) joined once, with the
    # columns kept on it for sorting (due.py, last_contact.py): no subquery per citizen.
    found = citizens.annotate(
        open=FilteredRelation("courses", condition=Q(courses__status__in=OPEN)),
        open_pk=F("open__pk"),
        open_status=F("open__status"),
        due_on=F("open__next_due_on"),
        due_until=F("open__next_due_until"),
        # An outreach attempt without answer is no contact (it does not stop the warning).
        last_contact=Coalesce(F("open__last_contact_on"), F("open__first_contact_on")),
    )
    if worker is not None:
        found = found.filter(worker=worker)
    if template is not None:
        # The template of the current course: the open one, or else any of the citizen's.
        of_template = _courses_of(scope).filter(citizen=OuterRef("pk"), template_version__name=template)
        found = found.filter(Exists(of_template.filter(status__in=OPEN))
                             | (~Exists(open_course) & Exists(of_template)))
    found = found.filter(_state(state, scope))
    if overdue:
        overdue_activity = Activity.objects.filter(focus_area__course=OuterRef("open_pk"), status__in=OPEN_ACTIVITY,
                                                   due_date__lt=today)
        found = found.filter(Q(due_until__lt=today) | Exists(overdue_activity))
    pseudonym = Lower("pseudonym")
    order = {
        "urgency": [F("due_on").asc(nulls_last=True), F("last_contact").asc(nulls_last=True), pseudonym, "pk"],
        "contact": [F("last_contact").asc(nulls_last=True), pseudonym, "pk"],
        "pseudonym": [pseudonym, "pk"],
    }[sort]
    return found.order_by(*order)


def _courses_of(scope):
    return Course.objects.all() if scope is None else Course.objects.filter(citizen__in=scope)


def _state(state, scope) -> Q:
    """The filter of ``state`` over ``listing``'s queryset (with the open course joined as
    ``open``; ``scope``: the pks of a worker's citizens listed, or None)."""
    def course(**where):
        return Exists(_courses_of(scope).filter(citizen=OuterRef("pk"), **where))

    has_open = Q(open_pk__isnull=False)
    paused = Pause.objects.filter(course=OuterRef("open_pk"), end_date__isnull=True)
    return {
        # A citizen without any course yet is current too: the first contact is still to register.
        "current": has_open | ~Q(course()),
        "contact": Q(open_status=Course.Status.CONTACT),
        "active": Q(open_status=Course.Status.ACTIVE),
        "paused": Q(open_status=Course.Status.ACTIVE) & Q(Exists(paused)),
        "closed": ~has_open & Q(course()),
        "all": Q(),
    }[state]


def page(found, number, today=None, templates=None):
    """The page ``number`` of ``found`` (an out-of-range or unreadable number gives the
    nearest page) and its rows, read in full.

    The page's citizens come with the length of the whole list (``COUNT(*) OVER ()``):
    one pass over a municipality's citizens instead of a second one to count them. Only a
    number past the end asks for the count first, as the paginator does."""
    try:
        wanted = max(1, int(number))
    except (TypeError, ValueError):
        wanted = 1
    counted = list(found.annotate(listed=Window(Count("pk")))[(wanted - 1) * PAGE_SIZE:wanted * PAGE_SIZE])
    paginator = Paginator(found, PAGE_SIZE)
    if counted:
        paginator.count = counted[0].listed  # the paginator's own count, already known
    current = paginator.get_page(number)
    if counted and current.number == wanted:
        current.object_list = counted
    return current, rows(list(current.object_list), today or dt.date.today(), templates or {})


def rows(citizens, today, templates=None):
    """One row per citizen: the current course, the next due registration, days since
    contact, and the open and overdue activities of the open course only (an ended
    course's leftovers do not count)."""
    courses = {}
    for course in Course.objects.filter(citizen__in=citizens).select_related("template_version").prefetch_related(
            "pauses").order_by():
        courses.setdefault(course.citizen_id, []).append(course)
    current = {c.pk: current_course(c, courses.get(c.pk, [])) for c in citizens}
    open_pks = [course.pk for course in current.values() if course is not None and course.status in OPEN]
    activities = {
        row["focus_area__course"]: row for row in Activity.objects.filter(
            focus_area__course__in=open_pks, status__in=OPEN_ACTIVITY).values("focus_area__course").annotate(
            open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today))).order_by()
    }
    # What is due is shown from the calendar itself (the kept columns only sort and filter).
    records = {}
    for row in Record.objects.filter(course__in=open_pks, status=Record.Status.COMPLETED).values_list(
            "course_id", "pk", "instrument", "filled_on", "status").order_by():
        records.setdefault(row[0], []).append(_Completed(*row[1:]))
    warn_after = warning_days({c.municipality_id for c in citizens})
    out = []
    for citizen in citizens:
        course = current[citizen.pk]
        is_open = course is not None and course.status in OPEN
        since = (today - citizen.last_contact).days if is_open and citizen.last_contact else None
        counts = activities.get(course.pk, {}) if is_open else {}
        out.append({
            "citizen": citizen,
            "course": course,
            "is_open": is_open,
            "template": (templates or {}).get(course.template_version.name, "") if course else "",
            "due": next_due(course, records.get(course.pk, []), today) if is_open else None,
            "dues": all_due(course, records.get(course.pk, []), today) if is_open else [],
            "days_since_contact": since,
            "contact_warning": since is not None and since > warn_after[citizen.municipality_id],
            "open_activities": counts.get("open", 0),
            "overdue_activities": counts.get("overdue", 0),
        })
    return out


class _Completed(NamedTuple):
    pk: int
    instrument: str
    filled_on: dt.date
    status: str


def warning_days(municipality_pks) -> dict:
    """Municipality pk -> days without contact before a citizen is flagged."""
    found = dict(CourseSettings.objects.filter(municipality_id__in=municipality_pks).values_list(
        "municipality_id", "contact_warning_days"))
    default = CourseSettings._meta.get_field("contact_warning_days").default
    return {pk: found.get(pk, default) for pk in municipality_pks}


def team_sizes(citizens):
    """(worker, open courses) for the workers of ``citizens``, by name."""
    counts = dict(Course.objects.filter(citizen__in=citizens, status__in=OPEN, citizen__worker__isnull=False)
                  .values("citizen__worker").annotate(n=Count("pk")).values_list("citizen__worker", "n").order_by())
    workers = User.objects.filter(pk__in=counts)
    return sorted(((w, counts[w.pk]) for w in workers), key=lambda pair: str(pair[0]).casefold())

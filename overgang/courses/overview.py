"""What the caseload and the citizen's page show, computed from a course and its records."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from overgang.courses.models import Course, HandoverMeeting
from overgang.instruments.names import instrument_name
from overgang.measurements.models import Record


@dataclass
class Due:
    instrument: str
    due: dt.date
    state: str  # upcoming | window | overdue
    days: int
    number: int = 0  # the occasion (0 at the start, k for month k × interval)

    @property
    def label(self):
        return instrument_name(self.instrument)

    @property
    def urgency(self):
        """Sort key: overdue first (most days first), then in window, then upcoming."""
        order = {"overdue": 0, "window": 1, "upcoming": 2}[self.state]
        return (order, -self.days if self.state == "overdue" else self.days)


def current_course(citizen, courses=None):
    courses = list(courses if courses is not None else citizen.courses.all())
    open_ = [c for c in courses if c.status in (Course.Status.CONTACT, Course.Status.ACTIVE)]
    pool = open_ or courses
    return max(pool, key=lambda c: (c.first_contact_on, c.created)) if pool else None


def next_due(course, records, today):
    if course is None or course.status != Course.Status.ACTIVE or course.is_paused:
        return None
    from overgang.courses import schedule

    found = schedule.next_due(course.occasions(records), today)
    if found is None:
        return None
    occasion, instrument, state, days = found
    return Due(instrument, occasion.due, state, days)


def all_due(course, records, today):
    """Every measurement that can be filled in now or is overdue, most urgent first; if
    none, the next one coming (so the caseload always says what is next)."""
    if course is None or course.status != Course.Status.ACTIVE or course.is_paused:
        return []
    found = []
    for occasion in course.occasions(records):
        for instrument in occasion.instruments:
            state, days = occasion.state(today, instrument)
            if state in ("window", "overdue"):
                found.append(Due(instrument, occasion.due, state, abs(days), occasion.number))
    if found:
        return sorted(found, key=lambda d: (d.urgency, d.due))
    upcoming = next_due(course, records, today)
    return [upcoming] if upcoming else []


def days_since_contact(course, contacts, today):
    """Days since the citizen was last reached (an outreach attempt without answer is no contact)."""
    dates = [c.date for c in contacts if c.reached] + ([course.first_contact_on] if course else [])
    return (today - max(dates)).days if dates else None


def handover_checklist(course, *, has_end_form=None):
    """What is still missing before the course can end well (cti-method.md §1.10).
    ``has_end_form``: whether the course's end form is completed, when the caller knows."""
    meetings = list(course.handover_meetings.all())
    network = list(course.network.all())
    if has_end_form is None:
        has_end_form = course.records.filter(instrument="cti_end", status=Record.Status.COMPLETED).exists()
    return [
        (_("Netværksmøde holdt"), any(m.kind == HandoverMeeting.Kind.NETWORK for m in meetings)),
        (_("Langsigtet plan skrevet sammen med borgeren"), bool(course.long_term_plan_encrypted)),
        (_("Overdragelsessamtaler holdt med de aktører, der tager over"), any(m.kind == HandoverMeeting.Kind.HANDOVER for m in meetings)),
        (_("Mindst én i netværket tager over efter forløbet"), any(m.get_takes_over() for m in network)),
        (_("Slutskema udfyldt og afsluttet"), has_end_form),
    ]

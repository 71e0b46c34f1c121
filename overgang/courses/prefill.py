"""The values of the pre-fill sources (instruments/prefill.py) for one course and day.

A definition names, per item, the source its answer opens with; this module gives each
source's value from what Overgang already holds about the course — the first-contact
registration, the contact log, the activity plan, the handover page, earlier stars of
the course and its calendar — so that a worker types each fact once. It never names an
item: ``values`` asks the definition which items declare which source.

``Facts`` reads the course once (contacts, plan, handover, earlier records); each source
is a pure function of the facts and the item, so the rules are read here in one place
and the codebook says the same in words (``Source.description``). A source that has
nothing to say gives None and the item opens empty. The codes a source produces are
those of the choice list its Source names; ``tests/test_prefill.py`` holds each code
table below against that list's labels.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from functools import cached_property

from overgang.courses import schedule
from overgang.courses.models import Contact, Course, PlanEvent
from overgang.instruments.prefill import SOURCES
from overgang.instruments.types import Context
from overgang.measurements.models import Record

# Contact log form → code of the `contact_forms` list (Q1.2 of the start form).
CONTACT_FORM_CODES = {
    Contact.Form.MEETING: 1, Contact.Form.ACCOMPANIMENT: 1, Contact.Form.PHONE: 2, Contact.Form.SMS: 3,
    Contact.Form.MAIL: 4, Contact.Form.OTHER: 5,
}
# Codes of the lists the yes/no, third-party, frequency and first-star sources answer in.
YES, NO = 1, 5
THIRD_PARTY_SEVERAL, THIRD_PARTY_ONE, THIRD_PARTY_NONE = 1, 2, 5
FIRST_STAR = 88
# Contacts per week → `frequency` code: daily, 2–3 a week, weekly, every 14 days, monthly
# or less. Each bound lies between two neighbouring answers (5–7, 2–3, 1, ½, ¼ a week).
FREQUENCY_BOUNDS = ((4.0, 1), (1.5, 2), (0.75, 3), (0.35, 4))
FREQUENCY_LEAST = 5
# "De seneste to måneder": the period the ongoing and end forms ask about.
PERIOD_MONTHS = 2


@dataclass(frozen=True)
class Occasion:
    """The due measurement a record is opened for: the active months it stands for and
    whether it is the end measurement (a due row's time point is its own, not the day's)."""

    months: int
    ending: bool


class Facts:
    """What the course holds on ``filled_on``, read once, for the sources."""

    def __init__(self, course: Course, instrument: str, filled_on: dt.date, occasion: Occasion | None = None):
        self.course = course
        self.instrument = instrument
        self.filled_on = filled_on
        self.occasion = occasion

    # --- periods ------------------------------------------------------------------

    @property
    def period_start(self) -> dt.date:
        """The first day of the last two months, not before the first contact."""
        return max(schedule.add_months(self.filled_on, -PERIOD_MONTHS), self.course.first_contact_on)

    @property
    def period_weeks(self) -> float:
        return ((self.filled_on - self.period_start).days + 1) / 7

    # --- the contact log ----------------------------------------------------------

    @cached_property
    def contacts(self) -> list[Contact]:
        return list(self.course.contacts.filter(date__lte=self.filled_on).order_by("date", "pk"))

    @property
    def contact_period(self) -> list[Contact]:
        """The contact log before the course began (the start form's "forud for opstarten")."""
        end = self.course.start_date or self.filled_on + dt.timedelta(days=1)
        return [c for c in self.contacts if c.date < end]

    @property
    def last_two_months(self) -> list[Contact]:
        return [c for c in self.contacts if c.date >= self.period_start]

    # --- plan, handover, calendar, earlier records -----------------------------------

    @cached_property
    def focus_areas(self):
        return list(self.course.focus_areas.all())

    @cached_property
    def plan_events(self):
        return [e for e in self.course.plan_events.all() if self.period_start <= e.date <= self.filled_on]

    @cached_property
    def handover_meetings(self):
        return [m for m in self.course.handover_meetings.all() if m.date <= self.filled_on]

    @cached_property
    def long_term_plan(self) -> str:
        return self.course.get_long_term_plan()

    @cached_property
    def pauses(self):
        return self.course.schedule_pauses()

    @property
    def months(self) -> int:
        if self.course.start_date is None:
            return 0
        return schedule.whole_active_months(self.course.start_date, self.filled_on, self.pauses)

    @property
    def expected(self) -> Occasion:
        if self.occasion is not None:
            return self.occasion
        ending = (self.course.status == Course.Status.ENDED
                  or self.course.records.filter(instrument="cti_end", status=Record.Status.COMPLETED).exists())
        return Occasion(self.months, ending)

    @cached_property
    def earlier(self) -> list[dict]:
        """The answers of the course's completed records of the same instrument, oldest first."""
        records = (self.course.records.filter(instrument=self.instrument, status=Record.Status.COMPLETED)
                   .select_related("instrument_version", "citizen").order_by("filled_on", "created"))
        return [record.get_answers() for record in records]


# --- the sources -------------------------------------------------------------------------


def _frequency(count: int, weeks: float) -> int:
    rate = count / weeks if weeks > 0 else 0
    return next((code for bound, code in FREQUENCY_BOUNDS if rate >= bound), FREQUENCY_LEAST)


def _yes_no(flag: bool) -> int:
    return YES if flag else NO


def first_contact_route(facts, item):
    return facts.course.contact_route


def first_contact_date(facts, item):
    return facts.course.first_contact_on


def contact_period_forms(facts, item):
    codes = {CONTACT_FORM_CODES[c.form] for c in facts.contact_period}
    return tuple(sorted(codes)) or None


def contact_period_physical_meetings(facts, item):
    if not facts.contacts:
        return None
    return sum(1 for c in facts.contact_period if c.is_physical)


def contact_period_third_party(facts, item):
    count = sum(1 for c in facts.contact_period if c.is_physical and c.third_party) + int(facts.course.third_party)
    if not facts.contacts and count == 0:
        return None
    return THIRD_PARTY_SEVERAL if count >= 2 else THIRD_PARTY_ONE if count == 1 else THIRD_PARTY_NONE


def contact_log_meeting_frequency(facts, item):
    if not facts.contacts:
        return None
    return _frequency(sum(1 for c in facts.last_two_months if c.is_physical), facts.period_weeks)


def contact_log_meeting_minutes(facts, item):
    minutes = [c.minutes for c in facts.last_two_months if c.is_physical and c.minutes]
    return round(statistics.median(minutes)) if minutes else None


def contact_log_remote_frequency(facts, item):
    if not facts.contacts:
        return None
    remote = sum(1 for c in facts.last_two_months if c.reached and c.form not in Contact.PHYSICAL)
    return _frequency(remote, facts.period_weeks)


def plan_exists(facts, item):
    return _yes_no(bool(facts.focus_areas))


def plan_citizen_took_part(facts, item):
    if not facts.focus_areas:
        return None
    latest = max(f.phase for f in facts.focus_areas)
    return _yes_no(any(f.citizen_took_part for f in facts.focus_areas if f.phase == latest))


def _events(facts, kind):
    return [e for e in facts.plan_events if e.kind == kind]


def plan_adjusted(facts, item):
    return _yes_no(bool(_events(facts, PlanEvent.Kind.ADJUSTMENT)))


def plan_adjusted_with_citizen(facts, item):
    adjustments = _events(facts, PlanEvent.Kind.ADJUSTMENT)
    return _yes_no(any(e.citizen_took_part for e in adjustments)) if adjustments else None


def plan_evaluated(facts, item):
    return _yes_no(bool(_events(facts, PlanEvent.Kind.EVALUATION)))


def handover_long_term_plan(facts, item):
    return _yes_no(bool(facts.long_term_plan.strip()))


def handover_talks(facts, item):
    return _yes_no(bool(facts.handover_meetings))


def stars_latest_goal(facts, item):
    """The latest earlier answer to the item that declares this source (its name is one
    meaning in every version)."""
    return next((answers[item.name] for answers in reversed(facts.earlier) if item.name in answers), None)


def stars_first_star(facts, item):
    return None if facts.earlier else FIRST_STAR


def calendar_time_point(facts, item):
    if facts.course.start_date is None:
        return None
    expected = facts.expected
    return schedule.expected_time_point(expected.months, facts.course.plan(), ending=expected.ending)


def calendar_phase(facts, item):
    if facts.course.start_date is None:
        return None
    return schedule.expected_phase_code(facts.expected.months, facts.course.plan())


def calendar_months(facts, item):
    return facts.months if facts.course.start_date else None


SOURCE_VALUES = {
    "first_contact.route": first_contact_route,
    "first_contact.date": first_contact_date,
    "contact_period.forms": contact_period_forms,
    "contact_period.physical_meetings": contact_period_physical_meetings,
    "contact_period.third_party": contact_period_third_party,
    "contact_log.meeting_frequency": contact_log_meeting_frequency,
    "contact_log.meeting_minutes": contact_log_meeting_minutes,
    "contact_log.remote_frequency": contact_log_remote_frequency,
    "plan.exists": plan_exists,
    "plan.citizen_took_part": plan_citizen_took_part,
    "plan.adjusted": plan_adjusted,
    "plan.adjusted_with_citizen": plan_adjusted_with_citizen,
    "plan.evaluated": plan_evaluated,
    "handover.long_term_plan": handover_long_term_plan,
    "handover.talks": handover_talks,
    "stars.latest_goal": stars_latest_goal,
    "stars.first_star": stars_first_star,
    "calendar.time_point": calendar_time_point,
    "calendar.phase": calendar_phase,
    "calendar.months": calendar_months,
}
assert set(SOURCE_VALUES) == set(SOURCES), "every declared source has a value here, and no other"


def values(definition, facts: Facts) -> dict:
    """Item name → the value its declared source gives (items whose source is silent, or
    whose value the item would refuse, are left out: they open empty)."""
    found = {}
    context = Context(filled_on=facts.filled_on)
    for item in definition.prefilled_items:
        value = SOURCE_VALUES[item.prefill](facts, item)
        if value is None or item.handler.check(item, value, context):
            continue
        found[item.name] = value
    return found

"""Contact intensity per phase, from the contact log (cti-method.md §1.6, §6 item 3).

The method asks for the closest contact in phase 1 and less, by individual judgement,
later; the report gives no number to meet, so this is shown as it is, never judged:
for the contact period and each phase, the contacts, the physical meetings and the
minutes, and each per active month (paused days left out, a month being 365.2425 / 12
days as in the course calendar). A period shorter than two weeks shows its counts but
no rates: three contacts in four days are not "22 a month".
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from overgang.courses import schedule

MIN_DAYS_FOR_RATE = 14


@dataclass(frozen=True)
class PhaseIntensity:
    label: str
    start: dt.date
    end: dt.date  # the last day counted
    active_days: int
    contacts: int  # the citizen was reached
    physical: int  # meetings and accompaniments where the citizen was reached
    minutes: int
    attempts: int  # outreach attempts without answer
    third_party: int
    outside_hours: int

    @property
    def months(self) -> float:
        return self.active_days / schedule.DAYS_PER_MONTH

    def _rate(self, value):
        return value / self.months if self.active_days >= MIN_DAYS_FOR_RATE else None

    @property
    def contacts_per_month(self):
        return self._rate(self.contacts)

    @property
    def physical_per_month(self):
        return self._rate(self.physical)

    @property
    def minutes_per_month(self):
        return self._rate(self.minutes)


def _periods(course, last_day):
    """(label, first day, first day after) of the contact period and each phase begun."""
    starts = [(_("Kontaktperiode"), course.first_contact_on)]
    if course.start_date:
        starts.append((_("Fase 1"), course.start_date))
        if course.phase2_start:
            starts.append((_("Fase 2"), course.phase2_start))
        if course.phase3_start:
            starts.append((_("Fase 3"), course.phase3_start))
    after_last = last_day + dt.timedelta(days=1)
    periods = []
    for index, (label, start) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else after_last
        periods.append((label, start, min(end, after_last)))
    return [p for p in periods if p[1] < p[2]]


def by_phase(course, contacts, today) -> list[PhaseIntensity]:
    """The intensity of each period of ``course`` up to its end (or ``today``)."""
    if course is None:
        return []
    last_day = min(course.end_date or today, today)
    pauses = course.schedule_pauses()
    rows = []
    for label, start, after in _periods(course, last_day):
        # Pauses belong to the course, not to the contact period before it.
        in_course = course.start_date is not None and start >= course.start_date
        paused = schedule.paused_days(pauses, after) - schedule.paused_days(pauses, start) if in_course else 0
        inside = [c for c in contacts if start <= c.date < after]
        reached = [c for c in inside if c.reached]
        rows.append(PhaseIntensity(
            label=str(label), start=start, end=after - dt.timedelta(days=1), active_days=(after - start).days - paused,
            contacts=len(reached), physical=sum(1 for c in reached if c.is_physical),
            minutes=sum(c.minutes or 0 for c in inside), attempts=len(inside) - len(reached),
            third_party=sum(1 for c in inside if c.third_party), outside_hours=sum(1 for c in inside if c.outside_hours),
        ))
    return rows

"""Course calendar arithmetic: phases, active months, pauses and the measurement schedule.

Pure functions on dates (no ORM), so every rule is tested with fixed dates
(cti-method.md §1.5, §1.11, §3.4; instruments.md §2.8):

- months are calendar months from the start date; a day that does not exist in the
  target month falls on its last day (31 January + 1 month = 28/29 February);
- a pause moves everything after it by its length: the phases, the due dates and the
  planned end; it does not count towards the active months;
- a star and an ongoing form are due every ``interval`` months from the start date,
  each in a window of ``window_days`` before and after; the due dates stay tied to the
  start date when one measurement is late.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

DAYS_PER_MONTH = 365.2425 / 12


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Pause:
    start: dt.date
    end: dt.date | None  # None: still paused

    def days_before(self, day: dt.date) -> int:
        """Paused days strictly before ``day`` (a pause ending on day X resumes on X)."""
        if day <= self.start:
            return 0
        end = min(self.end or day, day)
        return max(0, (end - self.start).days)


@dataclass(frozen=True)
class Plan:
    """The settings a course runs by (municipality settings, copied at the start)."""

    phase_months: tuple[int, int, int] = (4, 4, 4)
    interval_months: int = 2
    window_days: int = 14

    @property
    def course_months(self) -> int:
        return sum(self.phase_months)


def paused_days(pauses, day: dt.date) -> int:
    return sum(p.days_before(day) for p in pauses)


def shifted(start: dt.date, months: int, pauses) -> dt.date:
    """The date ``months`` active months after ``start``, moved by the pauses before it.

    Pauses are applied in order: a pause that starts before the (already shifted) date
    moves it by the pause's length.
    """
    day = add_months(start, months)
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.start < day:
            if pause.end is None:
                return None  # an open pause: the date is not known yet
            day += dt.timedelta(days=(pause.end - pause.start).days)
    return day


def active_days(start: dt.date, day: dt.date, pauses) -> int:
    if day < start:
        return 0
    return (day - start).days - paused_days(pauses, day)


def whole_active_months(start: dt.date, day: dt.date, pauses) -> int:
    """Whole months the course has run at ``day``, pauses left out (the forms' `months`)."""
    effective = day - dt.timedelta(days=paused_days(pauses, day))
    if effective < start:
        return 0
    months = (effective.year - start.year) * 12 + effective.month - start.month
    if add_months(start, months) > effective:
        months -= 1
    return months


def planned_phase_starts(start: dt.date, plan: Plan, pauses) -> tuple[dt.date | None, dt.date | None]:
    p1, p2, _p3 = plan.phase_months
    return shifted(start, p1, pauses), shifted(start, p1 + p2, pauses)


def planned_end(start: dt.date, plan: Plan, pauses) -> dt.date | None:
    return shifted(start, plan.course_months, pauses)


def expected_time_point(months: int, plan: Plan, *, ending=False) -> int:
    """The star's `time_point` code expected after ``months`` active months (§2.8).

    1 start, 2 in phase 1, 3 transition 1–2, 4 in phase 2, 5 transition 2–3, 6 in
    phase 3, 7 end. With 4+4+4 months that is 1, 2, 3, 4, 5, 6, 7 at months 0, 2, …, 12.
    """
    if ending:
        return 7
    p1, p2, p3 = plan.phase_months
    if months <= 0:
        return 1
    if months >= p1 + p2 + p3:
        return 7
    boundaries = [(p1, 3), (p1 + p2, 5)]
    for boundary, code in boundaries:
        if months == boundary:
            return code
    if months < p1:
        return 2
    if months < p1 + p2:
        return 4
    return 6


def expected_phase_code(months: int, plan: Plan) -> int:
    """The ongoing form's `phase` code: 1 phase 1, 2 transition 1–2, 3 phase 2, 4 transition 2–3, 5 phase 3."""
    code = expected_time_point(months, plan)
    return {1: 1, 2: 1, 3: 2, 4: 3, 5: 4, 6: 5, 7: 5}[code]


@dataclass(frozen=True)
class Occasion:
    """One due measurement: what, when, and (once matched) the record that answers it."""

    kind: str  # "start", "ongoing" or "end"
    number: int  # 0 at the start, k for month k × interval
    instruments: tuple[str, ...]
    due: dt.date
    window_start: dt.date
    window_end: dt.date
    done: dict = field(default_factory=dict, compare=False)  # instrument -> record key

    def state(self, today: dt.date, instrument: str) -> tuple[str, int]:
        """("done"|"upcoming"|"window"|"overdue", days): days until due, or overdue by."""
        if instrument in self.done:
            return "done", 0
        if today < self.window_start:
            return "upcoming", (self.due - today).days
        if today <= self.window_end:
            return "window", (self.due - today).days
        return "overdue", (today - self.due).days


def occasions(start: dt.date, plan: Plan, pauses, *, end: dt.date | None = None) -> list[Occasion]:
    """Every due measurement of a course, in date order.

    At the start: registration, cti_start and the first star. Then every interval: a star
    and a cti_ongoing form, up to (not including) the planned end. At the end (the real
    end if the course has ended, else the planned end): the last star and cti_end.
    """
    window = dt.timedelta(days=plan.window_days)
    out = [Occasion("start", 0, ("registration", "cti_start", "star"), start, start - window, start + window)]
    planned = planned_end(start, plan, pauses)
    stop = end or planned
    k = 1
    while True:
        due = shifted(start, k * plan.interval_months, pauses)
        if due is None or k * plan.interval_months >= plan.course_months:
            break
        if stop is not None and due > stop:
            break
        out.append(Occasion("ongoing", k, ("star", "cti_ongoing"), due, due - window, due + window))
        k += 1
    if stop is not None:
        out.append(Occasion("end", k, ("star", "cti_end"), stop, stop - window, stop + window))
    return out


def match(occasions_, records):
    """Assign records to occasions: each record to the occasion of its instrument whose
    due date is nearest its date (ties to the earlier), at most one record per occasion
    and instrument. ``records``: iterable of (key, instrument, date). Returns the
    occasions with ``done`` filled in; records that fit nowhere are left out."""
    for record_key, instrument, day in sorted(records, key=lambda r: (r[2], str(r[0]))):
        candidates = [o for o in occasions_ if instrument in o.instruments and instrument not in o.done]
        if not candidates:
            continue
        best = min(candidates, key=lambda o: (abs((o.due - day).days), o.due))
        best.done[instrument] = record_key
    return occasions_


def next_due(occasions_, today: dt.date):
    """The most urgent open (occasion, instrument, state, days), or None."""
    open_items = []
    for occasion in occasions_:
        for instrument in occasion.instruments:
            state, days = occasion.state(today, instrument)
            if state != "done":
                open_items.append((occasion.due, occasion, instrument, state, days))
    if not open_items:
        return None
    due, occasion, instrument, state, days = min(open_items, key=lambda x: (x[0], x[2]))
    return occasion, instrument, state, days

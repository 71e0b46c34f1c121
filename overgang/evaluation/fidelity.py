"""Live fidelity to the CTI method, from the worker's daily registrations.

Pure functions: ``fidelity_queries.Rows`` and a day in, plain dicts out — per worker and
for the team (every course shown). The measures (cti-method.md §1.6–§1.10, §2, §3.6):

- **caseload**: running courses (and open contact periods) against the municipality's
  cap per full-time worker (``CourseSettings.caseload_cap``, 10 by default) times the
  worker's working time (``Membership.working_time``, a share of full time), rounded
  down to whole courses (``caseload_cap``): a course cannot be split, and the method's
  10 is a maximum, so a worker on 0.75 of full time may hold 7, not 8. The team's cap
  is the sum of cap × working time over its workers, rounded down once;
- **contact intensity per phase**, from the contact log: contacts per week in each phase
  the course has been in for at least ``MIN_PHASE_DAYS`` active days (pauses left out),
  and the share of those courses with physical contact at least weekly (Figure 7.1's
  measure, from the log instead of the form). Each kind of contact counts as
  ``CONTACT_KINDS`` says: physical, remote or another contact, and an attempt that did
  not reach the citizen is not a contact;
- **plans made with the citizen**: courses with an activity plan (a focus area) whose
  every focus area was made with the citizen;
- **plans evaluated in phase 2**: courses with a plan that are at least halfway through
  phase 2 (where SFI measured it) and have a plan evaluation dated in phase 2;
- **network meetings and handover talks held**: courses that have reached phase 3, with
  at least one of each;
- **handover started in time**: courses whose planned end is less than
  ``HANDOVER_MONTHS`` months away (or that ended after that point) whose first network
  meeting or handover talk was held by then;
- **measurements on time**, per instrument: the due measurements whose window has closed,
  and the share answered by a completed record dated within the window;
- **missing start and end forms**: started courses whose start window has closed without
  a completed ``cti_start``; ended courses without a completed ``cti_end``.

Phase dates are the ones the worker recorded, else the planned ones (pauses included).
"Needs attention" lists, per worker, the courses where something can still be done.
Nothing here reads free text or an answer; the unit of every share is a course.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from overgang.courses import schedule
from overgang.evaluation import stats

#: Each contact-log kind (``Contact.Form``) as the intensity measures count it:
#: ``physical`` (met in person), ``remote`` (phone, text, mail), ``other`` (a contact of
#: another kind) or ``attempt`` (an outreach attempt that did not reach the citizen: not
#: a contact). A test fails when a kind is added to the log without a line here.
CONTACT_KINDS = {
    "meeting": "physical",
    "accompaniment": "physical",
    "phone": "remote",
    "sms": "remote",
    "mail": "remote",
    "other": "other",
    "outreach_attempt": "attempt",
}
#: A phase enters the intensity measures after this many active days in it.
MIN_PHASE_DAYS = 14
#: The handover should begin at least this many months before the planned end
#: (cti-method.md §1.10: "2–3 months before the end").
HANDOVER_MONTHS = 2
PHASES = ("phase1", "phase2", "phase3")
INSTRUMENTS = ("registration", "cti_start", "star", "cti_ongoing", "cti_end")
ATTENTION = ("over_cap", "missing_start", "missing_end", "overdue", "handover_late", "evaluation_missing",
             "plan_missing", "plan_without_citizen", "phase1_low_contact")


def caseload_cap(shares) -> int:
    """The cap of a worker or a team: ``shares`` are (municipality's cap per full-time
    worker, working time) pairs, one per worker role; the sum, rounded down."""
    return math.floor(sum((Decimal(cap) * Decimal(time) for cap, time in shares), Decimal(0)))


def share(count, n) -> dict:
    """A share as the JSON's dict, through the one statistics API (``stats.share``)."""
    return stats.share(count, n).to_dict()


@dataclass
class Course:
    pk: int
    worker: int | None
    municipality: int
    status: str
    start: dt.date | None
    end: dt.date | None
    phase2: dt.date | None
    phase3: dt.date | None
    plan: schedule.Plan
    pauses: list = field(default_factory=list)
    contacts: list = field(default_factory=list)  # (date, kind class)
    focus: list = field(default_factory=list)  # citizen_took_part per focus area
    evaluations: list = field(default_factory=list)  # dates
    meetings: list = field(default_factory=list)  # (kind, date)
    records: list = field(default_factory=list)  # (pk, instrument, date)

    @property
    def started(self):
        return self.start is not None and self.status in ("active", "ended")


def _courses(rows) -> dict:
    out = {}
    for pk, worker, municipality, status, start, end, p2, p3, months, interval, window in rows.courses:
        out[pk] = Course(pk, worker, municipality, status, start, end if status == "ended" else None, p2, p3,
                         schedule.Plan(phase_months=months, interval_months=interval, window_days=window))
    for course, start, end in rows.pauses:
        if course in out:
            out[course].pauses.append(schedule.Pause(start, end))
    for course, day, form in rows.contacts:
        if course in out:
            out[course].contacts.append((day, CONTACT_KINDS.get(form, "other")))
    for course, _phase, took_part in rows.focus_areas:
        if course in out:
            out[course].focus.append(took_part)
    for course, kind, day in rows.plan_events:
        if course in out and kind == "evaluation":
            out[course].evaluations.append(day)
    for course, kind, day in rows.meetings:
        if course in out:
            out[course].meetings.append((kind, day))
    for course, pk, instrument, day in rows.records:
        if course in out:
            out[course].records.append((pk, instrument, day))
    return out


# ---------------------------------------------------------------------------- one course


def _phase_starts(course):
    """(phase 2 start, phase 3 start): recorded, else planned (None while unknown)."""
    planned2, planned3 = schedule.planned_phase_starts(course.start, course.plan, course.pauses)
    return course.phase2 or planned2, course.phase3 or planned3


def _active_days(course, begin, stop):
    """Days in [begin, stop) that the course was not paused."""
    if stop <= begin:
        return 0
    paused = sum(max(0, (min(p.end or stop, stop) - max(p.start, begin)).days) for p in course.pauses)
    return (stop - begin).days - paused


def course_measures(course, today) -> dict:
    """Everything the view knows of one started course on ``today``."""
    last = min(today, course.end) if course.end else today
    stop = last + dt.timedelta(days=1)  # intervals are [begin, stop)
    p2, p3 = _phase_starts(course)
    bounds = {"phase1": (course.start, p2), "phase2": (p2, p3), "phase3": (p3, None)}
    intensity = {}
    for phase, (begin, end) in bounds.items():
        if begin is None or begin >= stop:
            continue
        until = min(end, stop) if end else stop
        days = _active_days(course, begin, until)
        if days < MIN_PHASE_DAYS:
            continue
        kinds = [kind for day, kind in course.contacts if begin <= day < until]
        contacts = sum(1 for k in kinds if k != "attempt")
        physical = sum(1 for k in kinds if k == "physical")
        intensity[phase] = {"per_week": 7 * contacts / days, "physical_per_week": 7 * physical / days,
                            "weekly_physical": 7 * physical >= days}
    out = {"intensity": intensity, "current_phase": next(
        (p for p, (begin, end) in reversed(bounds.items()) if begin is not None and begin <= last), "phase1")}
    out["has_plan"] = bool(course.focus)
    out["plan_with_citizen"] = bool(course.focus) and all(course.focus)
    # Plan evaluated in phase 2: measured once the course is halfway through phase 2.
    out["evaluation_due"] = out["evaluated"] = False
    if p2 is not None and p3 is not None and out["has_plan"]:
        halfway = p2 + (p3 - p2) / 2
        if halfway <= last:
            out["evaluation_due"] = True
            out["evaluated"] = any(p2 <= day < p3 for day in course.evaluations)
    # Phase 3 reached: network meetings and handover talks.
    out["in_phase3"] = p3 is not None and p3 <= last
    out["network_meeting"] = any(kind == "network" for kind, _d in course.meetings)
    out["handover_talk"] = any(kind == "handover" for kind, _d in course.meetings)
    # Handover started in time.
    planned_end = schedule.planned_end(course.start, course.plan, course.pauses)
    deadline = schedule.add_months(planned_end, -HANDOVER_MONTHS) if planned_end else None
    first = min((day for _k, day in course.meetings), default=None)
    out["handover_due"] = deadline is not None and deadline <= last
    out["handover_in_time"] = out["handover_due"] and first is not None and first <= deadline
    # Measurements: occasions whose window has closed.
    occasions = schedule.occasions(course.start, course.plan, course.pauses, end=course.end)
    schedule.match(occasions, course.records)
    dates = {pk: day for pk, _i, day in course.records}
    on_time = {i: [0, 0] for i in INSTRUMENTS}  # [on time, due]
    overdue = 0
    for occasion in occasions:
        if occasion.window_end >= today:
            continue
        for instrument in occasion.instruments:
            done = occasion.done.get(instrument)
            tally = on_time.setdefault(instrument, [0, 0])
            tally[1] += 1
            if done is not None and occasion.window_start <= dates[done] <= occasion.window_end:
                tally[0] += 1
            if done is None:
                overdue += 1
    out["on_time"] = on_time
    out["overdue"] = overdue if course.status == "active" else 0
    instruments = {i for _pk, i, _d in course.records}
    start_window_closed = course.start + dt.timedelta(days=course.plan.window_days) < today
    out["start_form_due"] = start_window_closed
    out["missing_start"] = start_window_closed and "cti_start" not in instruments
    out["missing_end"] = course.status == "ended" and "cti_end" not in instruments
    # Attention (running courses only: what can still be done).
    active = course.status == "active"
    low = intensity.get("phase1")
    out["attention"] = {
        "missing_start": out["missing_start"],
        "missing_end": out["missing_end"],
        "overdue": bool(out["overdue"]),
        "handover_late": active and out["handover_due"] and first is None,
        "evaluation_missing": active and out["evaluation_due"] and not out["evaluated"] and not out["in_phase3"],
        "plan_missing": active and out["current_phase"] != "phase1" and not out["has_plan"],
        "plan_without_citizen": active and out["has_plan"] and not out["plan_with_citizen"],
        "phase1_low_contact": active and out["current_phase"] == "phase1" and low is not None
        and not low["weekly_physical"],
    }
    return out


# ---------------------------------------------------------------------------- a group of courses


def summarise(courses, measures, *, cap=None, working_time=None) -> dict:
    """The measures of a group of courses (one worker's, or the team's)."""
    started = [c for c in courses if c.started]
    m = [measures[c.pk] for c in started]
    intensity = {}
    for phase in PHASES:
        values = [x["intensity"][phase] for x in m if phase in x["intensity"]]
        n = len(values)
        intensity[phase] = {
            "n": n,
            "per_week": stats.mean_of([v["per_week"] for v in values]).mean,
            "physical_per_week": stats.mean_of([v["physical_per_week"] for v in values]).mean,
            "weekly_physical": share(sum(1 for v in values if v["weekly_physical"]), n),
        }
    with_plan = [x for x in m if x["has_plan"]]
    due = [x for x in m if x["evaluation_due"]]
    phase3 = [x for x in m if x["in_phase3"]]
    handover = [x for x in m if x["handover_due"]]
    on_time = {}
    for instrument in INSTRUMENTS:
        hits = sum(x["on_time"][instrument][0] for x in m)
        total = sum(x["on_time"][instrument][1] for x in m)
        on_time[instrument] = share(hits, total)
    on_time["all"] = share(sum(v["count"] for v in on_time.values()), sum(v["n"] for v in on_time.values()))
    active = sum(1 for c in courses if c.status == "active")
    return {
        "caseload": {"active": active, "contact": sum(1 for c in courses if c.status == "contact"),
                     "cap": cap, "working_time": working_time, "over_cap": cap is not None and active > cap},
        "intensity": intensity,
        "plan_with_citizen": share(sum(1 for x in with_plan if x["plan_with_citizen"]), len(with_plan)),
        "evaluated_phase2": share(sum(1 for x in due if x["evaluated"]), len(due)),
        "network_meeting": share(sum(1 for x in phase3 if x["network_meeting"]), len(phase3)),
        "handover_talk": share(sum(1 for x in phase3 if x["handover_talk"]), len(phase3)),
        "handover_in_time": share(sum(1 for x in handover if x["handover_in_time"]), len(handover)),
        "on_time": on_time,
        "missing_start": share(sum(1 for x in m if x["missing_start"]), sum(1 for x in m if x["start_form_due"])),
        "missing_end": share(sum(1 for x in m if x["missing_end"]), sum(1 for c in started if c.status == "ended")),
        "attention": {key: sum(1 for x in m if x["attention"][key]) for key in ATTENTION[1:]},
        "courses": len(started),
    }


def compute(rows, today) -> dict:
    """Per worker (every worker of the municipalities, also one without courses, and the
    courses without a responsible worker as one group) and for the team."""
    courses = _courses(rows)
    measures = {c.pk: course_measures(c, today) for c in courses.values() if c.started}
    by_worker = defaultdict(list)
    for course in courses.values():
        by_worker[course.worker].append(course)
    caps = rows.caps
    workers = {}
    shares = defaultdict(list)  # worker -> [(cap, working time)], one per municipality
    for user, municipality, username, first, last, code, working_time in rows.workers:
        entry = workers.setdefault(user, {"id": user, "username": username, "name": f"{first} {last}".strip(),
                                          "code": str(code), "municipalities": []})
        entry["municipalities"].append(municipality)
        shares[user].append((caps[municipality], working_time))
    out = []
    for user, entry in workers.items():
        # A worker in two of the municipalities shown: the courses of both against the
        # sum of both caps (each for the working time there).
        summary = summarise(by_worker.get(user, []), measures, cap=caseload_cap(shares[user]),
                            working_time=sum((t for _c, t in shares[user]), Decimal(0)))
        out.append({**entry, **summary})
    if by_worker.get(None):
        out.append({"id": None, "username": "", "name": "", "code": "", "municipalities": [],
                    **summarise(by_worker[None], measures)})
    everyone = [pair for pairs in shares.values() for pair in pairs]
    team = summarise(list(courses.values()), measures, cap=caseload_cap(everyone),
                     working_time=sum((t for _c, t in everyone), Decimal(0)))
    return {"today": today, "workers": out, "team": team, "workers_count": len(workers),
            "municipalities": sorted(rows.municipalities.values())}

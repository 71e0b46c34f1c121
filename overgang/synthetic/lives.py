"""Generated citizens and their courses as plain data: who, when, and what was registered.

No ORM here: ``plan`` decides the municipalities and their staff, ``citizens`` yields one
``Citizen`` at a time (with its course, contacts, plan, network and records), and the
sinks write them — ``database.py`` straight into an installation, ``package.py`` as an
interchange package. Everything follows from ``Options.seed`` and ``Options.today``:
each citizen draws from its own random stream (seeded from the master stream), so the
same options give the same people, dates and answers.

A course lives by the method (cti-method.md §1, product.md "The life of a course"): a
contact period of a few weeks that becomes a course or is closed as not started (with
the `not_started` form); a start with the registration, the CTI start form and the
first star; a star and an ongoing form every interval, filled in within the window or
late or not at all; phases moved a little after their planned date; pauses that move the
calendar; an end at the planned time or early (a quarter of the courses), always with the
end form. Around it: contacts (close in phase 1, sparser later, now and then a silence of
weeks), an activity plan per phase with its evaluations, the support network, network
meetings and handover talks in phase 3, the long-term plan. The star and WHO-5 improve
over a course by a person's own rate, selling sex becomes rarer, and the same debts and
children come back from form to form.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from dataclasses import dataclass, field
from functools import lru_cache

from overgang.courses import schedule
from overgang.instruments import codebook, engine, registry

from . import answers as draw
from .names import (
    ACTIVITIES,
    CONTACT_NOTES,
    FIRST_NAMES,
    GOALS,
    IDENTITY_NOTES,
    LAST_NAMES,
    MUNICIPALITY_NAMES,
    NETWORK_NAMES,
    PLAN_NOTES,
    PSEUDONYM_WORDS,
    TAKES_OVER,
)

# Focus area → the actor an activity usually involves (courses.models.FOCUS_AREAS, ACTORS).
AREA_ACTORS = {
    "economy": ("caseworker", "jobcenter", "other"), "housing": ("housing", "caseworker"),
    "network": ("private", "ngo"), "daily": ("ngo", "other"), "physical": ("doctor",),
    "mental": ("psychologist", "doctor"), "substance": ("treatment", "doctor"), "work": ("jobcenter", "education"),
}
CONTACT_FORMS = (("meeting", 55), ("phone", 25), ("sms", 12), ("mail", 5), ("other", 3))
# Mean days between contacts: contact period, phase 1, 2, 3 (close at first, then sparser).
CONTACT_GAP = {0: 6, 1: 7, 2: 10, 3: 14}
EARLIEST = dt.date(2001, 1, 1)


@lru_cache(maxsize=64)
def _cumulative(weights):
    return tuple(itertools.accumulate(weights))


def _pick(rng, values, weights):
    """``rng.choices(values, weights)[0]`` (the same draw), without summing the weights each time."""
    return rng.choices(values, cum_weights=_cumulative(weights))[0]


@dataclass(frozen=True)
class Template:
    """A course template (``overgang.programmes``) as the generator uses it: its name, its
    calendar and goal codes, and how often it is drawn (``Options.templates``)."""

    name: str
    plan: schedule.Plan
    goals: tuple
    weight: float = 1.0


def template(name="exit_prostitution", weight=1.0) -> Template:
    """The repository's course template ``name`` (programmes/definitions), calendar and
    all. Its goals are those the instruments' `goal` list has (until the instruments
    carry a template's own goal codes, the codebook's)."""
    from overgang.programmes import registry as programmes

    found = programmes.get_template(name)
    calendar = found.calendar
    codes = set(registry.get_instrument("star").item("goal").choices.codes)
    goals = tuple(code for code in found.goals if code in codes) or tuple(sorted(codes))
    plan = schedule.Plan(phase_months=tuple(calendar.phase_months), interval_months=calendar.interval_months,
                         window_days=calendar.window_days)
    return Template(name, plan, goals, weight)


@dataclass(frozen=True)
class Options:
    courses: int
    seed: int = 1
    today: dt.date = field(default_factory=dt.date.today)
    # Names, or how many municipalities to make (None: one per 1,000 courses, at most 98).
    municipalities: tuple | int | None = None
    years: float = 10.0  # first contacts spread over this many years before today
    caseload: int = 10  # open courses per worker
    templates: tuple = field(default_factory=lambda: (template(),))  # lives.template(name, weight), …
    profile: draw.Profile = draw.APPLICATION
    # Existing workers (usernames) per municipality name, used instead of new ones (the demo).
    workers: dict | None = None
    not_started_rate: float = 0.08
    early_end_rate: float = 0.22
    pause_rate: float = 0.15

    def municipality_names(self) -> tuple:
        if isinstance(self.municipalities, (tuple, list)):
            return tuple(self.municipalities)
        count = self.municipalities or max(1, min(len(MUNICIPALITY_NAMES), self.courses // 1000))
        return tuple(_municipality_name(i) for i in range(count))


def _municipality_name(i):
    base = MUNICIPALITY_NAMES[i % len(MUNICIPALITY_NAMES)]
    return f"{base} Kommune" if i < len(MUNICIPALITY_NAMES) else f"{base} {i // len(MUNICIPALITY_NAMES) + 1} Kommune"


# ---------------------------------------------------------------------------- plain data


@dataclass(slots=True)
class Record:
    instrument: str
    filled_on: dt.date
    answers: dict
    label: str  # unique within the citizen: "reg", "start", "star01", "ong02", "end", "ns"
    respondent: str = ""
    status: str = "completed"
    incomplete: bool = False


@dataclass(slots=True)
class Activity:
    what: str
    actor: str
    due: dt.date
    status: str


@dataclass(slots=True)
class FocusArea:
    phase: int
    area: str
    goal: str
    took_part: bool
    created: dt.date
    activities: list


@dataclass(slots=True)
class Course:
    template: Template
    status: str  # contact | active | ended | not_started
    first_contact_on: dt.date
    contact_route: int
    third_party: bool
    start_date: dt.date | None = None
    phase2_start: dt.date | None = None
    phase3_start: dt.date | None = None
    end_date: dt.date | None = None
    pauses: list = field(default_factory=list)  # (start, end or None, reason)
    contacts: list = field(default_factory=list)  # (date, form, minutes, note)
    focus_areas: list = field(default_factory=list)
    plan_events: list = field(default_factory=list)  # (kind, date, took_part, note)
    network: list = field(default_factory=list)  # (role, name, contact, takes_over)
    meetings: list = field(default_factory=list)  # (kind, date, note)
    long_term_plan: str = ""
    records: list = field(default_factory=list)

    @property
    def is_open(self):
        return self.status in ("contact", "active")

    def schedule_pauses(self):
        return [schedule.Pause(start, end) for start, end, _reason in self.pauses]


@dataclass(slots=True)
class Citizen:
    index: int  # 1-based, in generation order
    municipality: str
    pseudonym: str
    created_on: dt.date
    identity_note: str
    course: Course
    worker: str = ""  # username, assigned by ``citizens`` (caseloads balanced)
    handover: tuple | None = None  # (from_username, date, note): the citizen changed worker once


@dataclass(frozen=True)
class Staff:
    username: str
    first_name: str
    last_name: str
    municipality: str
    role: str  # worker | leader | admin | evaluator


@dataclass(frozen=True)
class World:
    options: Options
    municipalities: tuple
    staff: tuple  # Staff
    seeds: tuple  # (citizen seed, municipality) per citizen, in order
    workers: dict  # municipality → worker usernames


# ---------------------------------------------------------------------------- the plan


def plan(options: Options) -> World:
    """Municipalities, staff and each citizen's seed. The number of workers per
    municipality follows from the open courses there (a caseload of ``options.caseload``),
    counted from each citizen's dates before anything else is drawn."""
    master = random.Random(options.seed)
    names = options.municipality_names()
    weights = [1 / math.sqrt(i + 1) for i in range(len(names))]  # a few large, many small
    seeds = tuple((master.getrandbits(64), names[master.choices(range(len(names)), weights)[0]])
                  for _ in range(options.courses))
    open_courses = dict.fromkeys(names, 0)
    for seed, municipality in seeds:
        open_courses[municipality] += _frame(random.Random(seed), options).is_open
    staff, workers = [], {}
    people = random.Random(options.seed + 1)
    given = options.workers or {}
    for number, name in enumerate(names, 1):
        slug = f"k{number:02d}"
        if name in given:
            workers[name] = list(given[name])
        else:
            count = max(1, math.ceil(open_courses[name] / options.caseload))
            workers[name] = [f"{slug}-cti-{k:03d}" for k in range(1, count + 1)]
            staff += [Staff(u, *_person(people), name, "worker") for u in workers[name]]
            staff.append(Staff(f"{slug}-leder", *_person(people), name, "leader"))
            staff.append(Staff(f"{slug}-admin", *_person(people), name, "admin"))
    if not given:
        staff += [Staff("evaluator", "Eva", "Evaluator", name, "evaluator") for name in names]
    return World(options, names, tuple(staff), seeds, workers)


def _person(rng):
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def citizens(world: World):
    """Every citizen of the world in order, each with its worker (open courses go to the
    worker with the fewest open courses; ended ones to any worker of the municipality)."""
    options = world.options
    load = {name: dict.fromkeys(workers, 0) for name, workers in world.workers.items()}
    instruments = registry.all_instruments()
    for index, (seed, municipality) in enumerate(world.seeds, 1):
        rng = random.Random(seed)
        course = _frame(rng, options)
        citizen = _life(rng, options, instruments, index, municipality, course)
        caseload = load[municipality]
        if course.is_open:
            citizen.worker = min(caseload, key=lambda u: (caseload[u], u))
            caseload[citizen.worker] += 1
        else:
            citizen.worker = rng.choice(world.workers[municipality])
        if len(caseload) > 1 and course.start_date and rng.random() < 0.04:
            before = rng.choice([u for u in caseload if u != citizen.worker])
            day = min(options.today, course.end_date or options.today, course.start_date + dt.timedelta(days=60))
            citizen.handover = (before, day, rng.choice(PLAN_NOTES))
        yield citizen


# ---------------------------------------------------------------------------- dates


def _frame(rng, options: Options) -> Course:
    """The course's dates and state (nothing else, so ``plan`` can count open courses)."""
    today = options.today
    template = rng.choices(options.templates, [t.weight for t in options.templates])[0]
    first = today - dt.timedelta(days=rng.randrange(0, max(1, int(options.years * 365.25))))
    first = max(first, EARLIEST)  # the forms' first-contact items begin in 2000
    route = _pick(rng, (1, 2, 3, 4, 5, 6, 7), (30, 15, 5, 15, 15, 15, 5))
    course = Course(template, "contact", first, route, rng.random() < (0.7 if route <= 3 else 0.25))
    contact_days = max(3, int(rng.gauss(24, 12)))
    if rng.random() < options.not_started_rate:
        closed = first + dt.timedelta(days=contact_days + rng.randint(0, 20))
        if closed <= today:
            course.status, course.end_date = "not_started", closed
        return course
    start = first + dt.timedelta(days=contact_days)
    if start > today:
        return course
    course.start_date, course.status = start, "active"
    plan_ = template.plan
    pauses = []
    if rng.random() < options.pause_rate:
        begin = start + dt.timedelta(days=rng.randint(30, 300))
        pauses.append((begin, begin + dt.timedelta(days=rng.randint(14, 90))))
    if rng.random() < options.early_end_rate:
        end = _after_active_days(start, int(rng.uniform(1.2, 11.5) * schedule.DAYS_PER_MONTH), pauses)
    else:
        end = schedule.planned_end(start, plan_, [schedule.Pause(*p) for p in pauses]) + dt.timedelta(
            days=rng.randint(-3, 21))
    pauses = [(b, e) for b, e in pauses if b < end]
    if end <= today:
        course.status, course.end_date = "ended", end
        course.pauses = [(b, min(e, end), "") for b, e in pauses]
    else:
        course.pauses = [(b, e if e <= today else None, "") for b, e in pauses if b <= today]
        last = max([start] + [e or today for _b, e in pauses if _b <= today])
        if not any(e is None for _b, e, _r in course.pauses) and rng.random() < 0.04 and (today - last).days > 30:
            course.pauses.append((today - dt.timedelta(days=rng.randint(1, min(40, (today - last).days - 1))), None, ""))
    _phases(rng, course, today)
    return course


def _after_active_days(start, days, pauses):
    day = start + dt.timedelta(days=days)
    for begin, end in sorted(pauses):
        if begin < day:
            day += end - begin
    return day


def _phases(rng, course, today):
    """Phase changes a few days after their planned date, never inside a pause or after
    the end or today; a course that ended early keeps the phases it reached."""
    p2, p3 = schedule.planned_phase_starts(course.start_date, course.template.plan, course.schedule_pauses())
    stop = course.end_date or today
    found = []
    for planned in (p2, p3):
        if planned is None:
            break
        day = planned + dt.timedelta(days=rng.randint(0, 10))
        for begin, end, _reason in course.pauses:
            if begin <= day and (end is None or day < end):
                day = end if end is not None else None
                break
        if day is None or day >= stop or (found and day <= found[-1]):
            break
        found.append(day)
    course.phase2_start = found[0] if found else None
    course.phase3_start = found[1] if len(found) > 1 else None


# ---------------------------------------------------------------------------- a life


@dataclass
class Person:
    """What stays the same about a citizen across forms, and how they change."""

    goal: int
    gender: int
    citizenship: int
    birth_date: dt.date
    first_paid: int
    levels: dict  # star dimension → level at the start
    gain: float  # star points per 12 active months
    who5: float  # WHO-5 index at the start
    who5_gain: float  # per 12 active months
    paid: float  # chance of having sold sex in the last month, at the start
    themes: dict = field(default_factory=dict)  # the CTI forms' answers, carried from form to form


@lru_cache(maxsize=None)
def _star_score(name):
    """The star's dimensions and WHO-5 items, as its codebook declares them (the instrument door)."""
    return codebook.current("star").score(name)


def _person_of(rng, first_contact, goals):
    age = max(18.2, min(62, rng.triangular(18, 58, 29)))
    return Person(
        goal=goals[0] if rng.random() < 0.55 or len(goals) == 1 else rng.choice(goals[1:]),
        gender=_pick(rng, (1, 2, 3), (85, 8, 7)),
        citizenship=1 if rng.random() < 0.75 else 2,
        birth_date=first_contact - dt.timedelta(days=int(age * 365.25)),
        first_paid=_pick(rng, (1, 2, 3, 4, 5, 6, 7, 8, 88), (4, 5, 8, 12, 16, 18, 14, 18, 5)),
        levels={name: rng.gauss(4.3, 1.3) for name in _star_score('star_mean').items},
        gain=rng.gauss(1.6, 1.3),
        who5=min(90, max(4, rng.gauss(38, 15))),
        who5_gain=rng.gauss(12, 12),
        paid=min(0.95, max(0.05, rng.gauss(0.6, 0.2))),
    )


def _life(rng, options, instruments, index, municipality, course):
    person = _person_of(rng, course.first_contact_on, course.template.goals)
    citizen = Citizen(index, municipality, f"{rng.choice(PSEUDONYM_WORDS)} {index}", course.first_contact_on,
                      rng.choice(IDENTITY_NOTES) if rng.random() < 0.25 else "", course)
    stop = min(options.today, course.end_date or options.today)
    _contacts(rng, course, stop, options.today)
    life = _Life(rng, options, instruments, course, person)
    if course.status == "not_started":
        life.not_started(course.end_date)
    elif course.start_date is None:
        if rng.random() < 0.3:
            life.registration(max(course.first_contact_on, options.today - dt.timedelta(days=rng.randint(0, 10))))
    else:
        life.registration(min(course.start_date + dt.timedelta(days=rng.randint(0, 6)), stop))
        _plan(rng, course, stop)
        life.measurements()
        _plan_events(rng, course)
        _network(rng, course, stop)
    return citizen


def _contacts(rng, course, stop, today):
    day = course.first_contact_on + dt.timedelta(days=rng.randint(0, 3))
    silence = stop
    if course.status == "active" and rng.random() < 0.07:
        silence = today - dt.timedelta(days=rng.randint(22, 50))  # no contact for weeks: a warning
    forms, weights = zip(*CONTACT_FORMS)
    while day <= min(stop, silence):
        paused = next(((b, e) for b, e, _r in course.pauses if b <= day and (e is None or day < e)), None)
        if paused:
            if paused[1] is None:
                break
            day = paused[1]
            continue
        form = _pick(rng, forms, weights)
        minutes = rng.choice((30, 45, 60, 60, 90, 120)) if form == "meeting" else (
            rng.choice((5, 10, 15, 20, 30)) if form in ("phone", "other") else None)
        note = rng.choice(CONTACT_NOTES) if rng.random() < 0.2 else ""
        course.contacts.append((day, form, minutes, note))
        phase = 0 if course.start_date is None or day < course.start_date else course_phase(course, day)
        day += dt.timedelta(days=max(1, round(rng.expovariate(1 / CONTACT_GAP[phase]))))


def course_phase(course, day):
    if course.phase3_start and day >= course.phase3_start:
        return 3
    if course.phase2_start and day >= course.phase2_start:
        return 2
    return 1


_TEMPLATED: dict = {}


def _as_template(name, instruments):
    """``instruments`` (name → built instrument) restricted to course template ``name``, once."""
    found = _TEMPLATED.get(name)
    if found is None or found[0] is not instruments:
        from overgang.programmes import registry as programmes

        template = programmes.get_template(name)
        found = _TEMPLATED[name] = (instruments, {n: template.restrict(i) for n, i in instruments.items()})
    return found[1]


class _Life:
    """The records of one course: drawn on the schedule, answered as this person would."""

    def __init__(self, rng, options, instruments, course, person):
        # The forms as a course of this template has them (a homelessness star asks nothing
        # about selling sex), as Record.definition reads them back.
        self.rng, self.options, self.instruments = rng, options, _as_template(course.template.name, instruments)
        self.course, self.person = course, person
        self.profile = options.profile
        self.today = options.today
        self.counts = {}

    def add(self, instrument, day, label, fixed, *, respondent=""):
        answers = draw.draw(self.instruments[instrument], day, self.rng, fixed, self.profile)
        if label in ("star", "ong"):
            self.counts[label] = self.counts.get(label, 0) + 1
            label = f"{label}{self.counts[label]:02d}"
        record = Record(instrument, day, answers, label, respondent)
        if self.profile.gap_rate:
            record.incomplete = bool(engine.missing_required(self.instruments[instrument], answers))
        self.course.records.append(record)
        return record

    def not_started(self, day):
        course, person, rng = self.course, self.person, self.rng
        contacts = [c[0] for c in course.contacts if c[0] <= day] or [course.first_contact_on]
        meetings = sum(1 for c in course.contacts if c[1] == "meeting" and c[0] <= day)
        self.add("not_started", day, "ns", {
            "gender": person.gender, "citizenship": person.citizenship,
            "first_contact": course.first_contact_on, "last_contact": max(contacts),
            "physical_meetings": meetings, "contact_route": course.contact_route,
            "age": int((day - person.birth_date).days // 365.25),
        })

    def registration(self, day):
        person, rng = self.person, self.rng
        if rng.random() < 0.96:
            self.add("registration", day, "reg", {
                "goal": person.goal, "gender": person.gender, "citizenship": person.citizenship,
                "birth_date": person.birth_date if rng.random() < 0.9 else None,
                "first_paid": person.first_paid,
                "last_paid": rng.randint(1, person.first_paid) if person.first_paid != 88 else None,
            })

    def themes(self):
        """The CTI forms' themes 2–9: mostly as last time (a few answers change)."""
        carried = {k: v for k, v in self.person.themes.items() if self.rng.random() < 0.75}
        if "debt" in carried and self.rng.random() < 0.15:
            carried["debt"] = 5  # debts settled over the course
        return carried

    def remember(self, record):
        names = theme_items()
        self.person.themes = {k: v for k, v in record.answers.items() if k in names}

    def measurements(self):
        """Stars and forms on the schedule: in the window, late, or missing."""
        course, rng, today = self.course, self.rng, self.today
        pauses = course.schedule_pauses()
        ended = course.status == "ended"
        occasions = schedule.occasions(course.start_date, course.template.plan, pauses,
                                       end=course.end_date if ended else None)
        stop = course.end_date if ended else today
        latest_star = None
        if rng.random() < 0.95:
            course_ = self.course
            day = min(course_.start_date + dt.timedelta(days=rng.randint(0, 6)), stop)
            before = [c for c in course_.contacts if c[0] <= day]
            self.remember(self.add("cti_start", day, "start", {
                "contact_route": course_.contact_route, "first_contact": course_.first_contact_on,
                "physical_meetings": sum(1 for c in before if c[1] == "meeting"),
                "third_party": (1 if rng.random() < 0.6 else 2) if course_.third_party else 5,
                **self.themes(),
            }))
        for occasion in occasions:
            if occasion.kind == "end" and not ended:
                continue
            for instrument in occasion.instruments:
                if occasion.kind == "start" and instrument != "star":
                    continue  # filled with the registration above
                if occasion.kind == "end":
                    day = course.end_date
                    if instrument == "star" and rng.random() < 0.12:
                        continue
                else:
                    if rng.random() < (0.05 if occasion.kind == "start" else 0.12):
                        continue  # a time point without its star or form
                    late = rng.random() < 0.08
                    offset = rng.randint(15, 45) if late else max(-10, min(12, round(rng.gauss(2, 5))))
                    day = max(course.start_date, occasion.due + dt.timedelta(days=offset))
                    day = _out_of_pause(day, course.pauses)
                    if day is None or day > stop:
                        continue
                record = self.star(day, occasion) if instrument == "star" else self.form(instrument, day, occasion)
                if instrument == "star":
                    latest_star = record
        if course.status == "active" and latest_star is not None and rng.random() < 0.06 and \
                (today - latest_star.filled_on).days < 20:
            latest_star.status = "draft"
            latest_star.answers = dict(list(latest_star.answers.items())[: max(3, len(latest_star.answers) // 3)])

    def months(self, day):
        return schedule.whole_active_months(self.course.start_date, day, self.course.schedule_pauses())

    def star(self, day, occasion):
        person, rng = self.person, self.rng
        months = self.months(day)
        ending = occasion.kind == "end"
        fixed = {"time_point": schedule.expected_time_point(months, self.course.template.plan, ending=ending)}
        dropped_out = ending and self.course.end_date and months < self.course.template.plan.course_months - 1
        possible = 1
        if rng.random() < 0.05 or (dropped_out and rng.random() < 0.3):
            possible = rng.choice((3, 4, 4)) if dropped_out else rng.choice((2, 3, 4))
        fixed["possible"] = possible
        if possible == 1:
            years = months / 12
            goals = self.course.template.goals
            fixed["goal"] = person.goal if rng.random() < 0.95 or len(goals) == 1 else rng.choice(
                [g for g in goals if g != person.goal])
            for name in _star_score("star_mean").items:
                level = person.levels[name] + person.gain * years + rng.gauss(0, 0.8)
                fixed[name] = max(1, min(10, round(level)))
            fixed.update(draw.who5_items(person.who5 + person.who5_gain * years + rng.gauss(0, 8), rng,
                                         _star_score("who5_index")))
            chance = person.paid * math.exp(-months / (6 if person.goal == 1 else 14))
            paid = rng.random() < chance
            fixed["paid_last_month"] = 1 if paid else 2
            if paid:
                fixed["paid_trend"] = 88 if fixed["time_point"] == 1 else _pick(rng, (1, 2, 3, 8), (45, 35, 12, 8))
            else:
                fixed["considered"] = 1 if rng.random() < 0.3 else 2
        respondent = "citizen" if rng.random() < 0.8 else "worker"
        return self.add("star", day, "star", fixed, respondent=respondent)

    def form(self, instrument, day, occasion):
        course, rng = self.course, self.rng
        months = self.months(day)
        plan_ = course.template.plan
        fixed = self.themes()
        if instrument == "cti_ongoing":
            has_plan = any(f.created <= day for f in course.focus_areas) or rng.random() < 0.8
            fixed.update({"phase": schedule.expected_phase_code(months, plan_), "months": months,
                          "plan_exists": 1 if has_plan else 5,
                          "meeting_frequency": _pick(rng, (1, 2, 3, 4, 5, 99), (3, 20, 40, 25, 10, 2))})
            if has_plan:
                fixed["plan_citizen_took_part"] = 1 if rng.random() < 0.88 else 5
            label = "ong"
        else:  # cti_end
            early = months < plan_.course_months - 1
            reasons = tuple(sorted(rng.sample((3, 4, 5, 6), rng.randint(1, 2)))) if early else (
                (2,) if rng.random() < 0.7 else (1, 2))
            if early and rng.random() < 0.03:
                reasons = (7,)
            fixed.update({"months": months, "end_reasons": reasons,
                          "longterm_plan": 1 if course.long_term_plan or rng.random() < 0.5 else 5})
            label = "end"
        record = self.add(instrument, day, label, fixed)
        self.remember(record)
        return record


@lru_cache(maxsize=1)
def theme_items() -> frozenset:
    """The items of themes 2–9, shared by the three CTI forms (from `income` on)."""
    start = registry.get_instrument("cti_start")
    first = start.item("income").position
    return frozenset(item.name for item in start.items if item.position >= first)


def _out_of_pause(day, pauses):
    for begin, end, _reason in pauses:
        if begin <= day and (end is None or day < end):
            return end
    return day


# ---------------------------------------------------------------------------- plan, network


def _plan(rng, course, stop):
    """Focus areas with their activities per phase reached, and the long-term plan."""
    starts = {1: course.start_date, 2: course.phase2_start, 3: course.phase3_start}
    if course.phase3_start and course.phase3_start <= stop and rng.random() < 0.7:
        course.long_term_plan = rng.choice(PLAN_NOTES)
    if rng.random() < 0.1:
        return  # no plan made (yet)
    kept = []
    for phase in (1, 2, 3):
        begin = starts[phase]
        if begin is None or begin > stop or (phase > 1 and rng.random() < 0.3):
            continue
        created = begin + dt.timedelta(days=rng.randint(2, 25))
        if created > stop:
            continue
        count = rng.randint(3, 5) if phase == 1 else rng.randint(2, 4)
        areas = (kept[: count - 1] + rng.sample(list(AREA_ACTORS), 8))
        areas = list(dict.fromkeys(areas))[:count]
        kept = areas
        for area in areas:
            activities = []
            for _ in range(rng.randint(1, 3)):
                due = created + dt.timedelta(days=rng.randint(10, 110))
                if due < stop:
                    status = _pick(rng, ("done", "dropped", "ongoing", "planned"), (55, 15, 10, 20))
                else:
                    status = _pick(rng, ("planned", "ongoing"), (65, 35))
                activities.append(Activity(rng.choice(ACTIVITIES[area]), rng.choice(AREA_ACTORS[area]), due, status))
            course.focus_areas.append(FocusArea(phase, area, rng.choice(GOALS[area]), rng.random() < 0.88, created,
                                                activities))


def _plan_events(rng, course):
    """The plan evaluated (now and then adjusted) when an ongoing form is filled in."""
    if not course.focus_areas:
        return
    made = min(f.created for f in course.focus_areas)
    for record in course.records:
        if record.instrument == "cti_ongoing" and record.filled_on >= made and rng.random() < 0.7:
            kind = "adjustment" if rng.random() < 0.3 else "evaluation"
            note = rng.choice(PLAN_NOTES) if rng.random() < 0.35 else ""
            course.plan_events.append((kind, record.filled_on, rng.random() < 0.85, note))


def _network(rng, course, stop):
    if rng.random() < 0.2:
        return
    in_phase3 = course.phase3_start is not None and course.phase3_start <= stop
    for _ in range(rng.randint(1, 4)):
        role = rng.choice(("ngo", "jobcenter", "psychologist", "doctor", "treatment", "housing", "caseworker",
                           "education", "private", "private", "other"))
        contact = f"tlf. {rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}" \
            if rng.random() < 0.5 else ""
        takes_over = rng.choice(TAKES_OVER) if in_phase3 and rng.random() < 0.6 else ""
        course.network.append((role, rng.choice(NETWORK_NAMES[role]), contact, takes_over))
    if in_phase3:
        first = course.phase3_start + dt.timedelta(days=rng.randint(10, 60))
        if first <= stop and rng.random() < 0.8:
            course.meetings.append(("network", first, rng.choice(PLAN_NOTES) if rng.random() < 0.4 else ""))
        talk = first + dt.timedelta(days=rng.randint(7, 40))
        if talk <= stop and rng.random() < 0.65:
            course.meetings.append(("handover", talk, ""))

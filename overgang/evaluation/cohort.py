"""From raw rows to the report's units: one course, its stars per point and its forms.

Pure functions (no ORM): ``build(raw, definitions)`` applies evaluation.md's rules once,
so that every measure reads the same de-duplicated data:

- a star counts only with ``possible`` = 1 (a star without ``possible`` is kept aside and
  flagged); its point is its ``time_point`` code, or the nearest even month of active
  days (pauses excluded) when the code is missing; per course × code the citizen's star
  beats the worker's, then the latest ``filled_on``, then the record created last;
- the start CTI record is the course's ``cti_start`` (latest ``filled_on``), else its
  first ``cti_ongoing`` with ``phase`` = 1; ongoing forms are de-duplicated to the latest
  per course × phase code; the end form is the latest ``cti_end``; the registration is the
  citizen's latest.

Answers stay interchange strings; ``code``/``codes``/``number`` parse one item. What an
item means — multiple choice or not, its missing codes, the WHO-5 index and the star's
mean over its dimensions — is the codebook's (``Meaning``), never restated here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from operator import methodcaller

from overgang.courses.schedule import Pause
from overgang.evaluation import stats, vocabulary
from overgang.instruments import codebook as codebook_module


# ---------------------------------------------------------------------------- answers


def code(answers, item):
    """A single-choice or integer answer as int, None when unanswered or unreadable."""
    value = answers.get(item)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return None


def number(answers, item):
    value = answers.get(item)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def codes(answers, item):
    """A multiple-choice answer as a tuple of ints; None when unanswered."""
    value = answers.get(item)
    if value is None:
        return None
    try:
        parsed = tuple(int(part) for part in str(value).split())
    except ValueError:
        return None
    return parsed or None


class Meaning:
    """What the report needs to know of the codebook (``instruments.codebook``): per item
    name whether it is multiple choice and its missing codes, and the star's scores."""

    def __init__(self, codebooks=None):
        self.codebooks = codebooks if codebooks is not None else codebook_module.repository()

    def multiple(self, item) -> bool:
        return self.codebooks.item(item).handler.multiple

    def missing(self, item) -> frozenset:
        return self.codebooks.item(item).missing_codes

    def valid(self, item, value) -> bool:
        """An answer that enters a denominator: given, and not only missing codes."""
        return not stats.is_missing(value, self.missing(item))

    def read(self, answers, item):
        """One item's answer as a code (int) or, for a multiple choice, a tuple of codes."""
        return codes(answers, item) if self.multiple(item) else code(answers, item)

    @cached_property
    def who5(self):
        return self.codebooks["star"].score("who5_index")

    @cached_property
    def star_mean(self):
        return self.codebooks["star"].score("star_mean")

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The star's dimensions: the items of its mean."""
        return self.star_mean.items

    def forms(self, rows=()) -> Forms:
        return Forms(rows, self)


class Forms(list):
    """A list of answer dicts that parses each item once, however many rows ask for it.

    ``column(item)`` counts the item's answers: codes for a single choice, code tuples
    for a multiple choice (``Meaning.multiple``), missing codes included (the
    statistics leave them out: ``stats.share_of_counts``)."""

    def __init__(self, items=(), meaning: Meaning | None = None):
        super().__init__(items)
        self.meaning = meaning or Meaning()
        self._columns = {}

    def column(self, item) -> Counter:
        """Counter of the item's answers. The raw strings are counted first, so each
        distinct text is parsed once."""
        found = self._columns.get(item)
        if found is None:
            found = Counter()
            read = self.meaning.read
            for raw, n in Counter(map(methodcaller("get", item), self)).items():
                if raw is None:
                    continue
                value = read({item: raw}, item)
                if value is not None:
                    found[value] += n
            self._columns[item] = found
        return found


# ---------------------------------------------------------------------------- units


class Star:
    """One star, parsed once: WHO-5 index, the dimensions, the prostitution items."""

    __slots__ = ("record", "course", "code", "citizen_led", "filled_on", "who5", "dims", "mean", "n_dims",
                 "dim_sum", "paid", "considered", "motives")

    def __init__(self, record, course, point_code, citizen_led, filled_on, answers, scores):
        self.record = record
        self.course = course
        self.code = point_code
        self.citizen_led = citizen_led
        self.filled_on = filled_on
        (who5, read_who5), (star_mean, read_dims) = scores
        self.who5 = who5.compute(read_who5(answers))
        self.dims = read_dims(answers)
        mean = star_mean.compute(self.dims)
        self.n_dims = mean.count
        self.dim_sum = mean.total
        self.mean = mean.as_float
        self.paid = code(answers, "paid_last_month")
        self.considered = code(answers, "considered") if self.paid == 2 else None
        self.motives = codes(answers, "paid_motives") if self.paid == 1 else None

    @property
    def exact_mean(self):
        """(sum, n) of the answered dimensions, for exact differences; None without any."""
        return (self.dim_sum, self.n_dims) if self.n_dims else None

    def sort_key(self):
        return (self.citizen_led, self.filled_on, self.record)


@dataclass
class CourseUnit:
    pk: int
    citizen: int
    status: str
    start: object
    end: object
    pauses: list = field(default_factory=list)
    months: int | None = None  # planned course length in months (Raw.course_months; build sets it)


@dataclass
class Cohort:
    meaning: Meaning = field(default_factory=Meaning)
    municipalities: dict = field(default_factory=dict)  # id -> name
    citizens: dict = field(default_factory=dict)  # id -> municipality id
    courses: dict = field(default_factory=dict)  # id -> CourseUnit
    stars: dict = field(default_factory=dict)  # code 1..7 -> {course: Star}
    start_forms: dict = field(default_factory=dict)  # course -> answers
    ongoing: dict = field(default_factory=dict)  # phase code 1..5 -> {course: answers}
    ongoing_all: list = field(default_factory=list)  # (course, answers) of every kept ongoing form
    end_forms: dict = field(default_factory=dict)  # course -> answers
    registrations: dict = field(default_factory=dict)  # citizen -> answers
    not_started: list = field(default_factory=list)  # answers
    flags: dict = field(default_factory=dict)

    def star_at(self, point_code) -> dict:
        return self.stars.get(point_code, {})

    def forms(self, rows=()) -> Forms:
        return self.meaning.forms(rows)

    def registration_of_course(self, course) -> dict:
        unit = self.courses.get(course)
        return self.registrations.get(unit.citizen, {}) if unit else {}


def default_course_months() -> int:
    """The default template's course length: every course from before templates is one."""
    from overgang.programmes import registry

    return registry.get_template(registry.DEFAULT).calendar.course_months


def _latest(current, candidate):
    """(filled_on, pk, answers): the later filled_on wins, then the later record."""
    return candidate if current is None or candidate[:2] > current[:2] else current


def _rows(raw, consume):
    """The records of ``raw``; with ``consume`` each row is let go once read, so that a
    star's answers are freed as soon as its ``Star`` is built (the caller owns ``raw``
    and will not read it again). Nothing depends on the order of the rows."""
    if not consume:
        yield from raw.records
        return
    rows, raw.records = raw.records, []
    pop = rows.pop
    while rows:
        yield pop()


def build(raw, definitions, *, consume=False) -> Cohort:
    """The cohort of ``raw`` (a ``reports.Raw``) under ``definitions``; ``consume``
    empties ``raw.records`` on the way (report_json.compute, to keep memory down)."""
    meaning = Meaning(getattr(raw, "codebooks", None))
    cohort = Cohort(meaning=meaning, municipalities=dict(raw.municipalities), citizens=dict(raw.citizens))
    scores = ((meaning.who5, meaning.who5.reader()), (meaning.star_mean, meaning.star_mean.reader()))
    planned = getattr(raw, "course_months", None) or {}
    default_months = default_course_months()
    for pk, citizen, status, start, end in raw.courses:
        if citizen in cohort.citizens:
            cohort.courses[pk] = CourseUnit(pk, citizen, status, start, end, months=planned.get(pk, default_months))
    for course, start, end in raw.pauses:
        if course in cohort.courses:
            cohort.courses[course].pauses.append(Pause(start, end))

    flags = {
        "stars_total": 0, "stars_without_time_point": 0, "stars_not_possible": 0, "stars_without_possible": 0,
        "stars_incomplete": 0, "stars_duplicates": 0, "start_form_duplicates": 0, "end_form_duplicates": 0,
        "registration_duplicates": 0, "start_from_ongoing": 0, "records_without_course": 0,
    }
    stars: dict = {}
    start_forms, end_forms, registrations, first_phase1, not_started = {}, {}, {}, {}, []
    ongoing: dict = {}
    start_counts, end_counts, registration_counts = {}, {}, {}
    courses = cohort.courses
    for pk, citizen, course, instrument, filled_on, respondent, answers in _rows(raw, consume):
        if instrument == "registration":
            if citizen in cohort.citizens:
                registrations[citizen] = _latest(registrations.get(citizen), (filled_on, pk, answers))
                registration_counts[citizen] = registration_counts.get(citizen, 0) + 1
            continue
        if instrument == "not_started":
            if citizen in cohort.citizens:
                not_started.append((filled_on, pk, answers))
            continue
        unit = courses.get(course)
        if unit is None:
            flags["records_without_course"] += 1
            continue
        if instrument == "star":
            flags["stars_total"] += 1
            possible = code(answers, "possible")
            if possible is None:
                flags["stars_without_possible"] += 1
                continue
            if possible != 1:
                flags["stars_not_possible"] += 1
                continue
            point = code(answers, "time_point")
            if point is None or not 1 <= point <= 7:
                flags["stars_without_time_point"] += 1
                days = (filled_on - unit.start).days - sum(p.days_before(filled_on) for p in unit.pauses)
                point = definitions.time_point_code(days)
            star = Star(pk, course, point, respondent == "citizen", filled_on, answers, scores)
            bucket = stars.setdefault(point, {})
            kept = bucket.get(course)
            if kept is not None:
                flags["stars_duplicates"] += 1
            if kept is None or star.sort_key() > kept.sort_key():
                bucket[course] = star
        elif instrument == "cti_start":
            start_forms[course] = _latest(start_forms.get(course), (filled_on, pk, answers))
            start_counts[course] = start_counts.get(course, 0) + 1
        elif instrument == "cti_end":
            end_forms[course] = _latest(end_forms.get(course), (filled_on, pk, answers))
            end_counts[course] = end_counts.get(course, 0) + 1
        elif instrument == "cti_ongoing":
            phase = code(answers, "phase")
            if phase is None:
                continue
            bucket = ongoing.setdefault(phase, {})
            bucket[course] = _latest(bucket.get(course), (filled_on, pk, answers))
            if phase == 1:
                current = first_phase1.get(course)
                if current is None or (filled_on, pk) < current[:2]:
                    first_phase1[course] = (filled_on, pk, answers)

    for bucket in stars.values():
        for star in bucket.values():
            if star.n_dims < definitions.star_min_dimensions:
                flags["stars_incomplete"] += 1
    cohort.stars = stars
    for course, value in first_phase1.items():
        if course not in start_forms:
            start_forms[course] = value
            flags["start_from_ongoing"] += 1

    def reveal(role, chosen: dict) -> dict:
        """The chosen records' answers, with the sealed ones the report reads in ``role``
        (vocabulary.sealed_needs) opened: only the records picked, only when needed."""
        needs = vocabulary.sealed_needs(role, meaning.codebooks)
        opened = raw.reveal([v[1] for v in chosen.values()], needs) if needs and getattr(raw, "reveal", None) else {}
        return {k: ({**v[2], **opened[v[1]]} if v[1] in opened else v[2]) for k, v in chosen.items()}

    cohort.start_forms = reveal("start", start_forms)
    cohort.end_forms = reveal("end", end_forms)
    cohort.registrations = {c: v[2] for c, v in registrations.items()}  # opened in reports.load
    cohort.ongoing = {phase: reveal("ongoing", bucket) for phase, bucket in ongoing.items()}
    cohort.not_started = list(reveal("not_started", dict(enumerate(not_started))).values())
    cohort.ongoing_all = [(c, a) for bucket in cohort.ongoing.values() for c, a in bucket.items()]
    flags["start_form_duplicates"] = sum(1 for n in start_counts.values() if n > 1)
    flags["end_form_duplicates"] = sum(1 for n in end_counts.values() if n > 1)
    flags["registration_duplicates"] = sum(1 for n in registration_counts.values() if n > 1)
    cohort.flags = flags
    return cohort


def point_stars(cohort: Cohort, definitions) -> dict:
    """The five report points → {course: Star}.

    ``end`` is the star coded 7 (``coded_end``); with ``last_observation`` an ended
    course without one takes its latest star after the start (any code ≥ 2), the
    sensitivity run of sfi-analyses.md §9.1."""
    out = {point: dict(cohort.star_at(point_code)) for point, point_code in definitions.point_codes.items()}
    if definitions.end_measure == "last_observation":
        end = out["end"]
        for course, unit in cohort.courses.items():
            if course in end or unit.status != "ended":
                continue
            later = [cohort.stars[c][course] for c in range(2, 7) if course in cohort.stars.get(c, {})]
            if later:
                end[course] = max(later, key=lambda s: (s.filled_on, s.record))
    return out

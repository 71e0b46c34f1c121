"""The report's queries: the platform's records as plain rows, in a few bulk queries.

This is the only module of the report that touches the ORM (style.md rule 13). ``load``
runs five ``values_list`` queries — municipalities, citizens, started courses, pauses,
completed records — with no per-object query, and hands back a ``Raw`` of tuples; the
computation (``cohort.py``, ``measures.py``, ``descriptives.py``) is pure functions on
those rows. Answers come as the stored interchange strings (``"5"``, ``"1 3 9"``); the
report parses the few items it uses itself, which is much cheaper than building every
record through the instrument engine. Answers are read through the answer codec
(``measurements.codec``): the plain part in the bulk query, and the sealed answers the
report reads (``vocabulary.sealed_needs``) only where it reads them — of every star and
registration when those are sealed, of the other forms only for the records the report
picks (``reveal``) — and free text never. What the answers mean comes with the rows:
``Raw.codebooks``, the codebook of every instrument across its published versions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import CharField, Exists, Max, OuterRef
from django.db.models.functions import Cast

from overgang.accounts.models import Municipality
from overgang.citizens.models import Citizen
from overgang.courses.models import Course, Pause
from overgang.evaluation import vocabulary
from overgang.instruments import codebook
from overgang.measurements import codec
from overgang.measurements.models import Record

#: ``--goal``: the codes of the registration's ``goal`` (vocabulary.NAMES).
GOALS = {"exit": 1, "life": 2, "move_home": 3, "keep_home": 4}


@dataclass(frozen=True)
class Filters:
    """``--municipality`` (names or codes), ``--started-from``/``--started-to`` (course
    start date, inclusive), ``--goal exit|life`` (the goal of the citizen's latest
    registration), ``--template NAME`` (the courses of one course template and the
    records of that template)."""

    municipalities: tuple = ()
    started_from: dt.date | None = None
    started_to: dt.date | None = None
    goal: str | None = None
    template: str | None = None

    def to_json(self) -> dict:
        out = {}
        if self.municipalities:
            out["municipality"] = list(self.municipalities)
        if self.template:
            out["template"] = self.template
        if self.started_from:
            out["started_from"] = self.started_from.isoformat()
        if self.started_to:
            out["started_to"] = self.started_to.isoformat()
        if self.goal:
            out["goal"] = self.goal
        return out

    def in_range(self, day) -> bool:
        if day is None:
            return False
        return (self.started_from is None or day >= self.started_from) and (
            self.started_to is None or day <= self.started_to
        )

    @property
    def dated(self) -> bool:
        return self.started_from is not None or self.started_to is not None


@dataclass
class Raw:
    """Rows as the database holds them (answers still strings)."""

    municipalities: dict = field(default_factory=dict)  # id -> name
    citizens: dict = field(default_factory=dict)  # citizen id -> municipality id
    # (id, citizen id, status, start_date, end_date)
    courses: list = field(default_factory=list)
    # course id -> planned course length in months (the course's own calendar: its
    # template's, or the municipality's override); a course not here is of the default
    # template's length (cohort.build)
    course_months: dict = field(default_factory=dict)
    # (course id, start_date, end_date or None)
    pauses: list = field(default_factory=list)
    # (id, citizen id, course id or None, instrument, filled_on, respondent, answers dict)
    records: list = field(default_factory=list)
    # (pks, item names) -> {pk: {item: answer}}: those sealed answers of those records
    # (e.g. who knows about the sale of sex, read from the start forms).
    reveal: object = None
    # instrument name -> codebook (instruments.codebook.Codebooks); None: the repository's.
    codebooks: object = None


class UnknownMunicipality(ValueError):
    def __init__(self, name):
        super().__init__(name)
        self.name = name


def municipalities_for(names_or_codes) -> list[Municipality]:
    """The municipalities a CLI user named (by name, case-insensitive, or by code)."""
    found = []
    everything = list(Municipality.objects.all())
    for wanted in names_or_codes:
        match = next(
            (m for m in everything if m.name.casefold() == str(wanted).casefold() or str(m.code) == str(wanted)), None
        )
        if match is None:
            raise UnknownMunicipality(wanted)
        found.append(match)
    return found


def load(filters: Filters, municipalities=None) -> Raw:
    """Every row the report needs for ``municipalities`` (objects or ids; None = all).

    The date filter keeps courses started in the range (and the citizens with such a
    course, and not-started contacts filled in within it); the goal filter keeps the
    citizens whose latest registration has that goal. Both are applied in Python after
    the bulk queries, so the queries stay the same five whatever the filters. The
    template filter narrows the queries themselves: the courses of that template, their
    pauses, the records of that template (a record names its template version) and the
    citizens with any of them.
    """
    munis = Municipality.objects.all()
    if municipalities is not None:
        munis = munis.filter(pk__in=[getattr(m, "pk", m) for m in municipalities])
    raw = Raw(municipalities=dict(munis.values_list("pk", "name")), codebooks=codebook.all_current())
    ids = list(raw.municipalities)
    if not ids:
        return raw  # a fresh installation: every measure n 0
    raw.citizens = dict(
        Citizen.objects.filter(municipality_id__in=ids).order_by().values_list("pk", "municipality_id")
    )
    courses = Course.objects.filter(citizen__municipality_id__in=ids, start_date__isnull=False).order_by()
    pauses = Pause.objects.filter(course__citizen__municipality_id__in=ids, course__start_date__isnull=False)
    records = Record.objects.filter(
        citizen__municipality_id__in=ids, status=Record.Status.COMPLETED, instrument__in=list(raw.codebooks)
    ).order_by()
    if filters.template:
        courses = courses.filter(template_version__name=filters.template)
        pauses = pauses.filter(course__template_version__name=filters.template)
        records = records.filter(template_version__name=filters.template)
    rows = courses.values_list("pk", "citizen_id", "status", "start_date", "end_date",
                               "phase1_months", "phase2_months", "phase3_months")
    raw.courses = [row[:5] for row in rows]
    raw.course_months = {row[0]: row[5] + row[6] + row[7] for row in rows}
    raw.pauses = list(pauses.order_by().values_list("course_id", "start_date", "end_date"))
    # The date as text: the driver's date converter ran once per row; here each distinct
    # day is converted once (_fetch_records).
    records = records.annotate(day=Cast("filled_on", CharField()))
    raw.records = _fetch_records(
        records.values_list("pk", "citizen_id", "course_id", "instrument", "day", "respondent", codec.PLAIN)
    )
    raw.reveal = sealed_revealer()
    _leave_out_withdrawn(raw, ids)
    _open_every(raw, "star")
    _open_every(raw, "registration")
    if filters.template:
        # A citizen belongs to a template's report through a course or a record of it.
        present = {row[1] for row in raw.courses} | {row[1] for row in raw.records}
        raw.citizens = {c: m for c, m in raw.citizens.items() if c in present}
    return apply_filters(raw, filters)


def _leave_out_withdrawn(raw, municipality_ids):
    """Citizens who withdrew their consent leave every report from the withdrawal on
    (rights/models.py). Usually none: then nothing is filtered."""
    from overgang.rights.models import withdrawn_citizens

    gone = set(withdrawn_citizens().filter(citizen__municipality_id__in=municipality_ids)
               .values_list("citizen_id", flat=True))
    if not gone:
        return
    raw.citizens = {pk: m for pk, m in raw.citizens.items() if pk not in gone}
    courses_gone = {row[0] for row in raw.courses if row[1] in gone}
    raw.courses = [row for row in raw.courses if row[1] not in gone]
    raw.pauses = [row for row in raw.pauses if row[0] not in courses_gone]
    raw.records = [row for row in raw.records if row[1] not in gone]


def templates_present(municipalities=None) -> list[str]:
    """The names of the course templates of the started courses in ``municipalities``
    (None = all), sorted: the columns of the report across templates. The courses of
    citizens who withdrew their consent do not count, as in the report itself
    (``_leave_out_withdrawn``): a template only they had is no column."""
    from overgang.rights.models import withdrawn_citizens

    courses = Course.objects.filter(start_date__isnull=False).exclude(citizen_id__in=withdrawn_citizens())
    if municipalities is not None:
        courses = courses.filter(citizen__municipality_id__in=[getattr(m, "pk", m) for m in municipalities])
    # Per template version, whether any such course is of it (a semi-join that stops at
    # the first course found), not every course read to find their few names.
    from overgang.programmes.models import TemplateVersion

    return sorted(set(TemplateVersion.objects.filter(Exists(courses.filter(template_version=OuterRef("pk"))))
                      .values_list("name", flat=True)))


def reveal_sealed(pks, names) -> dict:
    """The sealed answers ``names`` of the records ``pks`` (stored encrypted with the
    citizen's data key); everything else in them, free text first, stays closed."""
    return sealed_revealer()(pks, names)


def sealed_revealer():
    """``reveal_sealed`` for one report: the citizens' data keys are fetched from the key
    store and unwrapped once for the whole report, not once per kind of record it opens
    (stars, registrations, start, ongoing and end forms: five times per citizen)."""
    shared = codec.AnswerCodec()

    def reveal(pks, names) -> dict:
        return shared.unseal_records(pks, keep=frozenset(names).__contains__)

    return reveal


def _open_every(raw, role):
    """Merge the sealed answers the report reads in ``role`` into every such record:
    stars are judged (``possible``, time point) before any is picked, and registrations
    decide the goal filter. Nothing is decrypted while none of them is sealed."""
    needs = vocabulary.sealed_needs(role, raw.codebooks)
    if not needs:
        return
    instruments = vocabulary.ROLES[role]
    opened = raw.reveal([row[0] for row in raw.records if row[3] in instruments], needs)
    if opened:
        raw.records = [row[:6] + ({**row[6], **opened[row[0]]},) if row[0] in opened else row for row in raw.records]


def _fetch_records(queryset) -> list:
    """The records' rows through the cursor: the ORM's SQL, without its per-row converters.

    Building 500,000 rows through ``values_list`` costs more than the whole report (a date
    and a JSON converter per row); here the JSON text is parsed with one ``json.loads``
    and each distinct date is converted once. PostgreSQL's driver already returns dates
    and dicts, which pass through unchanged."""
    sql, params = queryset.query.sql_with_params()
    dates: dict = {}
    # The codec parses the plain part with the JSON scanner itself and one string object
    # per item name (interned, so it is the very object the code's literals are): new
    # key strings per record doubled the memory (bench/report.py: 1.5 GB -> 0.7 GB).
    plain = codec.AnswerCodec().plain_reader()
    rows = []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            chunk = cursor.fetchmany(20000)
            if not chunk:
                break
            for pk, citizen, course, instrument, filled_on, respondent, answers in chunk:
                if isinstance(filled_on, str):
                    day = dates.get(filled_on)
                    if day is None:
                        day = dates[filled_on] = dt.date.fromisoformat(filled_on)
                    filled_on = day
                rows.append((pk, citizen, course, instrument, filled_on, respondent, plain(answers)))
    return rows


def apply_filters(raw: Raw, filters: Filters) -> Raw:
    """The date and goal filters on loaded rows (pure; ``load`` calls it)."""
    if not filters.dated and not filters.goal:
        return raw
    citizens = set(raw.citizens)
    courses = raw.courses
    if filters.goal:
        wanted = str(GOALS[filters.goal])
        latest = {}
        for pk, citizen, _course, instrument, filled_on, _resp, answers in raw.records:
            if instrument == "registration" and (citizen not in latest or (filled_on, pk) > latest[citizen][0]):
                latest[citizen] = ((filled_on, pk), answers.get("goal"))
        citizens = {c for c in citizens if c in latest and latest[c][1] == wanted}
        courses = [c for c in courses if c[1] in citizens]
    if filters.dated:
        courses = [c for c in courses if filters.in_range(c[3])]
        # The citizens of those courses, and the contacts that never started a course
        # whose not-started form was filled in within the range.
        contacts = {row[1] for row in raw.records
                    if row[3] == "not_started" and row[1] in citizens and filters.in_range(row[4])}
        citizens = {c[1] for c in courses} | contacts
    course_ids = {c[0] for c in courses}
    records = []
    for row in raw.records:
        citizen, course, instrument = row[1], row[2], row[3]
        if citizen not in citizens:
            continue
        if instrument in ("registration",):
            records.append(row)
        elif instrument == "not_started":
            if not filters.dated or filters.in_range(row[4]):
                records.append(row)
        elif course in course_ids:
            records.append(row)
    return Raw(
        reveal=raw.reveal,
        codebooks=raw.codebooks,
        municipalities=raw.municipalities,
        citizens={c: m for c, m in raw.citizens.items() if c in citizens},
        courses=courses,
        pauses=[p for p in raw.pauses if p[0] in course_ids],
        records=records,
    )


def last_changed(municipalities=None):
    """When the report's data last changed: the latest change of a record or a citizen,
    or the creation of a course, in ``municipalities`` (None = all). Courses carry no
    change time of their own, so a course ended without a new form is not seen here."""
    ids = None if municipalities is None else [getattr(m, "pk", m) for m in municipalities]

    def latest(qs, path, column):
        if ids is not None:
            qs = qs.filter(**{f"{path}__in": ids})
        return qs.aggregate(at=Max(column))["at"]

    times = [
        latest(Record.objects.all(), "citizen__municipality_id", "updated"),
        latest(Citizen.objects.all(), "municipality_id", "updated"),
        latest(Course.objects.all(), "citizen__municipality_id", "created"),
    ]
    times = [t for t in times if t is not None]
    return max(times) if times else None

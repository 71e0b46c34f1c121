"""Writing a validated package into the installation (called by ``actions.do_import_package``).

``Importer.run(reader)`` takes the rows the reader yields and judges them against what
the installation holds — municipalities, workers, and rows an earlier import already
made — then writes them in batches. Ids are matched by their package ids (a course's
``course_id`` is its ``external_id``, or its code when it was made here), within the
municipalities the package names. A row that is already there with the same values is
left alone (re-importing a package changes nothing); one that is there with different
values is a ``conflict``, never overwritten.

The caller runs this inside a transaction and rolls it back when ``problems`` is not
empty: writing stops at the first problem, validation goes on to the end. Every row is
written through its app's actions, in bulk and audited as the apps audit: municipalities
and placeholder workers (``accounts``), citizens (``citizens.do_import_citizens``),
courses and pauses (``courses.do_import_courses``/``do_import_pauses``) and records
(``measurements.do_import_records``, answers stored through the answer codec).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from overgang.accounts import actions as account_actions
from overgang.accounts.models import Municipality, Role, User
from overgang.citizens import actions as citizen_actions
from overgang.citizens.models import Citizen
from overgang.courses import actions as course_actions
from overgang.courses.models import Course, Pause
from overgang.instruments.models import current_version
from overgang.lib import crypto
from overgang.measurements import actions as record_actions
from overgang.measurements import codec
from overgang.measurements.models import Record
from overgang.programmes import offers
from overgang.programmes import registry as template_registry
from overgang.programmes.models import TemplateVersion
from overgang.programmes.models import current_version as current_template_version

from .interchange import CitizenRow, CourseRow, PauseRow, RecordRow
from .problems import Problems, problem

BATCH = 2000


@dataclass
class Summary:
    created: dict = field(default_factory=lambda: defaultdict(int))
    unchanged: dict = field(default_factory=lambda: defaultdict(int))
    incomplete: int = 0
    municipalities_created: list = field(default_factory=list)
    workers_created: list = field(default_factory=list)

    def counts(self) -> dict:
        """Counts only (no names): what the audit event keeps."""
        return {
            "created": dict(self.created), "unchanged": dict(self.unchanged), "incomplete": self.incomplete,
            "municipalities_created": len(self.municipalities_created), "workers_created": len(self.workers_created),
        }


class Importer:
    def __init__(self, *, actor=None, municipality=None, dry_run=False):
        """``municipality`` set: an administrator's import into that one municipality
        (every row must name it, every worker must exist). Unset: the operator's
        command line, which creates missing municipalities and placeholder workers."""
        self.actor = actor
        self.only = municipality
        self.dry_run = dry_run
        self.summary = Summary()
        self.problems = Problems()
        self._municipalities = {m.name: m for m in Municipality.objects.all()}
        self._users: dict[str, User | None] = {}
        self._created_users: set[str] = set()
        self._placed: set[tuple] = set()  # (username, municipality name) of placeholders given a membership
        self._citizens: dict[str, tuple] = {}  # citizen_id -> (pk, municipality pk, data key)
        self._courses: dict[str, tuple] = {}  # course_id -> (pk, citizen_id, existed)
        self._existing: dict[tuple, dict] = {}  # (kind, municipality pk) -> {key: row}
        self._package_pauses: dict[int, list] = defaultdict(list)  # existing course pk -> [(start, end, line)]
        self._pending: dict[type, list] = defaultdict(list)
        # New citizens' keys, stored in the key store in one go when their rows are written
        # (before the import's transaction commits); a dry run stores none.
        self._new_keys: list = []
        self._versions: dict = {}
        self._plans: dict = {}
        self._template_versions: dict = {}
        self._allowed_answers: dict = {}  # (instrument version pk, template version pk) -> see _allowed
        self._fake_pk = 0
        self._reader = None
        self._codec = codec.AnswerCodec()  # each citizen's data key unwrapped once
        self._records = _RecordInserts(actor, self._codec)

    @property
    def writing(self):
        return not self.dry_run and not self.problems and not self._reader_problems()

    def _reader_problems(self):
        return bool(self._reader and self._reader.problems)

    def run(self, reader):
        self._reader = reader
        if not self.dry_run:
            reader.sealer = _Sealer(self)
        handlers = {CitizenRow: self._citizen, CourseRow: self._course, PauseRow: self._pause, RecordRow: self._record}
        kind = None
        for row in reader.read():
            if type(row) is not kind:
                self._flush()
                kind = type(row)
            handlers[kind](row)
        self._flush()
        self._check_pauses_of_existing_courses()
        return self.summary

    def _problem(self, *args, **params):
        self.problems.report(problem, *args, code=args[3], **params)

    # --- citizens -------------------------------------------------------------------

    def _municipality(self, row: CitizenRow):
        if self.only is not None:
            if row.municipality != self.only.name:
                self._problem("citizens.csv", row.line, "municipality", "wrong_municipality")
                return None
            return self.only
        found = self._municipalities.get(row.municipality)
        if found is None:
            if self.writing:
                found = account_actions.do_create_municipality(row.municipality, actor=self.actor)
            else:
                found = Municipality(name=row.municipality)
            self._municipalities[row.municipality] = found
            self.summary.municipalities_created.append(row.municipality)
        return found

    def _worker(self, row: CitizenRow, municipality):
        if not row.worker:
            return None
        if row.worker not in self._users:
            self._users[row.worker] = User.objects.filter(username=row.worker).first()
        user = self._users[row.worker]
        if user is None and self.only is not None:
            self._problem("citizens.csv", row.line, "worker", "unknown_worker")
            return None
        if user is None:
            # A placeholder: inactive, no password, until an administrator takes it on.
            if self.writing:
                user = account_actions.do_create_user(municipality, row.worker, actor=self.actor, roles={Role.WORKER},
                                                      active=False)
                self._placed.add((row.worker, municipality.name))
            else:
                user = User(username=row.worker, is_active=False)
            self._users[row.worker] = user
            self._created_users.add(row.worker)
            self.summary.workers_created.append(row.worker)
        if row.worker in self._created_users:
            # A placeholder made by this import works wherever the package says it does.
            if self.writing and user.pk and (row.worker, municipality.name) not in self._placed:
                roles = {Role.WORKER} | {m.role for m in user.memberships.filter(municipality=municipality)}
                account_actions.do_set_roles(user, municipality, roles, actor=self.actor)
                self._placed.add((row.worker, municipality.name))
            return user
        if not user.has_role(Role.WORKER, municipality):
            self._problem("citizens.csv", row.line, "worker", "worker_not_in_municipality")
        return user

    def _citizen(self, row: CitizenRow):
        municipality = self._municipality(row)
        if municipality is None:
            return
        worker = self._worker(row, municipality)
        existing = self._lookup("citizen", municipality).get(row.citizen_id.casefold())
        if existing is not None:
            pk, worker_name, created_on, data_key = existing
            if worker_name != (row.worker or None):
                self._problem("citizens.csv", row.line, "worker", "conflict")
            elif row.created_on is not None and created_on != row.created_on:
                self._problem("citizens.csv", row.line, "created_on", "conflict")
            self._citizens[row.citizen_id] = (pk, municipality.pk, data_key)
            self.summary.unchanged["citizens"] += 1
            return
        citizen = Citizen(municipality=municipality, pseudonym=row.citizen_id, worker=worker, created_on=row.created_on,
                          data_key=self._codec.new_data_key(defer=self._new_keys))
        self._citizens[row.citizen_id] = citizen
        self._pending[Citizen].append(citizen)
        self.summary.created["citizens"] += 1

    def _citizen_ref(self, citizen_id):
        """(pk, municipality pk, data key) of a citizen of this package, or None."""
        found = self._citizens.get(citizen_id)
        if isinstance(found, Citizen):
            return (found.pk, found.municipality_id, found.data_key)
        return found

    # --- courses and pauses ---------------------------------------------------------

    def _course(self, row: CourseRow):
        citizen = self._citizen_ref(row.citizen_id)
        if citizen is None:
            return
        pk, municipality_pk, _key = citizen
        existing = self._lookup("course", municipality_pk).get(row.course_id)
        if existing is not None:
            same = (existing["citizen_id"] == pk and existing["start_date"] == row.start_date
                    and existing["end_date"] == row.end_date and existing["status"] == row.status
                    and existing["phase2_start"] == row.phase2_start and existing["phase3_start"] == row.phase3_start)
            if not same:
                self._problem("courses.csv", row.line, "course_id", "conflict")
            self._courses[row.course_id] = (existing["pk"], row.citizen_id, True, existing["template_version_id"])
            self.summary.unchanged["courses"] += 1
            return
        if row.status == "active" and pk in self._lookup("open_course", municipality_pk):
            # One open course per citizen, as in the application: the citizen already has
            # a contact period or an active course in the installation.
            self._problem("courses.csv", row.line, "status", "second_active_course")
            return
        version, plan = self._plan(municipality_pk, row.template)
        course = Course(
            citizen_id=pk, template_version=version, external_id=row.course_id, status=row.status,
            first_contact_on=row.start_date,
            start_date=row.start_date, end_date=row.end_date, phase2_start=row.phase2_start,
            phase3_start=row.phase3_start, **plan,
        )
        self._courses[row.course_id] = course
        self._pending[Course].append(course)
        self.summary.created["courses"] += 1

    def _plan(self, municipality_pk, template=""):
        """(template version, calendar fields) of an imported course of ``template`` (a
        name; "" — every course of an ``overgang-interchange/1`` package — the default
        template), with the municipality's calendar for it."""
        key = (municipality_pk, template or template_registry.DEFAULT)
        if key not in self._plans:
            version = current_template_version(key[1])
            calendar = offers.calendar_for(municipality_pk, version.template())
            self._plans[key] = (version, {
                "phase1_months": calendar.phase_months[0], "phase2_months": calendar.phase_months[1],
                "phase3_months": calendar.phase_months[2], "interval_months": calendar.interval_months,
                "window_days": calendar.window_days,
            })
        return self._plans[key]

    def _fits_template(self, row, version, template_pk) -> bool:
        """Whether every answer is one the record's course template asks: a homelessness
        course has no question about selling sex, and a package cannot give it one."""
        allowed = self._allowed(version, template_pk)
        for name, value in row.answers.items():
            codes = allowed.get(name, _NOT_ASKED)
            wrong = codes is _NOT_ASKED
            if not wrong and codes is not None and value not in codes:  # the codes of a choice answer
                item = codes.item
                wrong = any(code.lstrip("-").isdigit() and item.choices.get(int(code)) is None
                            for code in value.split())
            if wrong:
                self._problem("records.csv", row.line, "record_id", "not_in_template", item=name,
                              template=self._template_versions[template_pk].name)
                return False
        return True

    def _allowed(self, version, template_pk) -> dict:
        """Item name -> what the template version lets a record of ``version`` answer:
        None for any value, or (a choice item) the codes it offers, as text; an item the
        template does not ask is absent. Built once per pair for the whole import."""
        key = (version.pk, template_pk)
        found = self._allowed_answers.get(key)
        if found is None:
            if template_pk not in self._template_versions:
                self._template_versions[template_pk] = TemplateVersion.objects.get(pk=template_pk)
            restricted = self._template_versions[template_pk].restrict(version)
            found = self._allowed_answers[key] = {
                item.name: None if item.choices is None else _Codes(item) for item in restricted.items}
        return found

    def touched_courses(self) -> list:
        """The pks of the courses this package created or names (after ``run``)."""
        return [self._course_ref(course_id)[0] for course_id in self._courses]

    def _course_ref(self, course_id):
        """(pk, existed) of a course of this package, or None."""
        found = self._courses.get(course_id)
        if isinstance(found, Course):
            return (found.pk, False)
        return (found[0], True) if found else None

    def _course_template(self, course_id):
        """The template version pk of a course of this package."""
        found = self._courses[course_id]
        return found.template_version_id if isinstance(found, Course) else found[3]

    def _pause(self, row: PauseRow):
        course = self._course_ref(row.course_id)
        if course is None:
            return
        pk, existed = course
        if existed:
            self._package_pauses[pk].append((row.start_date, row.end_date, row.line))
            return
        pause = Pause(course=self._courses[row.course_id], start_date=row.start_date, end_date=row.end_date)
        self._pending[Pause].append(pause)
        self.summary.created["pauses"] += 1

    def _check_pauses_of_existing_courses(self):
        courses = {v[0] for v in self._courses.values() if isinstance(v, tuple) and v[2]}
        if not courses:
            return
        stored = defaultdict(set)
        pauses = Pause.objects.filter(course_id__in=courses).values_list("course_id", "start_date", "end_date")
        for course_id, start, end in pauses:
            stored[course_id].add((start, end))
        for pk in courses:
            given = self._package_pauses.get(pk, [])
            if {(s, e) for s, e, _line in given} != stored[pk]:
                line = given[0][2] if given else None
                self._problem("pauses.csv", line, "course_id", "conflict")
            else:
                self.summary.unchanged["pauses"] += len(given)

    # --- records --------------------------------------------------------------------

    def _record(self, row: RecordRow):
        citizen = self._citizen_ref(row.citizen_id)
        course = self._course_ref(row.course_id) if row.course_id else (None, False)
        if citizen is None or course is None:
            return
        citizen_pk, municipality_pk, data_key = citizen
        version = self._version(row.instrument)
        existing = self._lookup("record", municipality_pk).get(row.record_id)
        if existing is not None:
            stored = (citizen_pk, course[0], row.instrument, row.filled_on, row.respondent, Record.Status.COMPLETED)
            fingerprint, token = existing[-2:]
            same = existing[:-2] == stored and self._codec.same_content(fingerprint, token, data_key, row.answers)
            if not same:
                self._problem("records.csv", row.line, "record_id", "conflict")
            self.summary.unchanged["records"] += 1
            return
        # A course record is of its course's template; a registration or a not-started
        # form names its own (none — version 1 — is the default template).
        template = (self._course_template(row.course_id) if row.course_id
                    else self._plan(municipality_pk, row.template)[0].pk)
        if not self._fits_template(row, version, template):
            return
        self.summary.created["records"] += 1
        self.summary.incomplete += row.incomplete
        if self.writing:
            self._records.add(
                external_id=row.record_id, citizen_id=citizen_pk, course_id=course[0], instrument=row.instrument,
                instrument_version_id=version.pk, template_version_id=template, filled_on=row.filled_on,
                respondent=row.respondent, incomplete=row.incomplete, instrument_definition=version.instrument(),
                answers=row.answers,
                data_key=data_key, sealed_part=_Sealer.made(row, version),
            )

    def _version(self, name):
        if name not in self._versions:
            self._versions[name] = current_version(name)
        return self._versions[name]

    # --- what the installation holds ------------------------------------------------

    def _lookup(self, kind, municipality) -> dict:
        """The municipality's existing rows of one kind, keyed as a package names them."""
        pk = getattr(municipality, "pk", municipality)
        key = (kind, pk)
        if key not in self._existing:
            self._existing[key] = {} if pk is None else _LOADERS[kind](pk)
        return self._existing[key]

    def _flush(self):
        """Write the pending rows (parents first), or give them stand-in keys in a dry run."""
        if self.writing:
            crypto.store_keys(self._new_keys)
        else:
            self._new_keys.clear()
        self._records.flush()
        for model, write in ((Citizen, citizen_actions.do_import_citizens), (Course, course_actions.do_import_courses),
                             (Pause, course_actions.do_import_pauses)):
            objects = self._pending.pop(model, [])
            if not objects:
                continue
            if self.writing:
                write(objects, actor=self.actor)
            else:
                for obj in objects:
                    self._fake_pk -= 1
                    obj.pk = self._fake_pk


_NOT_ASKED = object()


class _Codes(frozenset):
    """The codes of a choice item as text ("3"), with the item for anything else."""

    def __new__(cls, item):
        codes = super().__new__(cls, (str(choice.code) for choice in item.choices.choices))
        codes.item = item
        return codes


class _Sealer:
    """The sealed part of a judged record's answers (``codec.seal``), made where the
    record is judged — in the reader's forked judging worker on the command line, so this
    process reads and writes meanwhile (a fifth of an import's time was sealing here).

    ``prepare`` runs here before the worker is forked and looks up what sealing needs from
    the database: each instrument's current version and the items it seals. ``seal`` then
    uses only what the process held at the fork (those, and the data keys of the
    package's citizens: every new citizen's, which ``codec.new_data_key`` holds, and every
    existing one's, which ``prepare`` fetches); for a key not held (one the key store
    lacks) it declines, and the record is sealed here on writing as before, where the
    missing key is reported. The worker sends back ciphertext only, never a key.
    """

    def __init__(self, importer: Importer):
        self._importer = importer
        self._versions: dict = {}  # instrument name -> its current version

    def prepare(self, instruments):
        # The keys of the package's existing citizens (a re-import): fetched from the key
        # store in batches here, not one query per citizen on first use, and held before
        # the fork, so the worker seals their new records too.
        self._importer._codec.prefetch(
            {found[2] for found in self._importer._citizens.values() if not isinstance(found, Citizen)})
        for name in instruments:
            try:
                version = self._importer._version(name)
            except LookupError:  # reported by the record's checks
                continue
            self._importer._codec.sealed_names(version.instrument())
            self._versions[name] = version

    def seal(self, record, answers):
        version = self._versions.get(record.instrument)
        citizen = self._importer._citizen_ref(record.citizen_id)
        if version is None or citizen is None:
            return None
        made = self._importer._codec.seal(version.instrument(), answers, citizen[2])
        return None if made is None else (version.pk, made)

    @staticmethod
    def made(row, version):
        """The sealed part made for ``row`` with ``version``, or None (sealed on writing)."""
        if row.sealed is None or row.sealed[0] != version.pk:
            return None
        return row.sealed[1]


class _RecordInserts:
    """Completed records gathered into batches for ``measurements.do_import_records``."""

    def __init__(self, actor, codec):
        self._rows = []
        self._actor = actor
        self._codec = codec

    def add(self, **values):
        self._rows.append(values)
        if len(self._rows) >= BATCH:
            self.flush()

    def flush(self):
        rows, self._rows = self._rows, []
        record_actions.do_import_records(rows, actor=self._actor, codec=self._codec)


def _load_citizens(municipality_pk):
    rows = Citizen.objects.filter(municipality_id=municipality_pk).values_list(
        "pk", "pseudonym", "worker__username", "created_on", "data_key")
    return {pseudonym.casefold(): (pk, worker, created_on, key) for pk, pseudonym, worker, created_on, key in rows}


def _load_courses(municipality_pk):
    rows = Course.objects.filter(citizen__municipality_id=municipality_pk).values(
        "pk", "code", "external_id", "citizen_id", "start_date", "end_date", "status", "phase2_start", "phase3_start",
        "template_version_id")
    return {row["external_id"] or str(row["code"]): row for row in rows}


def _load_records(municipality_pk):
    """Export id -> a compact signature (the plain answers as a fingerprint; the sealed
    part still sealed: it is opened only for a record the package names again)."""
    rows = Record.objects.filter(citizen__municipality_id=municipality_pk).values_list(
        "code", "external_id", "citizen_id", "course_id", "instrument", "filled_on", "respondent", "status",
        *codec.FIELDS)
    fingerprint = codec.AnswerCodec.fingerprint
    return {
        (external_id or str(code)):
            (citizen, course, instrument, filled_on, respondent, status, fingerprint(plain), token)
        for code, external_id, citizen, course, instrument, filled_on, respondent, status, plain, token
        in rows.iterator(chunk_size=2000)
    }


def _load_open_courses(municipality_pk):
    """Citizen pk -> True for the municipality's citizens with a contact period or an
    active course (one query per municipality, not one per course row)."""
    rows = Course.objects.filter(citizen__municipality_id=municipality_pk).open().values_list("citizen_id", flat=True)
    return dict.fromkeys(rows, True)


_LOADERS = {"citizen": _load_citizens, "course": _load_courses, "record": _load_records,
            "open_course": _load_open_courses}

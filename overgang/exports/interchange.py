"""Reading and validating an ``overgang-interchange/1`` package (docs/interchange.md).

``Reader(package).read()`` yields the package's rows as plain, validated dataclasses —
citizens, then courses, then pauses, then records with their answers — and collects
every problem it meets in ``reader.problems`` (file, line, column, stable code,
Danish/English message). A row with a problem is reported and not yielded; reading
always goes on to the end so that one run reports everything. Nothing here touches
the database: what the installation already holds (municipalities, workers, earlier
imports) is judged by ``importer.py``.

Streaming: each CSV file is read once, row by row, except ``answers.csv``, which is
read twice: first to count each record's answers, then to gather them. A record is
judged and yielded as soon as its last answer has been read, so a package whose
answers stand together (every export writes them so) holds one record's answers in
memory at a time; a shuffled package still works, holding more.

Line numbers are physical lines of the file (the header is line 1); a quoted value
with newlines makes a row span several lines, and the row's first line is reported.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from overgang.instruments import engine, registry
from overgang.instruments.types import AnswerError, AnswerIssue, Context
from overgang.citizens import pseudonym
from overgang.lib import forked

from .package import FILES, PackageError
from .problems import Problems, answer_problem, problem, warning

FORMAT = "overgang-interchange"
#: The version an export writes. Version 2 names each course's course template (and
#: the template of a registration or not-started form); a version 1 package, from an
#: installation before templates, is read as Exit prostitution throughout.
VERSION = 2
VERSIONS = (1, 2)
TEMPLATE_COLUMN = {"courses.csv", "records.csv"}
INSTRUMENTS = registry.INSTRUMENTS
COURSE_INSTRUMENTS = frozenset({"star", "cti_start", "cti_ongoing", "cti_end"})
COURSE_STATUSES = ("active", "ended")
RESPONDENTS = ("citizen", "worker")
ID_MAX = 64
NAME_MAX = {"municipality": 100, "worker": 150}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What reading a member can raise part-way (reported located, never a 500).
_UNREADABLE = (UnicodeDecodeError, csv.Error, PackageError, zipfile.BadZipFile, zlib.error, EOFError, OSError)
# Dates outside these are typing errors or legacy sentinels such as 9999-12-31, never a
# real course (and would break date shifting in the evaluator export).
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)

# file -> (columns that must be in the header, columns that may be)
COLUMNS = {
    "citizens.csv": (("citizen_id", "municipality"), ("worker", "created_on")),
    "courses.csv": (("course_id", "citizen_id", "start_date", "status"), ("end_date", "phase2_start", "phase3_start")),
    "pauses.csv": (("course_id", "start_date"), ("end_date",)),
    "records.csv": (("record_id", "citizen_id", "instrument", "filled_on"), ("course_id", "respondent")),
    "answers.csv": (("record_id", "item", "value"), ()),
}
# The order of the columns an export writes.
EXPORT_COLUMNS = {name: [*required, *optional] for name, (required, optional) in COLUMNS.items()}
EXPORT_COLUMNS["courses.csv"] = [
    "course_id", "citizen_id", "start_date", "end_date", "status", "phase2_start", "phase3_start"]
EXPORT_COLUMNS["pauses.csv"] = ["course_id", "start_date", "end_date"]
EXPORT_COLUMNS["records.csv"] = ["record_id", "citizen_id", "course_id", "instrument", "filled_on", "respondent"]


def export_columns(version=VERSION) -> dict:
    """The columns a package of ``version`` has, in the order an export writes them."""
    if version == 1:
        return EXPORT_COLUMNS
    return {name: [*columns, "template"] if name in TEMPLATE_COLUMN else columns
            for name, columns in EXPORT_COLUMNS.items()}


def template_names() -> tuple:
    from overgang.programmes import registry as templates

    return tuple(sorted(templates.all_templates()))
REQUIRED_FILES = ("manifest.json", "citizens.csv", "courses.csv", "records.csv", "answers.csv")


@dataclass(frozen=True)
class CitizenRow:
    line: int
    citizen_id: str
    municipality: str
    worker: str
    created_on: datetime.date | None


@dataclass(frozen=True)
class CourseRow:
    line: int
    course_id: str
    citizen_id: str
    start_date: datetime.date
    end_date: datetime.date | None
    status: str
    phase2_start: datetime.date | None
    phase3_start: datetime.date | None
    template: str = ""  # the course template's name ("" = the default, as in version 1)


@dataclass(frozen=True)
class PauseRow:
    line: int
    course_id: str
    start_date: datetime.date
    end_date: datetime.date | None


@dataclass
class RecordRow:
    line: int
    record_id: str
    citizen_id: str
    course_id: str
    instrument: str
    filled_on: datetime.date | None
    respondent: str
    valid: bool = True
    # item -> canonical interchange string, in form order (filled in from answers.csv)
    answers: dict = field(default_factory=dict)
    incomplete: bool = False
    template: str = ""  # of a registration or a not-started form ("" = the default)
    # What the reader's ``sealer`` made of the judged answers (the importer: the sealed
    # part, encrypted where the judging ran); None when there is no sealer or it declined.
    sealed: object = None


class Reader:
    """One pass over a package; see the module docstring."""

    def __init__(self, package, progress=None, workers=0):
        self.package = package
        self.workers = workers
        # Set by the importer: an object with ``prepare(instruments)`` (called in this
        # process before judging begins, with the instrument names of records.csv) and
        # ``seal(record, answers)`` (called where a record is judged, in a forked worker
        # with workers: a pure function of what this process held at the fork — no
        # database). Its result travels back as ``record.sealed``.
        self.sealer = None
        self._index: dict = {}
        self.problems = Problems()
        self.warnings: list = []  # what the rows lack without being wrong; they are imported
        self.progress = progress
        self._broken: set[str] = set()  # files whose rows could not be read: no dangling-id checks against them
        self._citizens: dict[str, int] = {}  # citizen_id -> line
        self._citizens_folded: dict[str, int] = {}
        self._courses: dict[str, str] = {}  # course_id -> citizen_id
        self._records: dict[str, RecordRow] = {}
        self._total = 1
        self._rows_seen = 0
        self.version = VERSION  # the manifest's, once read

    # --- the whole package ----------------------------------------------------------

    def read(self):
        names = set(self.package.names)
        for name in sorted(names - set(FILES)):
            self._problem(name, None, "", "unknown_file")
        for name in self.package.subfolders:
            self._problem(name, None, "", "subfolder")
        for name in REQUIRED_FILES:
            if name not in names:
                self._problem(name, None, "", "missing_file")
                self._broken.add(name)
        csvs = [n for n in FILES if n.endswith(".csv") and n in names]
        twice = self.package.size("answers.csv") if "answers.csv" in names else 0  # read twice
        self._total = max(1, sum(self.package.size(n) for n in csvs) + twice)
        if "manifest.json" in names:
            self._manifest()
        yield from self._read_citizens()
        yield from self._read_courses()
        yield from self._read_pauses()
        self._read_records()
        yield from self._read_answers()
        self._tick()

    def _problem(self, *args, **params):
        self.problems.report(problem, *args, code=args[3], **params)

    def _tick(self):
        if self.progress:
            self.progress(min(self.package.bytes_read, self._total), self._total)

    # --- manifest -------------------------------------------------------------------

    def _manifest(self):
        name = "manifest.json"
        try:
            data = json.loads(self.package.read_bytes(name, limit=64 * 1024).decode("utf-8-sig"))
        except PackageError as exc:
            self.problems.extend(exc.problems)
            return
        except (UnicodeDecodeError, ValueError, RecursionError):
            self._problem(name, None, "", "bad_manifest", detail="JSON")
            return
        if not isinstance(data, dict):
            self._problem(name, None, "", "bad_manifest", detail="JSON object")
            return
        if data.get("format") != FORMAT:
            self._problem(name, None, "format", "bad_manifest", detail=f'"format": "{FORMAT}"')
        if data.get("version") not in VERSIONS or isinstance(data.get("version"), bool):
            self._problem(name, None, "version", "bad_manifest",
                          detail=" / ".join(f'"version": {v}' for v in VERSIONS))
        else:
            self.version = data["version"]
        exported_at = data.get("exported_at")
        if exported_at is not None and not _iso_datetime(exported_at):
            self._problem(name, None, "exported_at", "bad_manifest", detail='"exported_at": ISO 8601')
        if not isinstance(data.get("source", ""), str):
            self._problem(name, None, "source", "bad_manifest", detail='"source": text')
        for key in sorted(set(data) - {"format", "version", "exported_at", "source"}):
            self._problem(name, None, key, "bad_manifest", detail=key)

    # --- CSV plumbing ---------------------------------------------------------------

    def _rows(self, name, raw=False, whole=False):
        """(line, get) per data row, where get(column) is the row's text ('' when absent);
        with ``raw``, (line, fields) and the header's column -> index in ``self._index``;
        with ``whole``, once (2, the csv reader positioned after the header)."""
        if name not in self.package.names:
            return
        required, optional = COLUMNS[name]
        if self.version >= 2 and name in TEMPLATE_COLUMN:
            optional = (*optional, "template")
        line = 1
        try:
            with self.package.open_text(name) as handle:
                reader = csv.reader(handle, strict=True)
                header = next(reader, None)
                if header is None:
                    header = []  # an empty file has no header: its required columns are missing
                if not _utf8(header):
                    self._problem(name, 1, "", "not_utf8")
                    self._broken.add(name)
                    return
                if not self._header_ok(name, header, required, optional):
                    self._broken.add(name)
                    return
                index = self._index = {column: i for i, column in enumerate(header)}
                if whole:
                    yield 2, reader  # the caller iterates the rows itself
                    return
                width = len(header)
                line = reader.line_num + 1
                for fields in reader:  # a tight loop: answers.csv has millions of rows
                    if fields:
                        if len(fields) != width:
                            self._problem(name, line, "", "bad_row", found=len(fields), expected=width)
                        elif not ("".join(fields).isascii() or _utf8(fields)):
                            bad = next(i for i, f in enumerate(fields) if not _utf8((f,)))
                            self._problem(name, line, header[bad], "not_utf8")
                        else:
                            yield line, (fields if raw else _getter(fields, index))
                    self._rows_seen += 1
                    if not self._rows_seen % 20000:
                        self._tick()
                    line = reader.line_num + 1
        except _UNREADABLE as exc:
            self._unreadable(name, line, exc)

    def _unreadable(self, name, line, exc):
        """Report a member that could not be read on from ``line`` (one of ``_UNREADABLE``)."""
        if isinstance(exc, UnicodeDecodeError):
            self._problem(name, line, "", "not_utf8")
        elif isinstance(exc, csv.Error):
            self._problem(name, line, "", "bad_csv")
        elif isinstance(exc, PackageError):
            self.problems.extend(exc.problems)
        else:
            # A damaged member: its checksum or compressed data does not hold.
            self._problem(name, line, "", "bad_zip")
        self._broken.add(name)

    def _header_ok(self, name, header, required, optional):
        ok = True
        seen = Counter(header)
        for column in header:
            if column not in required and column not in optional:
                self._problem(name, 1, column, "unknown_column")
                ok = False
        for column in sorted(c for c, n in seen.items() if n > 1):
            self._problem(name, 1, column, "duplicate_column")
            ok = False
        for column in required:
            if column not in seen:
                self._problem(name, 1, column, "missing_column")
                ok = False
        return ok

    def _text(self, name, line, get, column, *, required=False, max_length=ID_MAX):
        value = get(column)
        if required and value == "":
            self._problem(name, line, column, "required")
            return None
        if len(value) > max_length:
            self._problem(name, line, column, "too_long", max=max_length)
            return None
        if value and (_CONTROL.search(value) or " ".join(value.split()) != value):
            # Ids and names are typed and compared as the application keeps them: no
            # surrounding or double spaces, no line breaks or control characters (a
            # pseudonym must be typeable to erase the citizen; PostgreSQL refuses NUL).
            self._problem(name, line, column, "bad_text")
            return None
        return value

    def _date(self, name, line, get, column, *, required=False):
        """(ok, date or None)."""
        value = get(column)
        if value == "":
            if required:
                self._problem(name, line, column, "required")
                return False, None
            return True, None
        try:
            if not _DATE.fullmatch(value):
                raise ValueError
            day = datetime.date.fromisoformat(value)
        except ValueError:
            self._problem(name, line, column, "bad_date")
            return False, None
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            self._problem(name, line, column, "implausible_date", first=EARLIEST_DATE.isoformat(),
                          last=LATEST_DATE.isoformat())
            return False, None
        return True, day

    def _choice(self, name, line, get, column, allowed, *, required=True):
        value = get(column)
        if value == "" and required:
            self._problem(name, line, column, "required")
            return None
        if value not in allowed:
            self._problem(name, line, column, "unknown_value", allowed=", ".join(allowed))
            return None
        return value

    def _template(self, name, line, get):
        """The row's course template ("" when the column is empty or absent: the default)."""
        if get("template") == "":
            return ""
        return self._choice(name, line, get, "template", template_names()) or ""

    def _order(self, name, line, column, later, earlier, earlier_column):
        if later is not None and earlier is not None and later < earlier:
            self._problem(name, line, column, "date_order", after=earlier_column)
            return False
        return True

    # --- the files ------------------------------------------------------------------

    def _read_citizens(self):
        name = "citizens.csv"
        for line, get in self._rows(name):
            count = len(self.problems)
            citizen_id = get("citizen_id")
            # The same rules as the web form (citizens/pseudonym.py), so that what one
            # installation exports, another imports.
            code = pseudonym.problem(citizen_id)
            if code:
                self._problem(name, line, "citizen_id", code, **({"max": pseudonym.MAX_LENGTH} if code == "too_long" else {}))
                citizen_id = None if code != "cpr_number" else citizen_id
            if citizen_id:
                folded = citizen_id.casefold()
                if folded in self._citizens_folded:
                    self._problem(name, line, "citizen_id", "duplicate_id", first=self._citizens_folded[folded])
                else:
                    self._citizens_folded[folded] = line
                    self._citizens[citizen_id] = line
            municipality = self._text(name, line, get, "municipality", required=True,
                                      max_length=NAME_MAX["municipality"])
            worker = self._text(name, line, get, "worker", max_length=NAME_MAX["worker"])
            _ok, created_on = self._date(name, line, get, "created_on")
            if len(self.problems) == count:
                yield CitizenRow(line, citizen_id, municipality, worker, created_on)

    def _known_citizen(self, name, line, citizen_id):
        if citizen_id and "citizens.csv" not in self._broken and citizen_id not in self._citizens:
            self._problem(name, line, "citizen_id", "unknown_citizen")
            return False
        return True

    def _read_courses(self):
        name = "courses.csv"
        seen: dict[str, int] = {}
        active: set[str] = set()
        self._course_rows: dict[str, CourseRow] = {}
        for line, get in self._rows(name):
            count = len(self.problems)
            course_id = self._text(name, line, get, "course_id", required=True)
            citizen_id = self._text(name, line, get, "citizen_id", required=True)
            if course_id:
                if course_id in seen:
                    self._problem(name, line, "course_id", "duplicate_id", first=seen[course_id])
                else:
                    seen[course_id] = line
                    self._courses[course_id] = citizen_id or ""
            self._known_citizen(name, line, citizen_id)
            _ok, start = self._date(name, line, get, "start_date", required=True)
            _ok, end = self._date(name, line, get, "end_date")
            status = self._choice(name, line, get, "status", COURSE_STATUSES)
            _ok, phase2 = self._date(name, line, get, "phase2_start")
            _ok, phase3 = self._date(name, line, get, "phase3_start")
            if status and _ok_dates(get, "end_date") and (status == "ended") != (get("end_date") != ""):
                self._problem(name, line, "status", "status_mismatch")
            self._order(name, line, "end_date", end, start, "start_date")
            self._order(name, line, "phase2_start", phase2, start, "start_date")
            if phase3 is not None and phase2 is None and get("phase2_start") == "":
                # Legacy data often lacks the day phase 2 began (interchange.md): the course
                # is accepted with phase 2's start unknown, and the reader is told.
                if self._order(name, line, "phase3_start", phase3, start, "start_date"):
                    self.warnings.append(warning(name, line, "phase2_start", "phase2_unknown"))
            self._order(name, line, "phase3_start", phase3, phase2, "phase2_start")
            if status == "active" and citizen_id:
                if citizen_id in active:
                    self._problem(name, line, "status", "second_active_course")
                active.add(citizen_id)
            template = self._template(name, line, get)
            if len(self.problems) == count:
                row = CourseRow(line, course_id, citizen_id, start, end, status, phase2, phase3, template)
                self._course_rows[course_id] = row
                yield row

    def _known_course(self, name, line, course_id):
        if course_id and "courses.csv" not in self._broken and course_id not in self._courses:
            self._problem(name, line, "course_id", "unknown_course")
            return False
        return True

    def _read_pauses(self):
        name = "pauses.csv"
        pauses: dict[str, list] = {}
        for line, get in self._rows(name):
            count = len(self.problems)
            course_id = self._text(name, line, get, "course_id", required=True)
            self._known_course(name, line, course_id)
            _ok, start = self._date(name, line, get, "start_date", required=True)
            _ok, end = self._date(name, line, get, "end_date")
            self._order(name, line, "end_date", end, start, "start_date")
            course = self._course_rows.get(course_id)
            if course and start:
                self._order(name, line, "start_date", start, course.start_date, "courses.csv start_date")
            if len(self.problems) == count:
                top = end or datetime.date.max
                # A pause may begin on the day the one before it ended (the application
                # allows it); sharing more than that day is an overlap.
                if any(start < (e or datetime.date.max) and s < top for s, e in pauses.get(course_id, ())):
                    self._problem(name, line, "start_date", "overlapping_pause")
                    continue
                pauses.setdefault(course_id, []).append((start, end))
                yield PauseRow(line, course_id, start, end)
        self._course_rows = {}

    def _read_records(self):
        name = "records.csv"
        for line, get in self._rows(name):
            count = len(self.problems)
            record_id = self._text(name, line, get, "record_id", required=True)
            citizen_id = self._text(name, line, get, "citizen_id", required=True)
            course_id = self._text(name, line, get, "course_id")
            instrument = self._choice(name, line, get, "instrument", INSTRUMENTS)
            _ok, filled_on = self._date(name, line, get, "filled_on", required=True)
            respondent = get("respondent")
            self._known_citizen(name, line, citizen_id)
            if instrument in COURSE_INSTRUMENTS and not course_id:
                self._problem(name, line, "course_id", "course_required")
            elif instrument and instrument not in COURSE_INSTRUMENTS and course_id:
                self._problem(name, line, "course_id", "not_allowed")
            elif course_id and self._known_course(name, line, course_id):
                owner = self._courses.get(course_id)
                if owner and citizen_id and owner != citizen_id:
                    self._problem(name, line, "course_id", "course_of_other_citizen")
            template = self._template(name, line, get)
            if template and course_id:
                # A course record is of its course's template.
                self._problem(name, line, "template", "not_allowed")
            if instrument == "star":
                self._choice(name, line, get, "respondent", RESPONDENTS)
            elif instrument and respondent:
                self._problem(name, line, "respondent", "not_allowed")
            if record_id:
                if record_id in self._records:
                    self._problem(name, line, "record_id", "duplicate_id", first=self._records[record_id].line)
                    continue
                self._records[record_id] = RecordRow(
                    line, record_id, citizen_id or "", course_id or "", instrument or "", filled_on, respondent,
                    valid=len(self.problems) == count, template=template or "",
                )

    def _read_answers(self):
        name = "answers.csv"
        counts: Counter = Counter()
        reported, self.problems = self.problems, Problems()  # the second pass reports row problems
        for _line, rows in self._rows(name, raw=True, whole=True):
            # The first pass only counts, in a tight loop (millions of rows): the second
            # pass reads the same rows again and reports their problems with lines.
            at = self._index["record_id"]
            known = self._records
            try:
                for fields in rows:
                    # Only records of records.csv are judged: counting other ids would
                    # let a hostile file fill memory with ids that are only reported.
                    if len(fields) > at and fields[at] in known:
                        counts[fields[at]] += 1
            except (UnicodeDecodeError, csv.Error) as exc:
                code = "not_utf8" if isinstance(exc, UnicodeDecodeError) else "bad_csv"
                self._problem(name, rows.line_num, "", code)
                self._broken.add(name)
        first_pass, self.problems = self.problems, reported
        if name in self._broken:
            self.problems.extend(first_pass)
            return
        if self.sealer is not None:
            self.sealer.prepare(sorted({record.instrument for record in self._records.values() if record.valid}))
        judging = _Judging(self.workers, self.sealer)
        try:
            # A record without answers is complete as far as the file goes: judge it now.
            for record in self._records.values():
                if record.valid and not counts[record.record_id]:
                    yield from self._settle(judging.submit(record, {}, {}))
            for _line, rows in self._rows(name, raw=True, whole=True):
                yield from self._gather_answers(name, rows, counts, judging)
            yield from self._settle(judging.drain())
        finally:
            judging.close()

    def _gather_answers(self, name, reader, counts, judging):
        """The second pass over answers.csv: each record's answers gathered, and the record
        judged (and yielded, when it has no problem) once its last answer is read.

        ``_rows`` with the row handling inlined: millions of rows, so the loop keeps to
        local names and a row of the record before it skips the lookups."""
        index = self._index
        width = len(index)
        at_id, at_item, at_value = index["record_id"], index["item"], index["value"]
        records, records_known = self._records, "records.csv" not in self._broken
        pending: dict[str, tuple[dict, dict]] = {}
        last_id, record, values, lines = None, None, None, None
        seen = self._rows_seen
        line = reader.line_num + 1
        try:
            for fields in reader:
                if not fields:
                    pass
                elif len(fields) != width:
                    self._problem(name, line, "", "bad_row", found=len(fields), expected=width)
                elif not ("".join(fields).isascii() or _utf8(fields)):
                    bad = next(i for i, f in enumerate(fields) if not _utf8((f,)))
                    self._problem(name, line, next(c for c, i in index.items() if i == bad), "not_utf8")
                else:
                    record_id, item = fields[at_id], fields[at_item]
                    if record_id != last_id:
                        last_id = None
                        if record_id == "":
                            self._problem(name, line, "record_id", "required")
                            record = None
                        else:
                            record = records.get(record_id)
                            if record is None:
                                if records_known:
                                    self._problem(name, line, "record_id", "unknown_record")
                            else:
                                answers = pending.get(record_id)
                                if answers is None:
                                    answers = pending[record_id] = ({}, {})
                                values, lines = answers
                                last_id = record_id
                    if last_id is not None:
                        if item == "":
                            self._problem(name, line, "item", "required")
                        elif item in values:
                            self._problem(name, line, "item", "duplicate_answer")
                        else:
                            values[item] = fields[at_value]
                            lines[item] = line
                        left = counts[record_id] - 1
                        counts[record_id] = left
                        if not left:
                            del pending[record_id]
                            last_id = None
                            if record.valid:
                                try:
                                    judged = judging.submit(record, values, lines)
                                except _UNREADABLE as exc:  # not the file's fault: not reported as the file's
                                    raise RuntimeError("judging the answers failed") from exc
                                yield from self._settle(judged)
                seen += 1
                if not seen % 20000:
                    self._rows_seen = seen
                    self._tick()
                line = reader.line_num + 1
        except _UNREADABLE as exc:
            self._unreadable(name, line, exc)
        self._rows_seen = seen

    def _settle(self, judged):
        """Report the problems of judged records; yield those without any."""
        for record, lines, (canonical, incomplete, issues, sealed) in judged:
            judge = judge_for(record.instrument)
            for issue in issues:
                column = "item" if issue.code in ("unknown_item", "not_relevant", "note_has_answer") else "value"
                self.problems.report(answer_problem, "answers.csv", lines.get(issue.item), column, issue,
                                     judge.items.get(issue.item), judge.instrument, code=issue.code)
            if not issues:
                record.answers, record.incomplete, record.sealed = canonical, incomplete, sealed
                yield record


_JUDGES: dict = {}


def judge_for(name) -> "_Judge":
    if name not in _JUDGES:
        _JUDGES[name] = _Judge(registry.get_instrument(name))
    return _JUDGES[name]


# The sealer of the judging under way; a forked worker has it from its parent.
_SEALER = None


class JudgingStopped(RuntimeError):
    """A judging worker died under the import (out of memory): nothing is written."""

    def __init__(self):
        super().__init__(
            "En af importens arbejdsprocesser stoppede uventet (løbet tør for hukommelse?). Intet er skrevet. / "
            "One of the import's worker processes stopped unexpectedly (out of memory?). Nothing was written.")


def _start_judge(sealer):
    global _SEALER
    _SEALER = sealer


class _Judged(NamedTuple):
    """What a worker needs of a record (a whole ``RecordRow`` would travel for nothing)."""

    instrument: str
    filled_on: datetime.date | None
    citizen_id: str

    @classmethod
    def of(cls, record: RecordRow):
        return cls(record.instrument, record.filled_on, record.citizen_id)


def _judge_one(record, values, filled_on, sealer):
    """(canonical answers, incomplete, issues, sealed): a record judged, and — without
    issues, with a sealer — its answers sealed there too."""
    canonical, incomplete, issues = judge_for(record.instrument).judge(values, filled_on)
    sealed = sealer.seal(record, canonical) if sealer is not None and not issues else None
    return canonical, incomplete, issues, sealed


def _judge_batch(batch):
    judged = []
    for record, values in batch:
        canonical, *rest = _judge_one(record, values, record.filled_on, _SEALER)
        # Most packages hold canonical answers in form order already: the answers as
        # they were sent are not sent back (None), which halves what crosses the pipe.
        same = canonical == values and list(canonical) == list(values)
        judged.append((None if same else canonical, *rest))
    return judged


class _Judging:
    """Judge records in this process, or in a pool of worker processes.

    With workers (one is already a gain: this process reads and writes meanwhile),
    records go out in batches and come back in order, at most a few batches in flight
    (``lib/forked.py``), so reading and writing in this process overlap the judging and
    memory stays bounded. Workers are forked and only judge (pure functions of the
    instrument and the answers); they never touch the database. A worker that dies
    stops the import (``JudgingStopped``), never a wait for ever.
    """

    BATCH = 250
    IN_FLIGHT = 6

    def __init__(self, workers=0, sealer=None):
        self.pool = None
        self.sealer = sealer
        if workers and workers >= 1:
            self.pool = forked.InOrder(workers, in_flight=self.IN_FLIGHT, broken=JudgingStopped,
                                       initializer=_start_judge, initargs=(sealer,))
        self._batch = []

    def submit(self, record, values, lines) -> list:
        if self.pool is None:
            return [(record, lines, _judge_one(record, values, record.filled_on, self.sealer))]
        self._batch.append((record, values, lines))
        if len(self._batch) < self.BATCH:
            return []
        return self._send()

    def drain(self) -> list:
        if self.pool is None:
            return []
        done = self._send() if self._batch else []
        return done + self._unpack(self.pool.drain())

    def _send(self) -> list:
        batch, self._batch = self._batch, []
        work = [(_Judged.of(record), values) for record, values, _lines in batch]
        return self._unpack(self.pool.submit(batch, _judge_batch, work))

    @staticmethod
    def _unpack(finished) -> list:
        return [(record, lines, out if out[0] is not None else (values, *out[1:]))
                for batch, judged in finished for (record, values, lines), out in zip(batch, judged)]

    def close(self):
        if self.pool is not None:
            self.pool.close()
            self.pool = None


class _Judge:
    """``engine.parse_answers`` + ``engine.check_answers`` + ``engine.missing_required``
    for one instrument, with the relevance evaluated once instead of twice.

    The import judges every record of a package, and these three calls evaluated the
    skip logic twice per record; the checks themselves stay in the engine and the type
    registry (``relevance``, ``handler.parse``, ``handler.check``). A test holds this
    to the engine's answers on generated and broken records
    (``test_it_judges_records_as_the_engine_does``).
    """

    # Answers of these types are parsed and checked from their text alone (a choice
    # code, no context), from a small set of texts: each text is judged once per item.
    _REMEMBERED = frozenset({"select_one", "select_multiple"})
    _REMEMBER_AT_MOST = 512  # texts per item (a hostile file cannot fill memory)

    def __init__(self, instrument):
        self.instrument = instrument
        self.items = {item.name: item for item in instrument.items}
        self.handlers = {item.name: item.handler for item in instrument.items}
        # Form order with what each step needs, looked up once (item.is_note and
        # item.handler are properties that look the type up in the registry).
        self._order = tuple((item, item.name, item.is_note, item.required, item.handler) for item in instrument.items)
        self._remembered = {item.name: {} for item in instrument.items if item.handler.name in self._REMEMBERED}

    def _parse(self, name, item, text):
        """(value, None) or (None, issue): ``handler.parse``, remembered for choice texts."""
        memo = self._remembered.get(name)
        if memo is not None:
            found = memo.get(text)
            if found is not None:
                return found
        try:
            found = (self.handlers[name].parse(item, text), None)
        except AnswerError as exc:
            found = (None, exc.issue)
        if memo is not None and len(memo) < self._REMEMBER_AT_MOST and isinstance(text, str):
            memo[text] = found
        return found

    def _check(self, name, item, handler, value, context) -> list:
        """``handler.check``; for a choice answer (no context) remembered per value."""
        memo = self._remembered.get(name)
        if memo is None:
            return handler.check(item, value, context)
        key = ("checked", value)
        found = memo.get(key)
        if found is None:
            found = tuple(handler.check(item, value, context))
            if len(memo) < self._REMEMBER_AT_MOST:
                memo[key] = found
        return found

    def judge(self, raw: dict, filled_on) -> tuple[dict, bool, list]:
        """(canonical answers in form order, incomplete, issues) for item -> interchange string."""
        parsed, issues = {}, []
        remembered = self._remembered
        for name, text in raw.items():
            item = self.items.get(name)
            if item is None:
                message = f"{name!r} is not an item of {self.instrument.name}"
                issues.append(AnswerIssue("unknown_item", str(name), message))
                continue
            memo = remembered.get(name)
            found = None if memo is None else memo.get(text)  # (most answers: one lookup)
            value, issue = found if found is not None else self._parse(name, item, text)
            if issue is None:
                parsed[name] = value
            else:
                issues.append(issue)
        unreadable = bool(issues)
        relevant = engine.relevance(self.instrument, parsed)
        context = Context(filled_on=filled_on, answers=parsed)
        canonical, incomplete = {}, False
        for item, name, is_note, required, handler in self._order:
            if name not in parsed:
                incomplete = incomplete or (required and relevant[name])
                continue
            value = parsed[name]
            if is_note:
                issues.append(AnswerIssue("note_has_answer", name, "a note never has an answer"))
            elif not relevant[name]:
                # An unreadable answer has no value, so the items it would show look hidden: not their fault.
                if not unreadable:
                    issues.append(AnswerIssue("not_relevant", name, f"answered although hidden ({item.relevant})"))
            else:
                memo = remembered.get(name)
                found = None if memo is None else memo.get(("checked", value))
                if found is None:
                    found = self._check(name, item, handler, value, context)
                if found:
                    issues.extend(found)
                # Stored as the engine serialises it; only a type whose answers can be written
                # several ways ("2.50") needs serialising again.
                canonical[name] = raw[name] if handler.canonical_text else handler.serialise(item, value)
        return canonical, incomplete, issues


def _utf8(fields) -> bool:
    """No field holds bytes that were not UTF-8 (see Package.open_text)."""
    for value in fields:
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True


def _getter(fields, index):
    def get(column):
        i = index.get(column)
        return "" if i is None else fields[i]

    return get


def _ok_dates(get, column):
    value = get(column)
    return value == "" or bool(_DATE.fullmatch(value))


def _iso_datetime(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True

"""Writing the installation (or some municipalities of it) as an interchange package.

The order of every file is a function of the exported values alone — citizens by
municipality and id, a citizen's courses by start date and id, records by date,
instrument and id, answers in form order — so exporting, importing into an empty
installation and exporting again gives the same bytes (bar ``exported_at``).

What a package cannot hold is left out and counted: contact periods and courses that
never started (no ``start_date``), draft records, and course records whose course is
not exported. ``registration`` and ``not_started`` records are written without a
course, as the format wants.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from overgang.citizens.models import Citizen
from overgang.courses.models import Course, Pause
from overgang.instruments.models import InstrumentVersion
from overgang.lib import crypto, forked
from overgang.measurements import codec
from overgang.measurements.models import Record

from overgang.programmes.registry import DEFAULT

from .interchange import COURSE_INSTRUMENTS, INSTRUMENTS, VERSION, VERSIONS
from .writer import PackageWriter, answer_rows

CHUNK = 500


class ExportError(Exception):
    """The data cannot be written as one package; the message (Danish / English) says why."""


def export_package(target, *, municipalities=None, source="Overgang", progress=None, version=VERSION,
                   workers=0) -> dict:
    """Write the package to ``target`` (a directory, or a path ending in .zip); return counts.

    ``version`` 2 (the default) names each course's template; ``version=1`` writes the
    format of an installation before templates, which can only hold Exit prostitution
    courses: any other course or record refuses the export (ExportError).

    ``workers`` ≥ 1 decrypts and writes out the answers in that many forked processes
    (the command line); this process reads the database and writes the files."""
    if version not in VERSIONS:
        raise ExportError(f"Ukendt formatversion {version} / unknown format version {version}")
    citizens = Citizen.objects.all()
    if municipalities is not None:
        citizens = citizens.filter(municipality__in=municipalities)
    citizens = sorted(
        citizens.values_list("pk", "pseudonym", "municipality__name", "worker__username", "created_on", "data_key"),
        key=lambda c: (c[2], c[1]),
    )
    _refuse_shared_pseudonyms(citizens)
    pks = [c[0] for c in citizens]
    if version == 1:
        _refuse_other_templates(pks)
    out = PackageWriter(target, version=version)
    counts = defaultdict(int)
    answers = None
    try:
        for _pk, pseudonym, municipality, worker, created_on, _key in citizens:
            out.writerow("citizens.csv", [pseudonym, municipality, worker or "", _date(created_on)])
        counts["citizens"] = len(citizens)
        course_ids = _write_courses(out, citizens, counts, version)
        keys = {c[0]: (c[1], c[5]) for c in citizens}
        answers = _Answers(out, counts, workers, [c[5] for c in citizens])
        used_record_ids: set[str] = set()
        for start in range(0, len(pks), CHUNK):
            chunk = pks[start : start + CHUNK]
            _write_records(out, chunk, keys, course_ids, answers, counts, used_record_ids, version)
            if progress:
                progress(min(start + CHUNK, len(pks)), len(pks))
        answers.drain()
        out.close(exported_at=timezone.now().isoformat(timespec="seconds"), source=source)
    except crypto.DecryptionError as exc:  # a data key that does not unwrap (prefetch)
        out.abort()
        raise ExportError(_unreadable(exc)) from None
    except BaseException:
        out.abort()
        raise
    finally:
        if answers is not None:
            answers.close()
    return dict(counts)


def _refuse_shared_pseudonyms(citizens):
    """A pseudonym is unique within its municipality, but ``citizen_id`` must be unique in
    the whole package (compared as the import compares it, ignoring case): two
    municipalities with the same pseudonym are exported one at a time."""
    seen: dict[str, str] = {}
    shared = set()
    for _pk, pseudonym, municipality, *_rest in citizens:
        folded = pseudonym.casefold()
        if folded in seen and seen[folded] != municipality:
            shared.add(pseudonym)
        seen.setdefault(folded, municipality)
    if shared:
        names = ", ".join(sorted(shared)[:5]) + (" …" if len(shared) > 5 else "")
        raise ExportError(
            f"{len(shared)} pseudonym(er) findes i flere kommuner ({names}); eksportér én kommune ad gangen "
            f"med --municipality. / {len(shared)} pseudonym(s) exist in more than one municipality ({names}); "
            f"export one municipality at a time with --municipality."
        )


def _refuse_other_templates(citizen_pks):
    """A version 1 package knows no templates: every course in it is read as Exit
    prostitution. Courses or records of another template would change meaning."""
    others = (Course.objects.filter(citizen_id__in=citizen_pks).exclude(template_version__name=DEFAULT).count()
              + Record.objects.filter(citizen_id__in=citizen_pks, course=None)
              .exclude(template_version__name=DEFAULT).count())
    if others:
        raise ExportError(
            f"{others} forløb eller skemaer følger en anden forløbsskabelon end Exit prostitution og kan ikke skrives "
            f"i formatversion 1; eksportér i version 2. / {others} courses or forms follow another course template "
            f"than Exit prostitution and cannot be written in format version 1; export version 2."
        )


def _unique_ids(candidates, used):
    """The package id of each row: its imported id, or — when an earlier row (another
    municipality's import) already took that id — the row's own code. ``candidates``
    are (pk, external_id, code) in a fixed order; ``used`` collects the ids given."""
    ids = {}
    for pk, external_id, code in candidates:
        wanted = external_id or str(code)
        if wanted in used:
            wanted = str(code)
        used.add(wanted)
        ids[pk] = wanted
    return ids


def _write_courses(out, citizens, counts, version=VERSION) -> dict[int, str]:
    order = {c[0]: i for i, c in enumerate(citizens)}
    pseudonyms = {c[0]: c[1] for c in citizens}
    started = (Course.Status.ACTIVE, Course.Status.ENDED)
    courses = Course.objects.filter(citizen_id__in=order, status__in=started).exclude(start_date=None)
    found = list(courses.values("pk", "code", "external_id", "citizen_id", "start_date", "end_date", "status",
                                "phase2_start", "phase3_start", "template_version__name").iterator(chunk_size=2000))
    found.sort(key=lambda c: (order[c["citizen_id"]], c["start_date"], c["pk"]))
    ids = _unique_ids(((c["pk"], c["external_id"], c["code"]) for c in found), set())
    rows = [(order[c["citizen_id"]], c["start_date"], ids[c["pk"]], c) for c in found]
    rows.sort(key=lambda r: r[:3])
    course_ids = {}
    for _order, start, course_id, c in rows:
        course_ids[c["pk"]] = course_id
        out.writerow("courses.csv", [course_id, pseudonyms[c["citizen_id"]], _date(start), _date(c["end_date"]),
                                     c["status"], _date(c["phase2_start"]), _date(c["phase3_start"]),
                                     *([c["template_version__name"]] if version >= 2 else [])])
    counts["courses"] = len(rows)
    counts["courses_left_out"] = Course.objects.filter(citizen_id__in=order).count() - len(rows)
    pauses = defaultdict(list)
    stored = Pause.objects.filter(course_id__in=course_ids).values_list("course_id", "start_date", "end_date")
    for course_pk, start, end in stored:
        pauses[course_pk].append((start, end or start.max))
    for _order, _start, course_id, c in rows:
        for start, end in sorted(pauses.get(c["pk"], ())):
            out.writerow("pauses.csv", [course_id, _date(start), "" if end == start.max else _date(end)])
            counts["pauses"] += 1
    return course_ids


class _ItemOrder:
    """Answers are written in form order: ``rank(version_pk)`` maps each item name of
    the instrument version to its place in the form ((position, name) order), and
    ``form_order`` puts a record's answers in that order."""

    def __init__(self):
        self._ranks = {}

    def rank(self, version_pk) -> dict:
        if version_pk not in self._ranks:
            instrument = InstrumentVersion.objects.get(pk=version_pk).instrument()
            names = sorted((item.position, item.name) for item in instrument.items)
            self._ranks[version_pk] = {name: rank for rank, (_position, name) in enumerate(names)}
        return self._ranks[version_pk]


def form_order(rank: dict, answers) -> list:
    """The names of ``answers`` by ``rank`` (names the version does not have last, by name)."""
    try:
        return sorted(answers, key=rank.__getitem__)
    except KeyError:
        last = len(rank)
        return sorted(answers, key=lambda name: (rank.get(name, last), name))


_INSTRUMENT_ORDER = {name: i for i, name in enumerate(INSTRUMENTS)}


def _write_records(out, chunk, keys, course_ids, answers, counts, used_record_ids, version=VERSION):
    by_citizen = defaultdict(list)
    # The plain answers as the database's JSON text: a worker parses them (codec.plain).
    records = Record.objects.filter(citizen_id__in=chunk).values_list(
        "pk", "code", "external_id", "citizen_id", "course_id", "instrument", "instrument_version_id", "filled_on",
        "respondent", "status", "template_version__name", Cast(codec.PLAIN, TextField()), codec.SEALED)
    for row in records.iterator(chunk_size=2000):
        by_citizen[row[3]].append(row)
    work = []
    for citizen_pk in chunk:
        pseudonym, data_key = keys[citizen_pk]
        rows = []
        for row in by_citizen.get(citizen_pk, ()):
            _pk, code, external_id, _c, course_pk, instrument, version_pk, filled_on, respondent, status = row[:10]
            template = row[10]
            plain, sealed = row[11:]
            if status != Record.Status.COMPLETED or instrument not in _INSTRUMENT_ORDER:
                counts["records_left_out"] += 1
                continue
            course_id = ""
            if instrument in COURSE_INSTRUMENTS:
                course_id = course_ids.get(course_pk)
                if course_id is None:
                    counts["records_left_out"] += 1
                    continue
            # A course record's template is its course's; a registration or a
            # not-started form names its own (version 2).
            own = [] if version < 2 else ["" if course_id else template]
            rows.append((filled_on, _INSTRUMENT_ORDER[instrument], (_pk, external_id, code), course_id, instrument,
                         version_pk, respondent if instrument == "star" else "", own, plain, sealed))
        rows.sort(key=lambda r: (r[0], r[1], r[2][0]))
        ids = _unique_ids((r[2] for r in rows), used_record_ids)
        rows = [(r[0], r[1], ids[r[2][0]], *r[3:]) for r in rows]
        rows.sort(key=lambda r: r[:3])
        for filled_on, _o, record_id, course_id, instrument, version_pk, respondent, own, plain, sealed in rows:
            out.writerow("records.csv", [record_id, pseudonym, course_id, instrument, _date(filled_on), respondent,
                                         *own])
            work.append((record_id, version_pk, plain, sealed, data_key))
            counts["records"] += 1
    answers.submit(work)


# What a forked worker decrypts with: its parent's codec, given at the fork.
_WORKER_CODEC = None


def _start_worker(answers_of):
    global _WORKER_CODEC
    _WORKER_CODEC = answers_of


def _answer_text(work, ranks, answers_of=None) -> tuple[str, int]:
    """answers.csv's rows of the records ``work`` ((record id, instrument version,
    plain part, sealed part, data key), in package order) and how many answers;
    ``ranks``: each of their versions' form order (``_ItemOrder.rank``)."""
    decode = (answers_of or _WORKER_CODEC).passing_reader()
    parts, n = [], 0
    for record_id, version_pk, plain, sealed, data_key in work:
        try:
            values = decode(plain, sealed, data_key)
        except crypto.DecryptionError as exc:
            raise ExportError(_unreadable(exc, record_id)) from None
        parts.append(answer_rows(record_id, [(item, values[item]) for item in form_order(ranks[version_pk], values)]))
        n += len(values)
    return "".join(parts), n


class _Answers:
    """Decrypt the records' answers and write answers.csv, here or in forked workers.

    The work is the CPU of an export (decrypting, parsing, ordering and writing out
    forty answers per record); with ``workers`` this process goes on reading the
    database and writing records.csv meanwhile, and writes each chunk's rows when they
    come back, in order, at most a few chunks in flight. The workers are forked with
    every data key of the export unwrapped and get each chunk's form orders with it:
    they never touch the database or the key store. A worker that dies (out of memory)
    stops the export with a message, never a wait for ever.

    Every citizen's data key is fetched and unwrapped before the first record, with or
    without workers, so both refuse the same installation (a key that does not open)."""

    IN_FLIGHT = 4

    def __init__(self, out, counts, workers, data_keys):
        self.out, self.counts, self.pool = out, counts, None
        self.items = _ItemOrder()
        self.codec = codec.AnswerCodec()  # one unwrap per citizen, not per record
        self.codec.prefetch(data_keys)  # in bulk from the key store
        if workers and workers >= 1:
            self.pool = forked.InOrder(workers, in_flight=self.IN_FLIGHT, broken=_worker_died,
                                       initializer=_start_worker, initargs=(self.codec,))

    def submit(self, work):
        if not work:
            return
        ranks = {version_pk: self.items.rank(version_pk) for version_pk in {w[1] for w in work}}
        if self.pool is None:
            self._write(_answer_text(work, ranks, self.codec))
            return
        for _tag, result in self.pool.submit(None, _answer_text, work, ranks):
            self._write(result)

    def drain(self):
        if self.pool is not None:
            for _tag, result in self.pool.drain():
                self._write(result)

    def _write(self, result):
        text, n = result
        self.out.write_text("answers.csv", text)
        self.counts["answers"] += n

    def close(self):
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def _worker_died() -> ExportError:
    return ExportError(
        "En af eksportens arbejdsprocesser stoppede uventet (løbet tør for hukommelse?). Intet er eksporteret; prøv "
        "igen med færre --workers. / One of the export's worker processes stopped unexpectedly (out of memory?). "
        "Nothing was exported; try again with fewer --workers.")


def _unreadable(exc, record_id=None) -> str:
    """Why the export stopped when sealed answers or a data key could not be opened
    (Danish / English), naming the record when it is known."""
    if isinstance(exc, crypto.KeyUnavailable):
        da = "borgerens datanøgle findes ikke i nøglelageret (borgeren er slettet, eller OVERGANG_KEY_STORE peger " \
             "på et andet nøglelager)"
        en = "the citizen's data key is not in the key store (the citizen was erased, or OVERGANG_KEY_STORE points " \
             "at another key store)"
    else:
        da = "de kan ikke åbnes med installationens nøgler (OVERGANG_FIELD_KEYS er ikke dem, de blev skrevet med?)"
        en = "they cannot be opened with the installation's keys (is OVERGANG_FIELD_KEYS not the one they were " \
             "written with?)"
    where_da = f"Svarene i registrering {record_id}" if record_id else "En borgers data"
    where_en = f"The answers of record {record_id}" if record_id else "A citizen's data"
    return f"{where_da}: {da}. Intet er eksporteret. / {where_en}: {en}. Nothing was exported."


def _date(value) -> str:
    return value.isoformat() if value else ""

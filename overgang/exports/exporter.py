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

from django.utils import timezone

from overgang.citizens.models import Citizen
from overgang.courses.models import Course, Pause
from overgang.instruments.models import InstrumentVersion
from overgang.measurements import codec
from overgang.measurements.models import Record

from overgang.programmes.registry import DEFAULT

from .interchange import COURSE_INSTRUMENTS, INSTRUMENTS, VERSION, VERSIONS
from .writer import PackageWriter

CHUNK = 500


class ExportError(Exception):
    """The data cannot be written as one package; the message (Danish / English) says why."""


def export_package(target, *, municipalities=None, source="Overgang", progress=None, version=VERSION) -> dict:
    """Write the package to ``target`` (a directory, or a path ending in .zip); return counts.

    ``version`` 2 (the default) names each course's template; ``version=1`` writes the
    format of an installation before templates, which can only hold Exit prostitution
    courses: any other course or record refuses the export (ExportError)."""
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
    try:
        for _pk, pseudonym, municipality, worker, created_on, _key in citizens:
            out.writerow("citizens.csv", [pseudonym, municipality, worker or "", _date(created_on)])
        counts["citizens"] = len(citizens)
        course_ids = _write_courses(out, citizens, counts, version)
        keys = {c[0]: (c[1], c[5]) for c in citizens}
        items = _ItemOrder()
        used_record_ids: set[str] = set()
        for start in range(0, len(pks), CHUNK):
            chunk = pks[start : start + CHUNK]
            _write_records(out, chunk, keys, course_ids, items, counts, used_record_ids, version)
            if progress:
                progress(min(start + CHUNK, len(pks)), len(pks))
        out.close(exported_at=timezone.now().isoformat(timespec="seconds"), source=source)
    except BaseException:
        out.abort()
        raise
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
    """Item name -> position, per instrument version (answers are written in form order)."""

    def __init__(self):
        self._cache = {}

    def __call__(self, version_pk):
        if version_pk not in self._cache:
            instrument = InstrumentVersion.objects.get(pk=version_pk).instrument()
            self._cache[version_pk] = {item.name: item.position for item in instrument.items}
        return self._cache[version_pk]


_INSTRUMENT_ORDER = {name: i for i, name in enumerate(INSTRUMENTS)}


def _write_records(out, chunk, keys, course_ids, items, counts, used_record_ids, version=VERSION):
    by_citizen = defaultdict(list)
    records = Record.objects.filter(citizen_id__in=chunk).values_list(
        "pk", "code", "external_id", "citizen_id", "course_id", "instrument", "instrument_version_id", "filled_on",
        "respondent", "status", "template_version__name", *codec.FIELDS)
    for row in records.iterator(chunk_size=2000):
        by_citizen[row[3]].append(row)
    answers_of = codec.AnswerCodec()  # one unwrap per citizen, not per record
    answers_of.prefetch(keys[pk][1] for pk in chunk)  # the chunk's keys in one store query
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
            values = answers_of.decode(plain, sealed, data_key)
            position = items(version_pk)
            out.writerows("answers.csv", [(record_id, item, values[item])
                                          for item in sorted(values, key=lambda name: (position.get(name, 10**6), name))])
            counts["records"] += 1
            counts["answers"] += len(values)


def _date(value) -> str:
    return value.isoformat() if value else ""

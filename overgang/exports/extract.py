"""Building the pseudonymised tables of an evaluator export (security.md).

Per export, never across exports:
- citizen, course and record ids are replaced by random ids (one mapping for the
  whole export, so the tables join; a new mapping next time, so two exports do not);
- the birth date is replaced by the age at the start of the course (the first course
  for the registration table);
- free-text items are left out unless asked for;
- with ``shift_dates`` every date of a citizen moves by the same random number of days
  (±183), so intervals within a citizen are kept while calendar dates are not.
The municipality stays: the evaluator was granted it by name.

An instrument's columns come from the codebook of every version present in the
exported records (formpack's approach, ``codebook.of_versions``): an item a later
version dropped keeps its column, filled for the records of the versions that asked
it and skipped for the others; each record is read and judged against its own version.

Course templates (issue 13): every course and record says its template (``template``),
and an instrument's columns (and codebook) hold only the item groups of the templates
present in the exported records — an export of homelessness courses has no column about
selling sex; in a mixed export such a column is skipped for the records whose template
lacks it.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date, timedelta

from overgang.citizens.models import Citizen
from overgang.rights.models import withdrawn_citizens
from overgang.courses.models import Course, Pause
from overgang.instruments import codebook, engine, groups, registry
from overgang.instruments.models import InstrumentVersion
from overgang.measurements import codec
from overgang.measurements.models import Record
from overgang.programmes.models import TemplateVersion

from .tables import SKIPPED, Column, Table

MAX_SHIFT_DAYS = 183
YES_NO = {0: "Nej", 1: "Ja"}
BASE = {
    "record_id": "Registreringens id (tilfældigt i dette udtræk)",
    "citizen_id": "Borgerens id (tilfældigt i dette udtræk)",
    "course_id": "Forløbets id (tilfældigt i dette udtræk)",
    "municipality": "Kommune",
    "instrument_version": "Skemaets version",
    "filled_on": "Udfyldt dato",
    "respondent": "Hvem førte pennen (stjernen)",
    "incomplete": "Ufuldstændig: påkrævede svar mangler",
    "age_at_course_start": "Alder ved forløbets start (år)",
    "template": "Forløbsskabelon",
}


class RandomIds:
    """Real key -> a random id, the same key always the same id within one export."""

    def __init__(self, prefix):
        self.prefix, self._ids, self._used = prefix, {}, set()

    def __call__(self, key):
        if key is None:
            return None
        if key not in self._ids:
            new = f"{self.prefix}{secrets.token_hex(5)}"
            while new in self._used:
                new = f"{self.prefix}{secrets.token_hex(5)}"
            self._used.add(new)
            self._ids[key] = new
        return self._ids[key]


def age_on(birth: date | None, day: date | None) -> int | None:
    if birth is None or day is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class _Scope:
    def __init__(self, municipalities, shift_dates):
        # Citizens who withdrew their consent leave evaluator exports (rights/models.py).
        rows = Citizen.objects.filter(municipality__in=municipalities).exclude(pk__in=withdrawn_citizens()).values_list(
            "pk", "municipality__name", "data_key")
        self.citizens = {pk: (name, key) for pk, name, key in rows}
        rng = secrets.SystemRandom()
        self.shift = {pk: timedelta(days=rng.randint(-MAX_SHIFT_DAYS, MAX_SHIFT_DAYS) if shift_dates else 0)
                      for pk in self.citizens}
        self.citizen_id, self.course_id, self.record_id = RandomIds("B"), RandomIds("F"), RandomIds("R")
        self.answers = codec.AnswerCodec()
        self.answers.prefetch(key for _name, key in self.citizens.values())  # in bulk from the key store

    def date(self, citizen_pk, value):
        if not isinstance(value, date):
            return value
        try:
            return value + self.shift[citizen_pk]
        except OverflowError:
            # A date at the end of the calendar (a legacy sentinel such as 9999-12-31)
            # stays at that end; every real date keeps its interval to the others.
            return date.max if self.shift[citizen_pk] > timedelta(0) else date.min


def build_tables(municipalities, instruments, *, include_text=False, shift_dates=False, lang="da"):
    """(tables, counts, codebooks): courses, pauses, and a wide and a long table per
    instrument; the codebook each instrument's columns came from."""
    scope = _Scope(municipalities, shift_dates)
    births = _birth_dates(scope)
    courses = list(Course.objects.filter(citizen_id__in=scope.citizens).exclude(start_date=None)
                   .order_by("citizen_id", "start_date", "pk")
                   .values("pk", "citizen_id", "status", "start_date", "end_date", "phase2_start", "phase3_start",
                           "template_version__name"))
    first_start = {}
    for c in courses:
        first_start.setdefault(c["citizen_id"], c["start_date"])
    tables = [_courses_table(scope, courses, births), _pauses_table(scope, courses)]
    counts = {"citizens": len(scope.citizens), "courses": len(courses), "records": 0}
    books = []
    for name in instruments:
        book = _codebook(scope, name)
        wide, long, n = _instrument_tables(scope, book, births, first_start, include_text, lang)
        tables += [wide, long]
        books.append(book)
        counts["records"] += n
    return tables, counts, books


def _codebook(scope, name) -> codebook.Codebook:
    """The codebook of the versions of ``name`` in the exported records (the current
    codebook when there are none: the columns an export of this instrument has), with
    only the item groups of the templates of those records."""
    records = Record.objects.completed().filter(citizen_id__in=scope.citizens, instrument=name).order_by()
    present = records.values_list("instrument_version_id", flat=True).distinct()
    versions = list(InstrumentVersion.objects.filter(pk__in=present))
    book = codebook.of_versions(versions) if versions else codebook.current(name)
    templates = TemplateVersion.objects.filter(pk__in=records.values_list("template_version_id", flat=True).distinct())
    kept = set().union(*(t.template().groups(name) for t in templates)) if versions else None
    if kept is None:
        return book
    # A template's own wording of a choice (Template.choice_labels) when every template
    # of the export words it so; otherwise the instrument's.
    built = [t.template().labels() for t in templates]
    labels = {key: text for key, text in built[0].items() if all(other.get(key) == text for other in built[1:])}
    narrowed = [(number, groups.restrict(instrument, kept, labels=labels)) for number, instrument in book.versions]
    if all(a is b for (_n, a), (_m, b) in zip(narrowed, book.versions)):
        return book
    return codebook.Codebook(narrowed)


def _birth_dates(scope) -> dict:
    births = {}
    rows = (Record.objects.completed().filter(citizen_id__in=scope.citizens, instrument="registration")
            .order_by("filled_on", "pk").values_list("citizen_id", *codec.FIELDS))
    for citizen_pk, plain, sealed in rows:
        answers = scope.answers.decode(plain, sealed, scope.citizens[citizen_pk][1])
        if answers.get("birth_date"):
            births[citizen_pk] = date.fromisoformat(answers["birth_date"])
    return births


def _courses_table(scope, courses, births) -> Table:
    columns = [
        Column("course_id", BASE["course_id"], "str"), Column("citizen_id", BASE["citizen_id"], "str"),
        Column("municipality", BASE["municipality"], "str"), Column("status", "Status", "str"),
        Column("start_date", "Startdato", "date"), Column("end_date", "Slutdato", "date"),
        Column("phase2_start", "Fase 2 begyndte", "date"), Column("phase3_start", "Fase 3 begyndte", "date"),
        Column("age_at_course_start", BASE["age_at_course_start"], "int"),
        Column("template", BASE["template"], "str"),
    ]
    rows = []
    for c in courses:
        pk = c["citizen_id"]
        rows.append([
            scope.course_id(c["pk"]), scope.citizen_id(pk), scope.citizens[pk][0], c["status"],
            *(scope.date(pk, c[k]) for k in ("start_date", "end_date", "phase2_start", "phase3_start")),
            age_on(births.get(pk), c["start_date"]), c["template_version__name"],
        ])
    return Table("courses", "Forløb", columns, rows)


def _pauses_table(scope, courses) -> Table:
    citizen_of = {c["pk"]: c["citizen_id"] for c in courses}
    columns = [Column("course_id", BASE["course_id"], "str"), Column("start_date", "Pause fra", "date"),
               Column("end_date", "Pause til", "date")]
    rows = [
        [scope.course_id(course_pk), scope.date(citizen_of[course_pk], start), scope.date(citizen_of[course_pk], end)]
        for course_pk, start, end in Pause.objects.filter(course_id__in=citizen_of)
        .order_by("course_id", "start_date").values_list("course_id", "start_date", "end_date")
    ]
    return Table("pauses", "Pauser", columns, rows)


def _item_columns(item, lang):
    """The wide table's columns for one item (instruments.md §2.6), from its type; the
    birth date is exported as the age at the course's start."""
    if item.name == "birth_date":
        return [Column("age_at_course_start", BASE["age_at_course_start"], "int")]
    return item.handler.export_specs(item, lang)


def _instrument_tables(scope, book, births, first_start, include_text, lang):
    name = book.name
    instrument = book.newest
    items = [i for i in book.items if not i.is_note and (include_text or not i.handler.free_text)]
    base = [Column(k, BASE[k], "str") for k in ("record_id", "citizen_id", "course_id", "municipality")]
    base += [Column("instrument_version", BASE["instrument_version"], "int"),
             Column("filled_on", BASE["filled_on"], "date"), Column("respondent", BASE["respondent"], "str"),
             Column("incomplete", BASE["incomplete"], "int", YES_NO), Column("template", BASE["template"], "str")]
    wide = Table(f"{name}_wide", instrument.title.get(lang), base + [c for i in items for c in _item_columns(i, lang)])
    long_columns = [*base[:4], base[5], Column("item", "Spørgsmål", "str"), Column("value", "Svar", "str"),
                    Column("value_label", "Svarets tekst", "str")]
    long = Table(f"{name}_long", f"{instrument.title.get(lang)} (langt format)", long_columns)
    versions = {}
    templates = {}  # template version pk -> (name, the item groups it has of this instrument)
    records = (Record.objects.completed().filter(citizen_id__in=scope.citizens, instrument=name)
               .order_by("citizen_id", "filled_on", "pk")
               .values_list("pk", "citizen_id", "course_id", "instrument_version_id", "filled_on", "respondent",
                            "incomplete", "template_version_id", *codec.FIELDS))
    widths = {item.name: len(_item_columns(item, lang)) for item in items}
    n = 0
    for record in records.iterator(chunk_size=2000):
        pk, citizen_pk, course_pk, version_pk, filled_on, respondent, incomplete, template_pk, plain, sealed = record
        if template_pk not in templates:
            template = TemplateVersion.objects.get(pk=template_pk)
            templates[template_pk] = (template.name, template.template().groups(name))
        template_name, has = templates[template_pk]
        if version_pk not in versions:
            version = InstrumentVersion.objects.get(pk=version_pk)
            versions[version_pk] = (version.version, codebook.built(version))
        number, definition = versions[version_pk]
        # The sealed part holds free text (left out below unless chosen) and the items
        # declared sealed (exported like any other answer).
        raw = scope.answers.decode(plain, sealed, scope.citizens[citizen_pk][1])
        parsed, _issues = engine.parse_answers(definition, raw)
        relevant = engine.relevance(definition, parsed)
        ids = [scope.record_id(pk), scope.citizen_id(citizen_pk), scope.course_id(course_pk),
               scope.citizens[citizen_pk][0]]
        shifted = scope.date(citizen_pk, filled_on)
        row = ids + [number, shifted, respondent, int(incomplete), template_name]
        for item in items:
            value = parsed.get(item.name)
            if not relevant.get(item.name, False) or (item.group and item.group not in has):
                row += [SKIPPED] * widths[item.name]
            elif item.name == "birth_date":
                row.append(age_on(value, first_start.get(citizen_pk)))
            else:
                row += _cells(item, value, scope, citizen_pk)
            if value is not None and relevant.get(item.name, False):
                long.rows.append(ids + [shifted, *_long_cells(item, value, scope, citizen_pk, first_start, lang)])
        wide.rows.append(row)
        n += 1
    return wide, long, n


def _cells(item, value, scope, citizen_pk):
    # Every date of a citizen moves by the same number of days (scope.date leaves any
    # other value alone).
    return [scope.date(citizen_pk, cell) for cell in item.handler.export_values(item, value)]


def _long_cells(item, value, scope, citizen_pk, first_start, lang):
    if item.name == "birth_date":
        return ["age_at_course_start", _text(age_on(value, first_start.get(citizen_pk))), ""]
    text = item.handler.serialise(item, scope.date(citizen_pk, value))
    return [item.name, text, item.handler.label_text(item, value, lang)]


def _text(value):
    return "" if value is None else str(value)


def instrument_names():
    return list(registry.all_instruments())

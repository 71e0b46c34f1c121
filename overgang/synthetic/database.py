"""A generated world written straight into the installation's database, in bulk.

Rows are written as the application stores them — every free text and identity note
encrypted with the citizen's own data key (``crypto.DataKeys``), the data key wrapped by
the installation's field keys, answers stored by the answer codec
(``measurements/codec.py``: sealed items encrypted) against the current
``InstrumentVersion`` — but without building a model instance per row: primary keys are handed out here (after the highest one in the table), rows are
sent with one ``executemany`` per batch on SQLite and with ``COPY`` on PostgreSQL, and
PostgreSQL's sequences are moved past them at the end. Every concrete field of every
model written must be given or have a default, so a new field without one fails loudly.

All of it is one transaction with one audit event (``synthetic.generate``): a failure
leaves the installation as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, NOT_PROVIDED

from overgang.accounts.models import Membership, Municipality, User
from overgang.audit.log import record as audit
from overgang.citizens.models import Citizen
from overgang.courses import due
from overgang.courses.models import (
    Activity,
    Contact,
    Course,
    FocusArea,
    Handover,
    HandoverMeeting,
    NetworkMember,
    Pause,
    PlanEvent,
)
from overgang.instruments.models import current_version
from overgang.lib import crypto
from overgang.measurements import codec
from overgang.measurements.models import Record
from overgang.programmes import models as programmes

from . import lives

BATCH = 5000
MODELS = (Citizen, Course, Pause, Contact, FocusArea, Activity, PlanEvent, NetworkMember, HandoverMeeting, Handover,
          Record)


class Table:
    """Rows of one model, buffered and sent in batches with explicit primary keys."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.names = [f.attname for f in fields]
        self.defaults = {}
        for f in fields:
            if f.primary_key:
                continue
            if f.default is not NOT_PROVIDED:
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
        # Codes come as 32 hex digits (see ``_codes``), which both databases store as they are.
        self.prepare = [(i, _converter(f)) for i, f in enumerate(fields) if _converter(f) is not None]
        self.pk_name = model._meta.pk.attname
        self.next_pk = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.rows = []
        self.count = 0
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        self.insert_sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"

    def add(self, **values) -> int:
        pk = self.next_pk
        self.next_pk += 1
        values[self.pk_name] = pk
        try:
            self.rows.append([values[name] if name in values else self.defaults[name] for name in self.names])
        except KeyError as missing:
            raise RuntimeError(f"{self.model.__name__}.{missing.args[0]} is not written by the generator") from None
        if len(self.rows) >= BATCH:
            self.flush()
        return pk

    def flush(self):
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        self.count += len(rows)
        for row in rows:
            for i, convert in self.prepare:
                row[i] = convert(row[i])
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.insert_sql, rows)


def _converter(field):
    """How a Python value of ``field`` is handed to the database (None: as it is).

    PostgreSQL's COPY takes dates, aware datetimes and hex UUIDs as they are; SQLite
    gets what Django itself would send (ISO dates, naive UTC datetimes); JSON goes as
    its text to both."""
    kind = field.get_internal_type()
    if kind == "JSONField":
        return json.dumps
    if connection.vendor == "postgresql":
        return None
    if kind == "DateField":
        return lambda value: None if value is None else value.isoformat()
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    return None


class _Codes:
    """Random version-4 UUIDs as 32 hex digits, drawn from the system's random source in
    bulk (a code per row adds up to millions)."""

    def __init__(self):
        self._buffer = b""
        self._at = 0

    def __call__(self) -> str:
        if self._at + 16 > len(self._buffer):
            self._buffer, self._at = bytearray(os.urandom(16 * 4096)), 0
        raw = self._buffer[self._at:self._at + 16]
        self._at += 16
        raw[6] = (raw[6] & 0x0F) | 0x40
        raw[8] = (raw[8] & 0x3F) | 0x80
        return raw.hex()


def _at(day: dt.date, minutes: int) -> dt.datetime:
    """A moment of a working day (from 8:00 UTC), for created/updated stamps."""
    return dt.datetime(day.year, day.month, day.day, 8, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=minutes)


@transaction.atomic
def write(world: lives.World, *, password: str | None = None, actor=None) -> dict:
    """Write ``world`` into the database; returns the counts per kind of row.

    Municipalities and staff that exist (by name and username) are used as they are;
    new staff get ``password`` (one hash for all of them: a test installation's logins)
    or no usable password.
    """
    municipalities = _municipalities(world)
    users = _staff(world, municipalities, password)
    writer = _Writer(world, municipalities, users)
    for citizen in lives.citizens(world):
        writer.citizen(citizen)
    counts = writer.finish()
    counts["staff_created"] = users.pop(None, 0)
    audit("synthetic.generate", actor=actor, object_type="installation",
          details={"seed": world.options.seed, "today": world.options.today.isoformat(), **counts})
    return counts


def _municipalities(world):
    found = {m.name: m for m in Municipality.objects.filter(name__in=world.municipalities)}
    for name in world.municipalities:
        if name not in found:
            found[name] = Municipality.objects.create(name=name, team_visibility=len(found) % 2 == 1)
    return found


def _staff(world, municipalities, password):
    existing = {u.username: u for u in User.objects.filter(username__in=[s.username for s in world.staff])}
    usernames = {u for names in world.workers.values() for u in names}
    existing.update({u.username: u for u in User.objects.filter(username__in=usernames)})
    hashed = make_password(password) if password else None
    new = {}
    for person in world.staff:
        if person.username not in existing and person.username not in new:
            new[person.username] = User(username=person.username, first_name=person.first_name,
                                        last_name=person.last_name, password=hashed or make_password(None))
    User.objects.bulk_create(new.values(), batch_size=1000)
    users = {**existing, **{u.username: u for u in User.objects.filter(username__in=list(new))}}
    have = set(Membership.objects.filter(user__in=users.values()).values_list("user_id", "municipality_id", "role"))
    Membership.objects.bulk_create([
        Membership(user=users[s.username], municipality=municipalities[s.municipality], role=s.role)
        for s in world.staff
        if (users[s.username].pk, municipalities[s.municipality].pk, s.role) not in have
    ], batch_size=1000)
    users = {name: user.pk for name, user in users.items()}
    users[None] = len(new)
    return users


class _Writer:
    def __init__(self, world, municipalities, users):
        self.world = world
        self.municipalities = {name: m.pk for name, m in municipalities.items()}
        self.users = users
        self.tables = {model: Table(model) for model in MODELS}
        self.code = _Codes()
        self.template_versions = {}
        self.versions = {}
        for name in ("registration", "star", "cti_start", "cti_ongoing", "cti_end", "not_started"):
            version = current_version(name)
            instrument = version.instrument()
            items = {item.name: (item, item.handler.serialise) for item in instrument.items}
            self.versions[name] = (version.pk, instrument, items)
        self.codec = codec.AnswerCodec()
        # The new citizens' keys, stored in the key store in batches, all before the
        # transaction writing their ciphertext commits.
        self.new_keys = []
        # Lower-cased here, not by the database: SQLite's LOWER leaves æøå as they are.
        taken = Citizen.objects.filter(municipality_id__in=self.municipalities.values()).values_list(
            "municipality_id", "pseudonym")
        self.taken = {(municipality, pseudonym.lower()) for municipality, pseudonym in taken}

    def _template_version(self, name):
        if name not in self.template_versions:
            self.template_versions[name] = programmes.current_version(name).pk
        return self.template_versions[name]

    def _pseudonym(self, municipality_pk, pseudonym):
        candidate, n = pseudonym, 1
        while (municipality_pk, candidate.lower()) in self.taken:
            n += 1
            candidate = f"{pseudonym}-{n}"
        self.taken.add((municipality_pk, candidate.lower()))
        return candidate

    def citizen(self, person: lives.Citizen):
        t = self.tables
        key = self.codec.new_data_key(defer=self.new_keys)
        if len(self.new_keys) >= BATCH:
            crypto.store_keys(self.new_keys)

        def enc(text):
            return self.codec.encrypt(key, text) if text else ""

        municipality = self.municipalities[person.municipality]
        worker = self.users[person.worker]
        course = person.course
        stamp = _at(person.created_on, 30)
        citizen_pk = t[Citizen].add(
            code=self.code(), municipality_id=municipality, pseudonym=self._pseudonym(municipality, person.pseudonym),
            worker_id=worker, created_on=person.created_on, data_key=key,
            identity_note_encrypted=enc(person.identity_note), version=1, created=stamp, updated=stamp)
        plan = course.template.plan
        completed = [(n, r.instrument, r.filled_on) for n, r in enumerate(course.records) if r.status == "completed"]
        next_due = due.compute(course.status, course.start_date, plan, course.schedule_pauses(), completed)
        course_pk = t[Course].add(
            code=self.code(), external_id="", citizen_id=citizen_pk, status=course.status,
            template_version_id=self._template_version(course.template.name),
            first_contact_on=course.first_contact_on, contact_route=course.contact_route, contact_route_other_encrypted="",
            third_party=course.third_party, start_date=course.start_date,
            phase1_months=plan.phase_months[0], phase2_months=plan.phase_months[1],
            phase3_months=plan.phase_months[2], interval_months=plan.interval_months, window_days=plan.window_days,
            phase2_start=course.phase2_start, phase3_start=course.phase3_start, end_date=course.end_date,
            long_term_plan_encrypted=enc(course.long_term_plan), version=1, created=_at(course.first_contact_on, 45),
            last_contact_on=max((day for day, *_rest in course.contacts), default=None),
            **dict(zip(due.FIELDS, next_due)))
        for start, end, reason in course.pauses:
            t[Pause].add(code=self.code(), course_id=course_pk, start_date=start, end_date=end,
                         reason_encrypted=enc(reason))
        for day, form, minutes, note in course.contacts:
            t[Contact].add(code=self.code(), course_id=course_pk, date=day, form=form, minutes=minutes,
                           note_encrypted=enc(note), created_by_id=worker)
        for i, focus in enumerate(course.focus_areas):
            focus_pk = t[FocusArea].add(
                code=self.code(), course_id=course_pk, phase=focus.phase, area=focus.area,
                goal_encrypted=enc(focus.goal), citizen_took_part=focus.took_part, created=_at(focus.created, i))
            for activity in focus.activities:
                t[Activity].add(code=self.code(), focus_area_id=focus_pk, what_encrypted=enc(activity.what),
                                actor=activity.actor, due_date=activity.due, status=activity.status)
        for kind, day, took_part, note in course.plan_events:
            t[PlanEvent].add(code=self.code(), course_id=course_pk, kind=kind, date=day,
                             citizen_took_part=took_part, note_encrypted=enc(note))
        for role, name, contact, takes_over in course.network:
            t[NetworkMember].add(code=self.code(), course_id=course_pk, role=role, name_encrypted=enc(name),
                                 contact_encrypted=enc(contact), takes_over_encrypted=enc(takes_over))
        for kind, day, note in course.meetings:
            t[HandoverMeeting].add(code=self.code(), course_id=course_pk, kind=kind, date=day,
                                   note_encrypted=enc(note))
        if person.handover:
            before, day, note = person.handover
            t[Handover].add(code=self.code(), citizen_id=citizen_pk, from_worker_id=self.users[before],
                            to_worker_id=worker, date=day, note_encrypted=enc(note))
        for n, record in enumerate(course.records):
            self._record(record, citizen_pk, course_pk, worker, key, n, self._template_version(course.template.name))

    def _record(self, record, citizen_pk, course_pk, worker, key, n, template_version_pk):
        version_pk, instrument, items = self.versions[record.instrument]
        strings = {}
        for name, value in record.answers.items():
            item, serialise = items[name]
            strings[name] = serialise(item, value)
        stamp = _at(record.filled_on, 60 + n)
        completed = record.status == "completed"
        self.tables[Record].add(
            code=self.code(), external_id="", citizen_id=citizen_pk, course_id=course_pk,
            instrument_version_id=version_pk, template_version_id=template_version_pk, instrument=record.instrument,
            status=record.status, filled_on=record.filled_on, respondent=record.respondent, **self.codec.encode(instrument, strings, key),
            version=1, edit_token="", created_by_id=worker, created=stamp, updated=stamp,
            completed_at=stamp if completed else None, incomplete=record.incomplete,
            prefilled="")  # a generated history opened with nothing pre-filled, as an imported one

    def finish(self) -> dict:
        crypto.store_keys(self.new_keys)
        for table in self.tables.values():
            table.flush()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(self.tables)):
                    cursor.execute(sql)
        return {model._meta.model_name: table.count for model, table in self.tables.items()}

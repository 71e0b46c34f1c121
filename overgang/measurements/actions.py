"""Starting, saving, completing, correcting and discarding records, each audited.

Audit events name the record, the citizen and the *items* that changed, never the
values (they are personal data); a correction's old and new values are kept, encrypted,
in ``RecordChange``.
"""

import json
import uuid

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from overgang.audit.log import record as audit
from overgang.audit.log import record_many
from overgang.citizens.models import Citizen
from overgang.instruments import engine
from overgang.instruments.models import current_version
from overgang.instruments.types import Context
from overgang.lib import bulk, crypto
from overgang.measurements import codec as answer_codec
from overgang.measurements.models import Record, RecordChange
from overgang.measurements.signals import completed_records_changed


class StaleVersion(Exception):
    """The record was saved by someone else after this form was opened."""


class InvalidAnswers(Exception):
    """The record's answers break a constraint of the codebook (e.g. a date before the
    date it must follow): a completed record must always be valid, so that it can be
    exported and imported again. ``issues`` are the engine's AnswerIssues."""

    def __init__(self, issues):
        self.issues = issues
        super().__init__(", ".join(f"{issue.item}: {issue.code}" for issue in issues))


def _invalid(record, answers) -> list:
    return engine.check_answers(record.definition, answers, Context(filled_on=record.filled_on))


class Incomplete(Exception):
    def __init__(self, missing):
        self.missing = missing
        super().__init__(", ".join(item.name for item in missing))


def _audit(action, record, actor, details=None):
    audit(action, actor=actor, obj=record, citizen=record.citizen, municipality=record.citizen.municipality,
          details={"instrument": record.instrument, **(details or {})})


@transaction.atomic
def do_start_record(citizen, instrument_name, *, actor, filled_on, respondent="", course=None, prefill=None,
                    template=None):
    """A new draft of the course's template (``course``), or of ``template`` (a
    TemplateVersion) for a record without a course. ``prefill`` (item → answer) holds the
    values the caller computed from the sources the definition names (courses/prefill.py):
    those relevant now become answers, and all are kept (sealed) so that an item that
    becomes relevant later opens with its value too; the worker can change every one of
    them. Only items the record's template has are kept."""
    version = current_version(instrument_name)
    template = course.template_version if course is not None else template
    if template is None:
        raise ValueError("a record belongs to a course or names its course template")
    record = Record(
        citizen=citizen,
        course=course,
        template_version=template,
        instrument_version=version,
        instrument=instrument_name,
        filled_on=filled_on,
        respondent=respondent,
        created_by=actor,
    )
    if prefill:
        instrument = record.definition
        known = {k: v for k, v in prefill.items() if instrument.has_item(k)}
        kept, _cleared = engine.apply_skip_logic(instrument, known)
        record.set_answers(kept)
        record.prefilled = answer_codec.encode_prefilled(record, engine.serialise_answers(instrument, known))
    record.save()
    _audit("record.create", record, actor, {"instrument_version": version.version, "template": template.name,
                                            "template_version": template.version, "prefilled": sorted(prefill or {})})
    return record


@transaction.atomic
def do_save_answers(record, changes: dict, *, actor, version, token=""):
    """Apply ``changes`` (item → Python answer, None to remove) and the skip logic.

    Returns the names of items whose answers the skip logic cleared, so the caller can
    show them. A completed record's changes are kept as a correction (old and new value).
    Raises StaleVersion when someone else saved since ``version`` was read: nothing is
    written. Saves from the same editing form (the same ``token``, e.g. its autosaves)
    since then are not someone else.
    """
    locked = Record.objects.select_for_update().filter(pk=record.pk).first()
    if locked is None or (locked.version != version and not (token and locked.edit_token == token)):
        raise StaleVersion
    record.reload(locked)
    instrument = record.definition
    before = record.get_answers()
    after = dict(before)
    for name, value in changes.items():
        if value is None or not engine.is_answered(value):
            after.pop(name, None)
        else:
            after[name] = value
    after, cleared = engine.apply_skip_logic(instrument, after)
    changed = [item.name for item in instrument.items if before.get(item.name) != after.get(item.name)]
    if not changed:
        return cleared
    if record.is_completed:
        issues = _invalid(record, after)
        if issues:
            raise InvalidAnswers(issues)
    stored = record.set_answers(after)
    Record.objects.filter(pk=record.pk).update(
        **stored,
        version=F("version") + 1,
        edit_token=token,
        updated=timezone.now(),
    )
    record.refresh_from_db(fields=["version", "updated"])
    details = {"items": changed, "cleared": cleared}
    if record.is_completed:
        serialise = engine.serialise_answers
        old, new = serialise(instrument, before), serialise(instrument, after)
        diff = [{"item": name, "old": old.get(name), "new": new.get(name)} for name in changed]
        change = RecordChange.objects.create(
            record=record,
            actor=actor,
            changes_encrypted=crypto.encrypt(record.citizen.data_key, json.dumps(diff, ensure_ascii=False)),
        )
        _audit("record.correct", record, actor, {**details, "change": str(change.code)})
    else:
        _audit("record.change", record, actor, details)
    return cleared


@transaction.atomic
def do_change_record_meta(record, *, actor, version, filled_on, respondent):
    locked = Record.objects.select_for_update().filter(pk=record.pk, version=version).first()
    if locked is None:
        raise StaleVersion
    fields = [name for name, value in (("filled_on", filled_on), ("respondent", respondent)) if getattr(record, name) != value]
    if not fields:
        return
    if record.is_completed and "filled_on" in fields:
        issues = engine.check_answers(record.definition, record.get_answers(), Context(filled_on=filled_on))
        if issues:
            raise InvalidAnswers(issues)
    Record.objects.filter(pk=record.pk).update(filled_on=filled_on, respondent=respondent, version=F("version") + 1)
    record.reload()
    _audit("record.correct" if record.is_completed else "record.change", record, actor, {"fields": fields})
    if record.is_completed and "filled_on" in fields:
        completed_records_changed.send(sender=Record, record=record)


@transaction.atomic
def do_complete_record(record, *, actor, version):
    """Complete a draft; refused while a relevant required item is unanswered."""
    locked = Record.objects.select_for_update().filter(pk=record.pk, version=version).first()
    if locked is None:
        raise StaleVersion
    answers = record.get_answers()
    missing = engine.missing_required(record.definition, answers)
    if missing:
        raise Incomplete(missing)
    issues = _invalid(record, answers)
    if issues:
        raise InvalidAnswers(issues)
    Record.objects.filter(pk=record.pk).update(
        status=Record.Status.COMPLETED, completed_at=timezone.now(), version=F("version") + 1
    )
    record.reload()
    _audit("record.complete", record, actor)
    completed_records_changed.send(sender=Record, record=record)


@transaction.atomic
def do_discard_draft(record, *, actor):
    if record.is_completed:
        raise ValueError("only drafts can be discarded")
    _audit("record.delete", record, actor)
    record.delete()


@transaction.atomic
def record_read(record, *, actor, view):
    _audit("record.read", record, actor, {"view": view})


@transaction.atomic
def do_import_records(rows, *, actor, codec=None):
    """The bulk variant of start, save and complete for an import: completed records
    written with one ``executemany``, each with its ``record.import`` event.

    Each row holds the record's fields (``citizen_id``, ``course_id``, ``instrument``,
    ``instrument_version_id``, ``external_id``, ``filled_on``, ``respondent``,
    ``incomplete``, and whatever field a later migration adds: a field left out fails
    loudly) plus ``instrument_definition`` (the built version), ``answers`` (item →
    interchange string) and ``data_key`` (the citizen's wrapped key): the answers are
    stored through the codec (optionally ``sealed_part``: the codec's ``seal`` of them,
    made already). The importer has judged the
    answers against the version already. ``codec`` lets a whole import unwrap each
    citizen's key once."""
    if not rows:
        return 0
    codec = codec or answer_codec.AnswerCodec()
    now = timezone.now()
    defaults = {"status": Record.Status.COMPLETED, "version": 1, "edit_token": "", "created": now, "updated": now,
                "completed_at": now, "created_by_id": getattr(actor, "pk", None),
                # An imported record was filled in elsewhere: nothing was pre-filled here.
                "prefilled": ""}
    values = []
    for row in rows:
        row = dict(row)
        strings, data_key, definition = row.pop("answers"), row.pop("data_key"), row.pop("instrument_definition")
        stored = codec.encode(definition, strings, data_key, sealed_part=row.pop("sealed_part", None))
        values.append({**defaults, "code": uuid.uuid4(), **row, **stored})
    _insert(values)
    citizens = Citizen.objects.filter(pk__in={row["citizen_id"] for row in values}).values_list(
        "pk", "code", "municipality__code")
    codes = {pk: (str(code), str(municipality)) for pk, code, municipality in citizens}
    record_many([
        dict(action="record.import", actor=actor, obj=str(row["code"]), object_type="record",
             citizen=codes[row["citizen_id"]][0], municipality=codes[row["citizen_id"]][1],
             details={"instrument": row["instrument"]})
        for row in values
    ], events=False)
    return len(values)


def _insert(values):
    """Many records at once (``lib.bulk.insert``: COPY on PostgreSQL, one executemany
    elsewhere): an import holds a hundred thousand and more, and building a model instance
    and going through ``bulk_create``'s compiler per row took a third of it. The values
    are still prepared by each model field, and every concrete field of ``Record`` must
    be given."""
    bulk.insert(Record, values)

"""Records: one filled-in instrument (a star, a CTI form, a registration …).

A record points at the exact ``InstrumentVersion`` it was filled in against, and at the
``TemplateVersion`` of its course (which items and goals the record has). Its
answers are interchange strings (instruments.md §2.3) keyed by item name, stored in a
plain and a sealed part (encrypted with the citizen's data key) by ``codec.py``, the
only code that knows that layout: read them with ``get_answers`` (or, in bulk, an
``AnswerCodec``), never from the fields. ``version`` makes saves optimistic: a save
based on an older version is refused, never silently overwritten.
"""

import json
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from overgang.citizens.models import Citizen
from overgang.instruments import engine
from overgang.instruments.models import InstrumentVersion
from overgang.lib import crypto
from overgang.lib.choices import ChoiceDisplay
from overgang.measurements import codec
from overgang.programmes.models import TemplateVersion


class RecordQuerySet(models.QuerySet):
    def of_citizen(self, citizen):
        return self.filter(citizen=citizen)

    def completed(self):
        return self.filter(status=Record.Status.COMPLETED)

    def with_version(self):
        """With each record's instrument version (but not its stored definition: the built
        instrument comes from the process's cache, ``InstrumentVersion.instrument``) and its
        course template version, which ``Record.definition`` restricts it by."""
        return self.select_related("instrument_version", "template_version").defer("instrument_version__definition")


class Record(ChoiceDisplay, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Kladde")
        COMPLETED = "completed", _("Afsluttet")

    class Respondent(models.TextChoices):
        CITIZEN = "citizen", _("Borgeren")
        WORKER = "worker", _("CTI-medarbejderen")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The `record_id` of an imported record, written back unchanged on export.
    external_id = models.CharField(max_length=64, blank=True, db_index=True)
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="records")
    # The course (or contact period) the record belongs to; set by the courses app,
    # which this app does not import (style.md rule 2).
    course = models.ForeignKey("courses.Course", null=True, blank=True, on_delete=models.CASCADE, related_name="records")
    instrument_version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="records")
    # The course template the record was filled in under (its course's; for a record
    # without a course, its own): the record's instrument is the version restricted to
    # the template's item groups and goals, and a later template version changes nothing.
    template_version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="records")
    instrument = models.CharField(max_length=32, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    filled_on = models.DateField(_("udfyldt dato"))
    respondent = models.CharField(_("hvem førte pennen"), max_length=16, choices=Respondent.choices, blank=True)
    # The two parts of the answers; see codec.py.
    plain_answers = models.JSONField(default=dict, blank=True, editable=False)
    sealed_answers = models.TextField(blank=True, editable=False)
    # The values the record opened with from the sources its definition names (item →
    # interchange string, one Fernet token with the citizen's key; codec.py): an item
    # that was not yet relevant when the record opened (the star's goal before "is it
    # possible") still opens with its value, and the form marks an answer that is the
    # pre-filled one with where it came from.
    prefilled = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    # The editing form that saved last: its own autosaves never count as a conflict.
    edit_token = models.CharField(max_length=32, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # An imported record that leaves relevant required items unanswered (paper and
    # legacy data have gaps): accepted, flagged, and used as far as it goes.
    incomplete = models.BooleanField(default=False)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["-filled_on", "-created"]
        # The unfinished forms ("Min uge", the team's week): a handful among a national
        # installation's hundreds of thousands of completed records.
        indexes = [models.Index(fields=["citizen"], condition=models.Q(status="draft"), name="record_draft_by_citizen")]

    def __str__(self):
        return f"{self.instrument} {self.filled_on}"

    @property
    def definition(self):
        """The instrument as this record has it: its exact version, restricted to the
        item groups and goals of its course template (a homelessness course's star has
        no question about selling sex)."""
        return self.template_version.restrict(self.instrument_version)

    @property
    def is_completed(self):
        return self.status == self.Status.COMPLETED

    def reload(self, row: "Record | None" = None):
        """This record's fields as the database holds them now (``row``: the same record
        read already in this transaction, e.g. under its lock), keeping the citizen,
        course and versions it has loaded while they are still the same rows.

        ``refresh_from_db`` drops them, and every autosave then read them again: four
        queries, two of them a version's definition of tens of kilobytes. A version
        never changes; the citizen and course are those of this request."""
        kept = [(field, field.get_cached_value(self)) for field in self._meta.concrete_fields
                if field.is_relation and field.is_cached(self)]
        if row is None:
            self.refresh_from_db()
        else:
            if row.pk != self.pk:
                raise ValueError("reload from another record")
            self._prefetched_objects_cache = {}
            for field in self._meta.concrete_fields:
                setattr(self, field.attname, getattr(row, field.attname))
        for field, obj in kept:
            if obj is not None and not field.is_cached(self) and getattr(self, field.attname) == obj.pk:
                field.set_cached_value(self, obj)

    def get_answers(self) -> dict:
        """Item name → Python answer (sealed answers decrypted)."""
        parsed, _issues = engine.parse_answers(self.definition, codec.decode_record(self))
        return parsed

    def get_prefilled(self) -> dict:
        """Item name → the Python value the record was pre-filled with."""
        parsed, _issues = engine.parse_answers(self.definition, codec.decode_prefilled(self))
        return parsed

    def set_answers(self, answers: dict) -> dict:
        """Store ``answers`` (item name → Python answer) on this instance; returns the
        stored fields, for an ``update()``."""
        return codec.encode_record(self, engine.serialise_answers(self.definition, answers))


class RecordChange(models.Model):
    """Old and new values of a correction to a completed record.

    The audit event names the record and the changed items; the values themselves are
    personal data and live here, encrypted with the citizen's key.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changes_encrypted = models.TextField()

    class Meta:
        ordering = ["at"]

    def get_changes(self) -> list[dict]:
        return json.loads(crypto.decrypt(self.record.citizen.data_key, self.changes_encrypted))

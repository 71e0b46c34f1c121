"""Records: one filled-in instrument (a star, a CTI form, a registration …).

A record points at the exact ``InstrumentVersion`` it was filled in against. Its
answers are stored as interchange strings (instruments.md §2.3) keyed by item name;
answers to free-text items and to the "who knows about the sale of sex" grid (``knows_*``)
are encrypted with the citizen's data key (instruments.md §2.2, security.md), so a copied
database shows neither and erasing the citizen shreds them. ``version`` makes saves optimistic: a save based on an older
version is refused, never silently overwritten.
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


def stored_encrypted(item) -> bool:
    """Whether an item's answer is stored encrypted: every free-text item and the
    ``knows_*`` rows of question 4.5 ("who knows about the citizen's sale of sex"),
    per instruments.md §2.2 and security.md. The one rule for the web forms, the import
    and every reader."""
    return item.type == "text" or item.name.startswith("knows_")


def encrypted_item_names(definition) -> frozenset:
    return frozenset(item.name for item in definition.items if stored_encrypted(item))


class RecordQuerySet(models.QuerySet):
    def of_citizen(self, citizen):
        return self.filter(citizen=citizen)

    def completed(self):
        return self.filter(status=Record.Status.COMPLETED)


class Record(models.Model):
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
    instrument = models.CharField(max_length=32, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    filled_on = models.DateField(_("udfyldt dato"))
    respondent = models.CharField(_("hvem førte pennen"), max_length=16, choices=Respondent.choices, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    text_answers_encrypted = models.TextField(blank=True, editable=False)
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

    def __str__(self):
        return f"{self.instrument} {self.filled_on}"

    @property
    def definition(self):
        return self.instrument_version.instrument()

    @property
    def is_completed(self):
        return self.status == self.Status.COMPLETED

    def get_answers(self) -> dict:
        """Item name → Python answer (texts decrypted)."""
        raw = dict(self.answers)
        if self.text_answers_encrypted:
            raw.update(json.loads(crypto.decrypt(self.citizen.data_key, self.text_answers_encrypted)))
        parsed, _issues = engine.parse_answers(self.definition, raw)
        return parsed

    def set_answers(self, answers: dict):
        serialised = engine.serialise_answers(self.definition, answers)
        texts = {name: value for name, value in serialised.items() if stored_encrypted(self.definition.item(name))}
        self.answers = {name: value for name, value in serialised.items() if name not in texts}
        self.text_answers_encrypted = (
            crypto.encrypt(self.citizen.data_key, json.dumps(texts, ensure_ascii=False, sort_keys=True)) if texts else ""
        )


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

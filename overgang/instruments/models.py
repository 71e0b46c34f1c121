"""Published instrument versions: immutable rows with a content hash (instruments.md §2.7).

The YAML in the repository is the editable source; an ``InstrumentVersion`` is what a
record points at. Rows are never changed or deleted, so a record can always be shown,
checked and exported against the exact definition it was filled in against, and a
changed YAML file can only add a version, never rewrite one.
"""

import uuid

from django.db import models, transaction
from django.utils import timezone

from . import registry
from .build import Instrument, build, canonical_json


class ImmutableVersionError(Exception):
    pass


class PublishedVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableVersionError("published versions cannot be changed")

    def delete(self):
        raise ImmutableVersionError("published versions cannot be deleted")

    def latest_for(self, name):
        return self.filter(name=name).order_by("-version").first()


class PublishedVersion(models.Model):
    """An immutable, numbered, content-hashed version of a definition kept as data in
    the repository (an instrument here, a course template in ``programmes``): rows are
    only ever added, so whatever points at one can always be read against exactly it."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=32)
    version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    definition = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PublishedVersionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name", "version"]

    def __str__(self):
        return f"{self.name} v{self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableVersionError("published versions cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableVersionError("published versions cannot be deleted")


class InstrumentVersion(PublishedVersion):
    class Meta(PublishedVersion.Meta):
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="instrument_version_unique_number"),
            models.UniqueConstraint(fields=["name", "content_hash"], name="instrument_version_unique_hash"),
        ]

    def instrument(self) -> Instrument:
        """The built definition of exactly this version, built once per process: the
        content hash fixes the content, so a row whose ``definition`` was not even read
        (``Record.objects.with_version()``) gets it without decoding a large JSON
        document and building a CTI form again for every record of a page."""
        if not hasattr(self, "_instrument"):
            key = (self.name, self.content_hash)
            found = _BUILT.get(key)
            if found is None:
                found = _BUILT[key] = build(self.definition)
            self._instrument = found
        return self._instrument


_BUILT: dict[tuple[str, str], Instrument] = {}


@transaction.atomic
def sync_definitions(directory=None) -> dict[str, InstrumentVersion]:
    """Publish the repository's definitions: name → the version matching the YAML.

    Loads and validates every YAML (raises ``registry.DefinitionError`` listing all
    problems, and then writes nothing), and creates a version only for a content hash
    not seen before for that instrument. Idempotent: a second call creates nothing.
    A YAML reverted to an earlier content maps to that earlier version again.
    """
    instruments = registry.all_instruments(directory)
    out = {}
    for name, instrument in sorted(instruments.items()):
        digest = instrument.content_hash()
        existing = InstrumentVersion.objects.filter(name=name, content_hash=digest).first()
        if existing is None:
            last = InstrumentVersion.objects.select_for_update().latest_for(name)
            existing = InstrumentVersion.objects.create(
                name=name, version=(last.version + 1) if last else 1, content_hash=digest,
                definition=_plain(instrument),
            )
        out[name] = existing
    return out


def current_version(name: str) -> InstrumentVersion:
    """The published version matching the repository YAML, publishing it if needed."""
    instrument = registry.get_instrument(name)
    found = InstrumentVersion.objects.filter(name=name, content_hash=instrument.content_hash()).first()
    return found or sync_definitions()[name]


def _plain(instrument: Instrument):
    import json

    # Through the canonical text, so the stored JSON is exactly what was hashed.
    return json.loads(canonical_json(instrument.to_dict()))

"""Published course templates and the templates each municipality offers.

A ``TemplateVersion`` is an immutable row with a content hash, like an
``InstrumentVersion``: a course points at the exact version it began with, so a later
change to a template's YAML (a new version) never alters a course or its records.

A ``TemplateOffer`` says that a municipality offers a template, with the municipality's
own calendar where it departs from the template's (``None`` = the template's default).
A municipality without any offer rows offers the default template (``registry.DEFAULT``),
as every municipality did before templates existed.
"""

import json
import uuid

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from overgang.accounts.models import Municipality
from overgang.instruments.models import ImmutableVersionError, PublishedVersion  # noqa: F401 (re-exported)

from . import registry
from .build import Calendar, Template, build


class TemplateVersion(PublishedVersion):
    class Meta(PublishedVersion.Meta):
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="template_version_unique_number"),
            models.UniqueConstraint(fields=["name", "content_hash"], name="template_version_unique_hash"),
        ]

    def template(self) -> Template:
        """The built definition of exactly this version. Built once per content: a
        version never changes, and every course row of a caseload shares it."""
        built = _BUILT.get(self.content_hash)
        if built is None:
            built = _BUILT[self.content_hash] = build(self.definition)
        return built


    def restrict(self, instrument_version):
        """The instrument of ``instrument_version`` as a course of exactly this template
        version has it (``Template.restrict``), built once per pair of contents."""
        key = (instrument_version.content_hash, self.content_hash)
        found = _RESTRICTED.get(key)
        if found is None:
            found = _RESTRICTED[key] = self.template().restrict(instrument_version.instrument())
        return found


_BUILT: dict[str, Template] = {}
_RESTRICTED: dict[tuple[str, str], object] = {}


def plain(template: Template) -> dict:
    """The stored form of a template: exactly the canonical JSON that was hashed."""
    return json.loads(template.canonical_json())


@transaction.atomic
def sync_definitions(directory=None) -> dict[str, TemplateVersion]:
    """Publish the repository's templates: name → the version matching the YAML.

    Validates every template first (raises ``registry.DefinitionError`` with all
    problems, writing nothing) and creates a version only for a content hash not seen
    before for that template. Idempotent; a YAML reverted to earlier content maps to
    that earlier version again."""
    out = {}
    for name, template in sorted(registry.all_templates(directory).items()):
        out[name] = _publish(template)
    return out


def _publish(template: Template) -> TemplateVersion:
    digest = template.content_hash()
    found = TemplateVersion.objects.filter(name=template.name, content_hash=digest).first()
    if found is None:
        last = TemplateVersion.objects.select_for_update().latest_for(template.name)
        found = TemplateVersion.objects.create(
            name=template.name, version=(last.version + 1) if last else 1, content_hash=digest,
            definition=plain(template),
        )
    return found


def current_version(name: str) -> TemplateVersion:
    """The published version matching the repository YAML, publishing it if needed.
    KeyError for a name the repository does not define."""
    template = registry.get_template(name)
    found = TemplateVersion.objects.filter(name=name, content_hash=template.content_hash()).first()
    if found is not None:
        return found
    with transaction.atomic():
        return _publish(template)


class TemplateOffer(models.Model):
    """A template a municipality offers, with its calendar overrides."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="template_offers")
    template = models.CharField(max_length=32)
    offered = models.BooleanField(_("tilbydes"), default=True)
    # None: the template's own value.
    phase1_months = models.PositiveSmallIntegerField(_("fase 1 (måneder)"), null=True, blank=True)
    phase2_months = models.PositiveSmallIntegerField(_("fase 2 (måneder)"), null=True, blank=True)
    phase3_months = models.PositiveSmallIntegerField(_("fase 3 (måneder)"), null=True, blank=True)
    interval_months = models.PositiveSmallIntegerField(_("måling hver (måneder)"), null=True, blank=True)
    window_days = models.PositiveSmallIntegerField(_("vindue før og efter (dage)"), null=True, blank=True)

    OVERRIDES = ("phase1_months", "phase2_months", "phase3_months", "interval_months", "window_days")

    class Meta:
        ordering = ["template"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "template"], name="template_offer_once_per_municipality"),
        ]

    def __str__(self):
        return f"{self.municipality} · {self.template}"

    def calendar(self, template: Template) -> Calendar:
        """The template's calendar with this municipality's overrides."""
        return apply_overrides(template.calendar, {name: getattr(self, name) for name in self.OVERRIDES})


def apply_overrides(calendar: Calendar, overrides: dict) -> Calendar:
    phases = tuple(
        overrides.get(f"phase{i}_months") or months for i, months in enumerate(calendar.phase_months, 1)
    )
    interval = overrides.get("interval_months") or calendar.interval_months
    window = overrides.get("window_days")
    return Calendar(phase_months=phases, interval_months=interval,
                    window_days=calendar.window_days if window is None else window)

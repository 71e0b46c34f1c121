"""Which templates a municipality offers, and the calendar its courses of each get.

A municipality with no ``TemplateOffer`` rows offers the default template with its own
calendar: that is how every municipality worked before templates existed, and what a
fresh municipality does until its administrator chooses.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from . import registry
from .build import Calendar, Template
from .models import TemplateOffer


@dataclass(frozen=True)
class Offer:
    """One template as a municipality sees it: offered or not, with its calendar."""

    template: Template
    offered: bool
    calendar: Calendar
    row: TemplateOffer | None = None

    @property
    def name(self) -> str:
        return self.template.name

    @property
    def title(self) -> str:
        return self.template.title.get(_lang())

    @property
    def target_group(self) -> str:
        return self.template.target_group.get(_lang())

    @property
    def overridden(self) -> tuple[str, ...]:
        """The calendar keys where the municipality departs from the template."""
        if self.row is None:
            return ()
        return tuple(name for name in TemplateOffer.OVERRIDES if getattr(self.row, name) is not None)


def _lang() -> str:
    return "en" if (get_language() or "da").startswith("en") else "da"


def _rows(municipality) -> dict[str, TemplateOffer]:
    return {row.template: row for row in TemplateOffer.objects.filter(municipality=municipality)}


def offers(municipality) -> list[Offer]:
    """Every template of the repository with the municipality's choice, by title."""
    rows = _rows(municipality)
    out = []
    for name, template in registry.all_templates().items():
        row = rows.get(name)
        offered = row.offered if row is not None else (not rows and name == registry.DEFAULT)
        calendar = row.calendar(template) if row is not None else template.calendar
        out.append(Offer(template, offered, calendar, row))
    lang = _lang()
    return sorted(out, key=lambda o: o.template.title.get(lang).casefold())


def offered(municipality) -> list[Offer]:
    """The templates a worker in the municipality can start a course of."""
    return [offer for offer in offers(municipality) if offer.offered]


def calendar_for(municipality, template: Template) -> Calendar:
    """The calendar a course of ``template`` (this exact version) starts with in
    ``municipality`` (object or pk; None for one not yet created): the template's own,
    with the municipality's overrides for that template."""
    pk = getattr(municipality, "pk", municipality)
    row = TemplateOffer.objects.filter(municipality_id=pk, template=template.name).first() if pk else None
    return row.calendar(template) if row is not None else template.calendar

"""Changing which templates a municipality offers, and their calendars; audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from overgang.audit.log import record as audit

from . import registry
from .models import TemplateOffer


class OfferError(Exception):
    """The change would leave the municipality without a template; the message says so."""


@transaction.atomic
def do_change_template_offer(municipality, template, *, actor, offered, **overrides):
    """Offer (or withdraw) ``template`` (a name) in ``municipality`` with calendar
    ``overrides`` (``phase1_months`` … ``window_days``; None = the template's value).

    A withdrawn template keeps its courses (they point at their own template version);
    only new contact periods cannot choose it. The municipality always offers at least
    one template. Returns the offer row."""
    if template not in registry.all_templates():
        raise KeyError(template)
    unknown = set(overrides) - set(TemplateOffer.OVERRIDES)
    if unknown:
        raise TypeError(f"unknown calendar keys: {sorted(unknown)}")
    rows = {row.template: row for row in TemplateOffer.objects.select_for_update().filter(municipality=municipality)}
    implicit = not rows
    if not rows and template != registry.DEFAULT:
        # Until now the municipality offered the default template implicitly: keep it
        # offered, so choosing a second template does not silently withdraw the first.
        rows[registry.DEFAULT] = TemplateOffer.objects.create(municipality=municipality, template=registry.DEFAULT)
    row = rows.get(template) or TemplateOffer(municipality=municipality, template=template, offered=False)
    before = {"offered": row.offered if row.pk else (implicit and template == registry.DEFAULT),
              **{name: getattr(row, name) for name in TemplateOffer.OVERRIDES}}
    after = {"offered": bool(offered), **{name: overrides.get(name) for name in TemplateOffer.OVERRIDES}}
    still_offered = [name for name, r in rows.items() if r.offered and name != template]
    if not offered and not still_offered:
        raise OfferError(_("Kommunen skal tilbyde mindst én forløbsskabelon."))
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if not changed and row.pk:
        return row
    row.offered = after["offered"]
    for name in TemplateOffer.OVERRIDES:
        setattr(row, name, after[name])
    row.save()
    audit("template_offer.change", actor=actor, obj=row, municipality=municipality,
          details={"template": template, "changed": changed,
                   **({"default_made_explicit": registry.DEFAULT} if implicit and template != registry.DEFAULT else {})})
    return row

"""Every change to consents and retention, and the reads this app makes, each audited.

Audit events name citizens, consents and courses by code only (no pseudonyms)."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from overgang.audit.log import record
from overgang.lib import keystore
from overgang.rights import retention
from overgang.rights.information import VERSION as INFORMATION_VERSION
from overgang.rights.models import Consent, RetentionSetting


class ConsentError(Exception):
    """A consent change that cannot be made; the message says why (translated)."""


@transaction.atomic
def do_record_consent(citizen, kind, *, actor, given_on, information_version=INFORMATION_VERSION):
    if given_on > datetime.date.today():
        raise ConsentError(_("Datoen kan ikke ligge i fremtiden."))
    if Consent.objects.filter(citizen=citizen, kind=kind, withdrawn_on__isnull=True).exists():
        raise ConsentError(_("Borgeren har allerede givet dette samtykke. Træk det tilbage først, hvis det skal "
                             "registreres på ny."))
    consent = Consent.objects.create(citizen=citizen, kind=kind, given_on=given_on, recorded_by=actor,
                                     information_version=information_version)
    record("consent.give", actor=actor, obj=consent, citizen=citizen, municipality=citizen.municipality,
           details={"kind": kind, "information_version": information_version, "given_on": given_on.isoformat()})
    return consent


@transaction.atomic
def do_withdraw_consent(consent, *, actor, withdrawn_on):
    if consent.withdrawn_on is not None:
        raise ConsentError(_("Samtykket er allerede trukket tilbage."))
    if withdrawn_on > datetime.date.today():
        raise ConsentError(_("Datoen kan ikke ligge i fremtiden."))
    if withdrawn_on < consent.given_on:
        raise ConsentError(_("Et samtykke kan ikke trækkes tilbage, før det blev givet."))
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_recorded_by = actor
    consent.save(update_fields=["withdrawn_on", "withdrawn_recorded_by"])
    record("consent.withdraw", actor=actor, obj=consent, citizen=consent.citizen,
           municipality=consent.citizen.municipality,
           details={"kind": consent.kind, "withdrawn_on": withdrawn_on.isoformat()})
    return consent


@transaction.atomic
def do_change_retention(municipality, *, actor, years):
    old = RetentionSetting.years_for(municipality)
    if old == years:
        return
    RetentionSetting.objects.update_or_create(municipality=municipality, defaults={"years": years})
    record("retention.change", actor=actor, obj=municipality, municipality=municipality,
           details={"years": [old, years]})


@transaction.atomic
def do_apply_retention(municipality, *, actor=None, today=None) -> retention.Plan:
    """Erase the citizens and delete the courses the retention rule has expired, each with
    its audit event (codes only), and one summary event."""
    plan = retention.plan(municipality, today)
    # The keys in the store first, all at once (crypto-shredding that reaches backups);
    # if the store cannot be reached, KeyStoreError rolls everything back.
    keystore.shred([citizen.data_key for citizen in plan.citizens])
    for citizen in plan.citizens:
        code = str(citizen.code)
        citizen.delete()
        record("retention.erase_citizen", actor=actor, obj=code, object_type="citizen", citizen=code,
               municipality=municipality, details={"years": plan.years})
    for course in plan.courses:
        code, citizen = str(course.code), str(course.citizen.code)
        course.delete()
        record("retention.delete_course", actor=actor, obj=code, object_type="course", citizen=citizen,
               municipality=municipality, details={"years": plan.years, "ended": course.end_date.isoformat()})
    record("retention.apply", actor=actor, obj=municipality, municipality=municipality, details={
        "years": plan.years, "cutoff": plan.cutoff.isoformat(), "citizens_erased": len(plan.citizens),
        "courses_deleted": len(plan.courses)})
    return plan


@transaction.atomic
def record_subject_access(citizen, *, actor, language, actor_username=""):
    record("citizen.subject_access", actor=actor, obj=citizen, citizen=citizen, municipality=citizen.municipality,
           details={"language": language}, actor_username=actor_username)

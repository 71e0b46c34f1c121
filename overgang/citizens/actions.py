"""Every change to a citizen, each writing its audit event in the same transaction."""

from django.db import IntegrityError, transaction
from django.db.models import F

from overgang.accounts.models import Role
from overgang.audit.log import record, record_many
from overgang.citizens import pseudonym as pseudonym_rules
from overgang.citizens.models import Citizen
from overgang.lib import keystore


class PseudonymTaken(Exception):
    pass


class StaleVersion(Exception):
    """The citizen changed after the form was opened."""


class NotAWorker(Exception):
    """The responsible worker must be a CTI worker of the municipality, never an administrator."""


def check_responsible_worker(worker, municipality):
    """Separation of duties: only a CTI worker of the citizen's municipality who is no
    administrator anywhere may be made responsible for a citizen."""
    if worker is None:
        return
    if worker.is_administrator or not worker.has_role(Role.WORKER, municipality):
        raise NotAWorker


@transaction.atomic
def do_create_citizen(municipality, pseudonym, *, actor, worker, identity_note=""):
    check_responsible_worker(worker, municipality)
    pseudonym_rules.check(pseudonym)
    citizen = Citizen(municipality=municipality, pseudonym=pseudonym, worker=worker)
    citizen.set_identity_note(identity_note)
    try:
        with transaction.atomic():
            citizen.save()
    except IntegrityError as exc:
        raise PseudonymTaken(pseudonym) from exc
    record(
        "citizen.create",
        actor=actor,
        obj=citizen,
        citizen=citizen,
        municipality=municipality,
        details={"has_identity_note": bool(identity_note)},
    )
    return citizen


@transaction.atomic
def do_import_citizens(citizens, *, actor):
    """The bulk variant of ``do_create_citizen`` for an import: ``citizens`` are unsaved
    ``Citizen`` rows (municipality, pseudonym, worker, data key, first day) checked by the
    importer; written at once, each with its ``citizen.import`` event."""
    Citizen.objects.bulk_create(citizens, batch_size=2000)
    record_many([
        dict(action="citizen.import", actor=actor, obj=citizen, citizen=citizen, municipality=citizen.municipality)
        for citizen in citizens
    ], events=False)
    return citizens


@transaction.atomic
def do_change_citizen(citizen, *, actor, version, pseudonym, identity_note):
    """Save pseudonym and identity note, unless someone saved since ``version``."""
    if pseudonym != citizen.pseudonym:
        pseudonym_rules.check(pseudonym)
    changed = []
    if pseudonym != citizen.pseudonym:
        changed.append("pseudonym")
    if identity_note != citizen.identity_note:
        changed.append("identity_note")
    fresh = Citizen.objects.filter(pk=citizen.pk, version=version)
    if not fresh.exists():
        raise StaleVersion
    if not changed:
        return citizen
    citizen.pseudonym = pseudonym
    citizen.set_identity_note(identity_note)
    try:
        with transaction.atomic():
            updated = fresh.update(
                pseudonym=citizen.pseudonym,
                identity_note_encrypted=citizen.identity_note_encrypted,
                version=F("version") + 1,
            )
    except IntegrityError as exc:
        raise PseudonymTaken(pseudonym) from exc
    if updated != 1:
        raise StaleVersion
    citizen.refresh_from_db()
    record(
        "citizen.change",
        actor=actor,
        obj=citizen,
        citizen=citizen,
        municipality=citizen.municipality,
        details={"fields": changed},
    )
    return citizen


@transaction.atomic
def do_erase_citizen(citizen, *, actor):
    """Erase a citizen: their data key in the key store first (crypto-shredding: every
    backup of the database becomes unreadable for them; if the store cannot be reached,
    KeyStoreError rolls the erasure back), then the row with everything it holds."""
    code, municipality = citizen.code, citizen.municipality
    keystore.shred([citizen.data_key])
    citizen.delete()
    record("citizen.erase", actor=actor, obj=str(code), object_type="citizen", citizen=str(code),
           municipality=municipality)


@transaction.atomic
def record_citizen_read(citizen, *, actor, what="page"):
    record("citizen.read", actor=actor, obj=citizen, citizen=citizen, municipality=citizen.municipality,
           details={"view": what})


@transaction.atomic
def record_citizens_read(citizens, *, actor, what):
    """One read event per citizen a list page shows (the caseload), written at once."""
    record_many([
        dict(action="citizen.read", actor=actor, obj=citizen, citizen=citizen, municipality=citizen.municipality,
             details={"view": what})
        for citizen in citizens
    ])

"""The citizens' data keys and the key store (``lib/keystore.py``): moving keys kept in
the database into the store, re-applying erasures after a restore, removing keys no
citizen uses, and the counts ``overgang keys status`` shows. Every change is audited
with codes and counts only (never a pseudonym)."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction

from overgang.audit.log import record, record_many
from overgang.citizens.models import Citizen
from overgang.lib import crypto, keystore

CHUNK = 500


class NoKeyStore(keystore.KeyStoreError):
    def __init__(self):
        super().__init__("OVERGANG_KEY_STORE er ikke sat: der er intet nøglelager. "
                         "/ OVERGANG_KEY_STORE is not set: there is no key store.")


def _store() -> keystore.Store:
    found = keystore.store()
    if found is None:
        raise NoKeyStore()
    return found


def move_to_store() -> int:
    """Move every data key still kept in the database into the key store; the citizen's
    column then holds the key's reference. Chunk by chunk: the keys are stored first, then
    each citizen's column is changed only if it still holds the key that was moved (a
    concurrent change wins; a key stored for nothing is removed by ``sweep``). Safe to
    run again; returns how many keys were moved."""
    store = _store()
    moved = 0
    while True:
        rows = list(Citizen.objects.exclude(data_key__startswith=keystore.PREFIX).exclude(data_key="")
                    .order_by("pk").values_list("pk", "data_key")[:CHUNK])
        if not rows:
            break
        pairs = {pk: (keystore.new_ref(), wrapped) for pk, wrapped in rows}
        for _pk, (ref, wrapped) in pairs.items():
            crypto._unwrap(wrapped)  # refuse to move a key the field keys cannot open
        store.put_many(pairs.values())
        with transaction.atomic():
            done = 0
            for pk, (ref, wrapped) in pairs.items():
                done += Citizen.objects.filter(pk=pk, data_key=wrapped).update(data_key=ref)
            record("keys.move", actor=None, object_type="installation", details={"keys": done})
        moved += done
    return moved


@dataclass
class Reapplied:
    erased: list = field(default_factory=list)  # codes of the citizens erased again
    missing: int = 0  # citizens whose key is neither in the store nor in its ledger
    in_database: int = 0  # citizens whose key is still kept in the database


def reapply_erasures() -> Reapplied:
    """Erase again every citizen whose key the store's erasure ledger names: after a
    database restore, the citizens erased since the backup (their keys are gone, so
    nothing they hold can be read) leave the database too. A citizen whose key is simply
    missing (not in the ledger) is counted, never deleted: that points at the wrong key
    store, not at an erasure."""
    result = Reapplied()
    store = keystore.store()
    refs = list(Citizen.objects.filter(data_key__startswith=keystore.PREFIX).values_list("data_key", flat=True))
    result.in_database = Citizen.objects.exclude(data_key__startswith=keystore.PREFIX).count()
    if not refs:
        return result
    if store is None:
        result.missing = len(refs)
        return result
    erased = store.erased(refs)
    present = store.get_many(set(refs) - erased)
    result.missing = len(set(refs) - erased - set(present))
    if not erased:
        return result
    with transaction.atomic():
        events = []
        for citizen in Citizen.objects.filter(data_key__in=erased).select_related("municipality").order_by("pk"):
            code = str(citizen.code)
            citizen.delete()
            result.erased.append(code)
            events.append(dict(action="keys.erasure_reapplied", obj=code, object_type="citizen", citizen=code,
                               municipality=citizen.municipality))
        record_many(events)
    return result


def sweep(*, grace: datetime.timedelta = datetime.timedelta(hours=24), force: bool = False) -> int:
    """Destroy the store's keys that no citizen in the database uses (and enter them in the
    erasure ledger): keys of citizens erased after the key store's own backup was taken,
    and keys of transactions that never committed. A key younger than ``grace`` is kept
    (a citizen being created on another host has its key stored before its row). Refuses,
    unless ``force``, when more than half of the store's keys are unused: that is the
    wrong database, not leftovers. Returns how many keys were destroyed."""
    store = _store()
    cutoff = (datetime.datetime.now(datetime.timezone.utc) - grace).isoformat(timespec="seconds")
    stored = store.all_keys()
    used = set(Citizen.objects.filter(data_key__startswith=keystore.PREFIX).values_list("data_key", flat=True))
    unused = [ref for ref, _wrapped, created in stored if ref not in used and created <= cutoff]
    if not force and stored and len(unused) * 2 > len(stored):
        raise keystore.KeyStoreError(
            f"{len(unused)} af nøglelagerets {len(stored)} nøgler bruges ikke af nogen borger i databasen: er det den "
            f"rigtige database og det rigtige nøglelager? Intet er slettet (--force sletter). "
            f"/ {len(unused)} of the key store's {len(stored)} keys are used by no citizen in the database: is this "
            f"the right database and key store? Nothing was deleted (--force deletes).")
    destroyed = store.destroy(unused)
    with transaction.atomic():
        record("keys.sweep", actor=None, object_type="installation", details={"keys": destroyed})
    return destroyed


def rotate() -> tuple[int, int]:
    """Re-wrap every citizen's data key with the first field key: in the store, and those
    still kept in the database. Returns (keys in the store, keys in the database). A key
    in the store no citizen uses is left as it is (``sweep`` removes it)."""
    in_store = 0
    refs = list(Citizen.objects.filter(data_key__startswith=keystore.PREFIX).values_list("data_key", flat=True))
    if refs:
        in_store = _store().rewrap(refs, crypto.rotate)
    in_database = 0
    with transaction.atomic():
        for citizen in (Citizen.objects.select_for_update().exclude(data_key__startswith=keystore.PREFIX)
                        .only("pk", "data_key").iterator(chunk_size=CHUNK)):
            Citizen.objects.filter(pk=citizen.pk).update(data_key=crypto.rotate(citizen.data_key))
            in_database += 1
        record("keys.rotate", actor=None, details={"citizens": in_database + in_store, "in_store": in_store})
    return in_store, in_database


def status() -> dict:
    """Counts for ``overgang keys status``: no pseudonyms, no keys."""
    store = keystore.store()
    refs = list(Citizen.objects.filter(data_key__startswith=keystore.PREFIX).values_list("data_key", flat=True))
    out = {
        "store": store.describe() if store else "",
        "citizens_in_store": len(refs),
        "citizens_in_database": Citizen.objects.exclude(data_key__startswith=keystore.PREFIX).count(),
    }
    if store is not None:
        present = store.get_many(refs)
        keys, erased = store.counts()
        out.update(missing=len(refs) - len(present), store_keys=keys, unused=keys - len(present), ledger=erased)
    return out

"""An unkeyed chain from before the key is carried over (migration 0002) and stays
protected: changing, cutting or re-chaining it is found after the upgrade."""

import pytest
from django.conf import settings
from django.utils import timezone

from overgang.audit import chain
from overgang.audit.chain import GENESIS
from overgang.audit.log import seal_legacy_chain, verify
from overgang.audit.models import AuditEvent
from overgang.audit.tests.test_audit import _events, _kinds, _raw

pytestmark = pytest.mark.django_db


def _legacy_log(n):
    """A log as the unkeyed version wrote it: SHA-256 over the same payload."""
    prev = GENESIS
    for seq in range(1, n + 1):
        event = AuditEvent(seq=seq, at=timezone.now(), action="legacy.event", details={"i": seq}, prev_hash=prev)
        event.hash = chain.legacy_hash(event.payload())
        AuditEvent.objects.bulk_create([event])
        prev = event.hash


def _upgrade():
    return seal_legacy_chain(AuditEvent, settings.OVERGANG_AUDIT_KEYS, timezone.now())


def test_the_upgrade_seals_the_unkeyed_chain_with_a_signed_event():
    _legacy_log(3)
    assert (3, "unsigned_end") in _kinds()  # before the upgrade: not signed
    sealed = _upgrade()
    assert sealed.seq == 4 and sealed.action == "audit.keyed"
    assert sealed.details == {"legacy_events": 3, "legacy_head": AuditEvent.objects.get(seq=3).hash,
                              "legacy_intact": True}
    _events(2)
    assert verify().ok and verify().count == 6
    assert _upgrade() is None  # a keyed log is left alone (the migration may run again)


def test_the_upgrade_of_an_empty_log_writes_nothing():
    assert _upgrade() is None and not AuditEvent.objects.exists()


def test_an_unkeyed_event_edited_after_the_upgrade_is_found():
    _legacy_log(3)
    _upgrade()
    event = AuditEvent.objects.get(seq=2)
    event.action = "forged"
    # Recompute the unkeyed event and everything after it that the attacker can compute.
    forged = chain.legacy_hash(event.payload())
    _raw("UPDATE audit_auditevent SET action = 'forged', hash = %s WHERE seq = 2", [forged])
    third = AuditEvent.objects.get(seq=3)
    third.prev_hash = forged
    _raw("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = 3", [forged, chain.legacy_hash(third.payload())])
    assert (4, "link") in _kinds()


def test_unkeyed_events_after_the_seal_are_refused():
    _legacy_log(2)
    _upgrade()
    last = AuditEvent.objects.get(seq=3)
    event = AuditEvent(seq=4, at=timezone.now(), action="smuggled", prev_hash=last.hash)
    event.hash = chain.legacy_hash(event.payload())
    AuditEvent.objects.bulk_create([event])
    assert _kinds() == {(4, "hash")}


def test_removing_the_seal_is_found():
    _legacy_log(2)
    _upgrade()
    _raw("DELETE FROM audit_auditevent WHERE seq = 3")
    assert (2, "unsigned_end") in _kinds()


def test_a_broken_chain_is_sealed_as_such():
    _legacy_log(3)
    _raw("UPDATE audit_auditevent SET action = 'changed before the upgrade' WHERE seq = 2")
    assert _upgrade().details["legacy_intact"] is False
    assert (2, "hash") in _kinds()

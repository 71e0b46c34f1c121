"""The audit log: append-only, keyed hash chain, verified, surviving what it mentions."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from overgang.audit import chain
from overgang.audit.log import GENESIS, record, record_many, verify
from overgang.audit.models import AppendOnlyError, AuditEvent
from overgang.citizens.actions import do_erase_citizen

pytestmark = pytest.mark.django_db


def _events(n):
    with transaction.atomic():
        for i in range(n):
            record("test.event", details={"i": i})


def _raw(sql, params=()):
    """What someone with write access to the database can do: the append-only trigger
    (PostgreSQL) is switched off first, as its owner could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only")
        cursor.execute(sql, params)


def _rechain_without_the_key(start_seq=1):
    """Recompute every hash from ``start_seq`` on as an attacker can: plain SHA-256, or
    HMAC with a key of their own."""
    prev = AuditEvent.objects.filter(seq__lt=start_seq).order_by("-seq").values_list("hash", flat=True).first() or GENESIS
    for event in AuditEvent.objects.filter(seq__gte=start_seq).order_by("seq"):
        event.prev_hash = prev
        forged = chain.mac("a key the attacker made up", chain.payload(event))
        _raw("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, forged, event.pk])
        prev = forged


def _kinds(result=None):
    result = result or verify()
    return {(p.seq, p.kind) for p in result.problems}


def test_it_chains_events_by_keyed_hash(settings):
    _events(3)
    events = list(AuditEvent.objects.all())
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    # The hash is an HMAC under the audit key, not a plain digest anyone can compute.
    assert events[0].hash == chain.mac(settings.OVERGANG_AUDIT_KEYS[0], events[0].payload())
    assert events[0].hash != chain.legacy_hash(events[0].payload())
    assert verify().ok


def test_record_many_writes_one_chained_event_per_entry():
    _events(1)
    with transaction.atomic():
        written = record_many([{"action": "citizen.read", "citizen": f"c{i}"} for i in range(3)])
    assert [e.seq for e in written] == [2, 3, 4]
    assert list(AuditEvent.objects.values_list("citizen_code", flat=True)) == ["", "c0", "c1", "c2"]
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_write_outside_a_transaction():
    with pytest.raises(RuntimeError):
        record("test.event")


def test_it_refuses_changes_and_deletes_through_the_orm():
    _events(1)
    event = AuditEvent.objects.get()
    event.action = "other"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_verify_detects_an_edited_event():
    _events(3)
    _raw("UPDATE audit_auditevent SET action = %s WHERE seq = 2", ["citizen.read.hidden"])
    result = verify()
    assert not result.ok
    assert [(p.seq, p.kind) for p in result.problems] == [(2, "hash")]


def test_verify_detects_an_edited_detail_or_time():
    _events(3)
    _raw("UPDATE audit_auditevent SET ip = %s WHERE seq = 1", ["10.0.0.1"])
    _raw("UPDATE audit_auditevent SET at = %s WHERE seq = 3", ["2020-01-01 00:00:00"])
    assert {p.seq for p in verify().problems} == {1, 3}


def test_verify_detects_a_deleted_event():
    _events(3)
    _raw("DELETE FROM audit_auditevent WHERE seq = 2")
    assert {(3, "gap"), (3, "link")} <= _kinds()


def test_verify_detects_an_edit_rehashed_without_the_key():
    _events(3)
    event = AuditEvent.objects.get(seq=2)
    event.action = "forged"
    _raw("UPDATE audit_auditevent SET action = %s, hash = %s WHERE seq = 2",
         ["forged", chain.legacy_hash(event.payload())])
    assert _kinds() == {(2, "hash"), (3, "link")}


def test_verify_detects_events_deleted_and_the_chain_recomputed_without_the_key():
    # The attack the unkeyed chain could not see: delete in the middle, renumber, re-chain.
    _events(5)
    _raw("DELETE FROM audit_auditevent WHERE seq IN (2, 3)")
    _raw("UPDATE audit_auditevent SET seq = seq - 2 WHERE seq > 3")
    _rechain_without_the_key(start_seq=2)
    assert _kinds() == {(2, "hash"), (3, "hash")}


def test_verify_detects_the_whole_log_recomputed_as_an_unkeyed_chain():
    _events(3)
    prev = GENESIS
    for event in AuditEvent.objects.order_by("seq"):
        event.prev_hash = prev
        digest = chain.legacy_hash(event.payload())
        _raw("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, event.pk])
        prev = digest
    assert (3, "unsigned_end") in _kinds()


def test_a_retired_key_cannot_sign_after_a_newer_one(settings):
    old, new = "old audit key, retired after rotation....", "new audit key, signs since the rotation."
    settings.OVERGANG_AUDIT_KEYS = [old]
    _events(2)
    settings.OVERGANG_AUDIT_KEYS = [new, old]
    _events(1)
    assert verify().ok  # the old events still verify under the old key
    # Someone holding only the retired key appends a forged event after the rotation.
    settings.OVERGANG_AUDIT_KEYS = [old]
    _events(1)
    settings.OVERGANG_AUDIT_KEYS = [new, old]
    assert _kinds() == {(4, "old_key")}


def test_the_command_reports_an_intact_log():
    _events(2)
    out = io.StringIO()
    call_command("audit", "verify", "--anchor-file", "/nonexistent/anchors.log", stdout=out)
    assert "intakt" in out.getvalue() and "2 events" in out.getvalue() and "no anchor" in out.getvalue()


def test_the_command_fails_on_a_tampered_log():
    _events(2)
    _raw("UPDATE audit_auditevent SET actor_username = %s WHERE seq = 1", ["someone"])
    err = io.StringIO()
    with pytest.raises(CommandError, match="IKKE intakt"):
        call_command("audit", "verify", stderr=err)
    assert "#1 [hash]" in err.getvalue()


def test_the_command_detects_events_cut_from_the_end_given_the_earlier_head():
    _events(3)
    head = verify().head
    _raw("DELETE FROM audit_auditevent WHERE seq = 3")
    call_command("audit", "verify", "--anchor-file", "/nonexistent", stdout=io.StringIO())  # the rest still chains
    with pytest.raises(CommandError, match="IKKE intakt"):
        call_command("audit", "verify", "--expect-head", head, stdout=io.StringIO(), stderr=io.StringIO())


def test_events_survive_the_deletion_of_the_user_and_citizen_they_mention(world):
    from overgang.citizens.actions import record_citizen_read

    record_citizen_read(world.citizen, actor=world.worker)
    citizen_code, worker_code = str(world.citizen.code), str(world.worker.code)
    do_erase_citizen(world.citizen, actor=world.worker)
    world.worker.caseload.all().delete()
    world.worker.delete()
    reads = AuditEvent.objects.filter(action="citizen.read", citizen_code=citizen_code)
    assert reads.get().actor_code == worker_code
    erase = AuditEvent.objects.get(action="citizen.erase")
    assert erase.citizen_code == citizen_code and erase.object_code == citizen_code
    assert verify().ok


def test_a_rolled_back_change_leaves_no_event(world):
    with pytest.raises(ZeroDivisionError):
        with transaction.atomic():
            record("test.event")
            1 / 0
    assert not AuditEvent.objects.exists()

"""The audit log: append-only, hash-chained, verified, surviving what it mentions."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from overgang.audit.log import GENESIS, record, verify
from overgang.audit.models import AppendOnlyError, AuditEvent
from overgang.citizens.actions import do_erase_citizen

pytestmark = pytest.mark.django_db


def _events(n):
    with transaction.atomic():
        for i in range(n):
            record("test.event", details={"i": i})


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_chains_events_by_hash():
    _events(3)
    events = list(AuditEvent.objects.all())
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
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
    kinds = {(p.seq, p.kind) for p in verify().problems}
    assert (3, "gap") in kinds and (3, "link") in kinds


def test_verify_detects_a_rehashed_edit():
    # An attacker who recomputes the edited event's own hash still breaks the next link.
    _events(3)
    event = AuditEvent.objects.get(seq=2)
    event.action = "forged"
    _raw("UPDATE audit_auditevent SET action = %s, hash = %s WHERE seq = 2", ["forged", event.compute_hash()])
    assert [(p.seq, p.kind) for p in verify().problems] == [(3, "link")]


def test_the_command_reports_an_intact_log():
    _events(2)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intakt" in out.getvalue() and "2 events" in out.getvalue()


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
    call_command("audit", "verify", stdout=io.StringIO())  # the rest still chains
    with pytest.raises(CommandError, match="tidligere hoved"):
        call_command("audit", "verify", "--expect-head", head, stdout=io.StringIO())


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

"""testing.Snapshot, which puts the demo the browser tests share back before each of them
(conftest.py ``demo``): the database must be exactly as it was when the snapshot was
taken, on SQLite and on PostgreSQL, and must work on afterwards as a seeded one does."""

import datetime as dt

import pytest
from django.db import connection

from overgang import testing
from overgang.audit import log as audit_log
from overgang.citizens import actions as citizen_actions
from overgang.citizens.models import Citizen
from overgang.evaluation.models import DataStamp

pytestmark = pytest.mark.django_db(transaction=True)


def _everything():
    """Every row of every table the flush empties, in a comparable form, and the tables."""
    quote = connection.ops.quote_name
    tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {quote(table)}")
            rows[table] = sorted(repr(row) for row in cursor.fetchall())
    return sorted(connection.introspection.table_names()), rows


def test_it_puts_every_row_back_and_the_database_works_on(tmp_path):
    world = testing.make_world()
    testing.make_course(world.citizen)
    testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS, completed=True)
    before_tables, before = _everything()
    stamps = dict(DataStamp.objects.values_list("scope", "generation"))
    assert stamps and before["audit_auditevent"] and before["citizens_citizen"]
    snapshot = testing.Snapshot(tmp_path / "snapshot.sqlite3")
    snapshot.take()
    # Nothing of the snapshot is in the test database.
    assert sorted(connection.introspection.table_names()) == before_tables

    # A test changes things: a new citizen (which bumps the municipality's data stamp)
    # and a completed form.
    citizen_actions.do_create_citizen(world.a, "Ny", actor=world.worker, worker=world.worker)
    testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS, completed=True, filled_on=dt.date.today())
    assert dict(DataStamp.objects.values_list("scope", "generation")) != stamps
    assert _everything()[1] != before

    snapshot.restore()
    assert _everything() == (before_tables, before)
    assert dict(DataStamp.objects.values_list("scope", "generation")) == stamps
    assert audit_log.verify().ok

    # Restored twice, after a flush as the next test finds it, still the same.
    from django.core.management import call_command

    call_command("flush", "--no-input", verbosity=0)
    snapshot.restore()
    assert _everything() == (before_tables, before)

    # New rows get ids past the restored ones (PostgreSQL's sequences set again), the
    # audit chain goes on from its restored head, and the citizens' keys are found.
    new = citizen_actions.do_create_citizen(world.a, "Efter", actor=world.worker, worker=world.worker)
    assert new.pk > max(Citizen.objects.exclude(pk=new.pk).values_list("pk", flat=True))
    testing.make_record(world.citizen, "star", answers=testing.STAR_ANSWERS, completed=True)
    assert audit_log.verify().ok
    assert Citizen.objects.get(pk=world.citizen.pk).pseudonym == world.citizen.pseudonym


def test_restore_needs_a_snapshot(tmp_path):
    with pytest.raises(AssertionError):
        testing.Snapshot(tmp_path / "snapshot.sqlite3").restore()

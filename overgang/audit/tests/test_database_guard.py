"""The database's own guard on the audit table (SECURITY.md): on PostgreSQL a trigger
refuses UPDATE and DELETE for every role, and the application's role is granted only
SELECT and INSERT. SQLite (demo, development) has only the application's guard, the
keyed chain and the anchors; its ``flush`` deletes rows, which a trigger would stop."""

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from overgang.audit.log import record
from overgang.audit.management.commands.audit import grants_sql
from overgang.audit.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def _refused(sql):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as exc:
        return str(exc)
    return None


def _event():
    with transaction.atomic():
        record("test.event")


def test_the_database_refuses_to_change_or_delete_an_event():
    _event()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    if connection.vendor != "postgresql":
        assert connection.vendor == "sqlite"
        return
    assert "append-only: UPDATE refused" in _refused("UPDATE audit_auditevent SET action = 'x'")
    assert "append-only: DELETE refused" in _refused("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.get().action == "test.event"


def test_the_applications_role_may_only_read_and_append():
    _event()
    sql = grants_sql("overgang_app", connection.settings_dict["NAME"], "audit_auditevent")
    assert "GRANT SELECT, INSERT ON audit_auditevent TO overgang_app;" in sql
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE overgang_app NOLOGIN")
        cursor.execute(sql)
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only")  # grants alone now
        cursor.execute("SET ROLE overgang_app")
    try:
        with transaction.atomic():
            record("as.the.app")  # reading the head and appending is allowed
        assert "permission denied" in _refused("DELETE FROM audit_auditevent")
        assert "permission denied" in _refused("UPDATE audit_auditevent SET action = 'x'")
        assert "permission denied" in _refused("TRUNCATE audit_auditevent")
        assert _refused("UPDATE accounts_municipality SET name = name") is None  # other tables: as before
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.count() == 2


def test_the_grants_command_prints_the_sql_and_refuses_odd_role_names():
    out = io.StringIO()
    call_command("audit", "grants", "overgang_app", stdout=out)
    assert "REVOKE ALL ON audit_auditevent FROM overgang_app;" in out.getvalue()
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("audit", "grants", 'x"; DROP TABLE y; --', stdout=io.StringIO())

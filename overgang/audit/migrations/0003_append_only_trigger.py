"""On PostgreSQL, the database itself refuses to change or delete an audit event.

A row trigger raises on every UPDATE and DELETE of ``audit_auditevent``, whoever runs
it (the application, a console, a forgotten script). TRUNCATE is not a row operation: it
is kept for the test suite's flush and for restores, and the application's role is not
granted it (``overgang audit grants``, SECURITY.md). A superuser can still disable the
trigger; the keyed chain and the anchors are what catch that.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION overgang_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION overgang_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS overgang_audit_append_only();
"""


def _run(schema_editor, sql):
    if schema_editor.connection.vendor == "postgresql":
        # Without parameters: the function body's "%" is PL/pgSQL's, not a placeholder.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def create(apps, schema_editor):
    _run(schema_editor, CREATE)


def drop(apps, schema_editor):
    _run(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_keyed_chain")]

    operations = [migrations.RunPython(create, drop)]

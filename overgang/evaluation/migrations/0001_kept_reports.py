"""Kept reports: the data stamps the database keeps, and the reports kept against them.

The triggers count, per municipality, the changes of every row the report reads
(evaluation/reports.py: citizens, started courses and their calendars, pauses,
completed records, consents), and in scope 0 the changes of instrument and template
versions. PostgreSQL counts once per statement (a COPY of 100,000 records is one
count) and takes the audit log's advisory lock first, as every writer does before its
audit event, so writers that bump the same municipality never wait for each other in
the opposite order. SQLite counts per row (its writers are serialised anyway).

A report that starts reading a new column must add it to ``WATCHED`` in a new migration.
"""

from django.db import migrations, models

AUDIT_LOCK = 1331054385  # audit/log.py _ADVISORY_LOCK_KEY: the writers' lock

CITIZEN = "(SELECT c.municipality_id FROM citizens_citizen c WHERE c.id = {r}.citizen_id)"
COURSE = ("(SELECT c.municipality_id FROM courses_course k JOIN citizens_citizen c ON c.id = k.citizen_id "
          "WHERE k.id = {r}.course_id)")

# table -> (municipality of a row {r}, which rows count (None: all), columns whose update counts (None: any))
WATCHED = {
    "citizens_citizen": ("{r}.municipality_id", None, ("municipality_id",)),
    "courses_course": (CITIZEN, None, ("citizen_id", "status", "start_date", "end_date", "phase1_months",
                                       "phase2_months", "phase3_months", "template_version_id")),
    "courses_pause": (COURSE, None, None),
    "measurements_record": (CITIZEN, "{r}.status = 'completed'", None),
    "rights_consent": (CITIZEN, None, None),
}
EVERYWHERE = ("instruments_instrumentversion", "programmes_templateversion")


def _sqlite(table, municipality, counts, columns):
    def bump(row):
        scope = municipality.format(r=row)
        return (f"INSERT INTO evaluation_datastamp (scope, generation) SELECT {scope}, 1 WHERE {scope} IS NOT NULL "
                f"ON CONFLICT (scope) DO UPDATE SET generation = evaluation_datastamp.generation + 1;")

    def when(*conditions):
        conditions = [c for c in conditions if c]
        return f"WHEN {' AND '.join(f'({c})' for c in conditions)} " if conditions else ""

    only = (lambda row: counts.format(r=row)) if counts else (lambda row: None)
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns) if columns else None
    either = f"({only('OLD')}) OR ({only('NEW')})" if counts else None
    return [
        f"CREATE TRIGGER stamp_{table}_insert AFTER INSERT ON {table} {when(only('NEW'))}BEGIN {bump('NEW')} END",
        f"CREATE TRIGGER stamp_{table}_delete AFTER DELETE ON {table} {when(only('OLD'))}BEGIN {bump('OLD')} END",
        f"CREATE TRIGGER stamp_{table}_update AFTER UPDATE ON {table} {when(either, changed)}"
        f"BEGIN {bump('OLD')} {bump('NEW')} END",
    ]


def _postgresql(table, municipality, counts, columns):
    m = municipality.format
    only = (lambda row: counts.format(r=row)) if counts else (lambda row: "true")
    if columns:
        olds = ", ".join(f"o.{c}" for c in columns)
        news = ", ".join(f"n.{c}" for c in columns)
        updated = (f"SELECT {m(r='o')} AS m FROM old_rows o JOIN new_rows n ON n.id = o.id "
                   f"WHERE ({only('o')} OR {only('n')}) AND ({olds}) IS DISTINCT FROM ({news}) "
                   f"UNION ALL SELECT {m(r='n')} FROM old_rows o JOIN new_rows n ON n.id = o.id "
                   f"WHERE ({only('o')} OR {only('n')}) AND ({olds}) IS DISTINCT FROM ({news})")
    else:
        updated = (f"SELECT {m(r='o')} AS m FROM old_rows o WHERE {only('o')} "
                   f"UNION ALL SELECT {m(r='n')} FROM new_rows n WHERE {only('n')}")
    function = f"""
CREATE FUNCTION stamp_{table}() RETURNS trigger LANGUAGE plpgsql AS $stamp$
DECLARE scopes bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT x.m) INTO scopes FROM (SELECT {m(r='n')} AS m FROM new_rows n WHERE {only('n')}) x
      WHERE x.m IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT x.m) INTO scopes FROM (SELECT {m(r='o')} AS m FROM old_rows o WHERE {only('o')}) x
      WHERE x.m IS NOT NULL;
  ELSE
    SELECT array_agg(DISTINCT x.m) INTO scopes FROM ({updated}) x WHERE x.m IS NOT NULL;
  END IF;
  IF scopes IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock({AUDIT_LOCK});
  INSERT INTO evaluation_datastamp AS s (scope, generation) SELECT u.m, 1 FROM unnest(scopes) AS u(m) ORDER BY u.m
    ON CONFLICT (scope) DO UPDATE SET generation = s.generation + 1;
  RETURN NULL;
END
$stamp$"""
    return [
        function,
        f"CREATE TRIGGER stamp_{table}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION stamp_{table}()",
        f"CREATE TRIGGER stamp_{table}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION stamp_{table}()",
        f"CREATE TRIGGER stamp_{table}_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stamp_{table}()",
    ]


def _everywhere(vendor, table):
    bump = ("INSERT INTO evaluation_datastamp AS s (scope, generation) VALUES (0, 1) "
            "ON CONFLICT (scope) DO UPDATE SET generation = s.generation + 1")
    if vendor == "postgresql":
        return [
            f"CREATE FUNCTION stamp_{table}() RETURNS trigger LANGUAGE plpgsql AS $stamp$ "
            f"BEGIN PERFORM pg_advisory_xact_lock({AUDIT_LOCK}); {bump}; RETURN NULL; END $stamp$",
            f"CREATE TRIGGER stamp_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION stamp_{table}()",
        ]
    bump = bump.replace(" AS s", "").replace("s.generation", "evaluation_datastamp.generation")
    return [f"CREATE TRIGGER stamp_{table}_{event.lower()} AFTER {event} ON {table} BEGIN {bump}; END"
            for event in ("INSERT", "UPDATE", "DELETE")]


def statements(vendor):
    out = []
    for table, spec in WATCHED.items():
        out += (_postgresql if vendor == "postgresql" else _sqlite)(table, *spec)
    for table in EVERYWHERE:
        out += _everywhere(vendor, table)
    return out


def drops(vendor):
    out = []
    for table in WATCHED:
        out += [f"DROP TRIGGER IF EXISTS stamp_{table}_{event} " + (f"ON {table}" if vendor == "postgresql" else "")
                for event in ("insert", "delete", "update")]
        if vendor == "postgresql":
            out.append(f"DROP FUNCTION IF EXISTS stamp_{table}()")
    for table in EVERYWHERE:
        if vendor == "postgresql":
            out += [f"DROP TRIGGER IF EXISTS stamp_{table} ON {table}", f"DROP FUNCTION IF EXISTS stamp_{table}()"]
        else:
            out += [f"DROP TRIGGER IF EXISTS stamp_{table}_{event}" for event in ("insert", "update", "delete")]
    return out


def create_triggers(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    for sql in drops(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("citizens", "0002_citizen_created_on_alter_citizen_worker"),
        ("courses", "0010_course_last_contact_on"),
        ("measurements", "0010_record_draft_index"),
        ("rights", "0001_initial"),
        ("instruments", "0001_initial"),
        ("programmes", "0002_offers_from_course_settings"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataStamp",
            fields=[
                ("scope", models.BigIntegerField(primary_key=True, serialize=False)),
                ("generation", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "evaluation_datastamp"},
        ),
        migrations.CreateModel(
            name="KeptReport",
            fields=[
                ("key", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("municipalities", models.TextField()),
                ("stamp", models.TextField()),
                ("computed_at", models.DateTimeField()),
                ("payload", models.BinaryField()),
            ],
            options={
                "db_table": "evaluation_keptreport",
                "indexes": [models.Index(fields=["municipalities"], name="keptreport_by_municipalities")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]

"""Inserting many rows of one model at once, without building model instances.

An import writes a hundred thousand records and as many audit events; building a model
instance per row and going through ``bulk_create``'s compiler took a large part of it,
and on PostgreSQL one ``INSERT`` per row (even pipelined) costs the server a statement
each. ``insert`` takes plain dicts, prepares each value with its model field
(``get_db_prep_save``, as ``bulk_create`` does) and writes them with ``COPY`` on
PostgreSQL, one ``executemany`` elsewhere. Callers write inside their transaction and
audit as usual; nothing here bypasses a constraint or a trigger (``COPY`` fires both).

A few rows (a request's audit events: one, or one per citizen on a page) go through
``bulk_create`` as before: one ordinary ``INSERT`` that Django's query log and the tests
watching it (which database a request writes to, how many queries a page costs) see;
``COPY`` bypasses that log.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

# Fewer rows than this are written with bulk_create (see above).
COPY_FROM = 200

# Field types whose Python value every database driver takes as it is.
PLAIN = frozenset({"CharField", "TextField", "BooleanField", "ForeignKey", "IntegerField", "PositiveIntegerField",
                   "PositiveSmallIntegerField", "BigIntegerField", "SmallIntegerField"})


def insert(model, rows, *, using=DEFAULT_DB_ALIAS) -> int:
    """Insert ``rows`` (dicts of field attname → Python value) into ``model``'s table.

    Every concrete field but the primary key must be given, and no other name: a field
    a later migration adds fails loudly (RuntimeError) instead of being left to a
    database default. Returns the number of rows; their primary keys are not read back."""
    if not rows:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = set(rows[0])
    missing = [f.attname for f in fields if f.attname not in given]
    unknown = given - {f.attname for f in fields}
    if missing or unknown:
        raise RuntimeError(f"{model.__name__} fields not written: {missing}; unknown: {sorted(unknown)}")
    if len(rows) < COPY_FROM:
        model.objects.using(using).bulk_create([model(**row) for row in rows])
        return len(rows)
    db = connections[using]
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    prepare = [(f.attname, None if f.get_internal_type() in PLAIN else _Prepared(f, db)) for f in fields]
    params = ([row[name] if prep is None else prep(row[name]) for name, prep in prepare] for row in rows)
    table = quote(model._meta.db_table)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})",
                               list(params))
    return len(rows)


class _Prepared:
    """``field.get_db_prep_save`` of one column, once for a run of the same object (the
    rows of one batch share their time stamps and defaults)."""

    def __init__(self, field, db):
        self._prepare, self._db = field.get_db_prep_save, db
        self._last = self._value = object()

    def __call__(self, value):
        if value is not self._last:
            self._value, self._last = self._prepare(value, self._db), value
        return self._value

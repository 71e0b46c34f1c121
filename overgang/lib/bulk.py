"""Inserting many rows of one model at once, without building model instances.

An import writes a hundred thousand records and as many audit events; building a model
instance per row and going through ``bulk_create``'s compiler took a large part of it,
and on PostgreSQL one ``INSERT`` per row (even pipelined) costs the server a statement
each. ``insert`` takes plain dicts, prepares each value with its model field
(``get_db_prep_save``, as ``bulk_create`` does) and writes them with ``COPY`` on
PostgreSQL, one ``executemany`` elsewhere. Callers write inside their transaction and
audit as usual; nothing here bypasses a constraint or a trigger (``COPY`` fires both).

Either way it is one statement in Django's query log (``COPY`` bypasses Django's cursor
wrapper, so it is entered there by hand): the tests that watch the log (how many queries
a page or an import costs, which database a request writes to) see every write.
"""

from __future__ import annotations

import time

from django.db import DEFAULT_DB_ALIAS, connections

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
    db = connections[using]
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    prepare = [(f.attname, None if f.get_internal_type() in PLAIN else _Prepared(f, db)) for f in fields]
    params = ([row[name] if prep is None else prep(row[name]) for name, prep in prepare] for row in rows)
    table = quote(model._meta.db_table)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN"
            began = time.monotonic()
            with cursor.copy(sql) as copy:
                for values in params:
                    copy.write_row(values)
            if db.queries_logged:
                db.queries_log.append({"sql": f"{sql} -- {len(rows)} rows", "time": f"{time.monotonic() - began:.3f}"})
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

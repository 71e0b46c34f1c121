"""Reading the rows of objects whose ids a page has just read.

A page that has read a municipality's courses (a few thousand) and then reads their
contacts, focus areas or activities can ask for them in two ways: ``course__in=`` a
subquery on the same filter, or the ids it holds. On PostgreSQL the subquery lets the
planner hash the courses it finds and read every row of the other table in the
installation to match them (300,000 focus areas for 3,000 courses at 50,000 courses);
a list of thousands of parameters costs more in Django and the driver to write than it
saves. ``among`` gives PostgreSQL the ids as one array parameter
(``IN (SELECT unnest(%s::bigint[]))``: the rows are looked up by their index), and
SQLite the list up to ``LISTED`` ids (SQLite takes at most 32,766 parameters), beyond
that the subquery, which SQLite also answers by the index (a little slower).
"""

from __future__ import annotations

from django.db import connections
from django.db.models.expressions import RawSQL

LISTED = 10_000


def among(ids, queryset):
    """What to put after ``__in`` to match the objects ``ids``, which are the primary
    keys ``queryset`` (a ``values("pk")`` of the same objects) selects."""
    if connections[queryset.db].vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (sorted(ids),))
    return sorted(ids) if len(ids) <= LISTED else queryset

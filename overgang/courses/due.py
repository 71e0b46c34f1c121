"""Each running course's next due registration, kept on the course.

The caseload lists are sorted by urgency and filtered by "overdue" in the database, so
that a page costs the same with ten citizens or ten thousand: that needs the next due
registration as columns of ``Course`` (``next_due_on``, ``next_due_until`` — the last
day of its window — and ``next_due_instrument``). They are a cache of what the calendar
says (``schedule.occasions`` matched with the course's completed records): the earliest
registration not yet done, whatever today is. Only a running course that is not paused
has one.

Whatever changes the calendar or the completed records of a course calls ``refresh``:
the course actions (start, pause, resume, end, close as not started), the record actions
through ``measurements.signals.completed_records_changed`` (connected in ``apps.py``),
the import and the generator (in bulk). ``tests/test_due.py`` checks the cache against
the calendar after every kind of change.
"""

from __future__ import annotations

from collections import defaultdict

from overgang.courses import schedule

FIELDS = ("next_due_on", "next_due_until", "next_due_instrument")
NONE = (None, None, "")
CHUNK = 2000


def compute(status, start, plan: schedule.Plan, pauses, completed) -> tuple:
    """(due date, last day of its window, instrument) of the earliest open registration,
    or ``NONE``. ``pauses``: ``schedule.Pause``s; ``completed``: (key, instrument, date)
    of the course's completed records. The same choice as ``schedule.next_due``."""
    if status != "active" or start is None or any(p.end is None for p in pauses):
        return NONE
    occasions = schedule.match(schedule.occasions(start, plan, pauses), completed)
    open_items = [(o.due, instrument, o) for o in occasions for instrument in o.instruments
                  if instrument not in o.done]
    if not open_items:
        return NONE
    due, instrument, occasion = min(open_items, key=lambda x: (x[0], x[1]))
    return due, occasion.window_end, instrument


def refresh(course_pks):
    """Recompute and store the next due registration of these courses (pks)."""
    from overgang.courses.models import Course, Pause
    from overgang.measurements.models import Record

    pks = sorted(set(course_pks))
    for begin in range(0, len(pks), CHUNK):
        chunk = pks[begin:begin + CHUNK]
        courses = list(Course.objects.filter(pk__in=chunk).values_list(
            "pk", "status", "start_date", "phase1_months", "phase2_months", "phase3_months", "interval_months",
            "window_days", *FIELDS))
        running = [c[0] for c in courses if c[1] == "active"]
        pauses, completed = defaultdict(list), defaultdict(list)
        for course_pk, start, end in Pause.objects.filter(course_id__in=running).values_list(
                "course_id", "start_date", "end_date"):
            pauses[course_pk].append(schedule.Pause(start, end))
        for course_pk, pk, instrument, day in Record.objects.filter(
                course_id__in=running, status=Record.Status.COMPLETED).values_list(
                "course_id", "pk", "instrument", "filled_on"):
            completed[course_pk].append((pk, instrument, day))
        changed = []
        for pk, status, start, p1, p2, p3, interval, window, *stored in courses:
            plan = schedule.Plan(phase_months=(p1, p2, p3), interval_months=interval, window_days=window)
            value = compute(status, start, plan, pauses[pk], completed[pk])
            if tuple(stored) != value:
                changed.append((pk, *value))
        _store(changed)


def _store(changed):
    """Write (pk, due, until, instrument) of many courses. One ``UPDATE … FROM (VALUES …)``
    per thousand on PostgreSQL, one ``executemany`` elsewhere: ``bulk_update``'s
    ``CASE WHEN`` per row and field took most of an import's refresh to compile."""
    from django.db import connection

    from overgang.courses.models import Course

    if not changed:
        return
    meta, quote = Course._meta, connection.ops.quote_name
    table, key = quote(meta.db_table), quote(meta.pk.column)
    due, until, instrument = (quote(meta.get_field(name).column) for name in FIELDS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for begin in range(0, len(changed), 1000):
                part = changed[begin:begin + 1000]
                rows = ", ".join(["(%s::bigint, %s::date, %s::date, %s::text)"] * len(part))
                cursor.execute(
                    f"UPDATE {table} AS c SET {due} = v.due, {until} = v.until, {instrument} = v.instrument "
                    f"FROM (VALUES {rows}) AS v(pk, due, until, instrument) WHERE c.{key} = v.pk",
                    [value for row in part for value in row])
        else:
            cursor.executemany(f"UPDATE {table} SET {due} = %s, {until} = %s, {instrument} = %s WHERE {key} = %s",
                               [(d, u, i, pk) for pk, d, u, i in changed])


def refresh_course(course):
    """``refresh`` for one course object, keeping the object's fields in step."""
    from overgang.courses.models import Course

    refresh([course.pk])
    fresh = Course.objects.filter(pk=course.pk).values(*FIELDS).first()
    if fresh:
        for name, value in fresh.items():
            setattr(course, name, value)

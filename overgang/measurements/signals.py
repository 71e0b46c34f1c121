"""Signals of the records app, for apps that depend on it (this app imports none of them)."""

from django.dispatch import Signal

# Sent with ``record`` inside the action's transaction whenever the completed records
# of a course change (a record completed, a completed record's date corrected). The
# courses app keeps each course's next due registration in step with it (courses/due.py).
completed_records_changed = Signal()

"""Reading reports and dashboards from a PostgreSQL read replica (``DATABASE_REPLICA_URL``).

The report, the evaluator exports and the leaders' dashboards read a municipality's
whole history; a replica can carry that load beside the primary that serves the workers.
Code that may read from the replica says so with ``from_replica()`` (a block) or
``@replica_reads`` (a view); ``ReplicaRouter`` then sends its reads there when a replica
is configured. Everything else stays on the primary:

- every write (``db_for_write`` is always the primary);
- every read inside a transaction on the primary (an action sees its own writes);
- the audit log (its hash chain is extended from its latest event, which a lagging
  replica may not have yet), users, roles and sessions (access is decided on the
  primary, never on a copy that may not yet know that a role was taken away);
- citizen pages and everything a worker does, which never ask for the replica.

A replica lags its primary by a moment: a report may not yet show a record completed a
second ago. Nothing here ever writes to the replica; Django does not migrate it (a
streaming replica copies the primary's schema).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# Apps whose rows are always read from the primary.
PRIMARY_ONLY = frozenset({"audit", "accounts", "auth", "sessions", "contenttypes", "otp_totp", "django_otp"})

_reading: ContextVar[bool] = ContextVar("overgang_replica_reads", default=False)


def configured() -> bool:
    return bool(getattr(settings, "OVERGANG_READ_REPLICA", False)) and REPLICA in settings.DATABASES


@contextmanager
def from_replica():
    """Within the block, reads of case data may come from the replica."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(view):
    """A view whose reads of case data may come from the replica."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with from_replica():
            return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _reading.get() or not configured():
            return None
        if model._meta.app_label in PRIMARY_ONLY or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: rows from either relate to each other.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS

"""Writing and verifying the audit log.

``record`` (one event) and ``record_many`` (several, e.g. the rows of an import) are the
only ways an event is written. They must run inside the transaction of the change they
document, so the change and its events commit or roll back together.
Events form a hash chain: each carries the hash of the one before it, so editing,
inserting or deleting an event anywhere but at the very end breaks the chain, and
``verify`` finds it. Writers are serialised (a PostgreSQL advisory lock; on SQLite the
IMMEDIATE transaction already holds the write lock), so the chain never forks.
"""

from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from overgang.audit.models import AuditEvent

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 0x4F56_4731  # "OVG1"

# The client address of the request being served, set by the audit middleware.
current_ip: ContextVar[str] = ContextVar("overgang_audit_ip", default="")


def record(
    action, *, actor=None, obj=None, object_type="", citizen=None, municipality=None, details=None, actor_username=""
):
    """Append one event. Call it inside the atomic block of the change it records.

    ``actor`` is a user (or None for the system), ``obj`` any model with a ``code`` (or
    a code string with ``object_type``), ``citizen`` and ``municipality`` objects (or
    code strings) the event concerns. ``details`` must hold no personal data.
    """
    return record_many([dict(action=action, actor=actor, obj=obj, object_type=object_type, citizen=citizen,
                             municipality=municipality, details=details, actor_username=actor_username)])[0]


def record_many(entries):
    """Append one event per dict of ``record``'s keyword arguments, in order, with one
    lock and one insert (the bulk actions of an import write thousands at once)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside transaction.atomic()")
    if not entries:
        return []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
        seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
        now, ip = timezone.now(), current_ip.get()
        events = []
        for entry in entries:
            seq += 1
            event = _event(seq, now, ip, prev, **entry)
            event.hash = event.compute_hash()
            prev = event.hash
            events.append(event)
        AuditEvent.objects.bulk_create(events)
    return events


def _event(seq, now, ip, prev, *, action, actor=None, obj=None, object_type="", citizen=None, municipality=None,
           details=None, actor_username=""):
    return AuditEvent(
        seq=seq,
        at=now,
        actor_code=_code(actor),
        actor_username=getattr(actor, "username", "") or actor_username,
        action=action,
        object_type=object_type or (obj._meta.model_name if hasattr(obj, "_meta") else ""),
        object_code=_code(obj),
        citizen_code=_code(citizen),
        municipality_code=_code(municipality),
        ip=ip,
        details=details or {},
        prev_hash=prev,
    )


def _code(thing):
    if thing is None:
        return ""
    if isinstance(thing, str):
        return thing
    return str(getattr(thing, "code", "") or "")


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str
    message: str


@dataclass(frozen=True)
class Verification:
    count: int
    head: str
    problems: tuple

    @property
    def ok(self):
        return not self.problems


def verify(batch_size=5000) -> Verification:
    """Walk the whole chain and report every broken link."""
    problems = []
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    head = GENESIS
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        count += 1
        if event.seq != expected_seq:
            problems.append(
                Problem(event.seq, "gap", f"event #{event.seq} follows #{expected_seq - 1}: events are missing")
            )
        if event.prev_hash != expected_prev:
            problems.append(
                Problem(event.seq, "link", f"event #{event.seq} does not point at the event before it")
            )
        if event.compute_hash() != event.hash:
            problems.append(Problem(event.seq, "hash", f"event #{event.seq} was changed after it was written"))
        expected_prev = event.hash
        expected_seq = event.seq + 1
        head = event.hash
    return Verification(count=count, head=head, problems=tuple(problems))

"""Writing and verifying the audit log.

``record`` (one event) and ``record_many`` (several, e.g. the reads of a list page or the rows of an import) are
the only ways an event is written. They must run inside the transaction of the change
they document, so the change and its events commit or roll back together.

Events form a keyed hash chain: each carries the HMAC, under a key kept outside the
database (``OVERGANG_AUDIT_KEYS``), of its own fields and the hash of the one before it.
Editing, inserting or deleting an event anywhere breaks the chain, and without the key
nobody can compute a new chain that ``verify`` accepts. Cutting events off the end leaves
a shorter valid chain: that is what anchors are for (``anchors.py``), the head written
to a place outside the database. Writers are serialised (a PostgreSQL advisory lock; on
SQLite the IMMEDIATE transaction already holds the write lock), so the chain never forks.
"""

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from overgang.audit import chain
from overgang.audit.chain import GENESIS, KEYED_ACTION
from overgang.audit.models import AuditEvent
from overgang.lib import bulk

_ADVISORY_LOCK_KEY = 0x4F56_4731  # "OVG1"

# The client address of the request being served, set by the audit middleware.
current_ip: ContextVar[str] = ContextVar("overgang_audit_ip", default="")


def signing_key() -> str:
    return settings.OVERGANG_AUDIT_KEYS[0]


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


def record_many(entries, *, events=True):
    """Append one event per dict of ``record``'s keyword arguments, in order, with one
    lock and one insert (a list page reads many citizens
    at once; the bulk actions of an import write thousands). Returns the events, or
    with ``events=False`` only their number (a bulk writer that does not look at them)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside transaction.atomic()")
    if not entries:
        return []
    key = signing_key()
    with transaction.atomic():
        _lock()
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev = last if last else (0, GENESIS)
        now, ip = timezone.now(), current_ip.get()
        at = chain.utc(now)
        rows = []
        for entry in entries:
            seq += 1
            # The signed fields as a dict (no model instance per event: an import writes
            # a hundred thousand), the same bytes as chain.payload of the stored event.
            row = _fields(seq, at, ip, prev, **entry)
            prev = row["hash"] = chain.mac(key, chain.canonical(row))
            row["at"] = now
            rows.append(row)
        bulk.insert(AuditEvent, rows)
    if not events:
        return len(rows)
    # The events as written (their primary keys are not read back: nothing needs them).
    names = [f.attname for f in AuditEvent._meta.concrete_fields]
    return [AuditEvent.from_db(connection.alias, names, [row.get(name) for name in names]) for row in rows]


def _lock():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def _fields(seq, at, ip, prev, *, action, actor=None, obj=None, object_type="", citizen=None, municipality=None,
            details=None, actor_username=""):
    """The fields of one event (``chain.FIELDS``)."""
    return {
        "seq": seq,
        "at": at,
        "actor_code": _code(actor),
        "actor_username": getattr(actor, "username", "") or actor_username,
        "action": action,
        "object_type": object_type or (obj._meta.model_name if hasattr(obj, "_meta") else ""),
        "object_code": _code(obj),
        "citizen_code": _code(citizen),
        "municipality_code": _code(municipality),
        "ip": ip,
        "details": details or {},
        "prev_hash": prev,
    }


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
    last_seq: int
    problems: tuple

    @property
    def ok(self):
        return not self.problems


def verify(batch_size=5000, keys=None) -> Verification:
    """Walk the whole chain and report every broken link, changed event and event not
    signed with the audit key.

    Rules: each event's ``seq`` follows the one before and its ``prev_hash`` is that
    event's hash; its ``hash`` is the HMAC of its payload under one of the keys, and once
    a newer key has signed, an older one no longer may (a retired key cannot forge new
    history). Events with a plain SHA-256 hash (written before the chain was keyed) are
    accepted only at the beginning and only when the signed ``audit.keyed`` event right
    after them names their number and head; and the chain must end in a signed event.
    """
    keys = list(keys or settings.OVERGANG_AUDIT_KEYS)
    problems = []
    expected_prev, expected_seq = GENESIS, 1
    count, head, last_seq = 0, GENESIS, 0
    legacy = 0  # unkeyed events at the beginning
    keyed_seen = False
    newest_key = len(keys)  # the newest key (lowest index) seen so far
    last_signed = True
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        count += 1
        if event.seq != expected_seq:
            problems.append(Problem(event.seq, "gap", f"event #{event.seq} follows #{expected_seq - 1}: events are missing"))
        if event.prev_hash != expected_prev:
            problems.append(Problem(event.seq, "link", f"event #{event.seq} does not point at the event before it"))
        data = chain.payload(event)
        index = chain.key_index(keys, data, event.hash)
        if index is not None:
            if index > newest_key:
                problems.append(Problem(event.seq, "old_key", f"event #{event.seq} is signed with a key retired before it"))
            newest_key = min(newest_key, index)
            if not keyed_seen and legacy and not _seals(event, legacy, expected_prev):
                problems.append(Problem(event.seq, "unsealed", f"the {legacy} unkeyed event(s) before #{event.seq} are not "
                                        "sealed by an audit.keyed event"))
            keyed_seen, last_signed = True, True
        elif not keyed_seen and chain.legacy_hash(data) == event.hash:
            legacy += 1
            last_signed = False
        else:
            problems.append(Problem(event.seq, "hash", f"event #{event.seq} was changed after it was written, or was "
                                    "not written with the audit key"))
            last_signed = True  # reported already; do not report the end as well
        expected_prev, expected_seq = event.hash, event.seq + 1
        head, last_seq = event.hash, event.seq
    if count and not last_signed:
        problems.append(Problem(last_seq, "unsigned_end", "the log ends in events not signed with the audit key"))
    return Verification(count=count, head=head, last_seq=last_seq, problems=tuple(problems))


def _seals(event, legacy, legacy_head) -> bool:
    details = event.details if isinstance(event.details, dict) else {}
    return (event.action == KEYED_ACTION and details.get("legacy_events") == legacy
            and details.get("legacy_head") == legacy_head)


def seal_legacy_chain(events_model, keys, now):
    """Append the signed ``audit.keyed`` event that carries an unkeyed chain over into
    the keyed one (used by the migration). Returns the event, or None when the log is
    empty or already keyed."""
    last = events_model.objects.order_by("-seq").first()
    if last is None:
        return None
    if chain.key_index(keys, chain.payload(last), last.hash) is not None:
        return None
    legacy, intact, prev, expected = 0, True, GENESIS, 1
    for event in events_model.objects.order_by("seq").iterator(chunk_size=5000):
        legacy += 1
        intact = intact and event.seq == expected and event.prev_hash == prev and \
            chain.legacy_hash(chain.payload(event)) == event.hash
        prev, expected = event.hash, event.seq + 1
    sealed = events_model(
        seq=last.seq + 1, at=now, actor_code="", actor_username="", action=KEYED_ACTION, object_type="",
        object_code="", citizen_code="", municipality_code="", ip="",
        details={"legacy_events": legacy, "legacy_head": last.hash, "legacy_intact": intact},
        prev_hash=last.hash,
    )
    sealed.hash = chain.mac(keys[0], chain.payload(sealed))
    sealed.save()
    return sealed

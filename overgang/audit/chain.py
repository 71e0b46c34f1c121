"""The canonical bytes of an audit event and the MACs over them (no ORM, no settings).

Pure functions, shared by ``log.py`` and the migrations, so that the bytes a hash covers
never drift between writing, verifying and upgrading.

Since version 2 of the chain each event's ``hash`` is HMAC-SHA256 over its payload with
a key kept outside the database (``OVERGANG_AUDIT_KEYS``); events written before the
key existed carry plain SHA-256 (``legacy_hash``) and are accepted only as the chain's
beginning, sealed by the signed ``audit.keyed`` event that follows them.
"""

import hashlib
import hmac
import json
from datetime import timezone

GENESIS = "0" * 64
KEYED_ACTION = "audit.keyed"
FIELDS = (
    "seq", "at", "actor_code", "actor_username", "action", "object_type", "object_code", "citizen_code",
    "municipality_code", "ip", "details", "prev_hash",
)


def utc(dt) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def payload(event) -> bytes:
    """Every field but the hash itself, as canonical JSON (``event`` is a model instance
    or anything with those attributes)."""
    data = {name: getattr(event, name) for name in FIELDS}
    data["at"] = utc(data["at"])
    return canonical(data)


# What json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")) does,
# without building an encoder per call (the import signs a hundred thousand events).
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical(data: dict) -> bytes:
    """The payload of an event given as a dict of ``FIELDS`` with ``at`` already as ``utc``
    writes it (``payload`` for a writer that builds no model instance)."""
    return _ENCODER.encode(data).encode("utf-8")


def mac(key: str, data: bytes) -> str:
    return hmac.digest(key.encode("utf-8"), data, "sha256").hex()


def legacy_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_index(keys, data: bytes, value: str):
    """The index of the key whose MAC over ``data`` is ``value``, or None."""
    for index, key in enumerate(keys):
        if hmac.compare_digest(mac(key, data), value):
            return index
    return None

"""A report computed once per change of its data, not once per request.

A municipality's report reads every completed record of its history: at 50,000 courses
about ten seconds of decryption and statistics; leaders open it many times between two
changes of what it counts, so ``report`` keeps the computed report (``KeptReport``)
and gives it back while the data it was computed from is unchanged — judged by the
``DataStamp`` generations the database itself counts (migration 0001's triggers): one
small query instead of the whole computation. A change of any row the report reads,
by any path, makes the next request compute it again.

- The stamps are read *before* the data, from the same database as the data (the
  replica when one is configured): a change that lands while the report is computed
  makes the kept report look stale at once, never current while it is not.
- The key is everything the report was asked for (municipalities and their names,
  filters, definitions) and the code that computed it (a digest of the package's
  source and data files): a new release computes anew. Not the language: the report
  holds codes and numbers; words come when it is shown.
- The kept report holds exact numbers (suppression happens when it is shown, for the
  viewer) and is stored zlib-compressed and encrypted with the installation's field
  keys (MultiFernet): a database copy without the keys reads nothing. A report that
  cannot be decrypted (the keys were rotated past it) is computed again.
- One computation at a time per report on PostgreSQL (an advisory lock on its key):
  eight leaders opening a stale report wait for one computation, not eight.
- When a report is stored, the stale reports of the same municipalities and every
  report computed more than a week ago are deleted; ``prune`` (run nightly by
  ``overgang retention apply``) deletes every stale one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import InvalidToken
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction
from django.utils import timezone

from overgang.evaluation import report_json
from overgang.evaluation.models import DataStamp, KeptReport
from overgang.lib import crypto

logger = logging.getLogger(__name__)

EVERYWHERE = 0  # DataStamp scope of instrument and template versions
KEEP_FOR = dt.timedelta(days=7)
_LOCK_NAMESPACE = 0x4F56_4B52  # "OVKR": the advisory locks of report computations


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the code and data files of the package: a kept report is only given
    back by the code that computed it."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".py", ".json", ".toml", ".yaml", ".yml", ".csv"} or "tests" in path.parts:
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def key(filters, definitions, municipalities) -> str:
    asked = {
        "municipalities": sorted([m.pk, m.name] for m in municipalities),
        "filters": filters.to_json(),
        "definitions": definitions.to_json(),
        "code": code_digest(),
    }
    return hashlib.sha256(json.dumps(asked, sort_keys=True, default=str).encode()).hexdigest()


def stamp(municipalities) -> str:
    """The generations of the municipalities' data and of what every report reads, as
    the database the report will read holds them."""
    return _stamp_of([m.pk for m in municipalities], router.db_for_read(DataStamp))


def _seal(content) -> bytes:
    return crypto.master().encrypt(zlib.compress(report_json.dumps(content, indent=None).encode(), 6))


def _open(payload) -> dict | None:
    try:
        content = json.loads(zlib.decompress(crypto.master().decrypt(bytes(payload))))
    except (InvalidToken, zlib.error, ValueError):
        return None
    return content if isinstance(content, dict) and "report" in content else None


@dataclass
class Kept:
    """A report as kept: the report, and the counts its suppressed document hides besides
    those under the small-cell limit (``document.hidden_counts``, per limit; finding them
    is most of the work of showing a leader the report, so they are kept with it)."""

    report: dict
    key: str
    stamp: str
    hidden_by_small: dict = field(default_factory=dict)
    # The page's body as rendered for a viewer ("language:suppressed:small" -> HTML,
    # evaluation/views.py), so that a kept report's page only renders its frame.
    bodies: dict = field(default_factory=dict)

    def hidden(self, small) -> frozenset:
        found = self.hidden_by_small.get(str(small))
        if found is None:
            from overgang.evaluation import document

            found = self.hidden_by_small[str(small)] = sorted(document.hidden_counts(self.report, small))
            # Kept beside the report while the report is still the current one.
            self._update()
        return frozenset(found)

    def body(self, variant) -> str | None:
        return self.bodies.get(variant)

    def keep_body(self, variant, html):
        self.bodies[variant] = html
        self._update()

    def _update(self):
        """The kept row rewritten with what was added, while it is still the current one."""
        with _keeping():
            KeptReport.objects.using(router.db_for_write(KeptReport)).filter(
                key=self.key, stamp=self.stamp).update(payload=_seal(self.content()))

    def content(self) -> dict:
        return {"report": self.report, "hidden": self.hidden_by_small, "bodies": self.bodies}


def _kept(asked, current) -> Kept | None:
    row = (KeptReport.objects.using(DEFAULT_DB_ALIAS).filter(key=asked, stamp=current)
           .values_list("payload", flat=True).first())
    content = None if row is None else _open(row)
    if content is None:
        return None
    return Kept(content["report"], asked, current, content.get("hidden") or {}, content.get("bodies") or {})


class _Computing:
    """Only one computation of a report at a time across every host (PostgreSQL's
    session-level advisory lock on the primary; nothing on SQLite, whose one writer
    serialises the store anyway)."""

    def __init__(self, asked):
        self.number = int(asked[:15], 16)
        self.connection = connections[DEFAULT_DB_ALIAS]

    def __enter__(self):
        if self.connection.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, self.number % 2**31])
        return self

    def __exit__(self, *exc):
        if self.connection.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, self.number % 2**31])


def is_current(filters, definitions, municipalities, *, hidden=True) -> bool:
    """Whether the report is kept for the data as it is now — with ``hidden``, also with
    the counts a leader's document hides under the definitions' small-cell limit
    (``overgang kept-reports``)."""
    municipalities = list(municipalities)
    found = _kept(key(filters, definitions, municipalities), stamp(municipalities))
    return found is not None and (not hidden or str(definitions.small_cells) in found.hidden_by_small)


def report(filters, definitions, municipalities, *, fresh=False) -> Kept:
    """The report of ``municipalities`` (objects) under ``filters`` and ``definitions``:
    the kept one when the data is unchanged since it was computed, else (or when
    ``fresh``) computed now (``report_json.compute``) and kept. Raises
    ``crypto.DecryptionError`` as compute does."""
    municipalities = list(municipalities)
    asked = key(filters, definitions, municipalities)
    found = None if fresh else _kept(asked, stamp(municipalities))
    if found is not None:
        return found
    with _Computing(asked):
        current = stamp(municipalities)  # read before the data the report reads
        found = None if fresh else _kept(asked, current)  # computed by another request meanwhile
        if found is not None:
            return found
        result = Kept(report_json.compute(filters, definitions, municipalities), asked, current)
        with _keeping():
            _store(asked, municipalities, current, result)
    return result


@contextmanager
def _keeping():
    """Keeping is a saving, not a duty: a store that fails (SQLite busy with an import's
    write, say) is logged and the caller goes on with the report it has."""
    try:
        with transaction.atomic(using=router.db_for_write(KeptReport)):
            yield
    except DatabaseError:
        logger.warning("a report could not be kept; it is computed again at the next request", exc_info=True)


def _store(asked, municipalities, current, result: Kept):
    now = timezone.now()
    which = ",".join(str(pk) for pk in sorted(m.pk for m in municipalities))
    db = router.db_for_write(KeptReport)
    KeptReport.objects.using(db).filter(municipalities=which).exclude(stamp=current).delete()
    KeptReport.objects.using(db).filter(computed_at__lt=now - KEEP_FOR).delete()
    KeptReport.objects.using(db).update_or_create(
        key=asked,
        defaults={"municipalities": which, "stamp": current, "computed_at": now, "payload": _seal(result.content())})


def prune() -> int:
    """Delete the kept reports whose data has changed since, and those computed more than
    a week ago (``overgang retention apply`` runs it nightly); the number deleted."""
    from overgang.accounts.models import Municipality

    db = router.db_for_write(KeptReport)
    deleted, _by_model = KeptReport.objects.using(db).filter(computed_at__lt=timezone.now() - KEEP_FOR).delete()
    rows = KeptReport.objects.using(db).values_list("key", "municipalities", "stamp")
    places = Municipality.objects.using(db).in_bulk()
    generations = dict(DataStamp.objects.using(db).values_list("scope", "generation"))  # one query, not one per row
    stale = []
    for asked, which, kept_at in rows:
        ids = [int(pk) for pk in which.split(",") if pk]
        if any(pk not in places for pk in ids) or kept_at != _written(ids, generations):
            stale.append(asked)
    if stale:
        deleted += KeptReport.objects.using(db).filter(key__in=stale).delete()[0]
    return deleted


def _stamp_of(ids, db) -> str:
    scopes = sorted(set(ids) | {EVERYWHERE})
    found = DataStamp.objects.using(db).filter(scope__in=scopes).values_list("scope", "generation")
    return _written(scopes, dict(found))


def _written(ids, generations) -> str:
    """The stamp of ``ids`` (and scope 0) as kept: "0:3;1:17;4:2"."""
    return ";".join(f"{scope}:{generations.get(scope, 0)}" for scope in sorted(set(ids) | {EVERYWHERE}))


def forget():
    """Drop every kept report (``overgang keys rotate`` and tests; the next request computes)."""
    KeptReport.objects.using(router.db_for_write(KeptReport)).all().delete()

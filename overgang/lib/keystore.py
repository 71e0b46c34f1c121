"""The key store: the citizens' data keys, outside the database and its backups.

Each citizen's data key (a Fernet key that encrypts their free text and sealed answers,
``lib/crypto.py``) is kept here, wrapped by the field keys, under a random reference
(``ks1:`` + 32 hex digits); the database holds only the reference. Erasing a citizen
deletes the key here — the only copy — so every database backup, old or new, holds
ciphertext nothing can decrypt any more (crypto-shredding that reaches backups).

``OVERGANG_KEY_STORE`` names the store: a PostgreSQL database of its own
(``postgres://…``, for several application hosts sharing it) or a SQLite file
(``sqlite:///…``, one host or the demo). Two tables:

- ``overgang_data_key(ref, wrapped, created)``: the wrapped keys;
- ``overgang_erased_key(ref, erased)``: the erasure ledger — the references of keys
  destroyed, with the time. ``overgang restore`` uses it to erase again the citizens of an
  older database backup who were erased since (``reapply_erasures``).

A connection is kept per thread and process (re-opened after a fork or a lost
connection); every write is its own committed transaction.
"""

import datetime
import os
import sqlite3
import threading
import uuid
from pathlib import Path

from django.conf import settings

PREFIX = "ks1:"
BATCH = 500  # references per query when keys are fetched in bulk

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS overgang_data_key (ref VARCHAR(40) PRIMARY KEY, wrapped TEXT NOT NULL, "
    "created VARCHAR(32) NOT NULL)",
    "CREATE TABLE IF NOT EXISTS overgang_erased_key (ref VARCHAR(40) PRIMARY KEY, erased VARCHAR(32) NOT NULL)",
]


class KeyStoreError(Exception):
    """The key store cannot be reached or used; the message says why (Danish / English)."""


def is_ref(data_key: str) -> bool:
    """Whether a citizen's ``data_key`` column names a key in the store (else it is a
    wrapped key kept in the database, as before the store: ``overgang keys move``)."""
    return bool(data_key) and data_key.startswith(PREFIX)


def new_ref() -> str:
    # Random, never the citizen's primary key: after a database restore the primary keys
    # of citizens created since are handed out again, and must not find their keys.
    return PREFIX + uuid.uuid4().hex


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


class Store:
    """One key store (``config`` a DATABASES-style dict from ``lib/dburl.parse``)."""

    def __init__(self, config: dict):
        self.config = config
        self.engine = "sqlite" if config["ENGINE"].endswith("sqlite3") else "postgresql"
        self._local = threading.local()
        self.queries = 0  # statements sent (tests count the bulk fetches)

    def describe(self) -> str:
        """Where the store is, without a password."""
        if self.engine == "sqlite":
            return f"sqlite:{self.config['NAME']}"
        host = self.config.get("HOST") or "localhost"
        return f"postgresql:{host}/{self.config['NAME']}"

    # ------------------------------------------------------------------ connection

    def _connect(self):
        try:
            if self.engine == "sqlite":
                path = Path(self.config["NAME"])
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.exists():  # readable by the installation's user only
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
                conn = sqlite3.connect(self.config["NAME"], timeout=20, isolation_level=None,
                                       check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                # Each committed key is on disk before the commit returns: a key lost to a
                # power cut would leave its citizen's data unreadable. Only the test suite's
                # throwaway store (test_settings.py) says otherwise ("SYNCHRONOUS": "NORMAL").
                synchronous = self.config.get("SYNCHRONOUS", "FULL")
                if synchronous not in ("FULL", "NORMAL"):
                    raise ValueError(f"SYNCHRONOUS={synchronous!r}")
                conn.execute(f"PRAGMA synchronous={synchronous}")
                # A destroyed key is overwritten on disk, not left in a free page.
                conn.execute("PRAGMA secure_delete=ON")
            else:
                import psycopg

                params = {"dbname": self.config["NAME"]}
                for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
                    if self.config.get(key):
                        params[name] = self.config[key]
                params.update(self.config.get("OPTIONS") or {})
                params.setdefault("connect_timeout", 10)
                conn = psycopg.connect(autocommit=True, **params)
            for statement in SCHEMA:
                conn.execute(statement)
        except Exception as exc:  # sqlite3.Error, psycopg.Error, OSError
            raise KeyStoreError(
                f"Nøglelageret ({self.describe()}) kan ikke åbnes: {exc} "
                f"/ The key store ({self.describe()}) cannot be opened: {exc}"
            ) from None
        return conn

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            self._local.conn, self._local.pid = self._connect(), os.getpid()
        return self._local.conn

    def close(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            conn.close()
        self._local.conn = None

    def _p(self, sql: str) -> str:
        return sql if self.engine == "sqlite" else sql.replace("?", "%s")

    def _run(self, work):
        """``work(connection)``, once more on a fresh connection if the first one was lost."""
        for attempt in (0, 1):
            conn = self._conn()
            try:
                return work(conn)
            except Exception as exc:
                if not _database_error(exc):
                    raise
                self.close()
                if attempt or not _connection_error(exc):
                    raise KeyStoreError(
                        f"Nøglelageret ({self.describe()}) svarer ikke: {exc} "
                        f"/ The key store ({self.describe()}) failed: {exc}"
                    ) from None

    def _transaction(self, conn):
        if self.engine == "sqlite":
            return _SqliteTransaction(conn)
        return conn.transaction()

    # ------------------------------------------------------------------ keys

    def put_many(self, pairs):
        """Store ``(ref, wrapped)`` pairs in one transaction (refs are new and random)."""
        pairs = list(pairs)
        if not pairs:
            return
        now = _now()

        def work(conn):
            with self._transaction(conn):
                cursor = conn.cursor()
                self.queries += 1
                cursor.executemany(self._p("INSERT INTO overgang_data_key (ref, wrapped, created) VALUES (?, ?, ?)"),
                                   [(ref, wrapped, now) for ref, wrapped in pairs])

        self._run(work)

    def put(self, ref: str, wrapped: str):
        self.put_many([(ref, wrapped)])

    def get_many(self, refs) -> dict[str, str]:
        """ref → wrapped key for the ``refs`` the store holds, ``BATCH`` per query."""
        refs = sorted(set(refs))
        found: dict[str, str] = {}
        for begin in range(0, len(refs), BATCH):
            part = refs[begin : begin + BATCH]
            marks = ", ".join("?" * len(part))

            def work(conn, part=part, marks=marks):
                self.queries += 1
                return conn.execute(
                    self._p(f"SELECT ref, wrapped FROM overgang_data_key WHERE ref IN ({marks})"), part).fetchall()

            found.update(self._run(work))
        return found

    def destroy(self, refs) -> int:
        """Delete the keys ``refs`` and write them into the erasure ledger, in one
        transaction. Returns how many keys were deleted (an already destroyed one is
        not an error: erasing is idempotent)."""
        refs = sorted({r for r in refs if is_ref(r)})
        if not refs:
            return 0
        now = _now()

        def work(conn):
            deleted = 0
            with self._transaction(conn):
                cursor = conn.cursor()
                for begin in range(0, len(refs), BATCH):
                    part = refs[begin : begin + BATCH]
                    marks = ", ".join("?" * len(part))
                    self.queries += 1
                    cursor.execute(self._p(f"DELETE FROM overgang_data_key WHERE ref IN ({marks})"), part)
                    deleted += cursor.rowcount
                    self.queries += 1
                    cursor.executemany(
                        self._p("INSERT INTO overgang_erased_key (ref, erased) VALUES (?, ?) ON CONFLICT (ref) DO NOTHING"),
                        [(ref, now) for ref in part])
            if self.engine == "sqlite":
                # Nor left in the write-ahead log: copy it into the file and empty it.
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return deleted

        return self._run(work)

    def erased(self, refs) -> set[str]:
        """The ``refs`` the erasure ledger names."""
        refs = sorted(set(refs))
        found: set[str] = set()
        for begin in range(0, len(refs), BATCH):
            part = refs[begin : begin + BATCH]
            marks = ", ".join("?" * len(part))

            def work(conn, part=part, marks=marks):
                self.queries += 1
                return conn.execute(self._p(f"SELECT ref FROM overgang_erased_key WHERE ref IN ({marks})"), part).fetchall()

            found.update(ref for (ref,) in self._run(work))
        return found

    def all_keys(self) -> list[tuple[str, str, str]]:
        """Every (ref, wrapped, created) in the store."""
        def work(conn):
            self.queries += 1
            return conn.execute("SELECT ref, wrapped, created FROM overgang_data_key ORDER BY ref").fetchall()

        return self._run(work)

    def rewrap(self, refs, convert) -> int:
        """Replace the wrapped keys of ``refs`` by ``convert(wrapped)``, a transaction
        per batch (each key is rewritten whole or not at all). Returns how many."""
        refs = sorted(set(refs))
        done = 0
        for begin in range(0, len(refs), BATCH):
            part = refs[begin : begin + BATCH]
            marks = ", ".join("?" * len(part))

            def work(conn, part=part, marks=marks):
                with self._transaction(conn):
                    self.queries += 2
                    rows = conn.execute(
                        self._p(f"SELECT ref, wrapped FROM overgang_data_key WHERE ref IN ({marks})"), part).fetchall()
                    conn.cursor().executemany(self._p("UPDATE overgang_data_key SET wrapped = ? WHERE ref = ?"),
                                              [(convert(wrapped), ref) for ref, wrapped in rows])
                    return len(rows)

            done += self._run(work)
        return done

    def ping(self):
        """One trivial question (``/status/``); raises KeyStoreError if it is not answered."""
        def work(conn):
            self.queries += 1
            return conn.execute("SELECT 1").fetchone()

        return self._run(work)

    def counts(self) -> tuple[int, int]:
        """(keys, erased keys)."""
        def work(conn):
            self.queries += 2
            keys = conn.execute("SELECT COUNT(*) FROM overgang_data_key").fetchone()[0]
            erased = conn.execute("SELECT COUNT(*) FROM overgang_erased_key").fetchone()[0]
            return keys, erased

        return self._run(work)


def _database_error(exc) -> bool:
    if isinstance(exc, sqlite3.Error):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a requirement
        return False
    return isinstance(exc, psycopg.Error)


def _connection_error(exc) -> bool:
    """A lost connection, worth one retry on a fresh one (not a refused statement)."""
    if isinstance(exc, sqlite3.OperationalError):
        return "locked" not in str(exc)
    import psycopg

    return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))


class _SqliteTransaction:
    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, traceback):
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")
        return False


_stores: dict = {}
_lock = threading.Lock()


def store() -> Store | None:
    """The installation's key store (``settings.OVERGANG_KEY_STORE``), or None when the
    data keys are kept in the database (``OVERGANG_KEY_STORE=database``)."""
    config = settings.OVERGANG_KEY_STORE
    if not config:
        return None
    name = (config["ENGINE"], config["NAME"], config.get("HOST", ""), str(config.get("PORT", "")))
    with _lock:
        found = _stores.get(name)
        if found is None:
            found = _stores[name] = Store(config)
    return found


def shred(data_keys) -> int:
    """Destroy the data keys named by ``data_keys`` (a citizen's ``data_key`` values) in
    the store, before their rows are deleted: if the store cannot be reached this raises
    KeyStoreError and the erasure's transaction rolls back (nothing half-erased). Keys
    still kept in the database (not moved) go with their rows."""
    refs = [k for k in data_keys if is_ref(k)]
    if not refs:
        return 0
    found = store()
    if found is None:
        raise KeyStoreError(
            "Borgerens nøgle ligger i nøglelageret, men OVERGANG_KEY_STORE er ikke sat. "
            "/ The citizen's key is in the key store, but OVERGANG_KEY_STORE is not set."
        )
    return found.destroy(refs)

"""Parse ``DATABASE_URL`` into a Django ``DATABASES`` entry.

Only the two databases Overgang supports are accepted, and anything we do not
understand is an error rather than a silently ignored option:

- ``sqlite:///var/overgang.sqlite3`` (relative to the base directory) or
  ``sqlite:////abs/path.sqlite3``
- ``postgres://user:password@host:5432/name`` (``postgresql://`` too); a Unix socket
  directory can be given as ``?host=/run/postgresql&port=5433``; ``sslmode`` is passed through.
"""

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

POSTGRES_OPTIONS = {"host", "port", "sslmode", "connect_timeout", "application_name"}


class DatabaseUrlError(ValueError):
    pass


def parse(url: str, base_dir: Path) -> dict:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        raw = unquote(parts.path)
        if parts.netloc or not raw.startswith("/") or raw == "/":
            raise DatabaseUrlError(
                "SQLite URL must look like sqlite:///relative/path or sqlite:////absolute/path"
            )
        path = Path(raw[1:])
        if not path.is_absolute():
            path = base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers never dead-lock
                # on a lock upgrade, and the audit hash chain is written serially.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # WAL keeps the database consistent when a process dies mid-write.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if parts.scheme in ("postgres", "postgresql"):
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        unknown = set(query) - POSTGRES_OPTIONS
        if unknown:
            raise DatabaseUrlError(f"Unknown PostgreSQL URL option(s): {', '.join(sorted(unknown))}")
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise DatabaseUrlError("PostgreSQL URL must name a database: postgres://user@host/name")
        options = {k: v for k, v in query.items() if k not in ("host", "port")}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": query.get("host") or parts.hostname or "",
            "PORT": str(query.get("port") or parts.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise DatabaseUrlError(f"Unsupported database URL scheme {parts.scheme!r}: use sqlite or postgres")

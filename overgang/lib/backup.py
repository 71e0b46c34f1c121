"""Consistent, encrypted backups of the whole database, and their restore.

A backup is a snapshot taken by the database itself (SQLite's online backup API, or
``pg_dump --format=custom`` for PostgreSQL), encrypted in streamed chunks with
AES-256-GCM under a key derived from the installation's first field key. Without the
field keys a backup is unreadable, like the encrypted fields inside it. Every chunk is
authenticated, numbered and the last one marked, so a changed, reordered or cut file is
refused instead of restored.

The key store (``lib/keystore.py``) is a database of its own and never in a backup of the
main database: that is what lets an erasure reach every backup. ``overgang keys backup``
copies the key store with the same functions, into a file marked ``"content":
"keystore"``.

File layout: ``OVGBACKUP1\\n``, one JSON header line, then chunks of
``4-byte length | 12-byte nonce | ciphertext`` (the length covers nonce + ciphertext).
"""

import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"OVGBACKUP1\n"
CHUNK = 1024 * 1024
PG_BIN = Path("/usr/lib/postgresql/15/bin")


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why."""


def _key(master_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"overgang-backup-v1").derive(master_key.encode())


def _key_id(master_key: str) -> str:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"overgang-backup-key-id" + master_key.encode())
    return digest.finalize().hex()[:16]


def _aad(index: int, last: bool) -> bytes:
    return struct.pack(">Q?", index, last)


def encrypt_file(plain: Path, target: Path, master_key: str, header: dict):
    aead = AESGCM(_key(master_key))
    header = {**header, "key_id": _key_id(master_key)}
    size = plain.stat().st_size
    with plain.open("rb") as src, target.open("wb") as out:
        out.write(MAGIC)
        out.write(json.dumps(header, sort_keys=True).encode() + b"\n")
        index, done = 0, 0
        while True:
            data = src.read(CHUNK)
            done += len(data)
            last = done >= size
            nonce = os.urandom(12)
            sealed = aead.encrypt(nonce, data, _aad(index, last))
            out.write(struct.pack(">I", len(nonce) + len(sealed)) + nonce + sealed)
            index += 1
            if last:
                break


def read_header(path: Path) -> dict:
    with path.open("rb") as src:
        if src.read(len(MAGIC)) != MAGIC:
            raise BackupError("Filen er ikke en Overgang-sikkerhedskopi. / The file is not an Overgang backup.")
        try:
            return json.loads(src.readline())
        except ValueError:
            raise BackupError("Sikkerhedskopiens hoved kan ikke læses. / The backup's header cannot be read.") from None


def decrypt_file(path: Path, target: Path, master_keys) -> dict:
    header = read_header(path)
    key = next((k for k in master_keys if _key_id(k) == header.get("key_id")), None)
    if key is None:
        raise BackupError(
            "Ingen af de opsatte feltnøgler passer til sikkerhedskopien. "
            "/ None of the configured field keys matches the backup."
        )
    aead = AESGCM(_key(key))
    with path.open("rb") as src, target.open("wb") as out:
        src.read(len(MAGIC))
        src.readline()
        index, finished = 0, False
        while True:
            raw = src.read(4)
            if not raw:
                break
            if finished or len(raw) < 4:
                raise BackupError("Sikkerhedskopien er beskadiget. / The backup is damaged.")
            (length,) = struct.unpack(">I", raw)
            block = src.read(length)
            if len(block) != length:
                raise BackupError("Sikkerhedskopien er afkortet. / The backup is truncated.")
            nonce, sealed = block[:12], block[12:]
            for last in (False, True):
                try:
                    out.write(aead.decrypt(nonce, sealed, _aad(index, last)))
                    finished = last
                    break
                except InvalidTag:
                    continue
            else:
                raise BackupError("Sikkerhedskopien er ændret eller beskadiget. / The backup was changed or is damaged.")
            index += 1
        if not finished:
            raise BackupError("Sikkerhedskopien er afkortet. / The backup is truncated.")
    return header


def _pg_env(db):
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return env, args


def _pg_tool(name):
    local = PG_BIN / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def snapshot(db: dict, target: Path) -> str:
    """A consistent copy of the database into ``target``; returns the engine name."""
    if db["ENGINE"].endswith("sqlite3"):
        source = sqlite3.connect(db["NAME"])
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        dest.close()
        source.close()
        return "sqlite"
    if db["ENGINE"].endswith("postgresql"):
        env, args = _pg_env(db)
        run = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args],
                             env=env, capture_output=True, text=True)
        if run.returncode != 0:
            raise BackupError(f"pg_dump fejlede / failed: {run.stderr.strip()}")
        return "postgresql"
    raise BackupError(f"Unsupported database engine {db['ENGINE']}")


def load(db: dict, engine: str, source: Path):
    """Replace the database's contents with the snapshot in ``source``."""
    current = "sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql"
    if engine != current:
        raise BackupError(
            f"Sikkerhedskopien er fra {engine}, men databasen er {current}. "
            f"/ The backup is from {engine}, but the database is {current}."
        )
    if engine == "sqlite":
        snap = sqlite3.connect(source)
        live = sqlite3.connect(db["NAME"])
        with live:
            snap.backup(live)
        live.close()
        snap.close()
        return
    env, args = _pg_env(db)
    run = subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                          *args, str(source)], env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise BackupError(f"pg_restore fejlede / failed: {run.stderr.strip()}")


def create(db: dict, target: Path, master_key: str, header: dict):
    with tempfile.TemporaryDirectory(prefix="overgang-backup-") as tmp:
        plain = Path(tmp) / "snapshot"
        engine = snapshot(db, plain)
        encrypt_file(plain, target, master_key, {**header, "engine": engine})


def restore(db: dict, source: Path, master_keys) -> dict:
    with tempfile.TemporaryDirectory(prefix="overgang-restore-") as tmp:
        plain = Path(tmp) / "snapshot"
        header = decrypt_file(source, plain, master_keys)
        load(db, header.get("engine", ""), plain)
    return header

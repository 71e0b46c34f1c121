"""Uploaded packages waiting for the administrator's confirmation.

An upload holds a municipality's records in full, so it never rests on disk in the
clear: between the validation and the confirmation it is kept encrypted (AES-256-GCM in
chunks under the installation's first field key, as backups are) under a random token
in one private folder of the system's temp directory, never under a name the user
chose. It is decrypted into a private temporary file only while a request imports it,
and deleted after the confirmed import, after a failed validation, or when it is a day
old.
"""

import re
import secrets
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from overgang.lib import backup

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # the zip as uploaded
MAX_UNPACKED_BYTES = 2 * 1024**3  # what its members may declare in total
_TOKEN = re.compile(r"[A-Za-z0-9_-]{24}")
_MAX_AGE = 24 * 3600
_SUFFIX = ".zip.enc"


def _folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "overgang-import"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


@contextmanager
def plain_copy(uploaded):
    """The uploaded file as a path on disk for the length of the block (Django's own
    temporary file when it made one, else a private temporary copy deleted afterwards)."""
    if hasattr(uploaded, "temporary_file_path"):
        yield Path(uploaded.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(dir=_folder(), suffix=".zip") as handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)
        handle.flush()
        yield Path(handle.name)


def save(plain: Path) -> str:
    """Keep the validated package ``plain`` encrypted until it is confirmed; its token."""
    _forget_old()
    token = secrets.token_urlsafe(18)
    backup.encrypt_file(Path(plain), _folder() / f"{token}{_SUFFIX}", settings.OVERGANG_FIELD_KEYS[0],
                        {"kind": "import-upload"})
    return token


def path(token) -> Path | None:
    """The stored (encrypted) upload of ``token``, or None for an unknown or malformed token."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    found = _folder() / f"{token}{_SUFFIX}"
    return found if found.is_file() else None


@contextmanager
def opened(token):
    """The stored upload decrypted into a private temporary file for the length of the
    block (None when there is no such upload, or it cannot be decrypted)."""
    stored = path(token)
    if stored is None:
        yield None
        return
    with tempfile.NamedTemporaryFile(dir=_folder(), suffix=".zip") as handle:
        try:
            backup.decrypt_file(stored, Path(handle.name), settings.OVERGANG_FIELD_KEYS)
        except backup.BackupError:
            yield None
            return
        yield Path(handle.name)


def discard(token):
    found = path(token)
    if found is not None:
        found.unlink(missing_ok=True)


def _forget_old():
    limit = time.time() - _MAX_AGE
    for old in _folder().iterdir():
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass

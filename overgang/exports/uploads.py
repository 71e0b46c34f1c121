"""Uploaded packages waiting for the administrator's confirmation.

An upload is stored under a random token in one private folder of the system's temp
directory, never under a name the user chose, and is deleted after the confirmed
import, after a failed validation, or when it is a day old.
"""

import re
import secrets
import tempfile
import time
from pathlib import Path

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # the zip as uploaded
MAX_UNPACKED_BYTES = 2 * 1024**3  # what its members may declare in total
_TOKEN = re.compile(r"[A-Za-z0-9_-]{24}")
_MAX_AGE = 24 * 3600


def _folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "overgang-import"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def save(uploaded) -> str:
    _forget_old()
    token = secrets.token_urlsafe(18)
    with open(_folder() / f"{token}.zip", "xb") as handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)
    return token


def path(token) -> Path | None:
    """The stored upload of ``token``, or None for an unknown or malformed token."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    found = _folder() / f"{token}.zip"
    return found if found.is_file() else None


def discard(token):
    found = path(token)
    if found is not None:
        found.unlink(missing_ok=True)


def _forget_old():
    limit = time.time() - _MAX_AGE
    for old in _folder().glob("*.zip"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass

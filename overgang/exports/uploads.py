"""Uploaded packages waiting for the administrator's confirmation.

An upload holds a municipality's records in full, so it never rests in the clear: between
the validation and the confirmation it is kept encrypted (AES-256-GCM in chunks under the
installation's first field key, as backups are) in the database (``PendingUpload``), under
a random token, bound to the municipality and the administrator who uploaded it. In the
database, not on a host's disk, because behind a load balancer the confirmation may reach
another host than the upload. It is decrypted into a private temporary file only while a
request validates or imports it, and deleted after the confirmed import, after a failed
validation, when a new upload replaces it, or when it is a day old.
"""

import datetime as dt
import re
import secrets
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from overgang.lib import backup

from .models import PendingUpload, PendingUploadChunk

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # the zip as uploaded
MAX_UNPACKED_BYTES = 2 * 1024**3  # what its members may declare in total
CHUNK_BYTES = 4 * 1024 * 1024  # per database row
_TOKEN = re.compile(r"[A-Za-z0-9_-]{24}")
_MAX_AGE = dt.timedelta(days=1)


def _folder() -> Path:
    """The private folder of this host's temporary files, for the length of one request."""
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


@transaction.atomic
def save(plain: Path, *, municipality, user) -> str:
    """Keep the validated package ``plain`` encrypted until it is confirmed; its token."""
    PendingUpload.objects.filter(created__lt=timezone.now() - _MAX_AGE).delete()
    token = secrets.token_urlsafe(18)
    upload = PendingUpload.objects.create(token=token, municipality=municipality, uploaded_by=user)
    with tempfile.NamedTemporaryFile(dir=_folder(), suffix=".enc") as sealed:
        backup.encrypt_file(Path(plain), Path(sealed.name), settings.OVERGANG_FIELD_KEYS[0], {"kind": "import-upload"})
        with open(sealed.name, "rb") as source:
            index = 0
            while data := source.read(CHUNK_BYTES):
                PendingUploadChunk.objects.create(upload=upload, index=index, data=data)
                index += 1
    return token


def find(token, *, municipality=None, user=None) -> PendingUpload | None:
    """The waiting upload of ``token`` (of this municipality and administrator when given),
    or None for an unknown, malformed, expired or foreign token."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    found = PendingUpload.objects.filter(token=token, created__gte=timezone.now() - _MAX_AGE)
    if municipality is not None:
        found = found.filter(municipality=municipality)
    if user is not None:
        found = found.filter(uploaded_by=user)
    return found.first()


@contextmanager
def opened(token, *, municipality=None, user=None):
    """The stored upload decrypted into a private temporary file for the length of the
    block (None when there is no such upload, or it cannot be decrypted)."""
    upload = find(token, municipality=municipality, user=user)
    if upload is None:
        yield None
        return
    with tempfile.NamedTemporaryFile(dir=_folder(), suffix=".enc") as sealed, \
            tempfile.NamedTemporaryFile(dir=_folder(), suffix=".zip") as plain:
        for (data,) in upload.chunks.order_by("index").values_list("data").iterator(chunk_size=1):
            sealed.write(data)
        sealed.flush()
        try:
            backup.decrypt_file(Path(sealed.name), Path(plain.name), settings.OVERGANG_FIELD_KEYS)
        except backup.BackupError:
            yield None
            return
        yield Path(plain.name)


def discard(token):
    if isinstance(token, str) and _TOKEN.fullmatch(token):
        PendingUpload.objects.filter(token=token).delete()

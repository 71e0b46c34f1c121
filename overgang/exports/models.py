"""Uploaded packages waiting for an administrator's confirmation (the web import).

Kept in the database, not on a host's disk: behind a load balancer the confirmation may
reach another gunicorn host than the upload did. The package is stored encrypted (see
``uploads.py``) in chunks, so no row holds more than a few megabytes.
"""

from django.conf import settings
from django.db import models

from overgang.accounts.models import Municipality


class PendingUpload(models.Model):
    token = models.CharField(max_length=32, unique=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True, db_index=True)


class PendingUploadChunk(models.Model):
    upload = models.ForeignKey(PendingUpload, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["upload", "index"], name="pending_upload_chunk_once")]

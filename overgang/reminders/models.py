"""The digests sent: one row per recipient, day and kind, so nothing is sent twice."""

import uuid

from django.conf import settings
from django.db import models


class Digest(models.Model):
    class Kind(models.TextChoices):
        WORKER = "worker", "worker"
        TEAM = "team", "team"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Per kind of item: {"registration": {"all": 3, "late": 1}, …}; counts only.
    counts = models.JSONField(default=dict)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "day", "kind"], name="digest_once_a_day")]

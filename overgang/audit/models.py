"""The append-only, hash-chained audit log.

Each event's ``hash`` is an HMAC over its fields and the hash before it (``chain.py``,
``log.py``). An event names the people and objects it is about by their codes (UUIDs) as plain
strings, never by foreign keys, so it survives the deletion of the user or citizen it
mentions, and it holds no pseudonym, name or free text.
"""

from django.db import models

from overgang.audit import chain


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_code = models.CharField(max_length=36, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=32, blank=True)
    object_code = models.CharField(max_length=36, blank=True)
    citizen_code = models.CharField(max_length=36, blank=True, db_index=True)
    municipality_code = models.CharField(max_length=36, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]

    def __str__(self):
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")

    def payload(self) -> bytes:
        """The canonical bytes the hash covers: every field but the hash itself."""
        return chain.payload(self)

"""Citizens: known by a self-chosen pseudonym, never by a CPR number."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from overgang.accounts.models import Municipality
from overgang.lib import crypto


class CitizenQuerySet(models.QuerySet):
    def in_caseload_of(self, user):
        return self.filter(worker=user)

    def in_municipalities(self, municipalities):
        return self.filter(municipality__in=municipalities)


class Citizen(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="citizens")
    pseudonym = models.CharField(_("pseudonym"), max_length=64)
    # Null only for imported citizens whose worker the older platform did not record:
    # such a citizen is seen by the project leader until someone is made responsible.
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="caseload",
        verbose_name=_("ansvarlig CTI-medarbejder"),
        null=True,
        blank=True,
    )
    # The date the citizen was registered (imports carry it; new citizens: today).
    created_on = models.DateField(null=True, blank=True)
    # The citizen's data key (lib/crypto.py): its reference in the key store outside the
    # database (lib/keystore.py), or, without a key store, the key itself wrapped by the
    # installation's field keys. Destroying it (erasure) makes every copy of the
    # citizen's ciphertext unreadable; a key in the store, in every backup too.
    data_key = models.TextField(editable=False)
    identity_note_encrypted = models.TextField(blank=True, editable=False)
    # Optimistic concurrency: a save based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = CitizenQuerySet.as_manager()

    class Meta:
        ordering = ["pseudonym"]
        constraints = [
            models.UniqueConstraint(Lower("pseudonym"), "municipality", name="citizen_pseudonym_unique_in_municipality"),
        ]
        verbose_name = _("borger")
        verbose_name_plural = _("borgere")

    def __str__(self):
        return self.pseudonym

    def save(self, *args, **kwargs):
        if self.created_on is None:
            import datetime

            self.created_on = datetime.date.today()
        if not self.data_key:
            self.data_key = crypto.new_data_key()
        super().save(*args, **kwargs)

    @property
    def identity_note(self) -> str:
        return crypto.decrypt(self.data_key, self.identity_note_encrypted)

    def set_identity_note(self, text: str):
        if not self.data_key:
            self.data_key = crypto.new_data_key()
        self.identity_note_encrypted = crypto.encrypt(self.data_key, text)

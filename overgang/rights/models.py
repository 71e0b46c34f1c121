"""The citizen's rights: consent and its withdrawal, and the municipality's retention rule.

A ``Consent`` row records that the citizen consented to one use of their data —
``documentation`` (that the course is documented in Overgang) or ``evaluation`` (that
their pseudonymised data is used in evaluations) — on a date, recorded by whom, after
being given a version of the information sheet. Withdrawal is dated on the same row; a
later consent is a new row, so the history stays. A citizen whose latest consent of
either kind is withdrawn leaves every report and evaluator export from then on
(``withdrawn_citizens``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from overgang.accounts.models import Municipality
from overgang.citizens.models import Citizen

DEFAULT_RETENTION_YEARS = 5


class Consent(models.Model):
    class Kind(models.TextChoices):
        DOCUMENTATION = "documentation", _("Dokumentation af forløbet")
        EVALUATION = "evaluation", _("Brug i evaluering (pseudonymiseret)")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("samtykke til"), max_length=16, choices=Kind.choices)
    given_on = models.DateField(_("givet den"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("registreret af"))
    information_version = models.CharField(_("version af informationsarket"), max_length=16)
    withdrawn_on = models.DateField(_("trukket tilbage den"), null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.given_on}"

    @property
    def is_active(self):
        return self.withdrawn_on is None


def withdrawn_consents():
    """Withdrawn consents not followed by a newer consent of the same kind."""
    newer = Consent.objects.filter(citizen=OuterRef("citizen"), kind=OuterRef("kind"), created__gt=OuterRef("created"))
    return Consent.objects.filter(withdrawn_on__isnull=False).exclude(Exists(newer))


def withdrawn_citizens():
    """Citizen ids to leave out of reports and evaluator exports (a subquery)."""
    return withdrawn_consents().values("citizen_id")


class RetentionSetting(models.Model):
    """How long a municipality keeps a course after it ended (security.md: default 5 years)."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="retention")
    years = models.PositiveSmallIntegerField(_("opbevaringstid (år efter forløbets afslutning)"),
                                             default=DEFAULT_RETENTION_YEARS)

    @classmethod
    def years_for(cls, municipality) -> int:
        found = cls.objects.filter(municipality=municipality).values_list("years", flat=True).first()
        return found or DEFAULT_RETENTION_YEARS

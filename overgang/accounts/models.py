"""Municipalities (hard tenant boundaries), users and their roles."""

import uuid
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    WORKER = "worker", _("CTI-medarbejder")
    LEADER = "leader", _("Projektleder")
    EVALUATOR = "evaluator", _("Evaluator")
    ADMIN = "admin", _("Administrator")


# Roles that see case content. Separation of duties (security.md, SECURITY.md): an
# administrator holds none of them, in any municipality, and no user grants any role to
# themselves; the account-level rule lives in ``accounts.actions``.
CASE_ROLES = frozenset({Role.WORKER, Role.LEADER})


class Municipality(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("navn"), max_length=100, unique=True)
    team_visibility = models.BooleanField(
        _("medarbejdere kan se teamets borgere"),
        default=False,
        help_text=_("Når slået til, kan en CTI-medarbejder læse (ikke ændre) kollegernes borgere."),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")

    def __str__(self):
        return self.name


class ReminderFrequency(models.TextChoices):
    DAILY = "daily", _("Hver dag, når noget venter")
    WEEKLY = "weekly", _("En gang om ugen (den første dag i ugen, hvor noget venter)")
    NEVER = "never", _("Aldrig")


class User(AbstractUser):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Raised by "log out everywhere" and by a role change: sessions of an older epoch end.
    session_epoch = models.PositiveIntegerField(default=0)
    # E-mail reminders (``overgang reminders send``), chosen by the user on "Min konto".
    reminder_frequency = models.CharField(_("påmindelser på e-mail"), max_length=8, choices=ReminderFrequency.choices,
                                          default=ReminderFrequency.WEEKLY)
    reminder_team = models.BooleanField(_("også teamets oversigt (projektledere)"), default=False)
    reminder_language = models.CharField(_("sprog i påmindelserne"), max_length=2, default="da",
                                         choices=[("da", "Dansk"), ("en", "English")])

    objects = UserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("bruger")
        verbose_name_plural = _("brugere")

    def __str__(self):
        return self.get_full_name() or self.username

    def roles_in(self, municipality) -> set[str]:
        """The user's roles in one municipality (an object or its id)."""
        municipality_id = getattr(municipality, "pk", municipality)
        return {m.role for m in self._memberships() if m.municipality_id == municipality_id}

    def has_role(self, role, municipality=None) -> bool:
        return any(
            m.role == role and (municipality is None or m.municipality_id == getattr(municipality, "pk", municipality))
            for m in self._memberships()
        )

    def municipalities_as(self, role):
        return [m.municipality for m in self._memberships() if m.role == role]

    @property
    def all_roles(self) -> set[str]:
        return {m.role for m in self._memberships()}

    @property
    def is_administrator(self) -> bool:
        """An administrator anywhere: such an account never sees case content."""
        return Role.ADMIN in self.all_roles

    def _memberships(self):
        # Cached per request: a user object lives for one request.
        if not hasattr(self, "_membership_cache"):
            self._membership_cache = list(self.memberships.select_related("municipality"))
        return self._membership_cache


class RoleSource(models.TextChoices):
    LOCAL = "local", _("lokal")
    SSO = "sso", _("kommunens login")


class Membership(models.Model):
    """A role held by a user in a municipality. An evaluator may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("rolle"), max_length=16, choices=Role.choices)
    # Where the role came from: given by an administrator here, or asserted by the
    # municipality's identity provider (then replaced at every login).
    source = models.CharField(_("kilde"), max_length=8, choices=RoleSource.choices, default=RoleSource.LOCAL)
    # A CTI worker's share of full time in this municipality: the caseload cap is set per
    # full-time worker (cti-method.md §1.6), so the worker's own cap is the cap times this.
    # Set by the administrator; the identity provider never asserts it, so an SSO login
    # that keeps the role keeps the fraction.
    working_time = models.DecimalField(_("arbejdstid (andel af fuld tid)"), max_digits=3, decimal_places=2,
                                       default=Decimal("1.00"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality", "role"], name="membership_unique_role"),
            models.CheckConstraint(condition=models.Q(working_time__gte=Decimal("0.10"), working_time__lte=Decimal("1.00")),
                                   name="membership_working_time_range"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.municipality})"

    @property
    def share(self) -> Decimal:
        """The working time as people write it: 1, 0.5, 0.75 (no trailing zeros)."""
        return self.working_time.normalize()


class LoginFailureQuerySet(models.QuerySet):
    def recent(self, since):
        return self.filter(at__gte=since)


class LoginFailure(models.Model):
    """A failed password or second-factor attempt, counted for lockout."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.CharField(max_length=45, db_index=True, blank=True)
    at = models.DateTimeField(db_index=True)

    objects = LoginFailureQuerySet.as_manager()

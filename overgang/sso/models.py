"""Who a user is at the identity provider, and which SAML messages were already used."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Protocol(models.TextChoices):
    SAML = "saml", _("SAML")
    OIDC = "oidc", _("OpenID Connect")


class ExternalIdentity(models.Model):
    """A user created by (or linked to) single sign-on: the IdP's issuer and subject.

    The pair, never a user name, identifies the person at every login, so a name that
    one identity provider asserts can never take over an account made elsewhere.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identity")
    protocol = models.CharField(max_length=8, choices=Protocol.choices)
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=500)
    organisation = models.CharField(max_length=100, blank=True)
    last_assurance = models.CharField(max_length=20, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_login = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique_subject"),
        ]

    def __str__(self):
        return f"{self.get_protocol_display()}: {self.subject}"


class SeenMessageQuerySet(models.QuerySet):
    def expired(self, now):
        return self.filter(expires__lt=now)


class SeenMessage(models.Model):
    """The id of a SAML response or assertion already consumed, kept until it expires.

    In the database, not a process cache, so every gunicorn worker on every host refuses
    a replay of a response another one has accepted.
    """

    message_id = models.CharField(max_length=200, unique=True)
    expires = models.DateTimeField(db_index=True)

    objects = SeenMessageQuerySet.as_manager()

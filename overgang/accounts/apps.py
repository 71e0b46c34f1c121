from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "overgang.accounts"
    verbose_name = _("Konti")

    def ready(self):
        from overgang.accounts import checks  # noqa: F401  (registers the system check)

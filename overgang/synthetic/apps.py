from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyntheticConfig(AppConfig):
    name = "overgang.synthetic"
    verbose_name = _("Syntetiske data")

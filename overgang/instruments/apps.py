from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "overgang.instruments"
    verbose_name = _("Instrumenter")

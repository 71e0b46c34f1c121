from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasurementsConfig(AppConfig):
    name = "overgang.measurements"
    verbose_name = _("Registreringer")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "overgang.courses"
    verbose_name = _("Forløb")

    def ready(self):
        # measurements:start begins records through the course's rule (measurements/starting.py).
        from overgang.courses import actions
        from overgang.measurements import starting

        starting.register(actions.start_citizen_record)

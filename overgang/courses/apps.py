from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "overgang.courses"
    verbose_name = _("Forløb")

    def ready(self):
        # measurements:start begins records through the course's rule (measurements/starting.py).
        from overgang.courses import actions
        from overgang.measurements import starting
        from overgang.measurements.signals import completed_records_changed

        starting.register(actions.start_citizen_record)
        # A course's next due registration follows its completed records (due.py).
        completed_records_changed.connect(_records_changed, dispatch_uid="courses.next_due")


def _records_changed(sender, record, **kwargs):
    from overgang.courses import due

    if record.course_id:
        due.refresh([record.course_id])

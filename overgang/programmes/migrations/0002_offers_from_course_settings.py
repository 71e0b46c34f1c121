"""Each municipality's course calendar (until now ``CourseSettings``, which held the
phases, the measurement interval and the window for every course) becomes its calendar
for the default template, the template every existing course follows. Values equal to
the template's own are left empty, so the municipality follows the template."""

from django.db import migrations

DEFAULT = "exit_prostitution"
# The default template's calendar when templates arrived (its YAML at version 1).
TEMPLATE_CALENDAR = {"phase1_months": 4, "phase2_months": 4, "phase3_months": 4, "interval_months": 2,
                     "window_days": 14}


def forward(apps, schema_editor):
    CourseSettings = apps.get_model("courses", "CourseSettings")
    TemplateOffer = apps.get_model("programmes", "TemplateOffer")
    for settings in CourseSettings.objects.all():
        overrides = {
            name: getattr(settings, name) for name, default in TEMPLATE_CALENDAR.items()
            if getattr(settings, name) != default
        }
        TemplateOffer.objects.get_or_create(municipality_id=settings.municipality_id, template=DEFAULT,
                                            defaults={"offered": True, **overrides})


def backward(apps, schema_editor):
    CourseSettings = apps.get_model("courses", "CourseSettings")
    TemplateOffer = apps.get_model("programmes", "TemplateOffer")
    for offer in TemplateOffer.objects.filter(template=DEFAULT):
        values = {name: getattr(offer, name) or default for name, default in TEMPLATE_CALENDAR.items()}
        if offer.window_days == 0:
            values["window_days"] = 0
        CourseSettings.objects.update_or_create(municipality_id=offer.municipality_id, defaults=values)


class Migration(migrations.Migration):

    dependencies = [
        ("programmes", "0001_initial"),
        ("courses", "0002_course_external_id_alter_course_contact_route"),
    ]

    operations = [migrations.RunPython(forward, backward)]

"""A course's template is required; the calendar settings moved to the templates
(programmes 0002 copied each municipality's values first)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0004_course_template_version"),
        ("programmes", "0002_offers_from_course_settings"),
    ]

    operations = [
        migrations.AlterField(
            model_name="course",
            name="template_version",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="courses",
                                    to="programmes.templateversion"),
        ),
        migrations.RemoveField(model_name="coursesettings", name="phase1_months"),
        migrations.RemoveField(model_name="coursesettings", name="phase2_months"),
        migrations.RemoveField(model_name="coursesettings", name="phase3_months"),
        migrations.RemoveField(model_name="coursesettings", name="interval_months"),
        migrations.RemoveField(model_name="coursesettings", name="window_days"),
    ]

"""Every record belongs to a course template: its course's, or for a record without a
course (an imported registration or not-started form) its own. Every existing record is
an Exit Prostitution record (the only kind there was)."""

import json

import django.db.models.deletion
from django.db import migrations, models


def forward(apps, schema_editor):
    Record = apps.get_model("measurements", "Record")
    if not Record.objects.exists():
        return
    from overgang.programmes import registry

    TemplateVersion = apps.get_model("programmes", "TemplateVersion")
    Course = apps.get_model("courses", "Course")
    template = registry.get_template(registry.DEFAULT)
    digest = template.content_hash()
    default = TemplateVersion.objects.filter(name=template.name, content_hash=digest).first()
    if default is None:
        last = TemplateVersion.objects.filter(name=template.name).order_by("-version").first()
        default = TemplateVersion.objects.create(
            name=template.name, version=(last.version + 1) if last else 1, content_hash=digest,
            definition=json.loads(template.canonical_json()),
        )
    for version_id in Course.objects.values_list("template_version_id", flat=True).distinct():
        Record.objects.filter(template_version=None, course__template_version_id=version_id).update(
            template_version_id=version_id)
    Record.objects.filter(template_version=None).update(template_version=default)


class Migration(migrations.Migration):

    dependencies = [
        ("measurements", "0006_record_prefilled"),
        ("courses", "0005_template_version_required_calendar_to_templates"),
        ("programmes", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="record",
            name="template_version",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="records",
                                    to="programmes.templateversion"),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

"""Every course follows a course template; every existing course is an Exit
Prostitution course (the only kind there was), so it points at the default template's
version, published here from the repository's definition."""

import django.db.models.deletion
from django.db import migrations, models


def forward(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    if not Course.objects.exists():
        return  # a fresh installation: the version is published when first used
    import json

    from overgang.programmes import registry

    TemplateVersion = apps.get_model("programmes", "TemplateVersion")
    template = registry.get_template(registry.DEFAULT)
    digest = template.content_hash()
    version = TemplateVersion.objects.filter(name=template.name, content_hash=digest).first()
    if version is None:
        last = TemplateVersion.objects.filter(name=template.name).order_by("-version").first()
        version = TemplateVersion.objects.create(
            name=template.name, version=(last.version + 1) if last else 1, content_hash=digest,
            definition=json.loads(template.canonical_json()),
        )
    Course.objects.filter(template_version=None).update(template_version=version)


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0003_caseload_cap"),
        ("programmes", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="template_version",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="courses",
                                    to="programmes.templateversion"),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def fill(apps, schema_editor):
    """Every course's latest reached contact, as last_contact.refresh computes it."""
    Course = apps.get_model("courses", "Course")
    Contact = apps.get_model("courses", "Contact")
    latest = Contact.objects.filter(course=OuterRef("pk"), reached=True).order_by().values("course").annotate(
        latest=Max("date")).values("latest")[:1]
    Course.objects.update(last_contact_on=Subquery(latest))


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0009_course_next_due"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="last_contact_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="course",
            index=models.Index(condition=models.Q(("status__in", ("contact", "active"))), fields=["citizen"],
                               name="course_open_by_citizen"),
        ),
    ]

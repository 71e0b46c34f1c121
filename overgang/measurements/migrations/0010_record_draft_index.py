from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("measurements", "0009_seal_special_categories"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="record",
            index=models.Index(condition=models.Q(("status", "draft")), fields=["citizen"],
                               name="record_draft_by_citizen"),
        ),
    ]

"""The values a record opened with from the sources its definition names (sealed)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("measurements", "0005_answer_parts")]

    operations = [
        migrations.AddField("record", "prefilled", models.TextField(blank=True, editable=False)),
    ]

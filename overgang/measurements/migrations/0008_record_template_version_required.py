import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("measurements", "0007_record_template_version"),
    ]

    operations = [
        migrations.AlterField(
            model_name="record",
            name="template_version",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="records",
                                    to="programmes.templateversion"),
        ),
    ]

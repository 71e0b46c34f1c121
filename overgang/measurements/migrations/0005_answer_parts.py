"""The two stored parts of a record's answers get the names the answer codec
(``codec.py``) gives them: the sealed part holds more than free text."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("measurements", "0004_encrypt_knows_answers")]

    operations = [
        migrations.RenameField("record", "answers", "plain_answers"),
        migrations.RenameField("record", "text_answers_encrypted", "sealed_answers"),
        migrations.AlterField("record", "plain_answers", models.JSONField(blank=True, default=dict, editable=False)),
    ]

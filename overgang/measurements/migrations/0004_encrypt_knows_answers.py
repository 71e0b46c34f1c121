"""Move the ``knows_*`` answers (question 4.5, "who knows about the sale of sex") of
existing records from the plain ``answers`` into the encrypted part (instruments.md §2.2,
security.md). Records saved from now on store them encrypted (``stored_encrypted``)."""

import json

from django.db import migrations

BATCH = 500


def encrypt_knows(apps, schema_editor):
    from overgang.lib import crypto

    Record = apps.get_model("measurements", "Record")
    candidates = Record.objects.filter(instrument__in=("cti_start", "cti_ongoing", "cti_end")).order_by("pk")
    last = 0
    while True:
        batch = list(candidates.filter(pk__gt=last).select_related("citizen")[:BATCH])
        if not batch:
            break
        last = batch[-1].pk
        for record in batch:
            knows = {k: v for k, v in (record.answers or {}).items() if k.startswith("knows_")}
            if not knows:
                continue
            key = record.citizen.data_key
            texts = json.loads(crypto.decrypt(key, record.text_answers_encrypted)) if record.text_answers_encrypted else {}
            texts.update(knows)
            record.answers = {k: v for k, v in record.answers.items() if k not in knows}
            record.text_answers_encrypted = crypto.encrypt(key, json.dumps(texts, ensure_ascii=False, sort_keys=True))
            record.save(update_fields=["answers", "text_answers_encrypted"])


class Migration(migrations.Migration):
    dependencies = [("measurements", "0003_record_external_id_record_incomplete")]

    operations = [migrations.RunPython(encrypt_knows, migrations.RunPython.noop)]

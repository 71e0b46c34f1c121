"""Move the special-category answers of existing records from the plain part into the
sealed part (encrypted with the citizen's data key), now that the instrument definitions
declare them ``sealed: true`` (SECURITY.md, "Special-category answers at rest"): the
birth date and the sale of sex in the registration, the sale of sex in the star, and
income, debts to the prostitution and drug milieus, children, mental and physical health
and substance use in the start, ongoing and end forms. Records saved from now on store
them sealed through the answer codec; this migration is ``codec.encode`` again for the
rows already stored. The names are listed here, not read from the definitions, so the
migration does the same whenever it runs."""

import json

from django.db import migrations

BATCH = 500

SEALED = {
    "registration": {"birth_date", "first_paid", "last_paid", "arenas", "payment"},
    "star": {"paid_last_month", "paid_count", "paid_trend", "paid_motives"},
}
_THEMES = {
    "income", "debt_prostitution_milieu", "debt_substance_milieu", "children", "children_n",
    *(f"child{i}_lives_with" for i in range(1, 9)), "children_away_contact",
    "mental_problems", "mental_challenges", "mental_treatment", "mental_treatment_type",
    "physical_longterm", "physical_conditions",
    "substance", "substance_alcohol", "substance_hard_drugs", "substance_cannabis",
}
for _name in ("cti_start", "cti_ongoing", "cti_end"):
    SEALED[_name] = _THEMES


def seal(apps, schema_editor):
    from overgang.lib import crypto

    Record = apps.get_model("measurements", "Record")
    keys = crypto.DataKeys()  # each citizen's key unwrapped once
    for instrument, names in SEALED.items():
        candidates = Record.objects.filter(instrument=instrument).order_by("pk")
        last = 0
        while True:
            batch = list(candidates.filter(pk__gt=last).select_related("citizen")[:BATCH])
            if not batch:
                break
            last = batch[-1].pk
            for record in batch:
                moving = {k: v for k, v in (record.plain_answers or {}).items() if k in names}
                if not moving:
                    continue
                key = record.citizen.data_key
                sealed = json.loads(keys.decrypt(key, record.sealed_answers)) if record.sealed_answers else {}
                sealed.update(moving)
                record.plain_answers = {k: v for k, v in record.plain_answers.items() if k not in moving}
                record.sealed_answers = keys.encrypt(key, json.dumps(sealed, ensure_ascii=False, sort_keys=True))
                record.save(update_fields=["plain_answers", "sealed_answers"])


class Migration(migrations.Migration):
    dependencies = [("measurements", "0008_record_template_version_required")]

    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]

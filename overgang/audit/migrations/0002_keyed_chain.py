"""Carry an existing, unkeyed (SHA-256) chain over into the keyed (HMAC) one.

The events already written keep their SHA-256 hashes: rewriting them with the key would
also bless any change made to them before the upgrade. Instead one event,
``audit.keyed``, is appended and signed with the audit key; it names how many unkeyed
events precede it, their head hash and whether they verified at the upgrade. From then
on ``overgang audit verify`` accepts unkeyed events only before that event, so changing,
removing or re-chaining any of them breaks the link into a signed event that cannot be
forged without the key (SECURITY.md).
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def seal(apps, schema_editor):
    from overgang.audit.log import seal_legacy_chain

    seal_legacy_chain(apps.get_model("audit", "AuditEvent"), settings.OVERGANG_AUDIT_KEYS, timezone.now())


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]

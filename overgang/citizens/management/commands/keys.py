"""``overgang keys generate`` / ``overgang keys rotate``: field-encryption key management."""

from django.core.management.base import BaseCommand
from django.db import transaction

from overgang.audit.log import record
from overgang.citizens.models import Citizen
from overgang.lib import crypto


class Command(BaseCommand):
    help = "Field-encryption keys: generate a new master key, or re-wrap every data key with the first key."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("generate", help="print a new key to put first in OVERGANG_FIELD_KEYS")
        sub.add_parser("rotate", help="re-wrap every citizen's data key with the first key in OVERGANG_FIELD_KEYS")

    def handle(self, *args, subcommand, **options):
        if subcommand == "generate":
            self.stdout.write(crypto.generate_master_key())
            return
        count = 0
        with transaction.atomic():
            for citizen in Citizen.objects.select_for_update().only("pk", "data_key").iterator(chunk_size=500):
                Citizen.objects.filter(pk=citizen.pk).update(data_key=crypto.rotate(citizen.data_key))
                count += 1
            record("keys.rotate", actor=None, details={"citizens": count})
        self.stdout.write(
            f"{count} datanøgler er pakket om med den nyeste nøgle. Den gamle nøgle kan nu fjernes. "
            f"/ {count} data keys re-wrapped with the newest key. The old key can now be removed."
        )

"""``overgang backup PATH``: a consistent, encrypted snapshot of the whole database.

The key store (``OVERGANG_KEY_STORE``) is not in it, by design: erasing a citizen
destroys their key there, so every backup becomes unreadable for them. The command says
so, and warns when there is no key store (the keys then travel in the backup)."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from overgang.audit.log import record
from overgang.citizens.models import Citizen
from overgang.lib import backup, keystore


class Command(BaseCommand):
    help = "Write an encrypted backup (SQLite online backup or pg_dump) to PATH."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file to write (it must not exist)")

    def handle(self, *args, path, **options):
        target = Path(path)
        if target.exists():
            raise CommandError(f"{target} findes allerede; vælg et nyt filnavn. / {target} exists; choose a new name.")
        if not target.parent.is_dir():
            raise CommandError(f"Mappen {target.parent} findes ikke. / The folder {target.parent} does not exist.")
        with transaction.atomic():
            record("backup.create", actor=None, details={"file": target.name})
        connection.close()
        header = {"created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                  "key_store": "separate" if keystore.store() is not None else "in-database"}
        try:
            backup.create(settings.DATABASES["default"], target, settings.OVERGANG_FIELD_KEYS[0], header)
        except backup.BackupError as exc:
            target.unlink(missing_ok=True)
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Sikkerhedskopi skrevet / Backup written: {target} ({target.stat().st_size} bytes, krypteret / encrypted)")
        store = keystore.store()
        if store is not None:
            self.stdout.write(
                f"Nøglelageret ({store.describe()}) er ikke med i sikkerhedskopien: uden det kan borgernes krypterede "
                f"oplysninger ikke læses. Sikr det for sig (`overgang keys backup`, SECURITY.md). / The key store is "
                f"not in this backup: without it the citizens' encrypted data cannot be read. Secure it separately "
                f"(`overgang keys backup`, SECURITY.md).")
        else:
            self.stderr.write(
                "ADVARSEL: der er intet nøglelager (OVERGANG_KEY_STORE): borgernes datanøgler ligger i databasen og "
                "dermed i denne sikkerhedskopi, så borgere, der slettes senere, kan stadig læses i den. "
                "/ WARNING: no key store is configured (OVERGANG_KEY_STORE): the citizens' data keys are in the "
                "database and so in this backup, and citizens erased later stay readable in it.")
        inline = Citizen.objects.exclude(data_key__startswith=keystore.PREFIX).count() if store is not None else 0
        if inline:
            self.stderr.write(
                f"ADVARSEL: {inline} borgeres datanøgle ligger stadig i databasen og er med i sikkerhedskopien; kør "
                f"`overgang keys move`. / WARNING: {inline} citizens' data keys are still in the database and in "
                f"this backup; run `overgang keys move`.")

"""``overgang backup PATH``: a consistent, encrypted snapshot of the whole database."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from overgang.audit.log import record
from overgang.lib import backup


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
        header = {"created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
        try:
            backup.create(settings.DATABASES["default"], target, settings.OVERGANG_FIELD_KEYS[0], header)
        except backup.BackupError as exc:
            target.unlink(missing_ok=True)
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Sikkerhedskopi skrevet / Backup written: {target} ({target.stat().st_size} bytes, krypteret / encrypted)")

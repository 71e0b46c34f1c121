"""``overgang restore PATH``: replace the database with an encrypted backup."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from overgang.audit.log import record
from overgang.lib import backup


class Command(BaseCommand):
    help = "Restore the whole database from a backup written by `overgang backup` (replaces all data)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, path, yes, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"{source} findes ikke. / {source} does not exist.")
        try:
            header = backup.read_header(source)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        if not yes:
            answer = input(
                f"Alle data erstattes med sikkerhedskopien fra {header.get('created', '?')}. Skriv JA for at fortsætte "
                f"/ All data will be replaced by the backup from {header.get('created', '?')}. Type JA to continue: "
            )
            if answer.strip().upper() != "JA":
                raise CommandError("Afbrudt; intet er ændret. / Cancelled; nothing changed.")
        connections.close_all()
        try:
            backup.restore(settings.DATABASES["default"], source, settings.OVERGANG_FIELD_KEYS)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        with transaction.atomic():
            record("backup.restore", actor=None, details={"file": source.name, "created": header.get("created", "")})
        self.stdout.write(f"Gendannet / Restored from {source} ({header.get('created', '?')}).")

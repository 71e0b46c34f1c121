"""``overgang restore PATH``: replace the database with an encrypted backup."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from overgang.audit.log import record
from overgang.citizens import keys
from overgang.citizens.management.commands.keys import Command as KeysCommand
from overgang.lib import backup, keystore


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
        if header.get("content") == "keystore":
            raise CommandError("Filen er en kopi af nøglelageret; den gendannes med `overgang keys restore`. "
                               "/ The file is a key store copy; restore it with `overgang keys restore`.")
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
        # The live key store decides who can be read: citizens erased since the backup have
        # no key any more, and the store's erasure ledger erases them again here.
        try:
            result = keys.reapply_erasures()
        except keystore.KeyStoreError as exc:
            raise CommandError(f"{exc}\nDatabasen er gendannet, men sletningerne siden er ikke gentaget: kør "
                               f"`overgang keys reapply-erasures`, når nøglelageret svarer. / The database is "
                               f"restored, but the erasures since are not re-applied: run "
                               f"`overgang keys reapply-erasures` once the key store answers.") from None
        KeysCommand._report_reapplied(result, self.stdout, self.stderr)

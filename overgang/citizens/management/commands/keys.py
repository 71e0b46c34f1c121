"""``overgang keys …``: field-encryption keys and the key store (SECURITY.md).

- ``generate``: print a new field key to put first in OVERGANG_FIELD_KEYS;
- ``rotate``: re-wrap every data key (in the store and in the database) with the first;
- ``status``: where the citizens' keys are, and what the store holds (counts only);
- ``move``: move the data keys kept in the database into the key store;
- ``reapply-erasures``: erase again the citizens whose keys the store's ledger names;
- ``sweep``: destroy the store's keys no citizen uses;
- ``backup PATH`` / ``restore PATH``: an encrypted snapshot of the key store, and its
  restore (followed by a sweep, so citizens erased since the snapshot stay erased).
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from overgang.audit.log import record
from overgang.citizens import keys
from overgang.lib import backup, crypto, keystore


class Command(BaseCommand):
    help = "Field-encryption keys and the key store: generate, rotate, status, move, reapply-erasures, sweep, backup, restore."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("generate", help="print a new key to put first in OVERGANG_FIELD_KEYS")
        sub.add_parser("rotate", help="re-wrap every citizen's data key with the first key in OVERGANG_FIELD_KEYS")
        sub.add_parser("status", help="where the citizens' data keys are (counts only)")
        sub.add_parser("move", help="move the data keys kept in the database into the key store (OVERGANG_KEY_STORE)")
        sub.add_parser("reapply-erasures", help="erase again the citizens whose keys the key store's ledger names")
        sweep = sub.add_parser("sweep", help="destroy the key store's keys that no citizen in the database uses")
        sweep.add_argument("--hours", type=int, default=24, help="keep keys younger than this (default 24)")
        sweep.add_argument("--force", action="store_true", help="even when most keys are unused")
        store_backup = sub.add_parser("backup", help="write an encrypted snapshot of the key store to PATH")
        store_backup.add_argument("path")
        store_restore = sub.add_parser("restore", help="restore the key store from PATH, then sweep")
        store_restore.add_argument("path")
        store_restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, subcommand, **options):
        if subcommand == "generate":
            self.stdout.write(crypto.generate_master_key())
            return
        try:
            getattr(self, "_" + subcommand.replace("-", "_"))(**options)
        except (keystore.KeyStoreError, backup.BackupError, crypto.DecryptionError) as exc:
            raise CommandError(str(exc)) from None

    def _rotate(self, **options):
        in_store, in_database = keys.rotate()
        self.stdout.write(
            f"{in_store + in_database} datanøgler er pakket om med den nyeste nøgle ({in_store} i nøglelageret, "
            f"{in_database} i databasen). Den gamle nøgle kan nu fjernes. / {in_store + in_database} data keys "
            f"re-wrapped with the newest key ({in_store} in the key store, {in_database} in the database). "
            f"The old key can now be removed.")

    def _status(self, **options):
        found = keys.status()
        if not found["store"]:
            self.stdout.write("Nøglelager / key store: intet / none (OVERGANG_KEY_STORE)")
        else:
            self.stdout.write(f"Nøglelager / key store: {found['store']}")
        self.stdout.write(f"Borgere med nøglen i nøglelageret / citizens with their key in the store: "
                          f"{found['citizens_in_store']}")
        self.stdout.write(f"Borgere med nøglen i databasen / citizens with their key in the database: "
                          f"{found['citizens_in_database']}")
        if found["store"]:
            self.stdout.write(f"Nøgler i lageret / keys in the store: {found['store_keys']} "
                              f"(ubrugte / unused: {found['unused']}); slettede / erased (ledger): {found['ledger']}")
            self.stdout.write(f"Borgere hvis nøgle mangler / citizens whose key is missing: {found['missing']}")
        if found["citizens_in_database"]:
            self.stderr.write(
                "ADVARSEL: nøgler i databasen følger med i dens sikkerhedskopier; kør `overgang keys move`. "
                "/ WARNING: keys in the database are in its backups; run `overgang keys move`.")

    def _move(self, **options):
        moved = keys.move_to_store()
        self.stdout.write(
            f"{moved} datanøgler er flyttet til nøglelageret ({keystore.store().describe()}). Sikkerhedskopier af "
            f"databasen taget før i dag rummer stadig nøglerne: slet dem, når en ny sikkerhedskopi og en kopi af "
            f"nøglelageret er taget. / {moved} data keys moved to the key store. Database backups taken before today "
            f"still hold the keys: destroy them once a new backup and a copy of the key store are taken.")

    def _reapply_erasures(self, **options):
        self._report_reapplied(keys.reapply_erasures(), self.stdout, self.stderr)

    @staticmethod
    def _report_reapplied(result, stdout, stderr):
        stdout.write(f"{len(result.erased)} borgere slettet igen efter nøglelagerets liste over sletninger "
                     f"/ citizens erased again from the key store's erasure ledger")
        for code in result.erased:
            stdout.write(f"  citizen {code}")
        if result.missing:
            stderr.write(
                f"ADVARSEL: {result.missing} borgeres nøgle findes hverken i nøglelageret eller i dets liste over "
                f"sletninger: peger OVERGANG_KEY_STORE på installationens nøglelager? De er ikke slettet. "
                f"/ WARNING: {result.missing} citizens' keys are neither in the key store nor in its erasure ledger: "
                f"does OVERGANG_KEY_STORE name this installation's key store? They were not erased.")
        if result.in_database:
            stderr.write(
                f"ADVARSEL: {result.in_database} borgeres nøgle ligger i databasen (`overgang keys move`). "
                f"/ WARNING: {result.in_database} citizens' keys are kept in the database (`overgang keys move`).")

    def _sweep(self, *, hours, force, **options):
        destroyed = keys.sweep(grace=datetime.timedelta(hours=hours), force=force)
        self.stdout.write(f"{destroyed} ubrugte nøgler destrueret / unused keys destroyed")

    def _backup(self, *, path, **options):
        store = keystore.store()
        if store is None:
            raise keys.NoKeyStore()
        target = Path(path)
        if target.exists():
            raise CommandError(f"{target} findes allerede; vælg et nyt filnavn. / {target} exists; choose a new name.")
        if not target.parent.is_dir():
            raise CommandError(f"Mappen {target.parent} findes ikke. / The folder {target.parent} does not exist.")
        store.close()
        header = {"created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                  "content": "keystore"}
        try:
            backup.create(store.config, target, settings.OVERGANG_FIELD_KEYS[0], header)
        except backup.BackupError:
            target.unlink(missing_ok=True)
            raise
        with transaction.atomic():
            record("keys.backup", actor=None, object_type="installation", details={"file": target.name})
        self.stdout.write(
            f"Kopi af nøglelageret skrevet / Key store copy written: {target} (krypteret / encrypted). Behold den "
            f"kort (SECURITY.md): så længe den findes, kan borgere slettet siden læses. / Keep it briefly "
            f"(SECURITY.md): while it exists, citizens erased since can be read.")

    def _restore(self, *, path, yes, **options):
        store = keystore.store()
        if store is None:
            raise keys.NoKeyStore()
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"{source} findes ikke. / {source} does not exist.")
        header = backup.read_header(source)
        if header.get("content") != "keystore":
            raise CommandError("Filen er ikke en kopi af nøglelageret (en sikkerhedskopi af databasen gendannes med "
                               "`overgang restore`). / The file is not a key store copy (a database backup is "
                               "restored with `overgang restore`).")
        if not yes:
            answer = input(
                f"Nøglelageret erstattes med kopien fra {header.get('created', '?')}. Skriv JA for at fortsætte "
                f"/ The key store will be replaced by the copy from {header.get('created', '?')}. Type JA to continue: ")
            if answer.strip().upper() != "JA":
                raise CommandError("Afbrudt; intet er ændret. / Cancelled; nothing changed.")
        store.close()
        backup.restore(store.config, source, settings.OVERGANG_FIELD_KEYS)
        store.close()
        # Keys of citizens erased after the copy was taken are in it again: no citizen in
        # the (live) database uses them, so they go now, whatever their age. Not forced:
        # against an empty or wrong database the sweep refuses and says so.
        try:
            destroyed = keys.sweep(grace=datetime.timedelta(0))
        except keystore.KeyStoreError as exc:
            self.stderr.write(f"{exc}\nGendan databasen først, og kør så `overgang keys sweep --hours 0`. "
                              f"/ Restore the database first, then run `overgang keys sweep --hours 0`.")
            destroyed = 0
        with transaction.atomic():
            record("keys.restore", actor=None, object_type="installation",
                   details={"file": source.name, "created": header.get("created", ""), "destroyed": destroyed})
        self.stdout.write(
            f"Nøglelageret er gendannet fra {source} ({header.get('created', '?')}); {destroyed} nøgler til borgere "
            f"slettet siden er destrueret igen. / Key store restored; {destroyed} keys of citizens erased since "
            f"were destroyed again.")

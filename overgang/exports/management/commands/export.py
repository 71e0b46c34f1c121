"""``overgang export PATH [--municipality NAME ...] [--format-version 1|2] [--workers N]``:
write an interchange package (version 2 names each course's template; version 1 is for
an installation before templates and holds only Exit prostitution courses).

PATH is a directory (created; it must be empty) or a path ending in ``.zip``. The
answers are decrypted and written out in ``--workers`` forked processes (default: one
per core; this process meanwhile reads the database and writes the files); 0 does it
all in this process.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from overgang.accounts.models import Municipality
from overgang.exports.actions import do_export_package
from overgang.exports.exporter import ExportError
from overgang.exports.progress import ProgressBar


class Command(BaseCommand):
    help = "Export the installation (or some municipalities) as an overgang-interchange/2 package (or /1)."
    # Django's system checks load every URL configuration and view (2.4 s of a run on the
    # benchmark machine) and check nothing these data commands use; `overgang check
    # --deploy`, `overgang migrate` and the server run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--municipality", action="append", help="only this municipality (repeatable)")
        parser.add_argument("--format-version", type=int, choices=(1, 2), default=2,
                            help="2 (course templates) or 1 (for an installation before templates)")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                            help="processes that decrypt and write the answers (default: one per core; 0: none)")

    def handle(self, *args, path, municipality=None, format_version=2, workers=0, **options):
        target = Path(path)
        if workers < 0:
            raise CommandError("--workers skal være 0 eller mere. / --workers must be 0 or more.")
        if target.suffix.lower() == ".zip":
            if target.exists():
                raise CommandError(f"{target} findes allerede. / {target} already exists.")
        elif target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise CommandError(f"{target} skal være en tom mappe. / {target} must be an empty directory.")
        municipalities = None
        if municipality:
            municipalities = list(Municipality.objects.filter(name__in=municipality))
            missing = set(municipality) - {m.name for m in municipalities}
            if missing:
                raise CommandError(f"Ukendt kommune / Unknown municipality: {', '.join(sorted(missing))}")
        bar = ProgressBar("Eksport")
        try:
            counts = do_export_package(target, municipalities=municipalities, progress=bar, version=format_version,
                                       workers=workers)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        bar.finish()
        self.stdout.write(f"Eksporteret til / Exported to {target}")
        for key in sorted(counts):
            self.stdout.write(f"  {key}: {counts[key]}")

"""``overgang import PATH [--dry-run]``: read an interchange package (directory or zip).

The operator's tool (interchange.md): municipalities and workers the package names and
the installation lacks are created (workers as placeholder accounts without login) and
listed. Every problem is printed with file, line, column and code; with any problem
nothing is written and the command exits with status 1.
"""

from django.core.management.base import BaseCommand, CommandError

from overgang.exports.actions import default_workers, do_import_package
from overgang.exports.interchange import JudgingStopped
from overgang.exports.progress import ProgressBar


class Command(BaseCommand):
    help = "Import an overgang-interchange/1 package (directory or .zip)."
    # Django's system checks load every URL configuration and view (2.4 s of a run on the
    # benchmark machine) and check nothing these data commands use; `overgang check
    # --deploy`, `overgang migrate` and the server run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="validate only; write nothing")

    def handle(self, *args, path, dry_run, **options):
        bar = ProgressBar("Import")
        try:
            result = do_import_package(path, dry_run=dry_run, progress=bar, workers=default_workers())
        except JudgingStopped as exc:
            raise CommandError(str(exc)) from None
        bar.finish()
        for problem in result.problems:
            self.stderr.write(str(problem))
        if result.problems.omitted:
            self.stderr.write(f"… og {result.problems.omitted} problem(er) mere (kun de første "
                              f"{result.problems.limit} vises) / … and {result.problems.omitted} more problem(s) "
                              f"(only the first {result.problems.limit} are shown)")
        if result.warnings:
            # Apart from the problems: a warning does not stop the import.
            count = len(result.warnings)
            self.stdout.write(f"Advarsler ({count}); de stopper ikke importen / Warnings ({count}); they do not stop the import")
            for item in result.warnings:
                self.stdout.write(f"  advarsel / warning: {item}")
        summary = result.summary
        if result.problems:
            raise CommandError(
                f"{len(result.problems)} problem(er) fundet; intet er skrevet. / "
                f"{len(result.problems)} problem(s) found; nothing was written."
            )
        created = ", ".join(f"{k} {v}" for k, v in sorted(summary.created.items())) or "0"
        unchanged = ", ".join(f"{k} {v}" for k, v in sorted(summary.unchanged.items())) or "0"
        heading = "Tjek uden at skrive (--dry-run) / Validation only" if dry_run else "Importeret / Imported"
        self.stdout.write(heading)
        self.stdout.write(f"  nye / new: {created}")
        self.stdout.write(f"  uændrede / unchanged: {unchanged}")
        self.stdout.write(f"  ufuldstændige registreringer / incomplete records: {summary.incomplete}")
        for name in summary.municipalities_created:
            self.stdout.write(f"  ny kommune / new municipality: {name}")
        for username in summary.workers_created:
            self.stdout.write(f"  ny medarbejder uden login / new placeholder worker: {username}")

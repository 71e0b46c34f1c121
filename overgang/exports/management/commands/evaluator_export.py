"""``overgang evaluator_export --user NAME --purpose TEXT --format FMT --output DIR``.

The evaluator's pseudonymised tables (wide and long per instrument, courses, pauses),
the codebook and ``export.json``. The user must hold the evaluator role in every
municipality exported (default: all the user's evaluator municipalities); the purpose
is recorded in the audit log.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from overgang.accounts.models import Role, User
from overgang.exports.actions import EvaluatorExportOptions, ExportRefused, do_evaluator_export
from overgang.exports.formats import WRITERS
from overgang.instruments import registry


class Command(BaseCommand):
    help = "Write a pseudonymised evaluator export (csv, xlsx, dta, sav or parquet)."
    # Django's system checks load every URL configuration and view (2.4 s of a run on the
    # benchmark machine) and check nothing these data commands use; `overgang check
    # --deploy`, `overgang migrate` and the server run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="the evaluator's username")
        parser.add_argument("--purpose", required=True, help="why the data is exported (recorded in the audit log)")
        parser.add_argument("--format", required=True, choices=sorted(WRITERS))
        parser.add_argument("--output", required=True, help="a new or empty directory")
        parser.add_argument("--municipality", action="append", help="only this municipality (repeatable)")
        parser.add_argument("--instrument", action="append", help="only this instrument (repeatable)")
        parser.add_argument("--include-text", action="store_true", help="include free-text answers")
        parser.add_argument("--shift-dates", action="store_true", help="shift each citizen's dates by a random offset")
        parser.add_argument("--csv-raw", action="store_true",
                            help="CSV: write text verbatim (by default text starting with = + - @ gets a leading ')")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError("Ukendt bruger / Unknown user")
        municipalities = user.municipalities_as(Role.EVALUATOR)
        if options["municipality"]:
            wanted = set(options["municipality"])
            chosen = [m for m in municipalities if m.name in wanted]
            if len(chosen) != len(wanted):
                raise CommandError("Brugeren er ikke evaluator i alle de valgte kommuner. / "
                                   "The user is not an evaluator in every municipality chosen.")
            municipalities = chosen
        instruments = options["instrument"] or list(registry.all_instruments())
        unknown = set(instruments) - set(registry.all_instruments())
        if unknown:
            raise CommandError(f"Ukendt skema / Unknown instrument: {', '.join(sorted(unknown))}")
        output = Path(options["output"])
        if output.exists() and (not output.is_dir() or any(output.iterdir())):
            raise CommandError(f"{output} skal være en tom mappe. / {output} must be an empty directory.")
        export = EvaluatorExportOptions(
            municipalities=tuple(municipalities), instruments=tuple(instruments), format=options["format"],
            purpose=options["purpose"], include_text=options["include_text"], shift_dates=options["shift_dates"],
            csv_escape=not options["csv_raw"],
        )
        try:
            counts = do_evaluator_export(output, export, actor=user)
        except PermissionDenied:
            raise CommandError("Brugeren er ikke evaluator. / The user is not an evaluator.") from None
        except ExportRefused as exc:
            raise CommandError(f"Udtrækket kan ikke laves / Export refused: {exc}") from None
        self.stdout.write(f"Udtræk skrevet til / Export written to {output}: {counts}")

"""``overgang report``: the evaluation report as JSON, HTML, PDF or a workbook.

    overgang report --format json --output rapport.json
    overgang report --format pdf --output rapport.pdf --municipality Aarhus \\
        --started-from 2026-01-01 --goal exit --set who5_improvement="10 percent"
    overgang report --format html --output hjemloeshed.html --template homelessness

The command line is the operator's and evaluator's tool: numbers are exact (no small-cell
suppression; ``--leader`` renders as a project leader would see it). Writing the report
is an audited export (``report.export``). A report whose data is unchanged since it was
last computed is given back as kept (``evaluation/kept.py``; ``--fresh`` computes anyway).
"""

import argparse
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from overgang.accounts.models import Municipality
from overgang.audit.log import record as audit
from overgang.lib.replica import from_replica
from overgang.evaluation import kept, render, reports
from overgang.evaluation.definitions import DefinitionError, Definitions
from overgang.lib import crypto
from overgang.programmes import registry as programmes_registry

FORMATS = ("json", "html", "pdf", "xlsx")


def _date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        # argparse reports this as "argument --started-from: …" and exits with status 2.
        raise argparse.ArgumentTypeError(
            f"ugyldig dato {text!r}: skriv ÅÅÅÅ-MM-DD / invalid date {text!r}: write YYYY-MM-DD"
        ) from None


class Command(BaseCommand):
    help = "Write the evaluation report (SFI chapters 3, 4, 6 and 7) as JSON, HTML, PDF or XLSX."
    # Django's system checks load every URL configuration and view (2.4 s of a run on the
    # benchmark machine) and check nothing these data commands use; `overgang check
    # --deploy`, `overgang migrate` and the server run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--output", required=True, help="file to write ('-' for standard output; json/html)")
        parser.add_argument("--municipality", action="append", default=[], help="name or code; repeatable")
        parser.add_argument("--started-from", type=_date)
        parser.add_argument("--started-to", type=_date)
        parser.add_argument("--goal", choices=sorted(reports.GOALS))
        parser.add_argument("--template", choices=sorted(programmes_registry.all_templates()),
                            help="the courses of one course template (overgang templates list)")
        parser.add_argument("--set", action="append", default=[], dest="overrides", metavar="KEY=VALUE")
        parser.add_argument("--lang", choices=("da", "en"), default="da")
        parser.add_argument("--leader", action="store_true", help="suppress small cells as for a project leader")
        parser.add_argument("--fresh", action="store_true",
                            help="compute the report even when a kept one is current (evaluation/kept.py)")

    def handle(self, *args, **options):
        with translation.override(options["lang"]):
            self._handle(options)

    def _handle(self, options):
        try:
            definitions = Definitions.from_overrides(options["overrides"])
        except DefinitionError as exc:
            raise CommandError(exc.message) from None
        try:
            municipalities = reports.municipalities_for(options["municipality"]) if options["municipality"] else None
        except reports.UnknownMunicipality as exc:
            raise CommandError(_("Ukendt kommune: %(name)s") % {"name": exc.name}) from None
        filters = reports.Filters(
            municipalities=tuple(m.name for m in municipalities or ()),
            started_from=options["started_from"],
            started_to=options["started_to"],
            goal=options["goal"],
            template=options["template"],
        )
        if filters.started_from and filters.started_to and filters.started_from > filters.started_to:
            raise CommandError(_("--started-from ligger efter --started-to."))
        fmt = options["format"]
        output = options["output"]
        if output == "-" and fmt in ("pdf", "xlsx"):
            raise CommandError(_("Formatet %(format)s kan ikke skrives til standard output.") % {"format": fmt})
        if output != "-":
            # Before the work, not after it: a path that cannot be written is said at once.
            path = Path(output)
            if path.is_dir() or not path.parent.is_dir():
                raise CommandError(_("Rapporten kan ikke skrives til %(path)s: mappen findes ikke, eller stien er en "
                                     "mappe.") % {"path": output})
        try:
            with from_replica():
                # Every municipality when none is named (the same rows as the report of all).
                found = kept.report(filters, definitions, municipalities or Municipality.objects.order_by("pk"),
                                    fresh=options["fresh"])
        except crypto.DecryptionError:
            raise CommandError(_("De krypterede svar kan ikke læses med de opsatte feltnøgler "
                                 "(OVERGANG_FIELD_KEYS). Tjek installationens nøgler.")) from None
        small, leader = definitions.small_cells, options["leader"]
        content = render.render(found.report, fmt, suppress=leader, small=small,
                                hidden=found.hidden(small) if leader and fmt != "json" else None)
        if output == "-":
            self.stdout.write(content)
        else:
            try:
                if isinstance(content, bytes):
                    path.write_bytes(content)
                else:
                    path.write_text(content, encoding="utf-8")
            except OSError as exc:
                raise CommandError(_("Rapporten kan ikke skrives til %(path)s: %(error)s")
                                   % {"path": output, "error": exc.strerror or exc}) from None
        with transaction.atomic():
            audit(
                "report.export",
                actor=None,
                object_type="report",
                details={"filters": filters.to_json(), "format": fmt, "overrides": list(options["overrides"])},
            )
        if output != "-":
            self.stderr.write(_("Rapporten er skrevet til %(path)s.") % {"path": output})

"""``overgang report``: the evaluation report as JSON, HTML, PDF or a workbook.

    overgang report --format json --output rapport.json
    overgang report --format pdf --output rapport.pdf --municipality Aarhus \\
        --started-from 2026-01-01 --goal exit --set who5_improvement="10 percent"

The command line is the operator's and evaluator's tool: numbers are exact (no small-cell
suppression; ``--leader`` renders as a project leader would see it). Writing the report
is an audited export (``report.export``).
"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from overgang.audit.log import record as audit
from overgang.evaluation import render, report_json, reports
from overgang.evaluation.definitions import DefinitionError, Definitions

FORMATS = ("json", "html", "pdf", "xlsx")


def _date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Ugyldig dato %(value)s: skriv ÅÅÅÅ-MM-DD.") % {"value": text}) from None


class Command(BaseCommand):
    help = "Write the evaluation report (SFI chapters 3, 4, 6 and 7) as JSON, HTML, PDF or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--output", required=True, help="file to write ('-' for standard output; json/html)")
        parser.add_argument("--municipality", action="append", default=[], help="name or code; repeatable")
        parser.add_argument("--started-from", type=_date)
        parser.add_argument("--started-to", type=_date)
        parser.add_argument("--goal", choices=sorted(reports.GOALS))
        parser.add_argument("--set", action="append", default=[], dest="overrides", metavar="KEY=VALUE")
        parser.add_argument("--lang", choices=("da", "en"), default="da")
        parser.add_argument("--leader", action="store_true", help="suppress small cells as for a project leader")

    def handle(self, *args, **options):
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
        )
        fmt = options["format"]
        with translation.override(options["lang"]):
            report = report_json.compute(filters, definitions, municipalities)
            content = render.render(report, fmt, suppress=options["leader"], small=definitions.small_cells)
        output = options["output"]
        if output == "-":
            if isinstance(content, bytes):
                raise CommandError(_("Formatet %(format)s kan ikke skrives til standard output.") % {"format": fmt})
            self.stdout.write(content)
        else:
            path = Path(output)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        with transaction.atomic():
            audit(
                "report.export",
                actor=None,
                object_type="report",
                details={"filters": filters.to_json(), "format": fmt, "overrides": list(options["overrides"])},
            )
        if output != "-":
            self.stderr.write(_("Rapporten er skrevet til %(path)s.") % {"path": output})

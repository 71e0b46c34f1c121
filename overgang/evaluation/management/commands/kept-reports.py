"""``overgang kept-reports refresh|prune``: compute the leaders' reports before they ask.

    overgang kept-reports refresh [--municipality NAME]... [--national]   # e.g. every 10 minutes from cron
    overgang kept-reports prune                              # stale and week-old kept reports

``refresh`` computes, for every municipality whose data changed since its report was
kept, the report its project leaders open first (their municipality, no filters, the
standard definitions) with the counts their suppressed document hides, and keeps it
(``evaluation/kept.py``): the leader's first view after a quiet spell reads a kept
report instead of computing it. Each computation is audited as ``report.keep`` (the
system read the municipality's records); a municipality whose kept report is current
costs two small queries and is not audited. ``--national`` also keeps the report of every
municipality without filters — what ``overgang report`` gives an evaluator (39 s to
compute at 50,000 courses on 2 cores, about 1.5 s kept) — whenever any data changed.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from overgang.accounts.models import Municipality
from overgang.audit.log import record as audit
from overgang.evaluation import kept, reports
from overgang.evaluation.definitions import Definitions
from overgang.lib import crypto
from overgang.lib.replica import from_replica


class Command(BaseCommand):
    help = "Compute the leaders' reports of the municipalities whose data changed (refresh), or prune kept reports."
    # As the other data commands: Django's system checks load every view (2.4 s a run).
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        refresh = sub.add_parser("refresh", help="compute the reports whose data changed since they were kept")
        refresh.add_argument("--municipality", action="append", default=[], help="name or code; repeatable")
        refresh.add_argument("--national", action="store_true",
                             help="also the report of all municipalities without filters (overgang report)")
        sub.add_parser("prune", help="delete kept reports that are stale or older than a week")

    def handle(self, *args, subcommand, **options):
        if subcommand == "prune":
            self.stdout.write(f"Gemte rapporter slettet / kept reports deleted: {kept.prune()}")
            return
        try:
            places = (reports.municipalities_for(options["municipality"]) if options["municipality"]
                      else list(Municipality.objects.order_by("name")))
        except reports.UnknownMunicipality as exc:
            raise CommandError(f"Ukendt kommune / Unknown municipality: {exc.name}") from None
        definitions = Definitions()
        for place in places:
            self._keep(reports.Filters(municipalities=(place.name,)), definitions, [place], place.name, place,
                       leaders=True)
        if options["national"]:
            # The municipalities as ``overgang report`` reads them when none is named: the
            # same key, so its next run gives back this report.
            self._keep(reports.Filters(), definitions, Municipality.objects.order_by("pk"),
                       "Alle kommuner / all municipalities", None, leaders=False)

    def _keep(self, filters, definitions, municipalities, label, place, *, leaders):
        began = time.perf_counter()
        try:
            with from_replica():
                current = kept.is_current(filters, definitions, municipalities, hidden=leaders)
                if not current:
                    found = kept.report(filters, definitions, municipalities)
                    if leaders:  # what the leaders' suppressed page hides, found once
                        found.hidden(definitions.small_cells)
        except crypto.DecryptionError:
            raise CommandError("De krypterede svar kan ikke læses med de opsatte feltnøgler "
                               "(OVERGANG_FIELD_KEYS). / The encrypted answers cannot be read with the field "
                               "keys.") from None
        if current:
            self.stdout.write(f"{label}: uændret / unchanged")
            return
        with transaction.atomic():
            audit("report.keep", actor=None, object_type="report", municipality=place,
                  details={"filters": filters.to_json()})
        self.stdout.write(f"{label}: beregnet / computed ({time.perf_counter() - began:.1f} s)")

"""``overgang retention apply [--dry-run] [--municipality NAME]``: delete what each
municipality's retention setting has expired (rights/retention.py). Audited with codes
only; the dry run changes and writes nothing. A run also deletes the kept reports that
are stale or older than a week (evaluation/kept.py)."""

from django.core.management.base import BaseCommand, CommandError

from overgang.accounts.models import Municipality
from overgang.rights import retention
from overgang.rights.actions import do_apply_retention


class Command(BaseCommand):
    help = "Apply the retention rule: erase citizens and delete courses ended longer ago than the setting."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        apply = sub.add_parser("apply", help="delete what the retention rule has expired")
        apply.add_argument("--dry-run", action="store_true", help="only list what would be deleted (codes)")
        apply.add_argument("--municipality", action="append", help="only this municipality (repeatable)")

    def handle(self, *args, subcommand, dry_run, municipality, **options):
        places = Municipality.objects.order_by("name")
        if municipality:
            places = places.filter(name__in=municipality)
            if places.count() != len(set(municipality)):
                raise CommandError("Ukendt kommune / Unknown municipality")
        for place in places:
            plan = retention.plan(place) if dry_run else do_apply_retention(place, actor=None)
            verb = "slettes / to delete" if dry_run else "slettet / deleted"
            self.stdout.write(
                f"{place.name}: {plan.years} år/years, før/before {plan.cutoff.isoformat()}: "
                f"{len(plan.citizens)} borgere/citizens og/and {len(plan.courses)} forløb/courses {verb}")
            for citizen in plan.citizens:
                self.stdout.write(f"  citizen {citizen.code}")
            for course in plan.courses:
                self.stdout.write(f"  course {course.code} (citizen {course.citizen.code})")
        if not dry_run:
            # Kept reports that no longer match their data, or older than a week, go too
            # (they hold aggregates of citizens just erased: evaluation/kept.py).
            from overgang.evaluation import kept

            self.stdout.write(f"Gemte rapporter slettet / kept reports deleted: {kept.prune()}")

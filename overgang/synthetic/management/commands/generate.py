"""``overgang generate``: fill an installation with realistic synthetic data."""

import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from overgang.citizens.models import Citizen
from overgang.synthetic import database, lives


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today: {value!r} is not a date YYYY-MM-DD") from None


class Command(BaseCommand):
    help = ("Fill the installation with synthetic citizens and courses (every state, stars and forms on "
            "schedule, plans, network, contacts), written straight into the database. Never in production.")

    def add_arguments(self, parser):
        parser.add_argument("--courses", type=int, required=True, help="how many citizens, one course each")
        parser.add_argument("--seed", type=int, default=1, help="the same seed and --today give the same data")
        parser.add_argument("--municipalities", type=int, help="how many municipalities (default: one per 1,000 "
                                                                "courses, at most 24 names, then numbered)")
        parser.add_argument("--today", type=_date, help="the day the data is generated up to (default: today)")
        parser.add_argument("--years", type=float, default=10.0, help="first contacts spread over this many years")
        parser.add_argument("--password", help="a password for every new staff login (default: none can log in)")
        parser.add_argument("--add", action="store_true", help="add to an installation that already has citizens")

    def handle(self, *args, courses, seed, municipalities, today, years, password, add, **options):
        if settings.PRODUCTION:
            raise CommandError("Synthetic data is never written into a production installation "
                               "(OVERGANG_MODE=production). Use OVERGANG_MODE=development for a test installation.")
        if courses < 1:
            raise CommandError("--courses must be at least 1")
        if municipalities is not None and municipalities < 1:
            raise CommandError("--municipalities must be at least 1")
        if not 0 < years <= 25:
            raise CommandError("--years must be more than 0 and at most 25")
        if Citizen.objects.exists() and not add:
            raise CommandError("The installation already has citizens; give --add to add synthetic ones beside them.")
        options_ = lives.Options(courses=courses, seed=seed, municipalities=municipalities,
                                 today=today or dt.date.today(), years=years)
        began = time.perf_counter()
        counts = database.write(lives.plan(options_), password=password)
        seconds = time.perf_counter() - began
        self.stdout.write(f"Generated in {seconds:.1f} s (seed {seed}, up to {options_.today.isoformat()}):")
        for name, count in counts.items():
            self.stdout.write(f"  {name:<16} {count:>10,}")

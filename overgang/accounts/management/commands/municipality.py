"""``overgang municipality add NAME`` / ``list``."""

from django.core.management.base import BaseCommand, CommandError

from overgang.accounts.actions import do_create_municipality
from overgang.accounts.models import Municipality


class Command(BaseCommand):
    help = "Create and list municipalities (tenants)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        add = sub.add_parser("add", help="create a municipality")
        add.add_argument("name")
        sub.add_parser("list", help="list municipalities")

    def handle(self, *args, subcommand, name=None, **options):
        if subcommand == "list":
            for municipality in Municipality.objects.all():
                self.stdout.write(f"{municipality.code}  {municipality.name}")
            return
        name = name.strip()
        if not name:
            raise CommandError("Navnet må ikke være tomt. / The name must not be empty.")
        if Municipality.objects.filter(name__iexact=name).exists():
            raise CommandError(f"Kommunen {name!r} findes allerede. / The municipality {name!r} already exists.")
        municipality = do_create_municipality(name, actor=None)
        self.stdout.write(f"Oprettet / Created: {municipality.code}  {municipality.name}")

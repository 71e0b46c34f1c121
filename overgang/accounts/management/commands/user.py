"""``overgang user add USERNAME --municipality NAME --role ROLE``: bootstrap users."""

import getpass
import sys

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from overgang.accounts.actions import RoleError, check_duties, do_create_user, duty_conflict_message
from overgang.lib.text import in_both_languages
from overgang.accounts.models import Municipality, Role, User


class Command(BaseCommand):
    help = "Create a user with a role in a municipality (asks for the password, or reads it from stdin)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        add = sub.add_parser("add", help="create a user")
        add.add_argument("username")
        add.add_argument("--municipality", required=True, help="the municipality's name")
        add.add_argument("--role", required=True, action="append", choices=[r.value for r in Role])
        add.add_argument("--first-name", default="")
        add.add_argument("--last-name", default="")
        add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle(self, *args, subcommand, username, municipality, role, first_name, last_name, password_stdin, **options):
        place = Municipality.objects.filter(name__iexact=municipality).first()
        if place is None:
            raise CommandError(f"Ukendt kommune / Unknown municipality: {municipality!r}")
        try:
            check_duties(role)
        except RoleError:
            raise CommandError(in_both_languages(duty_conflict_message)) from None
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"Brugernavnet {username!r} er optaget. / The username {username!r} is taken.")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Adgangskode / Password: ")
            if password != getpass.getpass("Igen / Again: "):
                raise CommandError("Adgangskoderne er forskellige. / The passwords differ.")
        candidate = User(username=username, first_name=first_name, last_name=last_name)
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError:
            # The validators translate when they raise: ask them once per language.
            raise CommandError(in_both_languages(lambda: " ".join(_problems(password, candidate)))) from None
        user = do_create_user(
            place, username, actor=None, roles=set(role), password=password, first_name=first_name, last_name=last_name
        )
        self.stdout.write(f"Oprettet / Created: {user.username} ({', '.join(sorted(role))}) i/in {place.name}")


def _problems(password, user):
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []

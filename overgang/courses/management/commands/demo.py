"""``overgang demo``: migrate, seed fictional data and serve on http://127.0.0.1:8000."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from overgang.accounts.demo import DEMO_PASSWORD, seed
from overgang.accounts.models import Role
from overgang.courses.demo import seed_courses, seed_generated


class Command(BaseCommand):
    help = "Set up a demo installation with fictional data on SQLite and serve it on 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="set up and seed, but do not start the server")
        parser.add_argument(
            "--saml", action="store_true", help="log in through a test SAML IdP on the next port (the municipal login)"
        )

    def handle(self, *args, port, no_serve, saml=False, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never created in a production installation (OVERGANG_MODE=production).")
        call_command("migrate", interactive=False, verbosity=0)
        # A demo made before the key store keeps its citizens' keys in the database: move
        # them into the store beside it (var/demo.keys.sqlite3), as an installation would.
        from overgang.citizens import keys

        if settings.OVERGANG_KEY_STORE:
            keys.move_to_store()
        logins = seed()
        seed_courses()
        seed_generated()
        role_names = dict(Role.choices)
        self.stdout.write(self.style.SUCCESS("Overgang demo er klar / is ready (fiktive data / fictional data)."))
        self.stdout.write(f"Logins (adgangskode / password: {DEMO_PASSWORD}):")
        for username, roles in logins:
            self.stdout.write(f"  {username:<10} {', '.join(str(role_names[r]) for r in roles)}")
        if settings.OVERGANG_TOTP_WAIVED:
            self.stdout.write("To-faktor er slået fra i demoen / Two-factor login is waived in the demo.")
        if no_serve:
            return
        if saml:
            self._start_saml_idp()
        self.stdout.write(f"Åbn / Open http://127.0.0.1:{port}/  (Ctrl+C stopper / stops)")
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)

    def _start_saml_idp(self):
        from saml2.metadata import entity_descriptor

        from overgang.sso import testidp
        from overgang.sso.saml import sp_config

        if testidp.DEMO is None or not settings.OVERGANG_SAML:
            raise CommandError("--saml is set up by the overgang command (overgang demo --saml)")
        testidp.DEMO.trust(str(entity_descriptor(sp_config())))
        self.stdout.write(
            f"Kommunens login (test-IdP) / municipal login (test IdP): {testidp.DEMO.base_url}. "
            "Vælg person, roller, NSIS-niveau eller et manipuleret svar dér; kun «admin» bruger adgangskode "
            "(nødadgang) / choose a person, roles, NSIS level or a tampered response there; only «admin» "
            "uses a password (break-glass)."
        )

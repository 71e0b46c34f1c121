"""``overgang subject-access CITIZEN --output FILE.pdf [--lang da|en]``: everything
Overgang holds about one citizen, as a readable PDF (GDPR art. 15). CITIZEN is the
citizen's code (the UUID in the citizen's page address). Audited."""

import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from overgang.citizens.models import Citizen
from overgang.lib import crypto
from overgang.rights.actions import record_subject_access
from overgang.rights.subject_access import render_pdf


class Command(BaseCommand):
    help = "Write everything Overgang holds about one citizen as a PDF (subject access)."

    def add_arguments(self, parser):
        parser.add_argument("citizen", help="the citizen's code (UUID)")
        parser.add_argument("--output", required=True, help="the PDF file to write")
        parser.add_argument("--lang", choices=["da", "en"], default="da")

    def handle(self, *args, citizen, output, lang, **options):
        try:
            code = uuid.UUID(citizen)
        except ValueError:
            raise CommandError(f"Ikke en borgerkode (UUID) / Not a citizen code (UUID): {citizen!r}") from None
        found = Citizen.objects.select_related("municipality", "worker").filter(code=code).first()
        if found is None:
            raise CommandError(f"Ingen borger med koden / No citizen with the code {code}")
        target = Path(output)
        if target.exists() and target.is_dir():
            raise CommandError(f"{target} er en mappe / is a directory")
        # The citizen's key fetched from the key store and unwrapped once for the whole PDF.
        with crypto.keys_for_request():
            try:
                pdf = render_pdf(found, lang)
            except crypto.KeyUnavailable:
                raise CommandError("Borgerens nøgle findes ikke i nøglelageret: borgeren er slettet (overgang keys "
                                   "reapply-erasures). / The citizen's key is not in the key store: the citizen "
                                   "was erased.") from None
        try:
            target.write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"Kan ikke skrive / Cannot write {target}: {exc.strerror}") from None
        record_subject_access(found, actor=None, language=lang, actor_username="overgang subject-access")
        self.stdout.write(f"Indsigtsrapport skrevet / Subject access report written: {target} ({len(pdf)} bytes)")

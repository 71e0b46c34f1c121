"""``overgang reminders send [--dry-run]``: e-mail each worker (and leader) a digest of what is due."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from overgang.reminders import digest


class Command(BaseCommand):
    help = "E-mail reminders. 'send' sends today's digests (counts and links only); run it daily from cron or a timer."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        send = sub.add_parser("send", help="send the digests due today")
        send.add_argument("--dry-run", action="store_true", help="print the digests instead of sending them")
        send.add_argument("--date", metavar="YYYY-MM-DD", help="the day to send for (default: today)")

    def handle(self, *args, subcommand, dry_run=False, date=None, **options):
        today = _day(date) if date else timezone.localdate()
        ready, without_address = digest.plan(today)
        sent = failed = 0
        try:
            for item in ready:
                if dry_run:
                    mail = digest.message(item, today)
                    self.stdout.write(f"To: {mail.to[0]}\nSubject: {mail.subject}\n\n{mail.body}\n{'-' * 60}")
                    continue
                try:
                    sent += digest.send(item, today)
                except (OSError, ConnectionError) as exc:  # smtplib errors are OSErrors
                    failed += 1
                    self.stderr.write(f"{item.recipient.username}: ikke sendt / not sent: {exc}")
        except digest.NoBaseUrl:
            raise CommandError("OVERGANG_BASE_URL skal være sat, så e-mailens links virker. "
                               "/ OVERGANG_BASE_URL must be set for the links in the e-mails.") from None
        for user in without_address:
            self.stderr.write(f"{user.username}: ingen e-mailadresse / no e-mail address")
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"{today.isoformat()}: {len(ready) if dry_run else sent} digest(s) {verb}, "
                          f"{len(without_address)} user(s) without an e-mail address, {failed} failed")
        if failed:
            raise CommandError(f"{failed} digest(s) could not be sent; they are tried again on the next run.")


def _day(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date: ugyldig dato / invalid date: {text!r} (YYYY-MM-DD)") from None

"""``overgang audit verify``: check the audit log's hash chain."""

from django.core.management.base import BaseCommand, CommandError

from overgang.audit.log import verify


class Command(BaseCommand):
    help = "Audit log tools. 'verify' checks that no event was changed, inserted or deleted."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser("verify", help="check the hash chain of the whole audit log")
        check.add_argument(
            "--expect-head",
            metavar="HASH",
            help="the head hash printed by an earlier verify; also detects events removed from the end",
        )

    def handle(self, *args, subcommand, expect_head=None, **options):
        result = verify()
        for problem in result.problems:
            self.stderr.write(f"#{problem.seq} [{problem.kind}] {problem.message}")
        if expect_head and result.ok:
            # Events are only ever appended, so the earlier head must still be in the chain.
            from overgang.audit.models import AuditEvent

            if not AuditEvent.objects.filter(hash=expect_head).exists():
                raise CommandError(
                    f"Revisionssporet er IKKE intakt: det tidligere hoved {expect_head} findes ikke længere. "
                    f"/ The audit log is NOT intact: the earlier head {expect_head} is gone."
                )
        if not result.ok:
            raise CommandError(
                f"Revisionssporet er IKKE intakt: {len(result.problems)} fejl i {result.count} hændelser. "
                f"/ The audit log is NOT intact: {len(result.problems)} problem(s) in {result.count} events."
            )
        self.stdout.write(
            f"Revisionssporet er intakt / The audit log is intact: {result.count} events, head {result.head}"
        )

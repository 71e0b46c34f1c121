"""``overgang audit verify|anchor|grants``: check the keyed chain, write its head outside
the database, and print the PostgreSQL grants that make the table append-only for the
application's role (SECURITY.md)."""

import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from overgang.audit import anchors
from overgang.audit.log import verify
from overgang.audit.models import AuditEvent

ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class Command(BaseCommand):
    help = "Audit log tools: verify the chain, anchor its head outside the database, print PostgreSQL grants."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser("verify", help="check the keyed hash chain against the latest anchor")
        check.add_argument("--expect-head", metavar="HASH", help="a head printed earlier; it must still be in the log")
        check.add_argument("--anchor-file", metavar="PATH",
                           help="read the latest anchor from this file (default: the file:PATH of OVERGANG_AUDIT_ANCHOR)")
        check.add_argument("--anchor", metavar="LINE", help="an anchor line, e.g. copied from syslog")
        check.add_argument("--require-anchor", action="store_true", help="fail when no anchor is found")
        anchor = sub.add_parser("anchor", help="write the current head (count, hash, time) outside the database")
        anchor.add_argument("--to", metavar="TARGET", help="file:PATH, syslog or syslog://HOST:PORT "
                            "(default: OVERGANG_AUDIT_ANCHOR)")
        grants = sub.add_parser("grants", help="print the PostgreSQL grants for the application's role")
        grants.add_argument("role", help="the database role the application connects as")

    def handle(self, *args, subcommand, **options):
        run = {"verify": self._verify, "anchor": self._write_anchor, "grants": self._grants}[subcommand]
        run(**options)

    def _verify(self, expect_head=None, anchor_file=None, anchor=None, require_anchor=False, **options):
        result = verify()
        problems = [f"#{p.seq} [{p.kind}] {p.message}" for p in result.problems]
        found = self._read_anchor(anchor_file, anchor)
        if found is not None:
            problems += [f"[anchor] {text}" for text in anchors.check(found)]
        elif require_anchor:
            problems.append("[anchor] no anchor found")
        if expect_head and not AuditEvent.objects.filter(hash=expect_head).exists():
            # Events are only ever appended, so an earlier head must still be in the chain.
            problems.append(f"[head] the earlier head {expect_head} is gone (tidligere hoved findes ikke længere)")
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                f"Revisionssporet er IKKE intakt: {len(problems)} fejl i {result.count} hændelser. "
                f"/ The audit log is NOT intact: {len(problems)} problem(s) in {result.count} events."
            )
        where = (f"; anker fra / anchor of {found.at} (#{found.seq}) holder / holds" if found else
                 "; intet anker / no anchor: events cut from the end cannot be detected (overgang audit anchor)")
        self.stdout.write(
            f"Revisionssporet er intakt / The audit log is intact: {result.count} events, head {result.head}{where}"
        )

    def _read_anchor(self, anchor_file, line):
        try:
            if line:
                return anchors.parse(line)
            path = anchor_file or anchors.configured_file()
            return anchors.latest_in_file(path) if path else None
        except anchors.AnchorError as exc:
            raise CommandError(str(exc)) from None

    def _write_anchor(self, to=None, **options):
        result = verify()
        if not result.ok:
            raise CommandError(
                "Revisionssporet er IKKE intakt; et anker ville bekræfte en ændret log. Kør 'overgang audit verify'. "
                "/ The audit log is NOT intact; an anchor would endorse a changed log. Run 'overgang audit verify'."
            )
        anchor = anchors.current(result)
        try:
            where = anchors.write(anchor, to)
        except anchors.AnchorError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Anker skrevet / Anchor written ({where}): {anchor.count} events, #{anchor.seq} "
                          f"{anchor.head} {anchor.at}")

    def _grants(self, role, **options):
        if not ROLE.fullmatch(role):
            raise CommandError("Rollenavnet skal være små bogstaver, tal og _ / The role name must be lower-case "
                               "letters, digits and _")
        database = settings.DATABASES["default"]["NAME"]
        table = AuditEvent._meta.db_table
        self.stdout.write(grants_sql(role, database, table))


def grants_sql(role, database, table):
    """The SQL to run as the owner of the tables (the role that runs migrate)."""
    return f"""-- Overgang: privileges of the application's role "{role}" (run as the tables' owner, e.g. with psql).
-- The owner runs `overgang migrate`; the application connects as "{role}".
GRANT CONNECT ON DATABASE "{database}" TO {role};
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role};
-- The audit log: append and read only (a trigger refuses UPDATE and DELETE for everyone as well).
REVOKE ALL ON {table} FROM {role};
GRANT SELECT, INSERT ON {table} TO {role};
"""

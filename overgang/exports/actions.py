"""Import, export and evaluator export: the three state-changing actions of this app.

Each runs in one transaction and writes exactly one audit event with counts and
options, never personal data (security.md: every import and export is audited).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from overgang.accounts.models import Role
from overgang.audit.log import record as audit
from overgang.courses import due
from overgang.lib.replica import from_replica

from . import exporter, extract, formats
from .importer import Importer, Summary
from .interchange import Reader
from .package import Package, PackageError
from .problems import Problems


@dataclass
class ImportResult:
    problems: list
    summary: Summary
    dry_run: bool
    warnings: list = field(default_factory=list)  # located like problems; they do not stop the import

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run


def default_workers() -> int:
    """Judging processes for the command line: every core but the one that reads and writes."""
    return max(1, (os.cpu_count() or 1) - 1)


class _Rollback(Exception):
    pass


@transaction.atomic
def do_import_package(path, *, actor=None, municipality=None, dry_run=False, progress=None,
                      max_bytes=20 * 1024**3, workers=0, label=None) -> ImportResult:
    """Validate the package at ``path`` and, when it has no problem and this is no dry
    run, write all of it; otherwise write nothing. ``municipality`` makes it an
    administrator's import into that municipality only (see importer.Importer).
    ``workers`` > 1 judges records in that many forked processes (the command line).
    ``label`` names the package in problems (default: the file or folder name)."""
    try:
        package = Package(path, max_bytes=max_bytes, label=label)
    except PackageError as exc:
        return ImportResult(Problems(exc.problems), Summary(), dry_run)
    with package:
        importer = Importer(actor=actor, municipality=municipality, dry_run=dry_run)
        reader = Reader(package, progress=progress, workers=workers)
        try:
            with transaction.atomic():
                try:
                    importer.run(reader)
                except PackageError as exc:  # a member that cannot be read after all
                    reader.problems.extend(exc.problems)
                problems = reader.problems + importer.problems
                if problems or dry_run:
                    raise _Rollback
                due.refresh(importer.touched_courses())
                audit("interchange.import", actor=actor, municipality=municipality,
                      details={"mode": "web" if municipality else "command", **importer.summary.counts(),
                               "warnings": len(reader.warnings)})
        except _Rollback:
            pass
    result = ImportResult(problems, importer.summary, dry_run, reader.warnings)
    if problems and not dry_run:
        audit("interchange.import_rejected", actor=actor, municipality=municipality,
              details={"problems": len(problems), "codes": sorted(problems.codes)})
    return result


@transaction.atomic
def do_export_package(target, *, actor=None, municipalities=None, progress=None, version=None, workers=0) -> dict:
    """Write the interchange package (whole installation, or ``municipalities``), in
    format ``version`` (None: the current, 2; 1 for an installation before templates).
    ``workers`` ≥ 1 writes the answers out in that many forked processes (the command line)."""
    version = version or exporter.VERSION
    counts = exporter.export_package(target, municipalities=municipalities, progress=progress, version=version,
                                     workers=workers)
    audit("interchange.export", actor=actor, details={
        "municipalities": sorted(str(m.code) for m in municipalities) if municipalities is not None else "all",
        "version": version, **counts,
    })
    return counts


@dataclass(frozen=True)
class EvaluatorExportOptions:
    municipalities: tuple
    instruments: tuple
    format: str
    purpose: str
    include_text: bool = False
    shift_dates: bool = False
    # CSV only: text starting like a formula gets a leading ' (formats.escape_formula).
    csv_escape: bool = True
    extra: dict = field(default_factory=dict)


class ExportRefused(Exception):
    pass


def do_evaluator_export(directory, options: EvaluatorExportOptions, *, actor) -> dict:
    """Pseudonymised tables for an evaluator, written to ``directory``; returns counts.

    The actor must hold the evaluator role in every municipality exported, and a purpose
    must be given: both are checked here, not only by the page, since the command line
    calls this too. The data is read outside a transaction, from the read replica when
    one is configured (lib/replica.py); the audit event is written on the primary before
    the caller can hand out a file."""
    purpose = (options.purpose or "").strip()
    if not purpose:
        raise ExportRefused("purpose")
    if not options.municipalities or not all(actor.has_role(Role.EVALUATOR, m) for m in options.municipalities):
        raise PermissionDenied
    if options.format not in formats.WRITERS:
        raise ExportRefused("format")
    with from_replica():
        tables, counts, codebooks = extract.build_tables(
            options.municipalities, options.instruments, include_text=options.include_text,
            shift_dates=options.shift_dates,
        )
    files = formats.write_all(tables, directory, options.format, escape_formulas=options.csv_escape)
    formats.write_codebook(directory, codebooks)
    formats.write_about(directory, options, counts, codebooks)
    with transaction.atomic():
        audit("evaluator.export", actor=actor, details={
            "purpose": purpose, "format": options.format, "instruments": list(options.instruments),
            "municipalities": sorted(str(m.code) for m in options.municipalities),
            "include_text": options.include_text, "shift_dates": options.shift_dates, "files": len(files),
            **({"csv_escape": options.csv_escape} if options.format == "csv" else {}), **counts,
        })
    return counts

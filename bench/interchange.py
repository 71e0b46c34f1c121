"""Benchmark: import and export of a generated interchange package of 10,000 courses.

Not a test. Run from the repository root:

    .venv/bin/python bench/interchange.py [--courses 10000] [--keep DIR]

It makes a temporary SQLite database (development settings, nothing else touched),
generates the package with ``overgang.synthetic.package`` (a full 12-month course per
citizen: registration, cti_start, stars every 2 months, cti_ongoing every 2 months,
cti_end, with missing time points, pauses, 88/99 answers and awkward free text), then
times ``do_import_package`` and ``do_export_package``, each in a fresh process so that
each phase's peak memory (``resource.getrusage``) is its own. Targets (2-core machine):
import < 60 s, export < 30 s, memory < 1 GB.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"import": 60.0, "export": 30.0}
MEMORY_TARGET_MB = 1024.0


def _setup(database):
    sys.path.insert(0, str(ROOT))
    os.environ["OVERGANG_MODE"] = "development"
    os.environ["DJANGO_SETTINGS_MODULE"] = "overgang.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    import django

    django.setup()


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def phase(name, database, package, output):
    """One timed phase in this process; prints one JSON line."""
    _setup(database)
    from django.core.management import call_command

    if name == "migrate":
        call_command("migrate", verbosity=0)
        from overgang.instruments.models import sync_definitions

        sync_definitions()
        print(json.dumps({"phase": name}))
        return
    if name == "generate":
        from overgang.synthetic import package as cohort

        started = time.perf_counter()
        counts = cohort.write_cohort(package, courses=int(output), seed=2026)
        print(json.dumps({"phase": name, "seconds": time.perf_counter() - started, "counts": counts}))
        return
    from overgang.exports.actions import default_workers, do_export_package, do_import_package

    started = time.perf_counter()
    if name == "import":
        result = do_import_package(package, workers=default_workers())
        if not result.ok:
            sys.exit("import failed: " + "; ".join(str(p) for p in result.problems[:5]))
        counts = dict(result.summary.created)
    elif name == "reimport":
        result = do_import_package(package, workers=default_workers())
        counts = dict(result.summary.unchanged)
    else:
        counts = do_export_package(output)
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    print(json.dumps({"phase": name, "seconds": seconds, "peak_mb": _peak_mb(), "worker_peak_mb": children,
                      "counts": counts}))


def _run(*args):
    out = subprocess.run([sys.executable, __file__, "--phase", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", type=int, default=10_000)
    parser.add_argument("--keep", help="keep the package, database and export in this directory")
    parser.add_argument("--reimport", action="store_true", help="also time a second (idempotent) import")
    parser.add_argument("--phase", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(*args.phase)
        return
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="overgang-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    database, package, export = work / "bench.sqlite3", work / "package", work / "export"
    for path in (database, Path(str(database) + "-wal"), Path(str(database) + "-shm")):
        path.unlink(missing_ok=True)
    _run("migrate", str(database), "-", "-")
    generated = _run("generate", str(database), str(package), str(args.courses))
    size = sum(p.stat().st_size for p in package.iterdir())
    print(f"package: {generated['counts']} ({size / 1e6:.0f} MB), generated in {generated['seconds']:.1f} s")
    results = [_run("import", str(database), str(package), "-")]
    if args.reimport:
        results.append(_run("reimport", str(database), str(package), "-"))
    results.append(_run("export", str(database), str(package), str(export)))
    rows = generated["counts"]
    total_rows = sum(rows.values())
    print(f"{'phase':<9} {'seconds':>8} {'rows/s':>9} {'answers/s':>10} {'peak MB':>8} {'worker MB':>9}  target")
    for r in results:
        target = TARGETS.get(r["phase"], TARGETS["import"])
        speed = f"{total_rows / r['seconds']:9.0f} {rows['answers'] / r['seconds']:10.0f}"
        print(f"{r['phase']:<9} {r['seconds']:8.1f} {speed}"
              f" {r['peak_mb']:8.0f} {r['worker_peak_mb']:9.0f}  {r['seconds'] / target:.0%} of {target:.0f} s, "
              f"{r['peak_mb'] / MEMORY_TARGET_MB:.0%} of 1 GB")
    if not args.keep:
        import shutil

        shutil.rmtree(work)


if __name__ == "__main__":
    main()

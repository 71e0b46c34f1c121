"""The benchmarks of issue 15, run by ``bench/run`` (see bench/README.md).

For each database (SQLite; PostgreSQL 15 in a private cluster this script starts and
stops) and each size (10,000 and 50,000 courses) it builds an installation with
``overgang generate`` — or reuses the one built before under ``--workdir`` — and measures:

- pages over HTTP against gunicorn, 8 concurrent clients (threads), each request of an
  operation followed by a request of ``/status/`` on the same server (the floor), so the
  floor is measured under the same load in the same run;
- the national report (``overgang report --format json``), beside the headline measures
  computed with pandas from an export, as an evaluator would;
- the import of 10,000 courses into an empty installation and the export of an
  installation (``overgang import`` / ``overgang export``).

It prints median and p95 per operation with the ratio to the floor, the growth from
10,000 to 50,000 courses and SQLite against PostgreSQL, checks the targets, and writes
everything as JSON under ``--workdir``. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import load

ROOT = Path(__file__).resolve().parent.parent
SEED = 15
MUNICIPALITIES = 4  # 50,000 courses: about 18,000 citizens in the largest municipality
PASSWORD = "bench-password-not-for-production"
CLIENTS = 8
PGBIN = Path("/usr/lib/postgresql/15/bin")
IMPORT_COURSES = 10_000

# Targets of issue 15 (p95 in ms unless said otherwise); "floor" = at most 3x the floor's p95.
WORKER_PAGE = {"p95_ms": 100, "floor_ratio": 3}
TARGETS = {
    "caseload": WORKER_PAGE, "my_week": WORKER_PAGE, "citizen_page": WORKER_PAGE, "form_page": WORKER_PAGE,
    "save_star_answer": {"p95_ms": 150}, "complete_record": {"p95_ms": 150},
    "leader_caseload": {"p95_ms": 300}, "team_page": {"p95_ms": 300}, "fidelity_page": {"p95_ms": 300},
    "report_page": {"p95_ms": 300}, "citizen_pdf": {"p95_ms": 1000},
    "national_report": {"median_s": 5.0, "growth": 5.5}, "import": {"median_s": 30.0}, "export": {"median_s": 15.0},
}


# ---------------------------------------------------------------------------- databases


class SQLite:
    name = "sqlite"

    def __init__(self, workdir: Path):
        self.dir = workdir / "sqlite"
        self.dir.mkdir(parents=True, exist_ok=True)

    def url(self, db):
        return f"sqlite:///{self.dir / (db + '.sqlite3')}"

    def exists(self, db):
        return (self.dir / f"{db}.sqlite3").exists()

    def drop(self, db):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.dir / db}.sqlite3{suffix}").unlink(missing_ok=True)

    def copy(self, source, target):
        self.drop(target)
        shutil.copy(self.dir / f"{source}.sqlite3", self.dir / f"{target}.sqlite3")

    def rename(self, source, target):
        self.drop(target)
        os.rename(self.dir / f"{source}.sqlite3", self.dir / f"{target}.sqlite3")

    def analyze(self, db):
        pass

    def start(self):
        pass

    def stop(self):
        pass

    def version(self):
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"


class Postgres:
    """A private PostgreSQL 15 cluster under the workdir (kept between runs for reuse),
    started on a private socket and port for the run and stopped after it."""

    name = "postgresql"

    def __init__(self, workdir: Path):
        self.data = workdir / "pg" / "data"
        self.socket = None
        self.port = None

    def _pg(self, *args, check=True, capture=True):
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=capture, text=True)

    def start(self):
        if not (PGBIN / "initdb").exists():
            sys.exit("PostgreSQL 15 is not installed (Debian: postgresql-15; bench/run installs it)")
        self.data.parent.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres")
        if not (self.data / "PG_VERSION").exists():
            self._pg(PGBIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                     "--locale=C.UTF-8")
        self.socket = Path(tempfile.mkdtemp(prefix="overgang-bench-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.socket, "postgres")
        self.port = _free_port()
        # Production-like durability (fsync on); memory sized for a 24 GB, 2-core machine.
        options = (f"-p {self.port} -k {self.socket} -c listen_addresses='' -c shared_buffers=1GB "
                   f"-c effective_cache_size=8GB -c work_mem=32MB -c maintenance_work_mem=512MB "
                   f"-c max_wal_size=4GB -c max_connections=100")
        self._pg(PGBIN / "pg_ctl", "-D", self.data, "-l", self.data.parent / "log", "-w", "-o", options, "start")

    def stop(self):
        if self.socket is not None:
            self._pg(PGBIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", check=False)
            shutil.rmtree(self.socket, ignore_errors=True)
            self.socket = None

    def _psql(self, sql, db="postgres"):
        return self._pg(PGBIN / "psql", "-h", self.socket, "-p", self.port, "-U", "postgres", "-d", db, "-tA",
                        "-v", "ON_ERROR_STOP=1", "-c", sql)

    def url(self, db):
        return f"postgres://postgres@/{db}?host={self.socket}&port={self.port}"

    def exists(self, db):
        return self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'").stdout.strip() == "1"

    def drop(self, db):
        self._psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

    def create(self, db):
        self._psql(f'CREATE DATABASE "{db}"')

    def copy(self, source, target):
        self.drop(target)
        self._psql(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')

    def rename(self, source, target):
        self.drop(target)
        self._psql(f'ALTER DATABASE "{source}" RENAME TO "{target}"')

    def analyze(self, db):
        self._psql("VACUUM ANALYZE", db)

    def version(self):
        return self._psql("SHOW server_version").stdout.strip().join(("PostgreSQL ", ""))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------- the application


class Env:
    """The environment of an installation: settings by environment variables, as in production."""

    def __init__(self, workdir: Path, url: str):
        keys = workdir / "field-keys"
        if not keys.exists():
            from cryptography.fernet import Fernet

            keys.write_text(Fernet.generate_key().decode() + "\n")
        self.vars = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("OVERGANG_", "DATABASE_", "SECRET_KEY"))},
            "DATABASE_URL": url, "OVERGANG_MODE": "development", "OVERGANG_FIELD_KEYS_FILE": str(keys),
            "SECRET_KEY": "bench-" + "x" * 60, "OVERGANG_TOTP_WAIVED": "true", "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "overgang.settings", "PYTHONPATH": str(ROOT), "LOG_LEVEL": "ERROR",
            "OVERGANG_VAR_DIR": str(workdir / "var"),
            # The workers' sessions wait while the leader pages are measured (minutes at
            # 50,000 courses): the production idle timeout (15 min) would log them out.
            "OVERGANG_IDLE_TIMEOUT_MINUTES": "720",
            # One key store for every database of the work directory: the databases are
            # copied and renamed, and each copy's citizens must find their keys.
            "OVERGANG_KEY_STORE": f"sqlite:///{(workdir / 'keys.sqlite3').resolve()}",
        }

    def run(self, *args, timeout=None):
        """``overgang ARGS`` in this installation; (seconds, stdout)."""
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "overgang.cli", *args], env=self.vars, cwd=ROOT, text=True,
                              capture_output=True, timeout=timeout)
        seconds = time.perf_counter() - began
        if done.returncode != 0:
            sys.exit(f"overgang {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return seconds, done.stdout

    def script(self, *args):
        done = subprocess.run([sys.executable, *args], env=self.vars, cwd=ROOT, text=True, capture_output=True)
        if done.returncode != 0:
            sys.exit(f"{' '.join(args)} failed:\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])


class Server:
    """gunicorn with the production README's setup (sync workers), on a private port."""

    def __init__(self, env: Env, workers: int):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "overgang.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--timeout", "300", "--log-level", "warning"],
            env=env.vars, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if load.Client(self.port).get("/status/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        sys.exit("gunicorn did not answer /status/")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


# ---------------------------------------------------------------------------- one installation


def build(database, env_for, workdir, size, fresh, log):
    """The installation of ``size`` courses (reused unless ``fresh``), and its build facts."""
    name = f"bench_{size}"
    facts_path = workdir / f"{database.name}-{name}.json"
    if database.exists(name) and facts_path.exists() and not fresh:
        # An installation built by an older checkout is brought up to this one's schema,
        # as an upgrade would (a no-op when nothing changed).
        env_for(name).run("migrate", "--verbosity", "0")
        # A migration may rewrite rows (a new kept column): the statistics and visibility
        # map are brought up to date as autovacuum would after an upgrade.
        database.analyze(name)
        return name, json.loads(facts_path.read_text())
    building = f"{name}_building"
    database.drop(building)
    if database.name == "postgresql":
        database.create(building)
    env = env_for(building)
    env.run("migrate", "--verbosity", "0")
    log(f"[{database.name} {size}] generating {size:,} courses …")
    cpu_before = os.times()
    seconds, out = env.run("generate", "--courses", str(size), "--seed", str(SEED), "--municipalities",
                           str(MUNICIPALITIES), "--password", PASSWORD)
    cpu = os.times()
    database.analyze(building)
    database.rename(building, name)
    facts = {"generate_seconds": seconds, "generate_cpu_seconds": cpu.children_user + cpu.children_system -
             cpu_before.children_user - cpu_before.children_system, "built": dt.date.today().isoformat(),
             "counts": _counts(out)}
    facts_path.write_text(json.dumps(facts, indent=2))
    log(f"[{database.name} {size}] generated in {seconds:.0f} s")
    return name, facts


def _counts(out):
    return {m.group(1): int(m.group(2).replace(",", "")) for m in re.finditer(r"^\s+(\w+)\s+([\d,]+)$", out, re.M)}


def pages(env, workdir, database, size, rounds, log):
    """Every page operation over HTTP; {operation: result}."""
    codes_file = workdir / f"{database.name}-bench_{size}-drafts.json"
    env.script("bench/fixtures.py", "clean", str(codes_file))
    fixtures = env.script("bench/fixtures.py", "prepare", str(CLIENTS), str(rounds["complete"]))
    codes_file.write_text(json.dumps(fixtures["drafts"]))
    clients = fixtures["clients"]
    if len(clients) < CLIENTS:
        sys.exit(f"only {len(clients)} running courses with three stars in the largest municipality")
    available = env.script("bench/routes.py")
    server = Server(env, workers=5)
    results = {"fixtures": {"municipality_citizens": fixtures["municipality_citizens"]}}
    try:
        workers = [load.Session(server.port, c["worker"], PASSWORD) for c in clients]
        leaders = [load.Session(server.port, fixtures["leader"], PASSWORD) for _ in clients]
        for operation in load.operations(clients, fixtures, available):
            log(f"[{database.name} {size}] {operation.name} …")
            if operation.skip:
                results[operation.name] = {"skipped": operation.skip}
                continue
            sessions = leaders if operation.as_leader else workers
            results[operation.name] = load.measure(sessions, operation, rounds.get(operation.name, rounds["pages"]))
    finally:
        server.stop()
    env.script("bench/fixtures.py", "clean", str(codes_file))
    return results


def batch(database, env_for, name, workdir, size, runs, log):
    """The national report (beside pandas), the export, and (at 10,000) the import."""
    env = env_for(name)
    out = {}
    report = workdir / f"report-{database.name}-{size}.json"
    log(f"[{database.name} {size}] national report …")
    # Computed every run (--fresh); then as kept while the data is unchanged (evaluation/kept.py).
    out["national_report"] = _series([env.run("report", "--format", "json", "--output", str(report), "--fresh")[0]
                                      for _ in range(runs)])
    out["national_report_kept"] = _series([env.run("report", "--format", "json", "--output", str(report))[0]
                                           for _ in range(runs)])
    export = workdir / f"export-{database.name}-{size}"
    log(f"[{database.name} {size}] export …")
    times = []
    for _ in range(runs):
        shutil.rmtree(export, ignore_errors=True)
        times.append(env.run("export", str(export))[0])
    out["export"] = _series(times)
    began = time.perf_counter()
    import pandas_headlines

    pandas_headlines.headlines(export)
    out["national_report"]["pandas_seconds"] = time.perf_counter() - began
    shutil.rmtree(export, ignore_errors=True)
    if size == IMPORT_COURSES:
        out["import"] = _import(database, env_for, workdir, runs, log)
    return out


def import_inputs(database, env_for, workdir, log):
    """What the import benchmark reads and imports into: the generated package of 10,000
    courses and an empty, migrated installation (both kept under the workdir)."""
    package = workdir / f"package-{IMPORT_COURSES}"
    if not database.exists("bench_empty") and database.name == "postgresql":
        database.create("bench_empty")
    env_for("bench_empty").run("migrate", "--verbosity", "0")  # the current schema, also when reused
    if not (package / "manifest.json").exists():
        # Written in the empty installation's environment (the generator reads its
        # instrument versions), so after that is created and migrated.
        log(f"[{database.name}] writing the {IMPORT_COURSES:,}-course import package …")
        subprocess.run([sys.executable, "-c", (
            "import django, sys; django.setup(); from overgang.synthetic import package; "
            f"package.write_cohort(sys.argv[1], courses={IMPORT_COURSES}, seed={SEED})"), str(package)],
            env=env_for("bench_empty").vars, cwd=ROOT, check=True)
    return package


def _import(database, env_for, workdir, runs, log):
    package = import_inputs(database, env_for, workdir, log)
    times = []
    for n in range(runs):
        log(f"[{database.name}] import of {IMPORT_COURSES:,} courses, run {n + 1} …")
        database.copy("bench_empty", "bench_import")
        times.append(env_for("bench_import").run("import", str(package))[0])
    database.drop("bench_import")
    return _series(times)


def _series(seconds):
    ordered = sorted(seconds)
    return {"runs": seconds, "median_s": statistics.median(ordered), "p95_s": load.percentile(ordered, 95)}


# ---------------------------------------------------------------------------- report


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    import django

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory, "python": platform.python_version(),
            "django": django.get_version(), "load_average": os.getloadavg(), "date": dt.datetime.now().isoformat()}


def verdict(name, result, growth=None):
    target = TARGETS.get(name)
    if not target or "skipped" in result:
        return ""
    misses = []
    if "p95_ms" in target and result.get("p95_ms", 0) > target["p95_ms"]:
        misses.append(f"p95 > {target['p95_ms']} ms")
    if "floor_ratio" in target and result.get("ratio_p95", 0) > target["floor_ratio"]:
        misses.append(f"> {target['floor_ratio']}x floor")
    if "median_s" in target and result.get("median_s", 0) > target["median_s"]:
        misses.append(f"median > {target['median_s']} s")
    if "growth" in target and growth is not None and growth > target["growth"]:
        misses.append(f"50k/10k > {target['growth']}")
    return "MISSED: " + "; ".join(misses) if misses else "ok"


def print_results(results, out=sys.stdout):
    def line(text=""):
        print(text, file=out)

    line(f"Machine: {results['machine']['cpu']}, {results['machine']['cores']} cores, "
         f"{results['machine']['memory_gb']} GB; Python {results['machine']['python']}, Django "
         f"{results['machine']['django']}; load average at start {results['machine']['load_average']}")
    for key, run in results["runs"].items():
        line()
        line(f"== {key}: {run.get('version', '')}; installation built {run['build'].get('built')} "
             f"(generate: {run['build'].get('generate_seconds', 0):.0f} s wall, "
             f"{run['build'].get('generate_cpu_seconds', 0):.0f} s CPU)")
        line(f"{'operation':<18} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'floor med':>10} {'floor p95':>10} "
             f"{'p95/floor':>9}  target")
        for name, r in run["pages"].items():
            if name == "fixtures":
                continue
            if "skipped" in r:
                line(f"{name:<18} skipped: {r['skipped']}")
                continue
            line(f"{name:<18} {r['n']:>4} {r['median_ms']:>10.1f} {r['p95_ms']:>8.1f} {r['floor_median_ms']:>10.1f} "
                 f"{r['floor_p95_ms']:>10.1f} {r['ratio_p95']:>9.2f}  {verdict(name, r)}")
            if "first_round_ms" in r:
                line(f"{'':<18} first round after a change (computed, the others waiting for it): "
                     f"{r['first_round_ms']:.0f} ms; the rounds above are the kept report")
        for name, r in run["batch"].items():
            extra = f"; pandas headlines {r['pandas_seconds']:.2f} s, report/pandas " \
                    f"{r['median_s'] / r['pandas_seconds']:.2f}" if "pandas_seconds" in r else ""
            growth = results.get("growth", {}).get(key.rsplit(" ", 1)[0], {}).get(name)
            line(f"{name:<18} runs {', '.join(f'{s:.2f}' for s in r['runs'])} s: median {r['median_s']:.2f} s"
                 f"{extra}  {verdict(name, r, growth)}")
    if results.get("growth"):
        line()
        line("Growth 50,000 / 10,000 courses (median; p95 for pages):")
        for database, ratios in results["growth"].items():
            line(f"  {database}: " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
    if results.get("engines"):
        line()
        line("SQLite / PostgreSQL (p95 for pages, median for the rest):")
        for size, ratios in results["engines"].items():
            line(f"  {size}: " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))


def _headline(r):
    return r.get("p95_ms") or (r.get("median_s") or 0) * 1000


def compare(results):
    runs = results["runs"]
    growth, engines = {}, {}
    for key, run in runs.items():
        database, size = key.rsplit(" ", 1)
        merged = {**run["pages"], **run["batch"]}
        if size == "50000" and f"{database} 10000" in runs:
            small = {**runs[f"{database} 10000"]["pages"], **runs[f"{database} 10000"]["batch"]}
            growth[database] = {k: _headline(v) / _headline(small[k]) for k, v in merged.items()
                                if k in small and k != "fixtures" and "skipped" not in v and _headline(small[k])}
        if database == "sqlite" and f"postgresql {size}" in runs:
            other = {**runs[f"postgresql {size}"]["pages"], **runs[f"postgresql {size}"]["batch"]}
            engines[size] = {k: _headline(v) / _headline(other[k]) for k, v in merged.items()
                             if k in other and k != "fixtures" and "skipped" not in v and _headline(other[k])}
    results["growth"], results["engines"] = growth, engines


# ---------------------------------------------------------------------------- main


def installations(args, log):
    """Each database of the run, started, with each size's installation built or reused:
    (database name, database, env_for, size, installation name, build facts)."""
    for database_name in args.databases:
        database = (SQLite if database_name == "sqlite" else Postgres)(args.workdir)
        database.start()
        try:
            def env_for(db, database=database):
                return Env(args.workdir, database.url(db))

            for size in args.sizes:
                name, facts = build(database, env_for, args.workdir, size, args.fresh, log)
                yield database_name, database, env_for, size, name, facts
        finally:
            database.stop()


def build_only(args, log):
    """Build the installations a later run measures (on a quiet machine), and nothing else."""
    began = time.perf_counter()
    for database_name, database, env_for, size, _name, facts in installations(args, log):
        log(f"[{database_name} {size}] ready: built {facts.get('built')}, generate "
            f"{facts.get('generate_seconds', 0):.0f} s wall")
        if size == IMPORT_COURSES and not args.no_batch:
            import_inputs(database, env_for, args.workdir, log)
    log(f"built in {time.perf_counter() - began:.0f} s; measure with the same --workdir, without --build-only")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--databases", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--workdir", type=Path, default=Path("/var/tmp/overgang-bench"))
    parser.add_argument("--fresh", action="store_true", help="build the installations again")
    parser.add_argument("--rounds", type=int, default=20, help="requests per client per page operation")
    parser.add_argument("--runs", type=int, default=3, help="runs of the report, import and export")
    parser.add_argument("--only", nargs="+", help="page operations to measure (default: all)")
    parser.add_argument("--no-batch", action="store_true", help="pages only (no report, import, export)")
    parser.add_argument("--build-only", action="store_true",
                        help="build (or bring up to date) the installations and the import's inputs, measure nothing")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    load.ONLY = set(args.only or ())
    rounds = {"pages": args.rounds, "complete": max(2, args.rounds // 4), "report_page": args.rounds + 1,
              "citizen_pdf": max(2, args.rounds // 4), "complete_record": max(2, args.rounds // 4)}

    def log(text):
        print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)

    if args.build_only:
        build_only(args, log)
        return
    results = {"machine": machine(), "runs": {}}
    for database_name, database, env_for, size, name, facts in installations(args, log):
        run = {"version": database.version(), "build": facts,
               "pages": pages(env_for(name), args.workdir, database, size, rounds, log),
               "batch": {} if args.no_batch else batch(database, env_for, name, args.workdir, size,
                                                      args.runs, log)}
        results["runs"][f"{database_name} {size}"] = run
        # Each size's figures are kept as soon as they exist: a later failure
        # (or an interrupted run) does not lose them.
        (args.workdir / "results-partial.json").write_text(json.dumps(results, indent=2, default=str))
        log(f"[{database_name} {size}] done; figures so far in {args.workdir / 'results-partial.json'}")
    results["machine"]["load_average_at_end"] = os.getloadavg()
    compare(results)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (args.workdir / f"results-{stamp}.json").write_text(json.dumps(results, indent=2, default=str))
    print_results(results)
    print(f"\n(results: {args.workdir / f'results-{stamp}.json'})")


if __name__ == "__main__":
    main()

"""Benchmark: the JSON evaluation report on generated data (10,000 and 50,000 courses).

    .venv/bin/python bench/report.py                 # both sizes, data cached in /tmp
    .venv/bin/python bench/report.py --sizes 10000   # one size
    .venv/bin/python bench/report.py --fresh         # regenerate the data

Each size runs in its own process with its own SQLite database (generated once and kept
under ``--workdir``). It times ``overgang report --format json`` end to end (queries,
computation, writing the file), and — in the same run — a straightforward pandas
computation of the headline measures (WHO-5 mean and risk share by point, star mean by
point, paid last month by point) from the interchange export (``records.csv`` and
``answers.csv``), written as an evaluator would. Targets (issue 6): < 20 s for 50,000
courses on a 2-core machine, and 50k/10k ≤ 5.5.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUNICIPALITIES = ("Aalborg", "Aarhus", "København", "Odense")


# ---------------------------------------------------------------------------- generation


def _who5(rng, level):
    total = max(0, min(25, round(level / 4 + rng.gauss(0, 2))))
    items = [0] * 5
    for _ in range(total):
        candidates = [i for i in range(5) if items[i] < 5]
        items[rng.choice(candidates)] += 1
    return {f"who5_{i + 1}": str(v) for i, v in enumerate(items)}


DIMS = ("dim_motivation", "dim_selfcare", "dim_money", "dim_network", "dim_substance",
        "dim_physical", "dim_mental", "dim_time", "dim_housing", "dim_offending")


def _star(rng, month, coded, gain):
    answers = {"possible": "1" if rng.random() > 0.03 else str(rng.choice((2, 3, 4)))}
    if coded:
        answers["time_point"] = str(min(7, month // 2 + 1))
    if answers["possible"] != "1":
        return answers
    answers["goal"] = str(rng.choice((1, 2)))
    for name in DIMS:
        if rng.random() > 0.02:
            answers[name] = str(max(1, min(10, round(6 + gain * month / 12 + rng.gauss(0, 1.5)))))
    paid = rng.random() < max(0.1, 0.5 - 0.03 * month)
    answers["paid_last_month"] = "1" if paid else "2"
    if paid:
        answers["paid_count"] = str(rng.randint(1, 20))
        answers["paid_motives"] = " ".join(str(c) for c in sorted(rng.sample(range(1, 12), rng.randint(1, 3))))
    else:
        answers["considered"] = str(rng.choice((1, 2)))
    if rng.random() > 0.03:
        answers.update(_who5(rng, 38 + 2 * gain * month + rng.gauss(0, 10)))
    return answers


def _themes(rng):
    return {
        "income": " ".join(str(c) for c in sorted(rng.sample(range(1, 10), rng.randint(1, 2)))),
        "debt": str(rng.choice((1, 1, 1, 5, 99))),
        "housing_cost_difficulty": str(rng.choice((1, 2, 3, 4, 88, 99))),
        "home_functions_difficulty": str(rng.choice((1, 2, 3, 4, 99))),
        "network_lacking": str(rng.choice((1, 2, 3, 4, 99))),
        "partner": str(rng.choice((1, 5))),
        "children": str(rng.choice((1, 5))),
        "mental_problems": str(rng.choice((1, 2, 3, 4))),
        "mental_treatment": str(rng.choice((1, 5, 99))),
        "physical_limits": str(rng.choice((1, 2, 3, 4, 99))),
        "physical_longterm": str(rng.choice((1, 5))),
        "substance": str(rng.choice((1, 5, 99))),
        "employment": str(rng.choice((1, 2, 3, 4, 5, 5, 6, 7, 8, 99))),
        "activities_wish": str(rng.choice((1, 2, 3, 4))),
        **{f"need_{a}": str(rng.choice((1, 2, 3, 4, 99))) for a in
           ("economy", "housing", "network", "mental", "physical", "substance", "employment", "daily")},
        # Who knows (4.5): stored encrypted, as the application stores it.
        **{f"knows_{g}": str(rng.choice((1, 5, 99))) for g in
           ("partner", "siblings", "parents", "friends", "other_family")},
    }


def generate(n_courses, seed=6):
    """Rows for ``n_courses`` started courses (one per citizen) with their records."""
    rng = random.Random(seed)
    base = dt.date(2023, 1, 2)
    citizens, courses, pauses, records = [], [], [], []
    for i in range(n_courses):
        municipality = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        citizens.append((f"c{i}", municipality))
        start = base + dt.timedelta(days=rng.randint(0, 900))
        length = rng.choice((3, 5, 6, 8, 9, 10, 11, 12, 12, 12, 12, 13, 14))
        ended = rng.random() < 0.9
        pause_days = 0
        if rng.random() < 0.1:
            pause_start = start + dt.timedelta(days=rng.randint(40, 200))
            pause_days = rng.randint(14, 60)
            pauses.append((f"k{i}", pause_start, pause_start + dt.timedelta(days=pause_days)))
        end = start + dt.timedelta(days=round(length * 30.44) + pause_days)
        courses.append((f"k{i}", f"c{i}", start, end if ended else None, "ended" if ended else "active"))
        gain = rng.uniform(-0.5, 2.5)

        def add(instrument, day, answers, respondent=""):
            records.append((f"r{len(records)}", f"c{i}", f"k{i}", instrument, day, respondent, answers))

        registration = {
            "birth_date": (start - dt.timedelta(days=rng.randint(18 * 365, 50 * 365))).isoformat(),
            "gender": str(rng.choice((1, 1, 1, 1, 2, 3))), "citizenship": str(rng.choice((1, 1, 1, 2))),
            "goal": str(rng.choice((1, 2))), "school_edu": str(rng.randint(1, 5)), "voc_edu": str(rng.randint(1, 6)),
            "first_paid": str(rng.randint(1, 8)), "last_paid": str(rng.randint(1, 8)),
            "arenas": " ".join(str(c) for c in sorted(rng.sample(range(1, 9), 2))), "payment": "1",
        }
        records.append((f"r{len(records)}", f"c{i}", "", "registration", start, "", registration))
        if rng.random() < 0.95:
            add("cti_start", start, {"contact_route": str(rng.choice((1, 2, 3, 4, 5, 6, 7, 99))), **_themes(rng)})
        for k, month in enumerate((2, 4, 6, 8, 10)):
            if month > length or rng.random() < 0.1:
                continue
            add("cti_ongoing", start + dt.timedelta(days=round(month * 30.44)), {
                "phase": str(k + 1), "months": str(month), "meeting_frequency": str(rng.randint(1, 5)),
                "plan_exists": str(rng.choice((1, 1, 1, 5))), "plan_citizen_took_part": "1", "plan_agreements": "1",
                "plan_evaluated": str(rng.choice((1, 5))), "plan_adjusted": str(rng.choice((1, 5))),
                "plan_needs_met": str(rng.randint(1, 4)), **_themes(rng),
            })
        for month in range(0, 13, 2):
            if month > length or rng.random() < 0.2:
                continue
            day = start + dt.timedelta(days=round(month * 30.44) + (pause_days if month > 4 else 0))
            add("star", day, _star(rng, month, rng.random() > 0.05, gain), "citizen")
            if rng.random() < 0.05:
                add("star", day, _star(rng, month, True, gain), "worker")
        if ended and rng.random() < 0.85:
            add("cti_end", end, {"months": str(length), "end_reasons": str(rng.randint(1, 8)), **_themes(rng)})
    return citizens, courses, pauses, records


def load_into_database(citizens, courses, pauses, records):
    from overgang.accounts.models import Municipality
    from overgang.citizens.models import Citizen
    from overgang.courses.models import Course, Pause
    from overgang.instruments.models import current_version
    from overgang.lib import crypto
    from overgang.measurements.codec import AnswerCodec
    from overgang.measurements.models import Record
    from overgang.programmes import registry as template_registry
    from overgang.programmes.models import current_version as current_template_version

    munis = {name: Municipality.objects.create(name=name) for name in MUNICIPALITIES}
    Citizen.objects.bulk_create(
        [Citizen(municipality=munis[m], pseudonym=p, data_key=crypto.new_wrapped_key()) for p, m in citizens],
        batch_size=5000,
    )
    citizen_ids = dict(Citizen.objects.values_list("pseudonym", "pk"))
    data_keys = dict(Citizen.objects.values_list("pk", "data_key"))
    codec = AnswerCodec()
    template = current_template_version(template_registry.DEFAULT)
    Course.objects.bulk_create([
        Course(external_id=k, citizen_id=citizen_ids[c], template_version=template, status=status,
               first_contact_on=start, start_date=start, end_date=end)
        for k, c, start, end, status in courses
    ], batch_size=5000)
    course_ids = dict(Course.objects.values_list("external_id", "pk"))
    Pause.objects.bulk_create([Pause(course_id=course_ids[k], start_date=s, end_date=e) for k, s, e in pauses])
    versions = {name: current_version(name) for name in ("registration", "star", "cti_start", "cti_ongoing", "cti_end")}
    built = {name: version.instrument() for name, version in versions.items()}
    batch = []
    for rid, c, k, instrument, day, respondent, answers in records:
        citizen_pk = citizen_ids[c]
        batch.append(Record(
            external_id=rid, citizen_id=citizen_pk, course_id=course_ids.get(k), instrument=instrument,
            instrument_version=versions[instrument], template_version=template, status="completed", filled_on=day,
            respondent=respondent,
            **codec.encode(built[instrument], answers, data_keys[citizen_pk]),
        ))
        if len(batch) >= 10000:
            Record.objects.bulk_create(batch)
            batch = []
    Record.objects.bulk_create(batch)


def write_export(directory: Path, citizens, courses, pauses, records):
    """The interchange package's CSV files (interchange.md) for the pandas comparison."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "citizens.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["citizen_id", "municipality", "worker", "created_on"])
        w.writerows((c, m, "", "") for c, m in citizens)
    with open(directory / "courses.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["course_id", "citizen_id", "start_date", "end_date", "status", "phase2_start", "phase3_start"])
        w.writerows((k, c, s, e or "", status, "", "") for k, c, s, e, status in courses)
    with open(directory / "pauses.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["course_id", "start_date", "end_date"])
        w.writerows(pauses)
    with open(directory / "records.csv", "w", newline="", encoding="utf-8") as f, \
            open(directory / "answers.csv", "w", newline="", encoding="utf-8") as g:
        w, a = csv.writer(f), csv.writer(g)
        w.writerow(["record_id", "citizen_id", "course_id", "instrument", "filled_on", "respondent"])
        a.writerow(["record_id", "item", "value"])
        for rid, c, k, instrument, day, respondent, answers in records:
            w.writerow((rid, c, k, instrument, day, respondent))
            a.writerows((rid, item, value) for item, value in answers.items())


# ---------------------------------------------------------------------------- the pandas way


def pandas_headlines(directory: Path) -> dict:
    """Headline measures from an export, the way an evaluator would write them in pandas."""
    import numpy as np
    import pandas as pd

    records = pd.read_csv(directory / "records.csv", dtype=str)
    answers = pd.read_csv(directory / "answers.csv", dtype=str)
    courses = pd.read_csv(directory / "courses.csv", dtype=str, parse_dates=["start_date"])
    stars = records[records.instrument == "star"]
    wide = (answers[answers.record_id.isin(stars.record_id)]
            .pivot(index="record_id", columns="item", values="value")
            .apply(pd.to_numeric, errors="coerce"))
    stars = stars.set_index("record_id").join(wide)
    stars = stars[stars.possible == 1]
    stars = stars.merge(courses[["course_id", "start_date"]], on="course_id")
    days = (pd.to_datetime(stars.filled_on) - stars.start_date).dt.days
    even = 2 * np.floor(days / 30.4375 / 2 + 0.5)
    derived = np.clip(even // 2 + 1, 1, 7)
    stars["tp"] = stars.time_point.fillna(derived)
    stars["citizen_first"] = (stars.respondent == "citizen").astype(int)
    stars = (stars.sort_values(["citizen_first", "filled_on"])
             .drop_duplicates(["course_id", "tp"], keep="last"))
    who5 = stars[[f"who5_{i}" for i in range(1, 6)]]
    stars["who5"] = who5.sum(axis=1, min_count=5) * 4
    stars["at_risk"] = (stars.who5 <= 50).where(stars.who5.notna())
    stars["star_mean"] = stars[list(DIMS)].mean(axis=1)
    stars["paid"] = (stars.paid_last_month == 1).where(stars.paid_last_month.isin([1, 2]))
    points = stars[stars.tp.isin([1, 2, 4, 6, 7])]
    table = points.groupby("tp").agg(
        who5_n=("who5", "count"), who5_mean=("who5", "mean"), at_risk=("at_risk", "mean"),
        star_n=("star_mean", "count"), star_mean=("star_mean", "mean"), paid=("paid", "mean"),
    )
    return table.to_dict()


# ---------------------------------------------------------------------------- running


def child(size, workdir: Path, fresh: bool):
    database = workdir / f"report-{size}.sqlite3"
    export = workdir / f"export-{size}"
    if fresh and database.exists():
        database.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("OVERGANG_MODE", "development")
    os.environ["DJANGO_SETTINGS_MODULE"] = "overgang.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    if not database.exists() or not (export / "answers.csv").exists():
        if database.exists():
            database.unlink()
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        rows = generate(size)
        load_into_database(*rows)
        write_export(export, *rows)
        print(f"[{size}] generated {len(rows[3])} records in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    output = workdir / f"report-{size}.json"
    timings = []
    for _ in range(3):
        began = time.perf_counter()
        call_command("report", format="json", output=str(output), stderr=open(os.devnull, "w"))
        timings.append(time.perf_counter() - began)
    began = time.perf_counter()
    pandas_headlines(export)
    pandas_seconds = time.perf_counter() - began
    report = json.loads(output.read_text(encoding="utf-8"))
    print(json.dumps({
        "size": size, "report_seconds": min(timings), "report_runs": timings, "pandas_seconds": pandas_seconds,
        "courses": report["counts"]["courses_started"], "stars_start": report["counts"]["stars"]["start"],
    }))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 50000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/overgang-bench-report"))
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.child:
        child(args.child, args.workdir, args.fresh)
        return
    results = {}
    for size in args.sizes:
        command = [sys.executable, __file__, "--child", str(size), "--workdir", str(args.workdir)]
        if args.fresh:
            command.append("--fresh")
        done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
        sys.stderr.write(done.stderr)
        results[size] = json.loads(done.stdout.strip().splitlines()[-1])
        r = results[size]
        print(f"{size:>6} courses: report {r['report_seconds']:.2f} s (runs {', '.join(f'{t:.2f}' for t in r['report_runs'])}); "
              f"pandas headlines {r['pandas_seconds']:.2f} s; report/pandas = {r['report_seconds'] / r['pandas_seconds']:.2f}")
    if 10000 in results and 50000 in results:
        ratio = results[50000]["report_seconds"] / results[10000]["report_seconds"]
        verdict = "ok" if results[50000]["report_seconds"] < 20 and ratio <= 5.5 else "MISSED"
        print(f"50k/10k = {ratio:.2f} (target ≤ 5.5); 50k under 20 s: {results[50000]['report_seconds'] < 20} — {verdict}")


if __name__ == "__main__":
    main()

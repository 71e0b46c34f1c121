"""A generated world written as an interchange package (tests and benchmarks of the
import, export and report).

The same lives as ``database.py`` writes, as `overgang-interchange/1` holds them
(interchange.md): started courses with their pauses, completed records with their
answers; contact periods and drafts are not part of a package, and registrations and
`not_started` forms are written without a course. Ids are stable for a seed —
citizens ``Borger-000001``, courses ``F000001``, records ``R000001-reg``, ``-start``,
``-star01``…, ``-ong01``…, ``-end``, ``-ns`` — so a test can name a row. The default
``answers.LEGACY`` profile gives what older platforms and paper forms hand over: gaps
(records imported as incomplete), many 88/99 answers and awkward free text.
"""

from __future__ import annotations

import datetime as dt

from overgang.exports.writer import PackageWriter
from overgang.instruments import registry

from . import answers, lives

PACKAGE_INSTRUMENTS_WITHOUT_COURSE = ("registration", "not_started")


def write_cohort(target, *, courses: int, municipalities=("Aby Kommune", "Bby Kommune"), workers_per_municipality=3,
                 worker_names=None, seed=1, profile: answers.Profile = answers.LEGACY,
                 today: dt.date = dt.date(2018, 1, 1), years: float = 3.0, source="generated cohort") -> dict:
    """Write a package of ``courses`` generated citizens (each with a contact period or a
    course) to ``target``; return the counts of rows written."""
    workers = worker_names or {
        m: [f"cti_{i}_{k}" for k in range(1, workers_per_municipality + 1)] for i, m in enumerate(municipalities, 1)
    }
    options = lives.Options(courses=courses, seed=seed, municipalities=tuple(municipalities), today=today,
                            years=years, profile=profile, workers=workers)
    world = lives.plan(options)
    instruments = registry.all_instruments()
    out = PackageWriter(target, version=1)  # format 1: every generated course is of the default template
    counts = {"citizens": 0, "courses": 0, "pauses": 0, "records": 0, "answers": 0}
    for citizen in lives.citizens(world):
        course = citizen.course
        started = course.status in ("active", "ended")
        citizen_id = f"Borger-{citizen.index:06d}" if started else f"Kontakt-{citizen.index:06d}"
        out.writerow("citizens.csv", [citizen_id, citizen.municipality, citizen.worker, citizen.created_on.isoformat()])
        counts["citizens"] += 1
        course_id = f"F{citizen.index:06d}" if started else ""
        if started:
            out.writerow("courses.csv", [course_id, citizen_id, course.start_date.isoformat(),
                                         _iso(course.end_date), course.status, _iso(course.phase2_start),
                                         _iso(course.phase3_start)])
            counts["courses"] += 1
            for start, end, _reason in course.pauses:
                out.writerow("pauses.csv", [course_id, start.isoformat(), _iso(end)])
                counts["pauses"] += 1
        for record in course.records:
            if record.status != "completed":
                continue
            record_id = f"R{citizen.index:06d}-{record.label}"
            own = "" if record.instrument in PACKAGE_INSTRUMENTS_WITHOUT_COURSE else course_id
            out.writerow("records.csv", [record_id, citizen_id, own, record.instrument, record.filled_on.isoformat(),
                                         record.respondent])
            instrument = instruments[record.instrument]
            for name, value in record.answers.items():
                item = instrument.item(name)
                out.writerow("answers.csv", [record_id, name, item.handler.serialise(item, value)])
            counts["records"] += 1
            counts["answers"] += len(record.answers)
    out.close(exported_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).isoformat(), source=source)
    return counts


def _iso(day):
    return day.isoformat() if day else ""

"""A generated cohort written as an interchange package, for tests and the benchmark.

Every answer is drawn item by item in form order from what the instrument allows at
that point (codes incl. 88/99/8, ranges, date bounds, exclusive codes), and only for
items the skip logic shows, so the package is valid by construction. Required items
are left out now and then (legacy gaps: the record is imported as incomplete), star
time points go missing, courses pause, and free text is as awkward as it gets: commas,
quotes, line breaks (``\\n`` and ``\\r\\n``), æøå and surrounding spaces.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from overgang.instruments import expressions, registry
from overgang.instruments.types import Context

from .writer import PackageWriter

NASTY_TEXTS = (
    "Hun sagde: \"Jeg vil ud\", og så græd hun.",
    "Linje et\nlinje to, med komma",
    "Windows-linjer\r\nogså; æ ø å Æ Ø Å",
    "  mellemrum før og efter  ",
    '"',
    "=SUM(A1:A2) ikke en formel",
    "Ålborg, Ærø, Øresund — «citat» ’apostrof’",
    "tabulator\tog, komma,,,",
)


@dataclass(frozen=True)
class Profile:
    """How much a course holds; the default is a full 12-month course."""

    star_months: tuple = (0, 2, 4, 6, 8, 10, 12)
    ongoing_months: tuple = (2, 4, 6, 8, 10)
    drop_rate: float = 0.25  # a time point without its star or form
    gap_rate: float = 0.03  # a required answer left out
    text_rate: float = 0.3  # a free-text item that is answered
    pause_rate: float = 0.25
    ended_rate: float = 0.7
    not_started_rate: float = 0.05  # extra citizens whose contact did not start


def write_cohort(target, *, courses: int, municipalities=("Aby Kommune", "Bby Kommune"), workers_per_municipality=3,
                 worker_names=None, seed=1, profile: Profile = Profile(), source="generated cohort") -> dict:
    """Write a package of ``courses`` courses (one citizen each) to ``target``; return counts."""
    rng = random.Random(seed)
    # The instruments as an Exit prostitution course has them: a generated package is
    # of format version 1, whose courses are all of the default template.
    from overgang.programmes import registry as templates

    default = templates.get_template(templates.DEFAULT)
    instruments = {name: default.restrict(instrument) for name, instrument in registry.all_instruments().items()}
    out = PackageWriter(target, version=1)  # generated cohorts are of the default template
    counts = {"citizens": 0, "courses": 0, "pauses": 0, "records": 0, "answers": 0}
    workers = worker_names or {
        m: [f"cti_{i}_{k}" for k in range(1, workers_per_municipality + 1)] for i, m in enumerate(municipalities, 1)
    }

    def record(record_id, citizen_id, course_id, name, filled_on, respondent=""):
        answers = random_answers(instruments[name], filled_on, rng, profile)
        out.writerow("records.csv", [record_id, citizen_id, course_id, name, filled_on.isoformat(), respondent])
        for item, value in answers.items():
            out.writerow("answers.csv", [record_id, item, value])
        counts["records"] += 1
        counts["answers"] += len(answers)

    for k in range(1, courses + 1):
        municipality = municipalities[k % len(municipalities)]
        citizen_id = f"Borger-{k:06d}"
        start = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(0, 3 * 365))
        out.writerow("citizens.csv", [citizen_id, municipality, rng.choice(workers[municipality]),
                                      (start - dt.timedelta(days=rng.randrange(1, 30))).isoformat()])
        counts["citizens"] += 1
        record(f"R{k:06d}-reg", citizen_id, "", "registration", start - dt.timedelta(days=1))
        course_id = f"F{k:06d}"
        pause_days = 0
        pause = None
        if rng.random() < profile.pause_rate:
            pause_start = start + dt.timedelta(days=rng.randrange(40, 200))
            pause_days = rng.randrange(14, 60)
            pause = (pause_start, pause_start + dt.timedelta(days=pause_days))
        ended = rng.random() < profile.ended_rate
        end = start + dt.timedelta(days=365 + pause_days)
        early_pause = pause and pause[0] < start + dt.timedelta(days=122)
        phase2 = start + dt.timedelta(days=122 + (pause_days if early_pause else 0))
        phase3 = phase2 + dt.timedelta(days=122)
        out.writerow("courses.csv", [course_id, citizen_id, start.isoformat(), end.isoformat() if ended else "",
                                     "ended" if ended else "active", phase2.isoformat(), phase3.isoformat()])
        counts["courses"] += 1
        if pause:
            out.writerow("pauses.csv", [course_id, pause[0].isoformat(), pause[1].isoformat()])
            counts["pauses"] += 1
        record(f"R{k:06d}-start", citizen_id, course_id, "cti_start", start)
        for month in profile.star_months:
            if month == 12 and not ended:
                continue
            if month not in (0,) and rng.random() < profile.drop_rate:
                continue  # a missing time point
            record(f"R{k:06d}-star{month:02d}", citizen_id, course_id, "star", _month(start, month, pause_days),
                   rng.choice(("citizen", "worker")))
        for month in profile.ongoing_months:
            if rng.random() < profile.drop_rate:
                continue
            record(f"R{k:06d}-ong{month:02d}", citizen_id, course_id, "cti_ongoing", _month(start, month, pause_days))
        if ended:
            record(f"R{k:06d}-end", citizen_id, course_id, "cti_end", end)
        if rng.random() < profile.not_started_rate:
            other = f"Kontakt-{k:06d}"
            out.writerow("citizens.csv", [other, municipality, "", ""])
            counts["citizens"] += 1
            record(f"R{k:06d}-ns", other, "", "not_started", start)
    out.close(exported_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).isoformat(), source=source)
    return counts


def _month(start, month, pause_days):
    return start + dt.timedelta(days=round(month * 30.44) + (pause_days if month >= 4 else 0))


def random_answers(instrument, filled_on, rng, profile: Profile = Profile()) -> dict[str, str]:
    """Interchange strings for a valid record: item by item, only where the form shows it."""
    values: dict = {}
    out: dict[str, str] = {}
    for item in instrument.items:
        if item.is_note or not expressions.evaluate(item.relevance, values):
            continue
        if item.handler.free_text:
            if rng.random() < profile.text_rate:
                out[item.name] = rng.choice(NASTY_TEXTS)
            continue
        if item.required and rng.random() < profile.gap_rate:
            continue
        if not item.required and rng.random() < 0.4:
            continue
        value = _value(item, filled_on, values, rng)
        if value is None:
            continue
        values[item.name] = value
        out[item.name] = item.handler.serialise(item, value)
    return out


def _value(item, filled_on, values, rng):
    """Any answer the item allows (its type draws it); a birth date makes an adult."""
    context = Context(filled_on=filled_on, answers=values)
    if item.name == "birth_date":
        lo, _hi = item.handler.limits(item, context)
        lo = max(lo or filled_on - dt.timedelta(days=700), filled_on - dt.timedelta(days=365 * 60))
        return item.handler.draw_any(item, rng, context, limits=(lo, filled_on - dt.timedelta(days=365 * 18)))
    return item.handler.draw_any(item, rng, context)

"""Small cohorts whose report is known by construction, built straight into the ORM.

Records are created completed, with their answers as interchange strings (the report
reads only those), so that each test states exactly what is stored.
"""

import datetime as dt

from overgang.citizens.models import Citizen
from overgang.courses.models import Course, Pause
from overgang.instruments import registry
from overgang.instruments.models import current_version
from overgang.measurements.codec import AnswerCodec
from overgang.measurements.models import Record
from overgang.programmes import registry as template_registry
from overgang.programmes.models import current_version as current_template_version

D = dt.date


def citizen(municipality, name, worker=None):
    return Citizen.objects.create(municipality=municipality, pseudonym=name, worker=worker)


def course(person, start, *, status="active", end=None, template=None):
    version = current_template_version(template or template_registry.DEFAULT)
    return Course.objects.create(citizen=person, template_version=version, status=status, first_contact_on=start,
                                 start_date=start, end_date=end)


def pause(of, start, end):
    return Pause.objects.create(course=of, start_date=start, end_date=end)


def record(person, instrument, day, answers, *, of=None, respondent="", status="completed", template=None):
    """A record stored as the application stores it (through the answer codec: free text
    and the items declared sealed encrypted), of its course's template (else ``template``,
    else the default)."""
    version = current_version(instrument)
    values = {k: str(v) for k, v in answers.items() if v is not None}
    template_version = of.template_version if of is not None else current_template_version(
        template or template_registry.DEFAULT)
    return Record.objects.create(
        citizen=person, course=of, instrument=instrument, instrument_version=version,
        template_version=template_version,
        status=status, filled_on=day, respondent=respondent,
        **AnswerCodec().encode(version.instrument(), values, person.data_key),
    )


def star(of, day, *, tp=None, who5=None, dims=None, paid=None, considered=None, motives=None, possible=1,
         respondent="citizen", missing_dims=()):
    """A star: ``who5`` one score for all five items or a 5-tuple (None = unanswered),
    ``dims`` one score for all ten dimensions except ``missing_dims``."""
    answers = {"possible": possible, "time_point": tp}
    if who5 is not None:
        items = who5 if isinstance(who5, tuple) else (who5,) * 5
        answers.update({f"who5_{i + 1}": v for i, v in enumerate(items)})
    if dims is not None:
        dimensions = registry.get_instrument("star").score("star_mean").items
        answers.update({name: dims for name in dimensions if name not in missing_dims})
    answers.update({"paid_last_month": paid, "considered": considered, "paid_motives": motives})
    return record(of.citizen, "star", day, answers, of=of, respondent=respondent)


def form(of, instrument, day, **answers):
    return record(of.citizen, instrument, day, answers, of=of)


def registration(person, day, **answers):
    return record(person, "registration", day, answers)


def main_cohort(world):
    """Four started courses and one contact that did not start, in municipality A.

    C1: ended, full course (start, derived phase 1, end), every form.
    C2: ended after 5 months; a worker's star and a declined star beside the citizen's
        start star; no start form (the first phase-1 ongoing form stands in), 99 answers.
    C3: active, paused for 31 days; a star without time point that the pause moves
        from the transition to phase 1; missing WHO-5 item and two missing dimensions.
    C4: ended without an end form; two start forms (the later counts).
    """
    a = world.a
    p1, p2, p3, p4, p5 = (citizen(a, name, world.worker) for name in ("Ask", "Birk", "Eg", "Hyld", "Pil"))
    c1 = course(p1, D(2026, 1, 1), status="ended", end=D(2026, 12, 31))
    c2 = course(p2, D(2026, 1, 1), status="ended", end=D(2026, 6, 1))
    c3 = course(p3, D(2026, 6, 1), status="active")
    c4 = course(p4, D(2026, 2, 1), status="ended", end=D(2026, 5, 1))
    pause(c3, D(2026, 7, 1), D(2026, 8, 1))
    Course.objects.create(citizen=p5, template_version=current_template_version(template_registry.DEFAULT),
                          status="not_started", first_contact_on=D(2026, 3, 1))
    record(p5, "not_started", D(2026, 3, 20), {"gender": 1, "citizenship": 2, "referred_on": 1})

    star(c1, D(2026, 1, 1), tp=1, who5=2, dims=5, paid=1, motives="2 3")
    star(c1, D(2026, 3, 1), who5=3, dims=6, paid=2, considered=1)  # 59 days: phase 1
    star(c1, D(2026, 12, 31), tp=7, who5=4, dims=7, paid=2, considered=2)
    star(c2, D(2026, 1, 1), tp=1, who5=1, dims=4, paid=1, motives="2")
    star(c2, D(2026, 1, 5), tp=1, who5=5, dims=10, paid=2, considered=2, respondent="worker")
    star(c2, D(2026, 1, 6), tp=1, possible=3)
    star(c3, D(2026, 6, 1), tp=1, who5=3, dims=6)
    # 122 days, 31 of them paused: 91 active days = 2.99 months -> 2 -> phase 1
    star(c3, D(2026, 10, 1), who5=(3, 3, 3, 3, None), dims=6, missing_dims=("dim_housing", "dim_offending"),
         paid=1, motives="8")
    star(c4, D(2026, 2, 1), tp=1, who5=2, dims=5, paid=2)

    form(c1, "cti_start", D(2026, 1, 1), income="1 5", debt=1, housing_cost_difficulty=88, home_functions_difficulty=2,
         network_lacking=1, mental_problems=1, employment=5, activities_wish=3, physical_limits=4, substance=1,
         contact_route=1, knows_partner=1, knows_friends=5)
    form(c1, "cti_ongoing", D(2026, 3, 1), phase=1, months=2, meeting_frequency=1, plan_exists=1,
         plan_citizen_took_part=1, plan_agreements=5)
    form(c1, "cti_ongoing", D(2026, 5, 1), phase=2, months=4)
    form(c1, "cti_ongoing", D(2026, 7, 1), phase=3, months=6, meeting_frequency=4, plan_exists=1, plan_evaluated=1,
         plan_adjusted=5, plan_needs_met=2)
    form(c1, "cti_end", D(2026, 12, 31), months=12, income="5", debt=5, housing_cost_difficulty=3,
         home_functions_difficulty=4, network_lacking=2, mental_problems=3, employment=2, activities_wish=4,
         physical_limits=1, substance=5, end_reasons="2")
    form(c2, "cti_ongoing", D(2026, 3, 1), phase=1, months=2, meeting_frequency=5, plan_exists=5, income="99",
         substance=5, mental_problems=99, debt=99, knows_partner=5)
    form(c2, "cti_ongoing", D(2026, 3, 15), phase=1, months=3, meeting_frequency=2, plan_exists=1,
         plan_citizen_took_part=1, plan_agreements=1)
    form(c2, "cti_end", D(2026, 6, 1), months=5, income="1", mental_problems=1, employment=99, end_reasons="4 5")
    form(c3, "cti_start", D(2026, 6, 1), income="99", debt=1, mental_problems=2, employment=8, substance=5,
         housing_cost_difficulty=1, contact_route=99, knows_partner=99)
    form(c4, "cti_start", D(2026, 1, 20), income="5", knows_partner=5)
    form(c4, "cti_start", D(2026, 2, 1), income="1", substance=99, mental_problems=4, employment=1, knows_partner=1)

    registration(p1, D(2026, 1, 1), goal=1, last_paid=1, first_paid=6, gender=1, citizenship=1, school_edu=3,
                 birth_date="1990-06-15")
    registration(p2, D(2026, 1, 1), goal=2, last_paid=4, first_paid=7, gender=1, citizenship=2, school_edu=4)
    registration(p3, D(2026, 6, 1), goal=1, last_paid=2, first_paid=2, gender=2)
    registration(p4, D(2026, 2, 1), goal=2, first_paid=88)
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4}

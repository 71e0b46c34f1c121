"""Fictional courses for the demo: every state of a course, with plausible stars and forms.

Seeded only for demo citizens that have no course yet, so running the demo again adds
nothing. Dates are relative to today, so the caseload always looks alive.
"""

import datetime as dt
import random

from django.db import transaction

from overgang.accounts.demo import DEMO_MUNICIPALITY
from overgang.citizens.models import Citizen
from overgang.courses import actions
from overgang.courses.schedule import add_months
from overgang.instruments import codebook
from overgang.measurements import actions as record_actions
from overgang.programmes import actions as template_actions
from overgang.programmes.registry import DEFAULT
from overgang.synthetic.answers import draw

#: The demo municipality's second course template, with a course in every state.
SECOND = "homelessness"


def _record(course, instrument, day, rng, fixed=None, respondent=""):
    record = actions.do_start_course_record(course, instrument, actor=course.citizen.worker, filled_on=day,
                                            respondent=respondent)
    # Only what the course's template asks (a homelessness star has no paid_last_month).
    fixed = {name: value for name, value in (fixed or {}).items() if record.definition.has_item(name)}
    answers = draw(record.definition, day, rng, {**record.get_answers(), **fixed})
    record_actions.do_save_answers(record, answers, actor=course.citizen.worker, version=record.version)
    record.refresh_from_db()
    record_actions.do_complete_record(record, actor=course.citizen.worker, version=record.version)
    return record


def _star(course, day, rng, level, who5):
    goals = list(course.template_version.template().goals)  # [1, 2] for Exit prostitution
    fixed = {"possible": 1, "goal": rng.choice(goals), "paid_last_month": 2, "considered": rng.choice([1, 2])}
    star = codebook.current("star")
    for name in star.score("star_mean").items:
        fixed[name] = max(1, min(10, level + rng.randint(-2, 2)))
    for name in star.score("who5_index").items:
        fixed[name] = max(0, min(5, who5 + rng.randint(-1, 1)))
    return _record(course, "star", day, rng, fixed, respondent=rng.choice(["citizen", "worker"]))


def _course(citizen, today, *, months_ago, rng, stars=True, until=None, template=DEFAULT):
    start = today - dt.timedelta(days=int(months_ago * 30.4))
    course = actions.do_register_first_contact(
        citizen, actor=citizen.worker, first_contact_on=start - dt.timedelta(days=21), contact_route=rng.randint(1, 6),
        third_party=rng.random() < 0.5, template=template,
    )
    actions.do_log_contact(course, actor=citizen.worker, date=start - dt.timedelta(days=14), form="meeting", minutes=60)
    actions.do_start_course(course, actor=citizen.worker, start_date=start)
    _record(course, "registration", start, rng)
    _record(course, "cti_start", start, rng)
    last = until or today
    level, who5 = rng.randint(2, 4), rng.randint(2, 3)
    day, month = start, 0
    while stars and day <= last:
        _star(course, day, rng, level, who5)
        if month:
            _record(course, "cti_ongoing", day + dt.timedelta(days=rng.randint(0, 5)), rng)
        level, who5, month = level + rng.choice([0, 1, 1]), min(5, who5 + rng.choice([0, 0, 1])), month + 2
        day = start + dt.timedelta(days=int(month * 30.4))
    for weeks in range(1, 60, 2):
        contact_day = start + dt.timedelta(weeks=weeks)
        if contact_day > last - dt.timedelta(days=3):
            break
        form, minutes = rng.choice(["meeting", "phone", "sms"]), rng.choice([15, 30, 60, 90])
        # The richer log without disturbing the random sequence above: now and then an
        # accompaniment with a third party, an unanswered call, an evening call.
        extra = {}
        if weeks % 7 == 3:
            form, extra = "accompaniment", {"third_party": True}
        elif weeks % 9 == 5:
            form, minutes, extra = "phone", 5, {"reached": False}
        elif weeks % 4 == 1 and form == "phone":
            extra = {"outside_hours": True}
        actions.do_log_contact(course, actor=citizen.worker, date=contact_day, form=form, minutes=minutes, **extra)
    return course


def _plan(course, rng, phase=1):
    for area, goal in rng.sample([("housing", "Have min egen lejlighed"), ("economy", "Styr på regningerne"),
                                  ("mental", "Få det bedre med mig selv"), ("network", "Se min søster igen"),
                                  ("work", "Begynde på et kursus")], 3):
        focus = actions.do_add_focus_area(course, actor=course.citizen.worker, phase=phase, area=area, goal=goal,
                                          citizen_took_part=True)
        actions.do_add_activity(focus, actor=course.citizen.worker, what="Møde med " + dict(
            housing="boligkontoret", economy="økonomisk rådgiver", mental="psykolog", network="familien",
            work="jobcentret")[area], actor_kind=dict(housing="housing", economy="caseworker", mental="psychologist",
                                                     network="private", work="jobcenter")[area],
            due_date=course.start_date + dt.timedelta(days=45))
        if focus.course.start_date + dt.timedelta(days=75) < dt.date.today() and area != "economy":
            # Most of what was due long ago has been done ("Min uge" shows what was not).
            actions.do_set_activity_status(focus.activities.get(), actor=course.citizen.worker, status="done")


def _end(course, today, rng, reasons):
    _star(course, today, rng, 6, 3)
    _record(course, "cti_end", today, rng, {"end_reasons": reasons})
    actions.do_end_course(course, actor=course.citizen.worker, end_date=today)


@transaction.atomic
def seed_courses(today=None):
    today = today or dt.date.today()
    rng = random.Random(2017)
    citizens = {c.pseudonym: c for c in Citizen.objects.filter(municipality__name=DEMO_MUNICIPALITY)}
    municipality = next(iter(citizens.values())).municipality if citizens else None
    if municipality is not None and not municipality.template_offers.exists():
        # The demo's CTI unit runs two target groups on one platform (issue 13).
        for name in (DEFAULT, SECOND):
            template_actions.do_change_template_offer(municipality, name, actor=None, offered=True)

    def fresh(name):
        citizen = citizens.get(name)
        return citizen if citizen is not None and not citizen.courses.exists() else None

    if c := fresh("Måge"):  # contact period
        course = actions.do_register_first_contact(c, actor=c.worker, first_contact_on=today - dt.timedelta(days=10),
                                                   contact_route=1, third_party=True, template=DEFAULT)
        actions.do_log_contact(course, actor=c.worker, date=today - dt.timedelta(days=7), form="sms", reached=False,
                               outside_hours=True)
        actions.do_log_contact(course, actor=c.worker, date=today - dt.timedelta(days=3), form="meeting", minutes=45,
                               third_party=True, note="Første møde på caféen sammen med NGO-kontaktpersonen.")
    if c := fresh("Bølge"):  # just started: the start forms are due now
        course = actions.do_register_first_contact(c, actor=c.worker, first_contact_on=today - dt.timedelta(days=30),
                                                   contact_route=2, third_party=False, template=DEFAULT)
        actions.do_start_course(course, actor=c.worker, start_date=today - dt.timedelta(days=5))
    if c := fresh("Solsikke"):  # phase 1, the month-4 star and form can be filled in now
        _plan(_course(c, today, months_ago=3.6, rng=rng), rng)
    if c := fresh("Havørn"):  # phase 2
        course = _course(c, today, months_ago=6.2, rng=rng)
        _plan(course, rng)
        actions.do_change_phase(course, actor=c.worker, date=add_months(course.start_date, 4))
        _plan(course, rng, phase=2)
        actions.do_add_plan_event(course, actor=c.worker, kind="evaluation", date=today - dt.timedelta(days=20),
                                  citizen_took_part=True, note="Boligdelen går godt; økonomien halter.")
    if c := fresh("Æble"):  # phase 2, a star overdue and no contact for a month
        course = _course(c, today, months_ago=4.6, rng=rng, until=today - dt.timedelta(days=40))
        actions.do_change_phase(course, actor=c.worker, date=add_months(course.start_date, 4))
    if c := fresh("Lærke"):  # phase 3: the handover
        course = _course(c, today, months_ago=10.3, rng=rng)
        _plan(course, rng)
        actions.do_change_phase(course, actor=c.worker, date=add_months(course.start_date, 4))
        actions.do_change_phase(course, actor=c.worker, date=add_months(course.start_date, 8))
        actions.do_add_network_member(course, actor=c.worker, role="housing", name="Bostøtten", contact="",
                                      takes_over="Besøg hver uge")
        actions.do_add_network_member(course, actor=c.worker, role="ngo", name="Netværksgruppen", contact="",
                                      takes_over="Gruppemøder hver anden torsdag")
        actions.do_add_handover_meeting(course, actor=c.worker, kind="network", date=today - dt.timedelta(days=12), note="")
    if c := fresh("Birk"):  # paused
        course = _course(c, today, months_ago=5, rng=rng, until=today - dt.timedelta(days=20))
        actions.do_change_phase(course, actor=c.worker, date=add_months(course.start_date, 4))
        actions.do_pause(course, actor=c.worker, start_date=today - dt.timedelta(days=18), reason="Indlagt")
    if c := fresh("Ræv"):  # ended early after five months
        course = _course(c, today - dt.timedelta(days=60), months_ago=5, rng=rng)
        _end(course, today - dt.timedelta(days=60), rng, (5,))
    if c := fresh("Ask"):  # ended after twelve months
        course = _course(c, today - dt.timedelta(days=31), months_ago=12.1, rng=rng)
        actions.do_change_phase(course, actor=c.worker, date=add_months(course.start_date, 4))
        actions.do_change_phase(course, actor=c.worker, date=add_months(course.start_date, 8))
        _end(course, today - dt.timedelta(days=31), rng, (2,))
    if c := fresh("Stjerne"):  # a contact that did not become a course
        course = actions.do_register_first_contact(c, actor=c.worker, first_contact_on=today - dt.timedelta(days=90),
                                                   contact_route=3, third_party=False, template=DEFAULT)
        _record(course, "not_started", today - dt.timedelta(days=70), rng)
        actions.do_close_not_started(course, actor=c.worker)
    _seed_second(fresh, today)


def _seed_second(fresh, today):
    """Homelessness → own home courses in every state: 3 + 3 + 3 months, no question
    about selling sex anywhere (their own random sequence, so the Exit prostitution
    courses above stay exactly as they were)."""
    rng = random.Random(2026)
    if c := fresh("Mejse"):  # contact period
        course = actions.do_register_first_contact(c, actor=c.worker, first_contact_on=today - dt.timedelta(days=8),
                                                   contact_route=2, third_party=True, template=SECOND)
        actions.do_log_contact(course, actor=c.worker, date=today - dt.timedelta(days=4), form="meeting", minutes=30,
                               third_party=True, note="Mødt på herberget sammen med en medarbejder derfra.")
    if c := fresh("Odder"):  # just started
        course = actions.do_register_first_contact(c, actor=c.worker, first_contact_on=today - dt.timedelta(days=25),
                                                   contact_route=4, third_party=False, template=SECOND)
        actions.do_start_course(course, actor=c.worker, start_date=today - dt.timedelta(days=4))
    if c := fresh("Hyld"):  # phase 1
        _plan(_course(c, today, months_ago=2.1, rng=rng, template=SECOND), rng)
    if c := fresh("Pil"):  # phase 2
        course = _course(c, today, months_ago=4.2, rng=rng, template=SECOND)
        _plan(course, rng)
        actions.do_change_phase(course, actor=c.worker, date=add_months(course.start_date, 3))
    if c := fresh("Tjørn"):  # phase 3
        course = _course(c, today, months_ago=7.3, rng=rng, template=SECOND)
        _plan(course, rng)
        actions.do_change_phase(course, actor=c.worker, date=add_months(course.start_date, 3))
        actions.do_change_phase(course, actor=c.worker, date=add_months(course.start_date, 6))
        actions.do_add_network_member(course, actor=c.worker, role="housing", name="Bostøtten", contact="",
                                      takes_over="Besøg hver uge")
    if c := fresh("Lind"):  # paused
        course = _course(c, today, months_ago=4, rng=rng, until=today - dt.timedelta(days=15), template=SECOND)
        actions.do_change_phase(course, actor=c.worker, date=add_months(course.start_date, 3))
        actions.do_pause(course, actor=c.worker, start_date=today - dt.timedelta(days=12), reason="Indlagt")
    if c := fresh("Egern"):  # ended early after four months
        course = _course(c, today - dt.timedelta(days=40), months_ago=4, rng=rng, template=SECOND)
        _end(course, today - dt.timedelta(days=40), rng, (5,))
    if c := fresh("Kastanje"):  # ended after nine months in a home of her own
        course = _course(c, today - dt.timedelta(days=20), months_ago=9.1, rng=rng, template=SECOND)
        actions.do_change_phase(course, actor=c.worker, date=add_months(course.start_date, 3))
        actions.do_change_phase(course, actor=c.worker, date=add_months(course.start_date, 6))
        _end(course, today - dt.timedelta(days=20), rng, (1,))
    if c := fresh("Vibe"):  # a contact that did not become a course
        course = actions.do_register_first_contact(c, actor=c.worker, first_contact_on=today - dt.timedelta(days=60),
                                                   contact_route=3, third_party=False, template=SECOND)
        _record(course, "not_started", today - dt.timedelta(days=45), rng)
        actions.do_close_not_started(course, actor=c.worker)


GENERATED_COURSES = 60


@transaction.atomic
def seed_generated(today=None):
    """The demo's caseloads filled out by the generator: 60 more citizens of the demo
    workers, first contacted over the last three years (so a worker has about ten open
    courses and some ended ones, the leader a list to page through and the report
    numbers above the small-cell limit). Added once: not when the demo already holds
    citizens besides the hand-made ones."""
    from overgang.accounts.demo import CITIZENS
    from overgang.synthetic import database, lives

    hand_made = {name.casefold() for names in CITIZENS.values() for name in names}
    demo = Citizen.objects.filter(municipality__name=DEMO_MUNICIPALITY).values_list("pseudonym", flat=True)
    if any(name.casefold() not in hand_made for name in demo):
        return None
    options = lives.Options(courses=GENERATED_COURSES, seed=2017, today=today or dt.date.today(),
                            municipalities=(DEMO_MUNICIPALITY,), years=3, workers={DEMO_MUNICIPALITY: list(CITIZENS)})
    return database.write(lives.plan(options))

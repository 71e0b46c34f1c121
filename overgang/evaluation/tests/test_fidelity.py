"""Live fidelity from the daily registrations: the measures on hand-built rows whose
numbers are worked out in the comments, then the page (roles, suppression, names,
audit, query count)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from overgang.accounts.models import Membership, Municipality, Role
from overgang.audit.models import AuditEvent
from overgang.courses.models import Contact, Course, CourseSettings, FocusArea, HandoverMeeting
from overgang.evaluation import fidelity
from overgang.evaluation.fidelity_queries import Rows

from . import cohorts

D = dt.date
TODAY = D(2026, 6, 1)
PLAN = ((4, 4, 4), 2, 14)


def course(pk, worker, status, start, end=None, p2=None, p3=None):
    return (pk, worker, 1, status, start, end, p2, p3, *PLAN)


def hand_rows():
    """A (worker 1): active since 1.1.2026, phase 2 recorded 1.5.2026.
    B (worker 1): 1.5.2025–20.5.2026, phases 1.9.2025 and 1.1.2026; no forms at all.
    C (worker 2): active since 1.5.2026, in phase 1, one meeting, no forms.
    E (worker 2): active since 1.4.2026, nothing registered.
    D (worker 2) and F (no worker): open contact periods. Worker 3 has no courses.
    The cap is 1 course per worker."""
    rows = Rows(municipalities={1: "Aby Kommune"}, caps={1: 1})
    rows.courses = [
        course(1, 1, "active", D(2026, 1, 1), p2=D(2026, 5, 1)),
        course(2, 1, "ended", D(2025, 5, 1), end=D(2026, 5, 20), p2=D(2025, 9, 1), p3=D(2026, 1, 1)),
        course(3, 2, "active", D(2026, 5, 1)),
        course(5, 2, "active", D(2026, 4, 1)),
        (4, 2, 1, "contact", None, None, None, None, *PLAN),
        (6, None, 1, "contact", None, None, None, None, *PLAN),
    ]
    # A, phase 1 (1.1–30.4: 120 days): 20 meetings, 5 calls, 3 attempts that reached nobody.
    rows.contacts = [(1, D(2026, 1, 2 + i), "meeting") for i in range(20)]
    rows.contacts += [(1, D(2026, 2, 2 + i), "phone") for i in range(5)]
    rows.contacts += [(1, D(2026, 3, 2 + i), "outreach_attempt") for i in range(3)]
    # A, phase 2 (1.5–1.6: 32 days up to and including today): 2 meetings, 1 text.
    rows.contacts += [(1, D(2026, 5, 3), "meeting"), (1, D(2026, 5, 10), "meeting"), (1, D(2026, 5, 11), "sms")]
    rows.contacts += [(3, D(2026, 5, 2), "meeting")]
    rows.focus_areas = [(1, 1, True), (1, 1, True), (2, 1, False)]
    rows.plan_events = [(2, "evaluation", D(2025, 11, 1)), (2, "adjustment", D(2025, 11, 2))]
    rows.meetings = [(2, "network", D(2026, 3, 15)), (2, "handover", D(2026, 4, 1))]
    rows.records = [
        (1, 11, "registration", D(2026, 1, 1)), (1, 12, "cti_start", D(2026, 1, 5)), (1, 13, "star", D(2026, 1, 1)),
        (1, 14, "star", D(2026, 3, 20)),  # due 1.3, window 15.2–15.3: late
        (1, 15, "cti_ongoing", D(2026, 3, 1)),
    ]
    full = Decimal("1.00")
    rows.workers = [(1, 1, "anna", "Anna", "Andersen", "b", full), (2, 1, "bo", "Bo", "", "a", full),
                    (3, 1, "carla", "", "", "c", full)]
    return rows


def by_id(result):
    return {w["id"]: w for w in result["workers"]}


def test_contact_intensity_per_phase_from_the_log():
    result = fidelity.compute(hand_rows(), TODAY)
    anna, bo = by_id(result)[1], by_id(result)[2]
    a1 = anna["intensity"]["phase1"]
    # Phase 1: A 25 contacts (attempts are not contacts) in 120 days = 1.458/week, 20
    # physical = 1.167/week (weekly); B 0 in 123 days (1.5–31.8.2025).
    assert a1["n"] == 2
    assert a1["per_week"] == pytest.approx((25 * 7 / 120 + 0) / 2)
    assert a1["physical_per_week"] == pytest.approx((20 * 7 / 120) / 2)
    assert a1["weekly_physical"] == {"n": 2, "count": 1, "share": 0.5}
    # Phase 2: A 3 contacts in 32 days (0.656/week; 2 physical = 0.4375, not weekly); B 0.
    assert anna["intensity"]["phase2"]["per_week"] == pytest.approx((3 * 7 / 32) / 2)
    assert anna["intensity"]["phase2"]["weekly_physical"]["count"] == 0
    # Phase 3: only B (1.1–20.5.2026).
    assert anna["intensity"]["phase3"]["n"] == 1
    # Bo: C 1 meeting in 32 days, E nothing in 62 days; neither weekly.
    assert bo["intensity"]["phase1"]["n"] == 2
    assert bo["intensity"]["phase1"]["per_week"] == pytest.approx((7 / 32) / 2)
    assert bo["intensity"]["phase1"]["weekly_physical"]["count"] == 0
    # The team: A, B, C and E in phase 1.
    assert result["team"]["intensity"]["phase1"]["n"] == 4
    assert result["team"]["intensity"]["phase1"]["per_week"] == pytest.approx((25 * 7 / 120 + 7 / 32) / 4)


def test_a_phase_shorter_than_two_weeks_and_paused_days_do_not_count():
    rows = hand_rows()
    # C started 1.5.2026; a pause 3.5–25.5 leaves 32 − 22 = 10 active days: out.
    rows.pauses = [(3, D(2026, 5, 3), D(2026, 5, 25))]
    bo = by_id(fidelity.compute(rows, TODAY))[2]
    assert bo["intensity"]["phase1"]["n"] == 1  # only E


def test_plans_handover_and_caseload():
    result = fidelity.compute(hand_rows(), TODAY)
    anna, bo, carla = by_id(result)[1], by_id(result)[2], by_id(result)[3]
    # Plans: A (2 areas, both with the citizen) yes; B (1 area, not with the citizen) no.
    assert anna["plan_with_citizen"] == {"n": 2, "count": 1, "share": 0.5}
    # Evaluated in phase 2: B is past halfway (1.9.2025–1.1.2026) and evaluated 1.11.2025;
    # A is not halfway yet (1.5 + half of 1.5–1.9 = 1.7.2026).
    assert anna["evaluated_phase2"] == {"n": 1, "count": 1, "share": 1.0}
    # Phase 3 reached: B, with a network meeting and a handover talk.
    assert anna["network_meeting"] == {"n": 1, "count": 1, "share": 1.0}
    assert anna["handover_talk"]["share"] == 1.0
    # B's planned end 1.5.2026, so the handover was due by 1.3.2026; its first meeting
    # was 15.3: late. A's deadline (1.11.2026) has not come.
    assert anna["handover_in_time"] == {"n": 1, "count": 0, "share": 0.0}
    # Caseload: Anna 1 running course (B ended), Bo 2 (C, E) and 1 contact period; cap 1.
    assert anna["caseload"] == {"active": 1, "contact": 0, "cap": 1, "working_time": 1, "over_cap": False}
    assert bo["caseload"] == {"active": 2, "contact": 1, "cap": 1, "working_time": 1, "over_cap": True}
    assert carla["courses"] == 0 and carla["caseload"]["active"] == 0
    # The course without a responsible worker is its own group.
    assert by_id(result)[None]["caseload"]["contact"] == 1
    assert result["team"]["caseload"] == {"active": 3, "contact": 2, "cap": 3, "working_time": 3, "over_cap": False}


def test_the_cap_follows_each_workers_working_time():
    """Cap 4 per full-time worker. Anna 0.5 → 2 (1 running: fine); Bo 0.4 → 1.6, rounded
    down to 1 (2 running: over); Carla 0.75 → 3. The team: 4 × 1.65 = 6.6 → 6."""
    rows = hand_rows()
    rows.caps = {1: 4}
    rows.workers = [w[:6] + (Decimal(t),) for w, t in zip(rows.workers, ("0.50", "0.40", "0.75"))]
    result = fidelity.compute(rows, TODAY)
    anna, bo, carla = by_id(result)[1], by_id(result)[2], by_id(result)[3]
    assert (anna["caseload"]["cap"], anna["caseload"]["over_cap"]) == (2, False)
    assert (bo["caseload"]["cap"], bo["caseload"]["over_cap"]) == (1, True)
    assert carla["caseload"]["cap"] == 3 and carla["caseload"]["working_time"] == Decimal("0.75")
    assert result["team"]["caseload"]["cap"] == 6 and result["team"]["caseload"]["working_time"] == Decimal("1.65")


def test_the_cap_is_exact_where_a_float_would_round_down_wrongly():
    # 0.58 × 50 is 28.999999999999996 as a float; the cap is 29.
    assert fidelity.caseload_cap([(50, Decimal("0.58"))]) == 29
    assert fidelity.caseload_cap([(10, Decimal("0.75")), (10, Decimal("0.75"))]) == 15
    assert fidelity.caseload_cap([]) == 0


def test_a_worker_in_two_municipalities_has_both_caps():
    """Bo works 0.5 in Aby (cap 4) and 0.5 in Bby (cap 2): 2 + 1 = 3, against his
    courses in both; each municipality's own courses count only where shown."""
    rows = hand_rows()
    rows.municipalities[2] = "Bby Kommune"
    rows.caps = {1: 4, 2: 2}
    rows.workers = [(2, 1, "bo", "Bo", "", "a", Decimal("0.5")), (2, 2, "bo", "Bo", "", "a", Decimal("0.5"))]
    bo = by_id(fidelity.compute(rows, TODAY))[2]
    assert bo["municipalities"] == [1, 2]
    assert bo["caseload"]["cap"] == 3 and bo["caseload"]["working_time"] == 1


def test_measurements_on_time_and_missing_forms():
    result = fidelity.compute(hand_rows(), TODAY)
    anna, bo = by_id(result)[1], by_id(result)[2]
    on_time = anna["on_time"]
    # A: start (registration, cti_start, star) on time; 1.3: star late (20.3), ongoing on
    # time; 1.5 (window to 15.5): star and ongoing missing. B: nothing registered —
    # registration, cti_start, star at the start; stars and ongoing forms at 1.7, 1.9,
    # 1.11.2025, 1.1 and 1.3.2026; its end occasion (20.5, window to 3.6) is still open.
    assert on_time["registration"] == {"n": 2, "count": 1, "share": 0.5}
    assert on_time["cti_start"] == {"n": 2, "count": 1, "share": 0.5}
    assert on_time["star"] == {"n": 3 + 6, "count": 1, "share": 1 / 9}
    assert on_time["cti_ongoing"] == {"n": 2 + 5, "count": 1, "share": 1 / 7}
    assert on_time["cti_end"]["n"] == 0
    assert on_time["all"]["n"] == 2 + 2 + 9 + 7 and on_time["all"]["count"] == 4
    # Missing forms: B has no start form and, ended, no end form.
    assert anna["missing_start"] == {"n": 2, "count": 1, "share": 0.5}
    assert anna["missing_end"] == {"n": 1, "count": 1, "share": 1.0}
    # Attention: A has overdue measurements; B (ended) is not "overdue" but misses forms.
    assert anna["attention"]["overdue"] == 1 and anna["attention"]["missing_end"] == 1
    assert anna["attention"]["plan_without_citizen"] == 0  # B has ended: nothing to do
    # Bo: C and E lack start forms and are overdue; C in phase 1 meets less than weekly;
    # E is past phase 1? No (started 1.4): no plan is not yet a problem.
    assert bo["attention"]["missing_start"] == 2 and bo["attention"]["overdue"] == 2
    assert bo["attention"]["phase1_low_contact"] == 2 and bo["attention"]["plan_missing"] == 0


def test_every_kind_of_contact_in_the_log_is_counted_one_way():
    """A kind added to the contact log must say how contact intensity counts it."""
    assert {value for value, _label in Contact.Form.choices} <= set(fidelity.CONTACT_KINDS)
    assert set(fidelity.CONTACT_KINDS.values()) <= {"physical", "remote", "other", "attempt"}


# ---------------------------------------------------------------------------- the page


def live_cohort(world, courses=2):
    """``courses`` running courses of the worker, started 70 days ago, each with one
    meeting a week, the start's forms, a plan made with the citizen and a network meeting."""
    today = dt.date.today()
    made = []
    for i in range(courses):
        person = cohorts.citizen(world.a, f"Borger{i}", world.worker)
        course = cohorts.course(person, today - dt.timedelta(days=70))
        for week in range(11):  # 11 meetings in 71 days (start to today, both included)
            Contact.objects.create(course=course, date=course.start_date + dt.timedelta(days=7 * week), form="meeting")
        FocusArea.objects.create(course=course, phase=1, area="housing", citizen_took_part=True)
        HandoverMeeting.objects.create(course=course, kind="network", date=today - dt.timedelta(days=1))
        for instrument in ("cti_start", "star"):
            cohorts.form(course, instrument, course.start_date)
        cohorts.record(person, "registration", course.start_date, {}, of=course)
        made.append(course)
    return made


def test_a_leader_sees_named_workers_and_a_suppressed_team(client, world, login):
    live_cohort(world)
    login(world.leader)
    response = client.get(reverse("evaluation:fidelity"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Brug for opmærksomhed" in page and "Worker" in page and "Teammate" in page
    tables = {t.key: t for t in response.context["tables"]}
    rows = {label: values for label, values, _team in tables["caseload"].rows}
    # The worker's own figures exactly; the team's 2 running courses as "<5".
    assert rows["Worker"][0][1].text == "2"
    assert rows["Hele teamet"][0][1].text == "<5"
    contact = {label: values for label, values, _team in tables["contact"].rows}
    assert contact["Worker"][0][1].text == "1,1 pr. uge"  # 11 × 7 / 71
    assert contact["Hele teamet"][0][1].text == "(<5)"
    # Nothing about a single citizen: no pseudonym on the page.
    assert "Borger0" not in page and "Solsikke" not in page
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "fidelity.view" and event.actor_username == "leader"
    assert event.details["exact"] is False and event.details["period_months"] == 12


def test_an_evaluator_sees_exact_numbers_and_no_worker_names(client, world, login):
    live_cohort(world)
    login(world.evaluator)
    response = client.get(reverse("evaluation:fidelity"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Worker" not in page and "Teammate" not in page and "Medarbejder 1" in page
    tables = {t.key: t for t in response.context["tables"]}
    rows = {label: values for label, values, _team in tables["caseload"].rows}
    assert rows["Hele teamet"][0][1].text == "2"
    assert AuditEvent.objects.order_by("-seq").first().details["exact"] is True


def test_it_shows_what_needs_attention(client, world, login):
    today = dt.date.today()
    CourseSettings.objects.create(municipality=world.a, caseload_cap=1)
    live_cohort(world, courses=2)
    late = cohorts.course(cohorts.citizen(world.a, "Sen", world.teammate), today - dt.timedelta(days=40))
    Contact.objects.create(course=late, date=late.start_date, form="phone")
    login(world.leader)
    response = client.get(reverse("evaluation:fidelity"))
    attention = dict(response.context["attention"])
    assert attention["Worker"] == ["2 aktive forløb; loftet er 1"]
    assert "1 forløb mangler CTI-skema ved opstart" in attention["Teammate"]
    assert "1 forløb i 1. fase har haft fysisk kontakt sjældnere end ugentligt" in attention["Teammate"]


def test_a_part_time_workers_cap_shows_on_the_page(client, world, login):
    """Cap 4 per full-time worker; the worker on 0.5 of full time has 3 running courses
    against a cap of 2, and the leader reads both numbers and why."""
    from overgang.accounts.actions import do_set_working_time

    CourseSettings.objects.create(municipality=world.a, caseload_cap=4)
    live_cohort(world, courses=3)
    membership = Membership.objects.get(user=world.worker, municipality=world.a, role=Role.WORKER)
    do_set_working_time(membership, Decimal("0.5"), actor=world.administrator)
    login(world.leader)
    response = client.get(reverse("evaluation:fidelity"))
    rows = {label: dict((str(k), v.text) for k, v in values)
            for label, values, _team in {t.key: t for t in response.context["tables"]}["caseload"].rows}
    assert rows["Worker"] == {"Aktive forløb": "3", "Kontaktperioder": "0", "Arbejdstid": "0,5", "Loft": "2"}
    # The team: worker 0.5 and teammate 1.0 → 4 × 1.5 = 6.
    assert rows["Hele teamet"]["Arbejdstid"] == "1,5" and rows["Hele teamet"]["Loft"] == "6"
    attention = dict(response.context["attention"])
    assert attention["Worker"] == ["3 aktive forløb; loftet er 2 ved arbejdstid 0,5 af fuld tid"]
    assert "rundet ned" in response.content.decode()


def test_it_keeps_to_the_granted_municipalities(client, world, login):
    other = Municipality.objects.create(name="Cby Kommune")
    for persona in ("leader", "evaluator"):
        login(getattr(world, persona))
        for code in (world.b.code, other.code):
            assert client.get(reverse("evaluation:fidelity"), {"kommune": str(code)}).status_code == 404
    login(world.worker)
    assert client.get(reverse("evaluation:fidelity")).status_code == 403
    Membership.objects.create(user=world.evaluator, municipality=world.b, role=Role.EVALUATOR)
    login(world.evaluator)
    response = client.get(reverse("evaluation:fidelity"), {"kommune": str(world.b.code)})
    assert response.status_code == 200 and response.context["result"]["municipalities"] == ["Bby Kommune"]
    assert client.get(reverse("evaluation:fidelity"), {"period": "7"}).status_code == 400


def test_the_number_of_queries_does_not_grow_with_the_courses(client, world, login):
    login(world.leader)
    live_cohort(world, courses=1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("evaluation:fidelity")).status_code == 200
    live_cohort_more = [cohorts.course(cohorts.citizen(world.a, f"Flere{i}", world.teammate),
                                       dt.date.today() - dt.timedelta(days=200)) for i in range(6)]
    for course in live_cohort_more:
        Contact.objects.create(course=course, date=course.start_date, form="meeting")
        FocusArea.objects.create(course=course, phase=1, area="economy", citizen_took_part=False)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("evaluation:fidelity")).status_code == 200
    assert len(many) == len(few)
    assert Course.objects.count() == 7


def test_it_reads_in_english(client, world, login):
    live_cohort(world)
    login(world.leader)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("evaluation:fidelity"), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert "Needs attention" in page or "Nothing needs attention" in page
    assert "Contact intensity" in page and "Kontaktintensitet" not in page


def test_number_headers_stand_over_their_numbers_and_forms_have_their_one_name(client, world, login):
    import re

    live_cohort(world)
    login(world.leader)
    page = client.get(reverse("evaluation:fidelity")).content.decode()
    tables = re.findall(r'<table class="fidelity-table">.*?</table>', page, re.S)
    assert len(tables) == 4
    for table in tables:
        heads = re.findall(r'<th scope="col"([^>]*)>(.*?)</th>', table, re.S)
        assert 'class="num"' not in heads[0][0]  # the worker column reads from the left
        assert all('class="num"' in attrs for attrs, _text in heads[1:]), heads
    measured = [text for _attrs, text in re.findall(r'<th scope="col"([^>]*)>(.*?)</th>', tables[3], re.S)]
    assert "CTI-skema ved opstart" in measured and "CTI-skema undervejs i forløbet" in measured

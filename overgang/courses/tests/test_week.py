""""Min uge": what needs doing across a caseload, most urgent first (issue 12, item 3)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.citizens.models import Citizen
from overgang.courses import actions, week
from overgang.courses.models import Course
from overgang.measurements.models import Record

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = dt.date.today()


def _citizen(world, pseudonym, worker=None):
    return Citizen.objects.create(municipality=world.a, pseudonym=pseudonym, worker=worker or world.worker)


def test_it_lists_every_kind_of_item_latest_first(world):
    today = D(2026, 11, 2)
    # Solsikke: started 1 June; the month-4 star and ongoing form (due 1 October) are
    # overdue, the month-6 ones (due 1 December) not yet in their window; last reached
    # 1 October (an unanswered call since does not count); one activity past its
    # deadline, one due in three days, one later and one done.
    course = testing.make_course(world.citizen, start=D(2026, 6, 1), first_contact=D(2026, 5, 20))
    for number, day in ((0, D(2026, 6, 1)), (1, D(2026, 8, 1))):
        for instrument in ("star", "cti_ongoing") if number else ("registration", "cti_start", "star"):
            record = actions.do_start_course_record(course, instrument, actor=world.worker, filled_on=day,
                                                    respondent="citizen" if instrument == "star" else "")
            Record.objects.filter(pk=record.pk).update(status="completed")
    actions.do_log_contact(course, actor=world.worker, date=D(2026, 10, 1), form="meeting")
    actions.do_log_contact(course, actor=world.worker, date=D(2026, 10, 20), form="phone", reached=False)
    focus = actions.do_add_focus_area(course, actor=world.worker, phase=1, area="housing", goal="", citizen_took_part=True)
    for what, due in (("Boligkontoret", D(2026, 10, 25)), ("Jobcentret", D(2026, 11, 5)), ("Senere", D(2026, 11, 20)),
                      ("Klaret", D(2026, 10, 1))):
        activity = actions.do_add_activity(focus, actor=world.worker, what=what, actor_kind="housing", due_date=due)
        if what == "Klaret":
            actions.do_set_activity_status(activity, actor=world.worker, status="done")
    # Birk: paused since 1 September, expected back 15 October.
    birk = testing.make_course(_citizen(world, "Birk"), start=D(2026, 3, 1), first_contact=D(2026, 2, 20))
    actions.do_pause(birk, actor=world.worker, start_date=D(2026, 9, 1), reason="", expected_end=D(2026, 10, 15))
    # Lærke: planned end 1 January 2027, no handover begun (due from 1 October).
    laerke = testing.make_course(_citizen(world, "Lærke"), start=D(2026, 1, 1), first_contact=D(2025, 12, 20))
    actions.do_log_contact(laerke, actor=world.worker, date=D(2026, 10, 30), form="meeting")
    # A draft left since 20 October.
    draft = testing.make_record(laerke.citizen, "registration", filled_on=D(2026, 10, 20))
    Record.objects.filter(pk=draft.pk).update(updated=timezone.make_aware(dt.datetime(2026, 10, 20, 12)))
    # Another worker's citizen is not on this worker's list.
    testing.make_course(_citizen(world, "Teamets", worker=world.teammate), start=D(2026, 1, 15))

    found = week.items(Citizen.objects.in_caseload_of(world.worker), today)
    summary = [(i.kind, i.citizen.pseudonym, i.instrument or (i.activity.get_what() if i.activity else ""), i.days_late)
               for i in found]
    assert ("draft", "Lærke", "registration", 13) in summary
    assert ("pause", "Birk", "", 18) in summary
    assert ("no_contact", "Solsikke", "", 11) in summary  # 32 days since 1 October, warning after 21
    assert ("activity", "Solsikke", "Boligkontoret", 8) in summary
    assert ("activity", "Solsikke", "Jobcentret", -3) in summary
    assert ("registration", "Solsikke", "star", 32) in summary
    assert ("registration", "Solsikke", "cti_ongoing", 32) in summary
    assert ("handover", "Lærke", "", 32) in summary
    assert not any(i.citizen.pseudonym == "Teamets" for i in found)
    assert not any(i.kind == "activity" and i.activity.get_what() in ("Senere", "Klaret") for i in found)
    # A paused course has no registrations or contact warnings.
    assert {i.kind for i in found if i.citizen.pseudonym == "Birk"} == {"pause"}
    assert [i.days_late for i in found] == sorted((i.days_late for i in found), reverse=True)
    assert week.counts(found)["activity"] == {"all": 2, "late": 1}


def test_the_page_is_the_workers_start_page_and_audits_the_read(world, login, client):
    course = testing.make_course(world.citizen, start=TODAY - dt.timedelta(days=70),
                                 first_contact=TODAY - dt.timedelta(days=80))
    focus = actions.do_add_focus_area(course, actor=world.worker, phase=1, area="economy", goal="", citizen_took_part=True)
    actions.do_add_activity(focus, actor=world.worker, what="Ring til SKAT", actor_kind="other",
                            due_date=TODAY - dt.timedelta(days=2))
    login(world.worker)
    assert client.get(reverse("home"))["Location"] == reverse("courses:week")
    page = client.get(reverse("courses:week")).content.decode()
    assert "Min uge" in page and "Forsinket" in page
    assert "Aktivitet: Ring til SKAT" in page and "2 dage over" in page
    assert "Ingen kontakt i" in page  # first contact 80 days ago, nothing since
    assert reverse("courses:plan", kwargs={"code": course.code}) in page
    event = AuditEvent.objects.filter(action="caseload.read").last()
    assert event.details["view"] == "week" and event.details["citizens"] == 1
    assert "Solsikke" not in str(event.details)


def test_the_leader_sees_the_team_without_free_text_and_can_choose_a_worker(world, login, client):
    course = testing.make_course(world.citizen, start=TODAY - dt.timedelta(days=70),
                                 first_contact=TODAY - dt.timedelta(days=80))
    focus = actions.do_add_focus_area(course, actor=world.worker, phase=1, area="economy", goal="", citizen_took_part=True)
    actions.do_add_activity(focus, actor=world.worker, what="Ring til SKAT", actor_kind="other", due_date=TODAY)
    other = _citizen(world, "Lærke", worker=world.teammate)
    testing.make_course(other, start=TODAY - dt.timedelta(days=70), first_contact=TODAY - dt.timedelta(days=80))
    login(world.leader)
    assert client.get(reverse("home"))["Location"] == reverse("courses:caseload")
    page = client.get(reverse("courses:week")).content.decode()
    assert "Teamets uge" in page and "Solsikke" in page and "Lærke" in page and "Teammate" in page
    assert "Ring til SKAT" not in page and "Aktivitet i planen (Økonomi)" in page
    page = client.get(reverse("courses:week"), {"medarbejder": str(world.teammate.code)}).content.decode()
    assert "Lærke" in page and "Solsikke" not in page
    assert client.get(reverse("courses:week"), {"medarbejder": str(world.stranger.code)}).status_code == 404
    assert client.get(reverse("courses:week"), {"medarbejder": "x' or 1=1"}).status_code == 404


def test_an_empty_week_says_so_in_both_languages(world, login, client):
    login(world.worker)
    assert "Intet venter lige nu" in client.get(reverse("courses:week")).content.decode()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("courses:week")).content.decode()
    assert "My week" in page and "Nothing is waiting right now" in page


def test_the_leaders_team_week_is_a_summary_per_worker_and_one_page_of_items_at_a_time(world, login, client):
    """A municipality of 120 citizens across three workers, each not reached for 80 days:
    the team's week shows per worker how many citizens wait (linking to the worker's own
    week) and the most urgent items 50 at a time; only the citizens shown are read."""
    third = testing.make_user("third", world.a, testing.Role.WORKER)
    sizes = {world.worker: 50, world.teammate: 40, third: 29}  # and the world's Solsikke (worker)
    for worker, n in sizes.items():
        for i in range(n):
            testing.make_course(_citizen(world, f"{worker.username}-{i:02}", worker=worker), started=False,
                                first_contact=TODAY - dt.timedelta(days=80 + i))
    testing.make_course(world.citizen, started=False, first_contact=TODAY - dt.timedelta(days=80))
    login(world.leader)
    reads = AuditEvent.objects.filter(action="citizen.read")
    seen, pages, days = set(), [], []
    for number in (1, 2, 3):
        before = reads.count()
        response = client.get(reverse("courses:week"), {"side": number} if number > 1 else {})
        html = response.content.decode()
        rows = response.context["late"] + response.context["soon"]
        pages.append(len(rows))
        days += [row["item"].days_late for row in rows]
        shown = {str(row["citizen"].code) for row in rows}
        assert not shown & seen
        seen |= shown
        # One read event per citizen shown, and none for the others.
        assert {e.citizen_code for e in reads.order_by("seq")[before:]} == shown and reads.count() - before == len(shown)
        assert f"Side {number}" in html and f"Opgave {(number - 1) * 50 + 1}–{(number - 1) * 50 + len(rows)}" in html
        assert (f'href="?side={number + 1}"' in html) == (number < 3)
        assert (f'href="?side={number - 1}"' in html) == (number > 1)
    assert pages == [50, 50, 20] and len(seen) == 120
    assert days == sorted(days, reverse=True)  # the longest without contact first, across pages
    # A page past the last one shows the last page; an unreadable one the first.
    assert len(client.get(reverse("courses:week"), {"side": 9}).context["soon"] + client.get(
        reverse("courses:week"), {"side": 9}).context["late"]) == 20
    assert client.get(reverse("courses:week"), {"side": "x"}).context["team"].number == 1
    summary = {line["worker"]: line for line in client.get(reverse("courses:week")).context["summary"]}
    for worker in (world.worker, world.teammate, third):
        own = week.items(Citizen.objects.filter(worker=worker), TODAY)
        line = summary[worker]
        assert line["late"] == len({item.citizen.pk for item in own if item.late}) == sizes[worker] + (
            worker == world.worker)
        assert line["soon"] == len({item.citizen.pk for item in own if not item.late}
                                   - {item.citizen.pk for item in own if item.late})
        assert line["draft"] == sum(item.kind == "draft" for item in own)
        assert line["no_contact"] == len({item.citizen.pk for item in own if item.kind == "no_contact"}) == line["late"]
        link = reverse("courses:week") + f"?medarbejder={worker.code}"
        assert f'href="?medarbejder={worker.code}"' in client.get(reverse("courses:week")).content.decode()
        # The worker's own week, as the leader sees it: every item, no paging.
        mine = client.get(link)
        assert len(mine.context["late"]) == len(own) and mine.context["team"] is None
    html = client.get(reverse("courses:week")).content.decode()
    assert "Hele teamet</th>" in html and "<td data-label=\"Borgere uden kontakt\">120</td>" in html
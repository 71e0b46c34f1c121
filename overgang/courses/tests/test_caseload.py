"""The caseload lists: current citizens by default, filters, urgency, pages, activities (issue 15 item 4, issue 10 item 13)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from overgang import testing
from overgang.citizens.models import Citizen
from overgang.courses import actions
from overgang.courses.caseload import PAGE_SIZE
from overgang.courses.models import Course

TODAY = dt.date.today()


def _ago(days):
    return TODAY - dt.timedelta(days=days)


def _get(client, **params):
    response = client.get(reverse("courses:caseload"), params)
    assert response.status_code == 200
    return response.content.decode()


def _names(html):
    return re.findall(r'<th scope="row" data-label="[^"]*"><a href="[^"]*">([^<]*)</a>', html)


def _ended(citizen):
    course = testing.make_course(citizen, start=_ago(400), first_contact=_ago(400))
    Course.objects.filter(pk=course.pk).update(status="ended", end_date=_ago(30))
    return course


@pytest.fixture
def caseload(world):
    """The worker's Solsikke (running, start forms overdue), Rolig (just started),
    Ask (ended) and Ny (no contact yet); the teammate's Eg (running)."""
    def citizen(name, worker):
        return Citizen.objects.create(municipality=world.a, pseudonym=name, worker=worker)

    testing.make_course(world.citizen, start=_ago(100), first_contact=_ago(100))
    testing.make_course(citizen("Rolig", world.worker), start=_ago(3), first_contact=_ago(3))
    _ended(citizen("Ask", world.worker))
    citizen("Ny", world.worker)
    testing.make_course(citizen("Eg", world.teammate), start=_ago(20), first_contact=_ago(20))
    return world


def test_it_shows_current_citizens_first_and_ended_courses_only_when_asked(client, caseload, login):
    login(caseload.worker)
    assert _names(_get(client)) == ["Solsikke", "Rolig", "Ny"]  # urgency: overdue, then in the window
    assert _names(_get(client, vis="closed")) == ["Ask"]
    assert sorted(_names(_get(client, vis="all"))) == ["Ask", "Ny", "Rolig", "Solsikke"]
    assert _names(_get(client, vis="active", sort="pseudonym")) == ["Rolig", "Solsikke"]
    assert _names(_get(client, forsinket="on")) == ["Solsikke"]
    # The teammate's citizen is not on the worker's list (not a row, not a word of the page:
    # a bare "Eg" also occurs by chance in the page's random CSRF token).
    everything = _get(client, vis="all")
    assert "Eg" not in _names(everything) and ">Eg<" not in everything and '"Eg"' not in everything


def test_a_leader_filters_by_worker_and_counts_the_team(client, caseload, login):
    login(caseload.leader)
    html = _get(client)
    assert _names(html) == ["Solsikke", "Eg", "Rolig", "Ny"]
    assert "Worker: <strong>2</strong>" in html and "Teammate: <strong>1</strong>" in html
    assert _names(_get(client, medarbejder=str(caseload.teammate.code))) == ["Eg"]
    # A worker of another municipality, or no worker at all: a message and the whole list.
    for value in (str(caseload.stranger.code), "1 OR 1=1"):
        html = _get(client, medarbejder=value)
        assert "Et filter kunne ikke bruges" in html and _names(html) == ["Solsikke", "Eg", "Rolig", "Ny"]


def test_it_pages_a_long_list_in_the_database(client, world, login):
    for n in range(PAGE_SIZE + 5):
        Citizen.objects.create(municipality=world.a, pseudonym=f"Borger {n:02d}", worker=world.worker)
    login(world.worker)
    first = _get(client, sort="pseudonym")
    assert len(_names(first)) == PAGE_SIZE and "Side 1 af 2" in first and f"af {PAGE_SIZE + 6} borgere" in first
    second = _get(client, sort="pseudonym", side="2")
    assert _names(second) == [f"Borger {n:02d}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)] + ["Solsikke"]
    assert 'href="?vis=current&amp;sort=pseudonym&amp;side=1" rel="prev"' in second
    assert _names(_get(client, sort="pseudonym", side="x")) == _names(first)
    assert _names(_get(client, sort="pseudonym", side="99")) == _names(second)


def test_open_activities_count_only_for_the_open_course_and_overdue_ones_are_marked(client, world, login):
    ended = _ended(world.citizen)
    focus = actions.do_add_focus_area(ended, actor=world.worker, phase=1, area="housing", goal="", citizen_took_part=True)
    actions.do_add_activity(focus, actor=world.worker, what="Gammel aftale", actor_kind="housing", due_date=_ago(90))
    running = testing.make_course(Citizen.objects.create(municipality=world.a, pseudonym="Rolig", worker=world.worker),
                                  start=_ago(40), first_contact=_ago(40))
    focus = actions.do_add_focus_area(running, actor=world.worker, phase=1, area="economy", goal="",
                                      citizen_took_part=True)
    actions.do_add_activity(focus, actor=world.worker, what="Budget", actor_kind="caseworker", due_date=_ago(2))
    actions.do_add_activity(focus, actor=world.worker, what="Rådgiver", actor_kind="caseworker", due_date=_ago(-20))
    login(world.worker)
    html = _get(client, vis="all", sort="pseudonym")
    rows = html.split('<th scope="row"')[1:]
    rolig, solsikke = rows
    assert "2 <span class=\"state overdue\">(1 forsinket)</span>" in rolig
    assert "Åbne aktiviteter\">–</td>" in solsikke  # the ended course's open activity is not counted
    assert _names(_get(client, forsinket="on")) == ["Rolig"]


def test_it_says_how_to_find_ended_courses_when_nothing_is_current(client, world, login):
    _ended(world.citizen)
    login(world.worker)
    html = _get(client)
    assert "Der er ingen aktuelle borgere." in html and "Afsluttede og ikke startede" in html


def _course_subqueries(sql):
    """The EXISTS subqueries over courses in ``sql``, each as written."""
    return re.findall(r'EXISTS\(SELECT 1 AS "a" FROM "courses_course" .*?LIMIT 1\)', sql)


def test_a_workers_list_asks_only_for_its_own_citizens_courses(caseload):
    """PostgreSQL may answer "has this citizen a course?" with a hash of every course it
    can reach: for a worker's list, every such subquery reaches only the courses of the
    worker's citizens (at 50,000 courses the list read all 50,000 for ten citizens),
    and the list is the same as without that limit (issue 15 item 4)."""
    from overgang.courses import caseload as lists

    Citizen.objects.create(municipality=caseload.b, pseudonym="Fremmed", worker=caseload.stranger)
    mine = Citizen.objects.filter(worker=caseload.worker)
    name = Course.objects.filter(citizen=caseload.citizen).values_list("template_version__name", flat=True).first()
    variants = [{"state": s} for s in ("current", "contact", "active", "paused", "closed", "all")]
    variants += [{"overdue": True}, {"sort": "contact"}, {"template": name}, {"template": name, "state": "all"}]
    for chosen in variants:
        narrow = lists.listing(mine, today=TODAY, few=True, **chosen)
        subqueries = _course_subqueries(str(narrow.query))
        assert subqueries or chosen.get("state") not in ("current", "closed"), chosen
        for subquery in subqueries:
            assert re.search(r'"citizen_id" IN \(SELECT \S+\."id" AS "pk" FROM "citizens_citizen" \S+ WHERE \S+\.'
                             rf'"worker_id" = {caseload.worker.pk}\)', subquery), (chosen, subquery)
        assert list(narrow) == list(lists.listing(mine, today=TODAY, **chosen)), chosen
    # A leader's list narrows when one worker is chosen, and only then.
    everyone = Citizen.objects.filter(municipality=caseload.a)
    one = lists.listing(everyone, today=TODAY, worker=caseload.teammate)
    assert all(f'"worker_id" = {caseload.teammate.pk})' in q for q in _course_subqueries(str(one.query)))
    assert [c.pseudonym for c in one] == ["Eg"]
    assert not any(" IN (SELECT" in q for q in _course_subqueries(str(lists.listing(everyone, today=TODAY).query)))


def test_a_page_of_the_list_comes_with_its_length_in_one_pass(client, world, login):
    """The page's citizens and the length of the whole list come from one query
    (``COUNT(*) OVER ()``), not a second pass over the municipality's citizens to count
    them; a number past the end still gives the last page (issue 15 item 4)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(PAGE_SIZE + 5):
        Citizen.objects.create(municipality=world.a, pseudonym=f"Borger {n:02d}", worker=world.teammate)
    login(world.leader)
    with CaptureQueriesContext(connection) as queries:
        html = _get(client, sort="pseudonym", side="2")
    assert _names(html)[:5] == [f"Borger {n:02d}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert "Side 2 af 2" in html and f"af {PAGE_SIZE + 6} borgere" in html
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT COUNT(*) AS "__count"')]
    assert "Side 2 af 2" in _get(client, sort="pseudonym", side="7")

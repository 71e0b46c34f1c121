"""The leader's team week (issue 15, item 4): counts per worker and the page of items
from bulk "leads" (``week.team``) say exactly what the full list of items
(``week.items``, the worker's own "Min uge") says, on generated data of every kind and
on many days of a course's life."""

import datetime as dt
from collections import Counter

import pytest
from django.db import connection

from overgang import testing
from overgang.citizens.models import Citizen
from overgang.courses import week
from overgang.courses.models import CourseSettings
from overgang.synthetic import database, lives

pytestmark = pytest.mark.django_db


@pytest.fixture
def municipality(world):
    third = testing.make_user("tredje", world.a, testing.Role.WORKER)
    options = lives.Options(courses=160, seed=7, today=dt.date.today(), years=1.5, municipalities=(world.a.name,),
                            workers={world.a.name: [world.worker.username, world.teammate.username, third.username]})
    database.write(lives.plan(options))
    # A citizen without a worker (a handover in progress) is counted on a line of its own.
    Citizen.objects.filter(pk=Citizen.objects.filter(municipality=world.a, courses__status="active").first().pk).update(
        worker=None)
    CourseSettings.objects.update_or_create(municipality=world.a, defaults={"contact_warning_days": 21})
    if connection.vendor == "postgresql":
        # Statistics as autovacuum keeps them: earlier tests of the run that flush the
        # tables leave PostgreSQL believing they are empty, and it then plans joins of
        # thousands of rows as nested loops (seconds per query here, never in use).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return world


def _key(item):
    return (item.sort_key, item.kind, item.citizen.pk)


@pytest.mark.parametrize("shift", [0, -30, 9, 45, 120, 300])
def test_the_team_week_agrees_with_every_item_of_the_municipality(municipality, monkeypatch, shift):
    world, today = municipality, dt.date.today() + dt.timedelta(days=shift)
    citizens = Citizen.objects.in_municipalities([world.a])
    everything = week.items(citizens, today)
    # About a dozen pages at every date (233 to 1,221 items): a dozen page boundaries
    # where the order could break, and the last page part full; one page costs what the
    # whole list costs, so pages of 9 made 136 of them at the latest date.
    monkeypatch.setattr(week, "PAGE_SIZE", max(9, len(everything) // 12 + 1))
    assert len(everything) > 10 * week.PAGE_SIZE and len(Counter(item.kind for item in everything)) >= 4
    workers = sorted({c.worker for c in citizens if c.worker}, key=lambda w: w.username)

    paged, number = [], 1
    while True:
        team = week.team(citizens, workers, today, number)
        assert team.number == number and len(team.items) <= week.PAGE_SIZE
        paged += team.items
        if not team.has_next:
            break
        assert len(team.items) == week.PAGE_SIZE
        number += 1
    assert sorted(map(_key, paged)) == sorted(map(_key, everything))
    assert [item.sort_key for item in paged] == [item.sort_key for item in everything]
    # And pages of 9 at both ends of the list, where an item too few or too many read
    # before the page shows at every boundary.
    monkeypatch.setattr(week, "PAGE_SIZE", 9)
    last = (len(everything) + 8) // 9
    for n in (1, 2, 3, last - 1, last):
        small = week.team(citizens, workers, today, n)
        assert [item.sort_key for item in small.items] == [item.sort_key for item in everything[(n - 1) * 9:n * 9]]
        assert small.has_next == (n < last)

    by_worker = {}
    for item in everything:
        line = by_worker.setdefault(item.citizen.worker_id, {"late": set(), "soon": set(), "draft": 0,
                                                             "no_contact": set()})
        line["late" if item.late else "soon"].add(item.citizen.pk)
        line["draft"] += item.kind == "draft"
        if item.kind == "no_contact":
            line["no_contact"].add(item.citizen.pk)
    for line in by_worker.values():
        line["soon"] -= line["late"]  # only something soon, nothing late
    expected = [{"worker": w.pk if w else None, **{k: len(v) if isinstance(v, set) else v
                                                   for k, v in by_worker.get(w.pk if w else None, {
                                                       "late": set(), "soon": set(), "draft": 0,
                                                       "no_contact": set()}).items()}}
                for w in workers + ([None] if None in by_worker else [])]
    summary = [{**line, "worker": line["worker"].pk if line["worker"] else None} for line in team.summary]
    assert summary == expected
    assert any(line["worker"] is None for line in summary) == (None in by_worker)


def test_the_team_week_reads_only_the_citizens_of_its_page(municipality, monkeypatch, django_assert_max_num_queries):
    """Past the leads, only the first page's citizens are read in full: the queries do not
    depend on the page, and ``items`` is asked about a page's worth of citizens."""
    monkeypatch.setattr(week, "PAGE_SIZE", 5)
    citizens = Citizen.objects.in_municipalities([municipality.a])
    asked = []
    real = week.items

    def spy(some, today):
        asked.append(some.count())
        return real(some, today)

    monkeypatch.setattr(week, "items", spy)
    week.team(citizens, [], dt.date.today(), 1)
    assert 0 < asked[0] <= 5 + 1 + 5  # a page, the one beyond it, and ties with the last
    assert asked[0] < citizens.count() / 5

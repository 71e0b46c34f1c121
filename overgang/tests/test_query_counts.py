"""No N+1: the caseload, "Min uge", citizen and leader pages cost the same number of
queries and of data-key unwrappings whatever the size of the caseload (issue 15 item 5).

Each page is read once on a small installation and once on one ten times larger (made by
the generator, in the persona's own municipality and caseload); the counts must be equal.
"""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from overgang import testing
from overgang.citizens.models import Citizen
from overgang.courses.models import Course
from overgang.lib import crypto, keystore
from overgang.synthetic import database, lives


def _generate(world, courses, seed):
    options = lives.Options(courses=courses, seed=seed, today=dt.date.today(), years=1.5,
                            municipalities=(world.a.name,), workers={world.a.name: [world.worker.username]})
    database.write(lives.plan(options))


@contextmanager
def _counting():
    """(queries, key unwrappings) made inside the block."""
    unwrap = crypto._data_fernet
    calls = []

    def counted(data_key, *wrapped):
        calls.append(data_key)
        return unwrap(data_key, *wrapped)

    store = keystore.store()
    before = store.queries
    with CaptureQueriesContext(connection) as queries, mock.patch.object(crypto, "_data_fernet", counted):
        result = {}
        yield result
    result["queries"] = len(queries.captured_queries)
    result["unwraps"] = len(calls)
    result["key_store_queries"] = store.queries - before


def _cost(client, url):
    # Read once first: what a process builds once and keeps (an instrument version's
    # compiled definition, the codebooks) is no cost of the caseload's size, and other
    # tests in the same process may have dropped those caches.
    assert client.get(url).status_code == 200, url
    with _counting() as cost:
        response = client.get(url)
    assert response.status_code == 200, url
    return cost


@pytest.mark.parametrize("persona,url", [
    ("worker", lambda: reverse("courses:caseload")),
    ("worker", lambda: reverse("courses:caseload") + "?vis=all"),
    ("leader", lambda: reverse("courses:caseload")),
    ("leader", lambda: reverse("courses:caseload") + "?vis=all&forsinket=on"),
    ("leader", lambda: reverse("evaluation:fidelity")),
])
def test_a_list_costs_the_same_for_5_and_50_citizens(client, world, persona, url):
    testing.login(client, world.persona(persona))
    _generate(world, 5, seed=1)
    small = _cost(client, url())
    _generate(world, 45, seed=2)
    assert Citizen.objects.filter(worker=world.worker).count() == 51  # and the world's Solsikke
    assert _cost(client, url()) == small


def test_the_citizen_page_costs_the_same_with_few_and_many_records_and_contacts(client, world):
    """Two ended courses (the page shows the same blocks for both), one with few rows and
    one with many: equal queries, and the citizen's data key unwrapped once at most."""
    testing.login(client, world.worker)
    _generate(world, 40, seed=3)

    def size(citizen):
        return citizen.records.count() + sum(course.contacts.count() for course in citizen.courses.all())

    ended = sorted(Citizen.objects.filter(courses__status="ended"), key=size)
    few, many = ended[0], ended[-1]
    assert size(many) >= 2 * size(few) and many.records.count() >= 8
    small = _cost(client, reverse("courses:citizen", kwargs={"code": few.code}))
    large = _cost(client, reverse("courses:citizen", kwargs={"code": many.code}))
    assert large["queries"] == small["queries"]
    assert small["unwraps"] <= 1 and large["unwraps"] == 1
    assert large["key_store_queries"] == 1  # the citizen's key fetched once from the key store
    assert Course.objects.get(citizen=many).contacts.exclude(note_encrypted="").exists()


@pytest.mark.parametrize("persona", ["worker", "leader"])
def test_min_uge_costs_the_same_queries_and_one_key_per_citizen_whose_notes_it_shows(client, world, persona):
    """"Min uge" (and the leader's team week) shows the activities' own words, encrypted
    with each citizen's key: each key is unwrapped once, however many activities."""
    from overgang.courses import week

    testing.login(client, world.persona(persona))
    _generate(world, 5, seed=1)
    small = _cost(client, reverse("courses:week"))
    _generate(world, 45, seed=2)
    large = _cost(client, reverse("courses:week"))
    assert large["queries"] == small["queries"]
    shown = {item.citizen.pk for item in week.items(Citizen.objects.filter(worker=world.worker), dt.date.today())
             if item.kind == "activity"}
    # Only the responsible worker reads the activities' words; a leader sees none.
    assert large["unwraps"] == (len(shown) if persona == "worker" else 0)
    # The keys come from the key store in one query, not one per citizen.
    assert large["key_store_queries"] == small["key_store_queries"] == (1 if persona == "worker" else 0)
    assert len(shown) > 5


def test_the_citizen_page_decodes_each_completed_star_once(client, world):
    """The star chart and the WHO-5 line read the same stars: their answers are decoded
    (and their sealed part decrypted) once per page, not once per chart."""
    from overgang.measurements import codec
    from overgang.measurements.models import Record

    testing.login(client, world.worker)
    _generate(world, 20, seed=4)
    citizen = max(Citizen.objects.filter(worker=world.worker),
                  key=lambda c: c.records.filter(instrument="star", status="completed").count())
    stars = citizen.records.filter(instrument="star", status=Record.Status.COMPLETED).count()
    assert stars >= 2
    url = reverse("courses:citizen", kwargs={"code": citizen.code})
    client.get(url)
    decode = codec.decode_record
    with mock.patch.object(codec, "decode_record", side_effect=decode) as decoded:
        response = client.get(url)
    assert response.status_code == 200
    assert "WHO-5" in response.content.decode()
    assert decoded.call_count == stars


def test_min_uge_reads_no_answers_and_no_notes(client, world):
    """"Min uge" needs dates and states, never what a form answered or a contact's note:
    its queries do not read them (a caseload's every record and contact would be read)."""
    testing.login(client, world.worker)
    _generate(world, 10, seed=5)
    client.get(reverse("courses:week"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("courses:week")).status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    for column in ('"measurements_record"."plain_answers"', '"measurements_record"."sealed_answers"',
                   '"courses_contact"."note_encrypted"', '"courses_focusarea"."goal_encrypted"',
                   '"courses_handovermeeting"."note_encrypted"', '"courses_pause"."reason_encrypted"'):
        assert column not in sql, column
    assert '"courses_contact"' in sql and '"measurements_record"' in sql  # read, but only what is needed


def test_the_leaders_team_week_costs_the_same_for_5_and_200_citizens(client, world):
    """The team's week is a summary per worker and one page of items: what is rendered
    and audited (one read event per citizen shown) stays one page, however many citizens
    the municipality has."""
    from overgang.audit.models import AuditEvent
    from overgang.courses import week

    testing.login(client, world.leader)
    _generate(world, 5, seed=1)
    small = _cost(client, reverse("courses:week"))
    _generate(world, 195, seed=2)
    assert Citizen.objects.filter(worker=world.worker).count() == 201
    found = week.items(Citizen.objects.filter(municipality=world.a), dt.date.today())
    assert len({item.citizen.pk for item in found}) > 80 and len(found) > 2 * week.PAGE_SIZE
    reads = AuditEvent.objects.filter(action="citizen.read")
    for url in (reverse("courses:week"), reverse("courses:week") + "?side=2"):
        before = reads.count()
        assert _cost(client, url)["queries"] == small["queries"], url
        assert reads.count() - before <= 2 * week.PAGE_SIZE  # _cost reads the page twice


def test_an_autosave_reads_the_citizen_and_the_instrument_version_once(client, world):
    """The record page's autosave (every answer a worker gives): the record is read with
    its citizen and versions in one query by the access check, and the save's lock, the
    save and the answer's page keep them instead of reading them again (a version's
    definition is tens of kilobytes)."""
    from overgang.measurements.tests.test_records import _hidden

    testing.login(client, world.worker)
    record = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 1, "goal": 1})
    item = "dim_motivation"  # the star's first dimension, on its ladder (as bench/ saves it)
    page = next(n for n, p in enumerate(record.definition.pages, 1) if any(i.name == item for i in p.items))
    url = reverse("measurements:fill", kwargs={"code": record.code, "page": page})
    html = client.get(url).content.decode()
    data = {"version": _hidden(html, "version"), "token": _hidden(html, "token"), "shown": _hidden(html, "shown"),
            "go": "stay", item: "5"}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.get_answers()[item] == 5
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    # Only as joins of the record's own query. (A query of its own on the versions that
    # reads no definition is the list of hashes codec.sealed_names checks: allowed.)
    citizen = [sql for sql in selects if 'FROM "citizens_citizen" WHERE' in sql]
    assert citizen == []
    for table in ("instruments_instrumentversion", "programmes_templateversion"):
        definition = [sql for sql in selects if f'FROM "{table}" WHERE' in sql and f'"{table}"."definition"' in sql]
        assert definition == [], (table, definition)

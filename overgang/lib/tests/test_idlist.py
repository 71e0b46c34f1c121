"""``among``: the rows of objects whose ids a page has just read, by the ids (issue 15)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from overgang import testing
from overgang.citizens.models import Citizen
from overgang.courses.models import Contact, Course
from overgang.lib import idlist

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(world):
    made = []
    for n in range(6):
        citizen = Citizen.objects.create(municipality=world.a if n % 2 else world.b, pseudonym=f"C{n}", worker=None)
        course = testing.make_course(citizen)
        for day in range(n + 1):
            Contact.objects.create(course=course, date=course.first_contact_on, form="physical")
        made.append(course)
    return world, made


def _contacts(scope):
    return sorted(Contact.objects.filter(course__in=scope).values_list("course_id", flat=True))


def test_the_ids_find_what_the_subquery_finds_in_one_parameter(courses, monkeypatch):
    world, made = courses
    chosen = Course.objects.filter(citizen__municipality=world.a)
    ids = list(chosen.values_list("pk", flat=True))
    expected = _contacts(chosen.values("pk"))
    assert expected and len(set(expected)) == 3
    with CaptureQueriesContext(connection) as queries:
        assert _contacts(idlist.among(ids, chosen.values("pk"))) == expected
    sql = queries.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "unnest" in sql and sql.count("'{") == 1  # the ids as one array, not a parameter each
    else:
        assert "unnest" not in sql and "courses_course" not in sql  # the list of ids
    # None found: nothing, not an error.
    assert _contacts(idlist.among([], Course.objects.none().values("pk"))) == []
    # Beyond what SQLite takes as parameters: the subquery, the same rows.
    monkeypatch.setattr(idlist, "LISTED", 2)
    assert _contacts(idlist.among(ids, chosen.values("pk"))) == expected

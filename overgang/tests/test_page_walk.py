"""Every page of the demo, in Danish and in English, as its users read it.

Seen by a new user (issue 10): a Python object in the interface (``Text(da=…)``), the same
form under three names, Danish instrument names on English pages, and American dates
(12/06/2026, "December 6, 2026") on English pages and printouts. Each page of the demo is
read here in both languages and must show none of them.
"""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from overgang import testing
from overgang.accounts.models import User
from overgang.citizens.models import Citizen
from overgang.courses import printout
from overgang.courses.models import Course
from overgang.instruments import registry
from overgang.measurements.models import Record

pytestmark = pytest.mark.django_db

US_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
MONTH_FIRST = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.? \d{1,2}, \d{4}\b")
TWELVE_HOUR = re.compile(r"\b\d{1,2}(:\d{2})? ?[ap]\.m\.", re.I)
# Names the interface used for instruments beside their one name (issue 10, item 3).
OTHER_NAMES = ("CTI-startskema", "CTI-skema for igangværende forløb", "CTI-slutskema", "Cti-skema",
               "skema for ikke startet kontakt", "Registrering ved oprettelse", "CTI, opstartsskema",
               "CTI, igangværende", "CTI, afsluttende")
# A shortened name: the one name with its end cut off (the report's and fidelity's tables).
SHORTENED_NAMES = re.compile(r">\s*(Outcomes Star|CTI-skema undervejs|CTI form during)\s*<")


@pytest.fixture(scope="module")
def demo(demo_snapshot, django_db_blocker):
    """The demo (conftest.py's, seeded once for the run), put in place once for this
    module's tests (each still runs in its own transaction) and emptied afterwards."""
    with django_db_blocker.unblock():
        demo_snapshot.restore()
        yield
        call_command("flush", "--no-input", verbosity=0)


def _client(username, language):
    client = Client()
    testing.login(client, User.objects.get(username=username))
    client.post(reverse("set_language"), {"language": language})
    return client


def _worker_pages(username):
    urls = [reverse("courses:caseload"), reverse("courses:week"), reverse("citizens:new"), reverse("accounts:account")]
    for citizen in Citizen.objects.filter(worker__username=username):
        urls += [reverse("courses:citizen", kwargs={"code": citizen.code}),
                 reverse("courses:citizen", kwargs={"code": citizen.code}) + "?skema=ny",  # the new-form choice
                 reverse("measurements:list", kwargs={"code": citizen.code}),
                 reverse("citizens:detail", kwargs={"code": citizen.code}),
                 reverse("citizens:edit", kwargs={"code": citizen.code})]
        for course in citizen.courses.all():
            urls += [reverse(name, kwargs={"code": course.code})
                     for name in ("courses:plan", "courses:network", "courses:handover")]
        records = list(Record.objects.filter(citizen=citizen).order_by("filled_on", "created"))
        # Each instrument's first and latest record (a star's page compares it with earlier ones).
        shown = {r.pk: r for r in records if r == next(x for x in records if x.instrument == r.instrument)}
        shown.update({r.pk: r for r in reversed(records) if r == next(x for x in reversed(records) if x.instrument == r.instrument)})
        for record in shown.values():
            urls.append(reverse("measurements:detail", kwargs={"code": record.code}))
            if not record.is_completed:
                urls.append(reverse("measurements:fill", kwargs={"code": record.code, "page": 1}))
    return urls


def _pages():
    admin = User.objects.get(username="admin")
    municipality = admin.memberships.first().municipality
    return {
        "anna": _worker_pages("anna"),
        "bo": _worker_pages("bo"),
        "leder": [reverse("courses:caseload"), reverse("evaluation:report"), reverse("evaluation:fidelity")],
        "evaluator": [reverse("accounts:evaluator_home"), reverse("evaluation:report"),
                      reverse("evaluation:fidelity"), reverse("exports:evaluator_export")],
        "admin": [reverse(name, kwargs={"municipality": municipality.code}) for name in (
            "accounts:admin_users", "accounts:admin_municipality", "exports:admin_import", "courses:settings",
            "programmes:admin_list")],
    }


def _defects(html, language):
    found = []
    if "Text(" in html:
        found.append("a Python Text(...) object")
    for pattern in (US_DATE, MONTH_FIRST, TWELVE_HOUR):
        found += [f"an American date or time: {m.group(0)}" for m in pattern.finditer(html)]
    found += [f"another name for an instrument: {name}" for name in OTHER_NAMES if name in html]
    found += [f"a shortened instrument name: {m.group(1)}" for m in SHORTENED_NAMES.finditer(html)]
    found += [f"an implementation word: {word}" for word in ("krypteret", "(encrypted") if word in html]
    if language == "en":
        for instrument in registry.all_instruments().values():
            if instrument.title.da != instrument.title.en and instrument.title.da in html:
                found.append(f"a Danish instrument name on an English page: {instrument.title.da}")
    return found


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_demo_page_names_and_dates_as_its_language_does(demo, language):
    problems = []
    pages = _pages()
    assert len(pages["anna"]) > 30  # the demo's citizens, courses and records are all visited
    for username, urls in pages.items():
        client = _client(username, language)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (username, url, response.status_code)
            problems += [f"{username} {url}: {d}" for d in _defects(response.content.decode(), language)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_citizens_printout_dates_day_first(demo, language):
    problems = []
    for course in Course.objects.exclude(start_date=None):
        html = printout.render_html(course, language)
        problems += [f"{course.citizen.pseudonym}: {d}" for d in _defects(html, language)]
    assert not problems, "\n".join(problems)


def test_english_dates_are_day_first_and_instruments_have_their_english_name(demo):
    client = _client("anna", "en")
    citizen = Citizen.objects.get(pseudonym="Solsikke")
    html = client.get(reverse("courses:citizen", kwargs={"code": citizen.code})).content.decode()
    course = citizen.courses.get()
    assert course.start_date.strftime("%d.%m.%Y") in html
    assert "Outcomes Star with additions and WHO-5" in html and "CTI form during the course" in html
    with translation.override("en"):
        assert printout.context(course)["today"].split()[1] in (
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December")


def test_one_name_per_instrument_on_the_danish_pages(demo):
    client = _client("anna", "da")
    citizen = Citizen.objects.get(pseudonym="Havørn")
    pages = [client.get(reverse(name, kwargs={"code": citizen.code})).content.decode()
             for name in ("courses:citizen", "measurements:list")]
    for html in pages:
        assert "CTI-skema undervejs i forløbet" in html
    ongoing = Record.objects.filter(citizen=citizen, instrument="cti_ongoing").first()
    detail = client.get(reverse("measurements:detail", kwargs={"code": ongoing.code})).content.decode()
    assert "<title>CTI-skema undervejs i forløbet · Havørn" in detail

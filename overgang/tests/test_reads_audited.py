"""Every read of a citizen's data writes an audit event (security.md requirement 3).

The walk is generated from the access matrix, which must name every URL pattern: every
page a persona may open (200) that takes a citizen, course, record or plan object, or
whose HTML shows a citizen's pseudonym, must have written a read event naming that
citizen and the reader. A new such page without its read event fails here.
"""

import pytest
from django.urls import get_resolver, reverse

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.tests.test_access_matrix import ANON, MATRIX

READ_ACTIONS = {"citizen.read", "record.read", "citizen.printout", "citizen.subject_access"}


def _routes():
    """URL name -> its route text, e.g. 'courses:plan' -> 'forloeb/<uuid:code>/plan/'."""
    routes = {}

    def walk(resolver, namespace, prefix):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, ns, route)
            elif pattern.name:
                routes[f"{namespace}{pattern.name}"] = route

    walk(get_resolver(), "", "")
    return routes


def _takes_case_object(route):
    # Administration URLs take a municipality code, everything else's <uuid:code> is a
    # citizen or an object of a citizen's case.
    return "<uuid:code>" in route and not route.startswith("administration/")


CASES = [
    (name, variant, persona)
    for name, rows in MATRIX.items()
    for variant, _kwargs, expected in rows
    for persona, status in expected.items()
    if persona != ANON and status == 200
]


def test_the_walk_covers_every_page_that_takes_a_case_object():
    routes = _routes()
    case_pages = {name for name, route in routes.items() if _takes_case_object(route)}
    walked = {name for name, _variant, _persona in CASES}
    # POST-only URLs answer a GET with 405: they show nothing to read.
    post_only = {name for name in case_pages if all(e.get("worker") == 405 for _v, _k, e in MATRIX[name])}
    assert case_pages - post_only <= walked, sorted(case_pages - post_only - walked)


@pytest.mark.parametrize("name,variant,persona", CASES)
def test_a_page_showing_a_citizen_writes_a_read_event(client, world, name, variant, persona):
    kwargs_fn = next(k for v, k, _e in MATRIX[name] if v == variant)
    url = reverse(name, kwargs=kwargs_fn(world))
    user = world.persona(persona)
    testing.login(client, user)
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode(errors="replace") if response.get("Content-Type", "").startswith("text/") else ""
    shown = {c for c in (world.citizen, world.foreign_citizen) if c.pseudonym in html}
    takes_object = _takes_case_object(_routes()[name])
    reads = AuditEvent.objects.filter(seq__gt=before, action__in=READ_ACTIONS, actor_code=str(user.code))
    read_codes = set(reads.values_list("citizen_code", flat=True))
    for citizen in shown:
        assert str(citizen.code) in read_codes, f"{name} [{variant}] shows {citizen.pseudonym} to {persona} unaudited"
    if takes_object:
        assert read_codes & {str(world.citizen.code), str(world.foreign_citizen.code)}, (
            f"{name} [{variant}] as {persona} wrote no read event")


@pytest.mark.parametrize("name", ["courses:contact_add", "courses:focus_add", "courses:network_add",
                                  "courses:handover_meeting"])
def test_a_page_shown_again_after_a_refused_form_writes_a_read_event(client, world, name):
    course = testing.make_course(world.citizen)
    testing.login(client, world.worker)
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    response = client.post(reverse(name, kwargs={"code": course.code}), {})
    assert response.status_code == 400 and world.citizen.pseudonym in response.content.decode()
    assert AuditEvent.objects.filter(seq__gt=before, action="citizen.read", citizen_code=str(world.citizen.code),
                                     actor_code=str(world.worker.code)).exists()


# Every URL of a citizen's case that takes a POST (the responsible worker's own objects):
# whatever it answers with, a page showing the pseudonym is a read like the GET's.
POSTED = [(name, variant) for name, rows in MATRIX.items() for variant, _k, e in rows
          if variant == "own" and e.get("worker") in (200, 405) and _takes_case_object(_routes()[name])]
HOSTILE = {key: "\u202e=HYPERLINK(\"x\")" * 40 for key in (
    "date", "kind", "given_on", "withdrawn_on", "template", "area", "goal", "phase", "what", "actor_kind",
    "status", "instrument", "respondent", "filled_on", "note", "name", "role", "contact-date", "contact-form",
    "focus-area", "start-date", "phase-date", "end-date", "pause-date", "shown", "token", "version")}


def test_the_posted_walk_covers_the_corrections_and_the_form_pages():
    names = {name for name, _variant in POSTED}
    assert {"courses:contact_edit", "courses:activity_edit", "courses:network_edit", "measurements:fill",
            "courses:focus_add", "rights:consent_add"} <= names


@pytest.mark.parametrize("name,variant", POSTED)
def test_a_page_shown_in_answer_to_any_post_writes_a_read_event(client, world, name, variant):
    kwargs_fn = next(k for v, k, _e in MATRIX[name] if v == variant)
    url = reverse(name, kwargs=kwargs_fn(world))
    testing.login(client, world.worker)
    for data in ({}, HOSTILE, {"go": "stay"}):
        before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        response = client.post(url, data)
        assert response.status_code < 500, (name, data)
        html = response.content.decode(errors="replace") if response.get("Content-Type", "").startswith("text/") else ""
        if world.citizen.pseudonym in html:
            assert AuditEvent.objects.filter(seq__gt=before, action__in=READ_ACTIONS, actor_code=str(world.worker.code),
                                             citizen_code=str(world.citizen.code)).exists(), (
                f"{name} answers a POST ({response.status_code}) with the citizen's page, unaudited")


def test_a_form_page_saved_and_shown_again_writes_a_read_event(client, world):
    record = testing.make_record(world.citizen, "star")
    testing.login(client, world.worker)
    url = reverse("measurements:fill", kwargs={"code": record.code, "page": 1})
    form = client.get(url).context["form"]
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    response = client.post(url, {"version": form.initial["version"], "token": form.initial["token"],
                                 "shown": form.initial["shown"], "go": "stay"})
    assert response.status_code == 200 and world.citizen.pseudonym in response.content.decode()
    assert AuditEvent.objects.filter(seq__gt=before, action="record.read", citizen_code=str(world.citizen.code),
                                     actor_code=str(world.worker.code)).exists()


@pytest.mark.parametrize("persona", ["worker", "leader"])
def test_min_uge_writes_a_read_event_for_every_citizen_it_lists(client, world, persona):
    import datetime as dt

    from overgang.courses.actions import do_add_activity, do_add_focus_area

    today = dt.date.today()
    course = testing.make_course(world.citizen, start=today - dt.timedelta(days=70),
                                 first_contact=today - dt.timedelta(days=80))
    focus = do_add_focus_area(course, actor=world.worker, phase=1, area="economy", goal="", citizen_took_part=True)
    do_add_activity(focus, actor=world.worker, what="Ring til SKAT", actor_kind="other", due_date=today)
    user = world.persona(persona)
    testing.login(client, user)
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    response = client.get(reverse("courses:week"))
    assert world.citizen.pseudonym in response.content.decode()
    assert AuditEvent.objects.filter(seq__gt=before, action="citizen.read", citizen_code=str(world.citizen.code),
                                     actor_code=str(user.code), details__view="week").exists()

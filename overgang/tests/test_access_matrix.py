"""Every URL pattern × every persona: the status a GET gets (security.md, requirement 2).

A URL pattern without a row here fails ``test_it_has_a_row_for_every_url``. Rows name
an object of the persona's own municipality ("own") and, where the URL carries an
object, of the other municipality ("foreign").
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from overgang import testing

ANON = "anonymous"
EVERYONE = (ANON, *testing.PERSONAS)


def same(status, **overrides):
    """The same status for every persona, with exceptions."""
    return {p: overrides.get(p, status) for p in EVERYONE}


def logged_in(status, **overrides):
    return same(status, anonymous=302, **overrides)


ADMIN_ONLY = logged_in(403, administrator=200, foreign_admin=404)
# Pages about a citizen's case: the responsible worker and the leader read, nobody else.
CASE_READ = logged_in(404, worker=200, leader=200, evaluator=403, administrator=403, foreign_admin=403)
CASE_READ_FOREIGN = logged_in(404, stranger=200, evaluator=403, administrator=403, foreign_admin=403)
CASE_WRITE = logged_in(404, worker=200, leader=403, evaluator=403, administrator=403, foreign_admin=403)
CASE_WRITE_FOREIGN = logged_in(404, stranger=200, evaluator=403, administrator=403, foreign_admin=403)


def record_of(citizen):
    return {"code": testing.make_record(citizen, "star").code}


def course_of(citizen):
    return {"code": testing.make_course(citizen).code}


def focus_of(citizen):
    from overgang.courses.actions import do_add_focus_area

    course = testing.make_course(citizen)
    return do_add_focus_area(course, actor=citizen.worker, phase=1, area="housing", goal="", citizen_took_part=True)


def activity_of(citizen):
    from overgang.courses.actions import do_add_activity

    focus = focus_of(citizen)
    return {"code": do_add_activity(focus, actor=citizen.worker, what="x", actor_kind="ngo", due_date=None).code}


def member_of(citizen):
    from overgang.courses.actions import do_add_network_member

    course = testing.make_course(citizen)
    return {"code": do_add_network_member(course, actor=citizen.worker, role="ngo", name="x", contact="", takes_over="").code}


def contact_of(citizen):
    from overgang.courses.actions import do_log_contact

    course = testing.make_course(citizen)
    return {"code": do_log_contact(course, actor=citizen.worker, date=course.start_date, form="phone").code}


def consent_of(citizen):
    import datetime

    from overgang.rights.actions import do_record_consent

    consent = do_record_consent(citizen, "evaluation", actor=citizen.worker, given_on=datetime.date(2026, 1, 5))
    return {"code": consent.code}


COURSE_PAGES = ("courses:plan", "courses:network", "courses:handover")
COURSE_POSTS = (
    "courses:contact_add", "courses:start", "courses:not_started", "courses:phase", "courses:pause",
    "courses:resume", "courses:end", "courses:record_new", "courses:phase_undo", "courses:pause_undo",
    "courses:focus_add", "courses:plan_event",
    "courses:network_add", "courses:handover_meeting", "courses:long_term_plan",
)

# name -> list of (variant, kwargs builder, expected status per persona)
MATRIX = {
    "home": [("", lambda w: {}, logged_in(302))],
    # The load balancers' health check: no login, nothing revealed.
    "status": [("", lambda w: {}, same(200))],
    "set_language": [("", lambda w: {}, same(302))],
    "accounts:login": [("", lambda w: {}, same(302, anonymous=200))],
    "accounts:totp_verify": [("", lambda w: {}, same(302))],
    "accounts:totp_enrol": [("", lambda w: {}, same(302))],
    "accounts:logout": [("", lambda w: {}, same(405))],
    "accounts:account": [("", lambda w: {}, logged_in(200))],
    "accounts:logout_everywhere": [("", lambda w: {}, same(405))],
    "accounts:evaluator_home": [("", lambda w: {}, logged_in(403, evaluator=200))],
    "accounts:admin_users": [("own", lambda w: {"municipality": w.a.code}, ADMIN_ONLY)],
    "accounts:admin_user_new": [("own", lambda w: {"municipality": w.a.code}, ADMIN_ONLY)],
    "accounts:admin_user_edit": [
        ("own", lambda w: {"municipality": w.a.code, "code": w.worker.code}, ADMIN_ONLY),
        # A user of another municipality through one's own municipality's URL.
        ("foreign user", lambda w: {"municipality": w.a.code, "code": w.stranger.code}, logged_in(403, administrator=404, foreign_admin=404)),
    ],
    "accounts:admin_user_working_time": [
        ("own", lambda w: {"municipality": w.a.code, "code": w.worker.code}, ADMIN_ONLY),
        # Only a CTI worker has a working time; another municipality's worker is not found.
        ("leader", lambda w: {"municipality": w.a.code, "code": w.leader.code}, logged_in(403, administrator=404, foreign_admin=404)),
        ("foreign user", lambda w: {"municipality": w.a.code, "code": w.stranger.code}, logged_in(403, administrator=404, foreign_admin=404)),
    ],
    "accounts:admin_user_reset_totp": [("own", lambda w: {"municipality": w.a.code, "code": w.worker.code}, same(405))],
    "accounts:admin_municipality": [("own", lambda w: {"municipality": w.a.code}, ADMIN_ONLY)],
    "accounts:admin_grant_evaluator": [("own", lambda w: {"municipality": w.a.code}, same(405))],
    "courses:caseload": [("", lambda w: {}, logged_in(200, evaluator=403, administrator=403, foreign_admin=403))],
    "courses:week": [("", lambda w: {}, logged_in(200, evaluator=403, administrator=403, foreign_admin=403))],
    "citizens:new": [("", lambda w: {}, logged_in(200, leader=403, evaluator=403, administrator=403, foreign_admin=403))],
    "citizens:detail": [
        ("own", lambda w: {"code": w.citizen.code}, CASE_READ),
        ("foreign", lambda w: {"code": w.foreign_citizen.code}, CASE_READ_FOREIGN),
    ],
    "citizens:edit": [
        ("own", lambda w: {"code": w.citizen.code}, logged_in(404, worker=200, leader=403, evaluator=403, administrator=403, foreign_admin=403)),
        ("foreign", lambda w: {"code": w.foreign_citizen.code}, logged_in(404, stranger=200, evaluator=403, administrator=403, foreign_admin=403)),
    ],
    "citizens:erase": [
        ("own", lambda w: {"code": w.citizen.code}, logged_in(404, worker=200, leader=403, evaluator=403, administrator=403, foreign_admin=403)),
        ("foreign", lambda w: {"code": w.foreign_citizen.code}, logged_in(404, stranger=200, evaluator=403, administrator=403, foreign_admin=403)),
    ],
    "courses:citizen": [
        ("own", lambda w: {"code": w.citizen.code}, CASE_READ),
        ("foreign", lambda w: {"code": w.foreign_citizen.code}, CASE_READ_FOREIGN),
    ],
    "courses:first_contact": [
        ("own", lambda w: {"code": w.citizen.code}, CASE_WRITE),
        ("foreign", lambda w: {"code": w.foreign_citizen.code}, logged_in(404, stranger=200, evaluator=403, administrator=403, foreign_admin=403)),
    ],
    "courses:reassign": [
        ("own", lambda w: {"code": w.citizen.code}, logged_in(403, leader=200)),
        ("foreign", lambda w: {"code": w.foreign_citizen.code}, logged_in(403, leader=404)),
    ],
    **{name: [
        ("own", lambda w: course_of(w.citizen), CASE_READ),
        ("foreign", lambda w: course_of(w.foreign_citizen), CASE_READ_FOREIGN),
    ] for name in COURSE_PAGES},
    **{name: [("own", lambda w: course_of(w.citizen), same(405))] for name in COURSE_POSTS},
    # Removing asks first (GET), so the GET is the responsible worker's.
    "courses:record_due": [("own", lambda w: {**course_of(w.citizen), "instrument": "star", "number": 0}, same(405))],
    "courses:focus_remove": [
        ("own", lambda w: {"code": focus_of(w.citizen).code}, CASE_WRITE),
        ("foreign", lambda w: {"code": focus_of(w.foreign_citizen).code}, CASE_WRITE_FOREIGN),
    ],
    "courses:activity_add": [("own", lambda w: {"code": focus_of(w.citizen).code}, same(405))],
    "courses:activity_status": [("own", lambda w: activity_of(w.citizen), same(405))],
    "courses:network_remove": [
        ("own", lambda w: member_of(w.citizen), CASE_WRITE),
        ("foreign", lambda w: member_of(w.foreign_citizen), CASE_WRITE_FOREIGN),
    ],
    # Corrections: the author only (the tests of courses show another worker's 403).
    **{name: [
        ("own", lambda w, build=build: build(w.citizen), CASE_WRITE),
        ("foreign", lambda w, build=build: build(w.foreign_citizen), CASE_WRITE_FOREIGN),
    ] for name, build in (("courses:contact_edit", contact_of), ("courses:activity_edit", activity_of),
                          ("courses:network_edit", member_of))},
    # The printout carries the citizen's goals: only the responsible worker prints it.
    "courses:printout": [
        ("own", lambda w: course_of(w.citizen), logged_in(404, worker=200, leader=403, evaluator=403, administrator=403, foreign_admin=403)),
        ("foreign", lambda w: course_of(w.foreign_citizen), CASE_READ_FOREIGN),
    ],
    "courses:settings": [("own", lambda w: {"municipality": w.a.code}, ADMIN_ONLY)],
    "programmes:admin_list": [("own", lambda w: {"municipality": w.a.code}, ADMIN_ONLY)],
    "programmes:admin_edit": [
        ("own", lambda w: {"municipality": w.a.code, "name": "homelessness"}, ADMIN_ONLY),
        ("unknown template", lambda w: {"municipality": w.a.code, "name": "nope"}, logged_in(403, administrator=404, foreign_admin=404)),
    ],
    "measurements:list": [
        ("own", lambda w: {"code": w.citizen.code}, CASE_READ),
        ("foreign", lambda w: {"code": w.foreign_citizen.code}, CASE_READ_FOREIGN),
    ],
    "measurements:start": [("own", lambda w: {"code": w.citizen.code}, same(405))],
    "measurements:detail": [
        ("own", lambda w: record_of(w.citizen), CASE_READ),
        ("foreign", lambda w: record_of(w.foreign_citizen), CASE_READ_FOREIGN),
    ],
    "measurements:fill": [
        ("own", lambda w: {**record_of(w.citizen), "page": 1}, CASE_WRITE),
        ("foreign", lambda w: {**record_of(w.foreign_citizen), "page": 1}, logged_in(404, stranger=200, evaluator=403, administrator=403, foreign_admin=403)),
    ],
    "measurements:complete": [("own", lambda w: record_of(w.citizen), same(405))],
    "measurements:discard": [("own", lambda w: record_of(w.citizen), same(405))],
    "exports:admin_import": [("own", lambda w: {"municipality": w.a.code}, ADMIN_ONLY)],
    "exports:admin_import_confirm": [("own", lambda w: {"municipality": w.a.code}, same(405))],
    "exports:admin_import_sample": [("own", lambda w: {"municipality": w.a.code}, ADMIN_ONLY)],
    "exports:evaluator_export": [("", lambda w: {}, logged_in(403, evaluator=200))],
    # The evaluation report: leaders (suppressed) and evaluators (exact) of their own
    # municipalities; a municipality outside the grants is a 404 (evaluation tests).
    # The citizen's rights: consents (the responsible worker records them), the
    # information sheet, and the subject-access PDF (everything, notes included: the
    # responsible worker only, as the printout); retention is the administrator's.
    "rights:citizen": [
        ("own", lambda w: {"code": w.citizen.code}, CASE_READ),
        ("foreign", lambda w: {"code": w.foreign_citizen.code}, CASE_READ_FOREIGN),
    ],
    "rights:consent_add": [("own", lambda w: {"code": w.citizen.code}, same(405))],
    "rights:consent_withdraw": [("own", lambda w: consent_of(w.citizen), same(405))],
    "rights:information": [
        ("own", lambda w: {"code": w.citizen.code}, CASE_READ),
        ("foreign", lambda w: {"code": w.foreign_citizen.code}, CASE_READ_FOREIGN),
    ],
    "rights:subject_access": [
        ("own", lambda w: {"code": w.citizen.code}, logged_in(404, worker=200, leader=403, evaluator=403, administrator=403, foreign_admin=403)),
        ("foreign", lambda w: {"code": w.foreign_citizen.code}, CASE_READ_FOREIGN),
    ],
    "rights:retention": [("own", lambda w: {"municipality": w.a.code}, ADMIN_ONLY)],
    "evaluation:report": [("", lambda w: {}, logged_in(403, leader=200, evaluator=200))],
    # Single sign-on is off in the test settings, so its pages do not exist; the sso app's
    # test_access.py runs this whole matrix with SAML on and SSO-created personas.
    **{name: [("", lambda w: {}, same(404))] for name in (
        "sso:saml_metadata", "sso:saml_login", "sso:saml_acs", "sso:saml_ls", "sso:saml_ls_post",
        "sso:saml_logout", "sso:oidc_login", "sso:oidc_callback", "sso:oidc_logout",
    )},
    "evaluation:download": [
        ("xlsx", lambda w: {"fmt": "xlsx"}, logged_in(403, leader=200, evaluator=200)),
        # The JSON keeps exact counts: evaluators only.
        ("json", lambda w: {"fmt": "json"}, logged_in(403, evaluator=200)),
    ],
    # Live fidelity: the same readers as the report (a municipality outside the grants is
    # a 404, evaluation/tests/test_fidelity.py).
    "evaluation:fidelity": [("", lambda w: {}, logged_in(403, leader=200, evaluator=200))],
}


def all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            names += all_url_names(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>")
    return names


def test_it_has_a_row_for_every_url():
    missing = sorted(set(all_url_names()) - set(MATRIX))
    assert not missing, f"URL patterns without a row in the access matrix: {missing}"
    stale = sorted(set(MATRIX) - set(all_url_names()))
    assert not stale, f"access matrix rows for URLs that no longer exist: {stale}"


def test_every_row_names_every_persona():
    for name, rows in MATRIX.items():
        for variant, _kwargs, expected in rows:
            assert set(expected) == set(EVERYONE), (name, variant)


CASES = [(name, variant, persona) for name, rows in MATRIX.items() for variant, _k, _e in rows for persona in EVERYONE]


@pytest.mark.parametrize("name,variant,persona", CASES)
def test_access(client, world, name, variant, persona):
    kwargs_fn, expected = next((k, e) for v, k, e in MATRIX[name] if v == variant)
    if persona != ANON:
        testing.login(client, world.persona(persona))
    response = client.get(reverse(name, kwargs=kwargs_fn(world)))
    assert response.status_code == expected[persona], (
        f"{name} [{variant}] as {persona}: got {response.status_code}, expected {expected[persona]}"
    )

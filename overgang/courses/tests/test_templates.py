"""A course follows a template: chosen at the first contact, kept for good, shown where it matters."""

import datetime as dt

import pytest
from django.urls import reverse

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.citizens.models import Citizen
from overgang.courses import actions
from overgang.courses.actions import CourseError
from overgang.courses.models import Course
from overgang.programmes.models import TemplateVersion, current_version

D = dt.date


def first_contact_url(citizen, **query):
    url = reverse("courses:first_contact", kwargs={"code": citizen.code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def contact_data(template):
    return {"template": template, "first_contact_on": "2026-02-01", "contact_route": "5"}


def test_one_offered_template_asks_no_question(client, world, login):
    login(world.worker)
    page = client.get(first_contact_url(world.citizen))
    text = page.content.decode()
    assert page.status_code == 200 and 'name="first_contact_on"' in text
    assert 'name="skabelon"' not in text and "Vælg en anden skabelon" not in text
    assert client.post(first_contact_url(world.citizen), contact_data("exit_prostitution")).status_code == 302
    course = Course.objects.get(citizen=world.citizen)
    assert course.template_version == current_version("exit_prostitution")


def test_the_worker_picks_the_template_when_several_are_offered(client, world, login):
    testing.offer_templates(world.a, "exit_prostitution", "homelessness")
    login(world.worker)
    choice = client.get(first_contact_url(world.citizen))
    text = choice.content.decode()
    assert choice.status_code == 200 and 'name="first_contact_on"' not in text
    assert text.count('name="skabelon"') == 2 and "Hjemløshed → egen bolig" in text
    assert "Psykiatrisk" not in text  # not offered here
    form = client.get(first_contact_url(world.citizen, skabelon="homelessness"))
    assert form.status_code == 200 and 'value="homelessness"' in form.content.decode()
    # The contact routes of the prostitution group are not offered for a homelessness course.
    # Nor is KC (Kompetencecenter Prostitution) the example of a third party.
    assert "Kompetencecenter Prostitution" not in form.content.decode() and "KC" not in form.content.decode()
    assert "fx NGO eller KC" in client.get(first_contact_url(world.citizen, skabelon="exit_prostitution")).content.decode()
    refused = client.post(first_contact_url(world.citizen), {**contact_data("homelessness"), "contact_route": "2"})
    assert refused.status_code == 400 and not Course.objects.exists()
    assert client.post(first_contact_url(world.citizen, skabelon="homelessness"),
                       contact_data("homelessness")).status_code == 302
    course = Course.objects.get(citizen=world.citizen)
    assert course.template.name == "homelessness"
    event = AuditEvent.objects.get(action="course.contact_register")
    assert (event.details["template"], event.details["template_version"]) == ("homelessness", 1)
    actions.do_start_course(course, actor=world.worker, start_date=D(2026, 2, 10))
    # The homelessness template's calendar: standard CTI, 3 + 3 + 3 months.
    assert (course.plan().phase_months, course.planned_end()) == ((3, 3, 3), D(2026, 11, 10))


def test_a_template_the_municipality_does_not_offer_is_refused_and_nothing_is_made(client, world, login):
    testing.offer_templates(world.a, "exit_prostitution", "homelessness")
    login(world.worker)
    for name in ("care_home", "nonsense"):
        response = client.get(first_contact_url(world.citizen, skabelon=name))
        assert response.status_code == 400 and 'name="skabelon"' in response.content.decode()
        assert client.post(first_contact_url(world.citizen), contact_data(name)).status_code == 400
    assert not Course.objects.exists()
    with pytest.raises(CourseError, match="Vælg den forløbsskabelon"):
        actions.do_register_first_contact(world.citizen, actor=world.worker, first_contact_on=D(2026, 2, 1),
                                          contact_route=1, third_party=False)
    with pytest.raises(CourseError, match="tilbyder ikke"):
        testing.make_course(world.foreign_citizen, template="homelessness")


def test_a_new_template_version_never_changes_a_running_or_ended_course(world):
    course = testing.make_course(world.citizen)
    old = course.template_version
    # A later version of the template (as a changed YAML would publish it).
    changed = old.template().to_dict() | {"calendar": {"phase_months": [2, 2, 2], "course_months": 6,
                                                        "interval_months": 1, "window_days": 3}}
    newer = TemplateVersion.objects.create(name=old.name, version=2, content_hash="f" * 64, definition=changed)
    course.refresh_from_db()
    assert course.template_version == old and course.template_version != newer
    assert course.plan().phase_months == (4, 4, 4)


def test_the_citizen_page_names_the_courses_template(client, world, login):
    testing.offer_templates(world.a, "exit_prostitution", "care_home")
    testing.make_course(world.citizen, template="care_home")
    login(world.worker)
    text = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert "Forløbsskabelon" in text and "Botilbud → egen bolig" in text
    client.post(reverse("set_language"), {"language": "en"})
    text = client.get(reverse("courses:citizen", kwargs={"code": world.citizen.code})).content.decode()
    assert "Care home → own home" in text


def test_the_caseload_filters_by_template_when_there_is_more_than_one(client, world, login):
    login(world.worker)
    testing.make_course(world.citizen)
    single = client.get(reverse("courses:caseload")).content.decode()
    assert 'name="skabelon"' not in single
    testing.offer_templates(world.a, "exit_prostitution", "homelessness")
    other = Citizen.objects.create(municipality=world.a, pseudonym="Vibe", worker=world.worker)
    testing.make_course(other, template="homelessness")
    both = client.get(reverse("courses:caseload")).content.decode()
    assert 'name="skabelon"' in both and "Solsikke" in both and "Vibe" in both
    assert both.count("Hjemløshed → egen bolig") >= 2  # the filter's option and Vibe's row
    only = client.get(reverse("courses:caseload") + "?skabelon=homelessness").content.decode()
    assert "Vibe" in only and "Solsikke" not in only
    assert "skabelon=homelessness" in only  # the sort links keep the filter
    unknown = client.get(reverse("courses:caseload") + "?skabelon=<b>x</b>").content.decode()
    assert "Vibe" in unknown and "Solsikke" in unknown and "<b>x</b>" not in unknown

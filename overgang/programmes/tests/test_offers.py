"""Administration → Forløbsskabeloner: a municipality chooses its templates and calendars."""

import datetime as dt

import pytest
from django.urls import reverse

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.courses import actions as course_actions
from overgang.programmes import actions, offers
from overgang.programmes.models import TemplateOffer

D = dt.date


def offered(municipality):
    return [o.name for o in offers.offered(municipality)]


def test_a_municipality_that_has_not_chosen_offers_the_default_template(world):
    assert offered(world.a) == ["exit_prostitution"]
    assert not TemplateOffer.objects.exists()


def test_offering_a_second_template_keeps_the_first_and_is_audited(world):
    actions.do_change_template_offer(world.a, "homelessness", actor=world.administrator, offered=True)
    assert sorted(offered(world.a)) == ["exit_prostitution", "homelessness"]
    assert offered(world.b) == ["exit_prostitution"]
    event = AuditEvent.objects.get(action="template_offer.change")
    assert event.actor_code == str(world.administrator.code) and event.municipality_code == str(world.a.code)
    assert event.details["template"] == "homelessness"
    assert event.details["changed"]["offered"] == [False, True]
    assert event.details["default_made_explicit"] == "exit_prostitution"


def test_the_last_template_cannot_be_withdrawn(world):
    with pytest.raises(actions.OfferError):
        actions.do_change_template_offer(world.a, "exit_prostitution", actor=world.administrator, offered=False)
    testing.offer_templates(world.a, "homelessness")
    assert offered(world.a) == ["homelessness"]
    with pytest.raises(actions.OfferError):
        actions.do_change_template_offer(world.a, "homelessness", actor=world.administrator, offered=False)
    assert offered(world.a) == ["homelessness"]


def test_an_override_applies_to_courses_started_afterwards_only(world):
    running = testing.make_course(world.citizen)
    assert running.plan().phase_months == (4, 4, 4)
    actions.do_change_template_offer(world.a, "exit_prostitution", actor=world.administrator, offered=True,
                                     phase1_months=3, window_days=7)
    running.refresh_from_db()
    assert (running.plan().phase_months, running.plan().window_days) == ((4, 4, 4), 14)
    other = world.citizen.__class__.objects.create(municipality=world.a, pseudonym="Anden", worker=world.worker)
    course = testing.make_course(other)
    assert (course.plan().phase_months, course.plan().interval_months, course.plan().window_days) == ((3, 4, 4), 2, 7)


def test_a_course_keeps_its_template_when_the_municipality_withdraws_it(world):
    testing.offer_templates(world.a, "homelessness", "exit_prostitution")
    course = testing.make_course(world.citizen, template="homelessness")
    testing.offer_templates(world.a, "exit_prostitution")
    course.refresh_from_db()
    assert course.template.name == "homelessness" and course.plan().phase_months == (3, 3, 3)
    other = world.citizen.__class__.objects.create(municipality=world.a, pseudonym="Anden", worker=world.worker)
    with pytest.raises(course_actions.CourseError):
        testing.make_course(other, template="homelessness")


def test_the_administrator_sees_and_changes_the_templates(client, world, login):
    login(world.administrator)
    page = client.get(reverse("programmes:admin_list", kwargs={"municipality": world.a.code}))
    assert page.status_code == 200
    text = page.content.decode()
    for title in ("Exit prostitution", "Hjemløshed → egen bolig", "Udskrivning fra psykiatrisk indlæggelse",
                  "Botilbud → egen bolig"):
        assert title in text
    assert "Text(" not in text
    url = reverse("programmes:admin_edit", kwargs={"municipality": world.a.code, "name": "homelessness"})
    form = client.get(url)
    assert form.status_code == 200 and "Tom: skabelonens 3." in form.content.decode()
    response = client.post(url, {"offered": "on", "phase1_months": "2", "window_days": ""})
    assert response.status_code == 302
    row = TemplateOffer.objects.get(municipality=world.a, template="homelessness")
    assert (row.offered, row.phase1_months, row.window_days) == (True, 2, None)
    assert sorted(offered(world.a)) == ["exit_prostitution", "homelessness"]


def test_bad_input_is_refused_with_the_field_named_and_nothing_changes(client, world, login):
    login(world.administrator)
    url = reverse("programmes:admin_edit", kwargs={"municipality": world.a.code, "name": "homelessness"})
    response = client.post(url, {"offered": "on", "phase1_months": "0", "window_days": "x"})
    assert response.status_code == 400
    assert not TemplateOffer.objects.exists()
    withdraw = reverse("programmes:admin_edit", kwargs={"municipality": world.a.code, "name": "exit_prostitution"})
    response = client.post(withdraw, {})
    assert response.status_code == 400 and "mindst én forløbsskabelon" in response.content.decode()
    assert offered(world.a) == ["exit_prostitution"]


def test_an_unknown_template_and_a_foreign_municipality_are_404(client, world, login):
    login(world.administrator)
    assert client.get(reverse("programmes:admin_edit", kwargs={"municipality": world.a.code, "name": "nope"})).status_code == 404
    assert client.get(reverse("programmes:admin_list", kwargs={"municipality": world.b.code})).status_code == 404
    login(world.worker)
    assert client.get(reverse("programmes:admin_list", kwargs={"municipality": world.a.code})).status_code == 403
    response = client.post(reverse("programmes:admin_edit", kwargs={"municipality": world.a.code, "name": "homelessness"}),
                           {"offered": "on"})
    assert response.status_code == 403 and not TemplateOffer.objects.exists()

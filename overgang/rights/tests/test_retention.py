"""The retention rule: courses ended longer ago than the setting are deleted, citizens
with nothing newer erased whole (their key destroyed), audited with codes only."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.citizens.models import Citizen
from overgang.courses.models import Course
from overgang.measurements.models import Record
from overgang.rights import retention
from overgang.rights.actions import do_apply_retention, do_change_retention

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _years_ago(years, days=0):
    return retention.cutoff(TODAY, years) - datetime.timedelta(days=days)


def _ended_course(citizen, end, *, started=None):
    course = testing.make_course(citizen, first_contact=end - datetime.timedelta(days=400),
                                 start=started or end - datetime.timedelta(days=380))
    Course.objects.filter(pk=course.pk).update(status=Course.Status.ENDED, end_date=end)
    return course


@pytest.fixture
def aged(world):
    """Solsikke: one course ended 6 years ago, nothing since (erased). Lærke: an old course
    and a running one (only the old course goes). Havørn (B): ended 6 years ago, but B
    keeps 10 years (kept)."""
    Citizen.objects.filter(pk=world.citizen.pk).update(created_on=_years_ago(8))
    old = _ended_course(world.citizen, _years_ago(6))
    testing.make_record(world.citizen, "registration", filled_on=_years_ago(7))
    laerke = Citizen.objects.create(municipality=world.a, pseudonym="Lærke", worker=world.worker,
                                    created_on=_years_ago(8))
    laerke_old = _ended_course(laerke, _years_ago(5, days=1))
    Record.objects.filter(pk=testing.make_record(laerke, "star", filled_on=_years_ago(6)).pk).update(course=laerke_old)
    testing.make_course(laerke, first_contact=TODAY - datetime.timedelta(days=150),
                        start=TODAY - datetime.timedelta(days=140))
    Citizen.objects.filter(pk=world.foreign_citizen.pk).update(created_on=_years_ago(8))
    _ended_course(world.foreign_citizen, _years_ago(6))
    do_change_retention(world.b, actor=world.foreign_admin, years=10)
    return {"old": old, "laerke": laerke, "laerke_old": laerke_old}


def test_the_plan_names_what_the_rule_expires(world, aged):
    plan = retention.plan(world.a, TODAY)
    assert plan.cutoff == _years_ago(5) and plan.years == 5
    assert [c.pk for c in plan.citizens] == [world.citizen.pk]
    assert [c.pk for c in plan.courses] == [aged["laerke_old"].pk]
    assert retention.plan(world.b, TODAY).empty


def test_apply_erases_and_deletes_and_audits_codes_only(world, aged):
    citizen_code = str(world.citizen.code)
    do_apply_retention(world.a, today=TODAY)
    assert not Citizen.objects.filter(code=citizen_code).exists()
    assert not Course.objects.filter(pk=aged["old"].pk).exists()
    assert not Course.objects.filter(pk=aged["laerke_old"].pk).exists()
    assert Citizen.objects.filter(pk=aged["laerke"].pk).exists()
    assert Course.objects.filter(citizen=aged["laerke"]).count() == 1  # the running course stays
    assert not Record.objects.filter(citizen=aged["laerke"], filled_on__lt=_years_ago(5)).exists()
    erase = AuditEvent.objects.get(action="retention.erase_citizen")
    assert erase.citizen_code == citizen_code and erase.object_code == citizen_code
    delete = AuditEvent.objects.get(action="retention.delete_course")
    assert delete.object_code == str(aged["laerke_old"].code)
    summary = AuditEvent.objects.get(action="retention.apply")
    assert summary.details == {"years": 5, "cutoff": _years_ago(5).isoformat(), "citizens_erased": 1,
                               "courses_deleted": 1}
    for event in AuditEvent.objects.filter(action__startswith="retention."):
        assert "Solsikke" not in str(event.details) and "Lærke" not in str(event.details)


def test_the_dry_run_lists_codes_and_changes_nothing(world, aged):
    out = io.StringIO()
    call_command("retention", "apply", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"citizen {world.citizen.code}" in text and f"course {aged['laerke_old'].code}" in text
    assert "Solsikke" not in text
    assert Citizen.objects.filter(pk=world.citizen.pk).exists()
    assert not AuditEvent.objects.filter(action__startswith="retention.apply").exists()
    call_command("retention", "apply", stdout=io.StringIO())
    assert not Citizen.objects.filter(pk=world.citizen.pk).exists()
    assert Citizen.objects.filter(pk=world.foreign_citizen.pk).exists()  # B keeps 10 years


def test_the_administrator_sets_the_retention_and_sees_what_is_due(client, world, login, aged):
    login(world.administrator)
    url = reverse("rights:retention", kwargs={"municipality": world.a.code})
    html = client.get(url).content.decode()
    assert 'value="5"' in html
    assert client.post(url, {"years": "0"}).status_code == 400
    assert client.post(url, {"years": "8"}).status_code == 302
    assert AuditEvent.objects.get(action="retention.change", municipality_code=str(world.a.code)).details == {
        "years": [5, 8]}

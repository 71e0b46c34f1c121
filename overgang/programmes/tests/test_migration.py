"""The migration to templates: every existing course becomes an Exit Prostitution course,
and each municipality's calendar settings become its calendar for that template."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from overgang.courses.models import Course
from overgang.programmes import offers
from overgang.programmes.models import TemplateOffer, current_version

BEFORE = [("courses", "0003_caseload_cap"), ("programmes", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_existing_courses_and_settings_move_to_the_default_template():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Municipality = apps.get_model("accounts", "Municipality")
    Citizen = apps.get_model("citizens", "Citizen")
    OldCourse = apps.get_model("courses", "Course")
    CourseSettings = apps.get_model("courses", "CourseSettings")
    kept, changed = Municipality.objects.create(name="Uændret"), Municipality.objects.create(name="Ændret")
    CourseSettings.objects.create(municipality=kept)  # the old defaults: 4 + 4 + 4, 2, 14
    CourseSettings.objects.create(municipality=changed, phase1_months=3, phase2_months=3, phase3_months=3,
                                  window_days=0)
    courses = []
    for municipality in (kept, changed):
        citizen = Citizen.objects.create(municipality=municipality, pseudonym="Solsikke", data_key="x")
        courses.append(OldCourse.objects.create(citizen=citizen, status="ended", first_contact_on=dt.date(2015, 1, 5),
                                                start_date=dt.date(2015, 1, 20), end_date=dt.date(2016, 1, 20),
                                                phase1_months=3, phase2_months=3, phase3_months=3))

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    default = current_version("exit_prostitution")
    for old in courses:
        course = Course.objects.get(pk=old.pk)
        assert course.template_version == default
        # A course keeps the calendar it started with.
        assert course.plan().phase_months == (3, 3, 3)
    by_name = {o.municipality.name: o for o in TemplateOffer.objects.select_related("municipality")}
    assert [by_name["Uændret"].phase1_months, by_name["Uændret"].window_days] == [None, None]
    ch = by_name["Ændret"]
    assert (ch.phase1_months, ch.phase2_months, ch.phase3_months, ch.interval_months, ch.window_days) == (3, 3, 3, None, 0)
    calendar = offers.calendar_for(ch.municipality, default.template())
    assert (calendar.phase_months, calendar.interval_months, calendar.window_days) == ((3, 3, 3), 2, 0)
    assert [o.name for o in offers.offered(ch.municipality)] == ["exit_prostitution"]

"""The report per course template (issue 13): ``--template``, the page's template choice,
the JSON's ``template`` key, no prostitution part in another template's report, and the
common measures of several templates side by side."""

import datetime as dt
import io
import json
import random

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from overgang import testing
from overgang.citizens.models import Citizen
from overgang.courses import actions
from overgang.evaluation import render, report_json, reports
from overgang.evaluation.definitions import Definitions
from overgang.tests.test_template_without_prostitution import WORDS, fill

D = dt.date


def run(citizen, template, rng):
    """A started course of ``template`` with start and end forms and stars, ended."""
    course = testing.make_course(citizen, template=template, start=D(2026, 1, 15))
    fill(course, "registration", D(2026, 1, 15), rng)
    fill(course, "cti_start", D(2026, 1, 15), rng)
    fill(course, "star", D(2026, 1, 15), rng, possible=1)
    fill(course, "cti_end", D(2026, 4, 1), rng)
    fill(course, "star", D(2026, 4, 1), rng, possible=1)
    actions.do_end_course(course, actor=citizen.worker, end_date=D(2026, 4, 1))
    return course


@pytest.fixture
def two_templates(world):
    testing.offer_templates(world.a, "exit_prostitution", "homelessness")
    rng = random.Random(13)
    run(world.citizen, "exit_prostitution", rng)
    for pseudonym in ("Vibe", "Lærke"):
        citizen = Citizen.objects.create(municipality=world.a, pseudonym=pseudonym, worker=world.worker)
        run(citizen, "homelessness", rng)
    return world


def mentions(text):
    return sorted(word for word in WORDS if word in text.lower())


def xlsx_text(content):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
                     if cell is not None)


def test_it_reports_one_template_with_its_courses_only_and_no_prostitution_part(two_templates):
    filters = reports.Filters(template="homelessness")
    report = report_json.compute(filters, Definitions())
    assert report["filters"]["template"] == "homelessness"
    assert report["template"]["name"] == "homelessness"
    assert report["template"]["title"]["da"] == "Hjemløshed → egen bolig"
    assert report["counts"]["courses_started"] == 2
    assert report["counts"]["citizens"] == 2
    assert report["counts"]["end_forms"] == 2
    assert report["who5"]["by_point"]["start"]["n"] == 2
    # The prostitution measures do not exist for this template; nor the subgroup "active".
    assert report["paid_last_month"] is None and report["paid_or_considered"] is None and report["motives"] is None
    assert set(report["subgroups"]) == {"substance_at_start", "who5_at_risk"}
    assert "sex_income" not in report["staff_ratings"]
    assert "table_4_6" not in report["descriptives"] and "knows_partner" not in report["descriptives"]["table_4_14"]
    assert "by_template" not in report
    for language in ("da", "en"):
        from django.utils import translation

        with translation.override(language):
            html = render.render(report, "html")
            workbook = xlsx_text(render.render(report, "xlsx"))
        assert mentions(html) == [] and mentions(workbook) == []
        assert mentions(report_json.dumps(report)) == []
        for anchor in ('"#f6-4"', '"#f6-5"', '"#t6-1"', '"#t4-6"', '"#t4-7"', '"#t4-15"', '"#t6-6"', "7.4"):
            assert anchor not in html
        assert '"#f6-1"' in html and '"#t4-14"' in html
    assert "Hjemløshed → egen bolig" in render.render(report, "html")


def test_the_prostitution_template_alone_keeps_every_sfi_part(two_templates):
    report = report_json.compute(reports.Filters(template="exit_prostitution"), Definitions())
    assert report["counts"]["courses_started"] == 1
    assert report["paid_last_month"]["by_point"]["start"]["n"] == 1
    assert set(report["subgroups"]) == {"substance_at_start", "active_6m", "who5_at_risk"}
    html = render.render(report, "html")
    for anchor in ('"#f6-4"', '"#f6-5"', '"#t6-1"', '"#t4-6"', '"#t4-7"', '"#t4-15"', '"#t6-6"', "Figur 7.4"):
        assert anchor in html


def test_a_report_across_templates_compares_the_common_measures_side_by_side(two_templates):
    report = report_json.compute(reports.Filters(), Definitions())
    assert report["template"] is None
    assert [t["name"] for t in report["templates"]] == ["exit_prostitution", "homelessness"]
    columns = {c["template"]["name"]: c for c in report["by_template"]}
    assert columns["exit_prostitution"]["counts"]["courses_started"] == 1
    assert columns["homelessness"]["counts"]["courses_started"] == 2
    assert columns["homelessness"]["who5"]["start"]["n"] == 2
    assert columns["homelessness"]["star"]["end"]["n"] == 2
    assert report["counts"]["courses_started"] == 3
    # The prostitution template is among them: its chapters stay.
    assert report["paid_last_month"] is not None
    html = render.render(report, "html")
    assert "Forløbsskabeloner side om side" in html and "Tabel 0.1" in html


def test_the_command_takes_a_template(two_templates, tmp_path):
    out = tmp_path / "r.json"
    call_command("report", "--format", "json", "--output", str(out), "--template", "homelessness")
    report = json.loads(out.read_text())
    assert report["template"]["name"] == "homelessness" and report["counts"]["courses_started"] == 2
    with pytest.raises(CommandError, match="care_home"):
        call_command("report", "--format", "json", "--output", str(out), "--template", "nonsense")


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_page_chooses_the_template(client, login, two_templates, language):
    world = two_templates
    login(world.leader)
    client.cookies["django_language"] = language
    url = reverse("evaluation:report")
    page = client.get(url).content.decode()
    assert 'name="skabelon"' in page
    response = client.get(url, {"skabelon": "homelessness"})
    assert response.status_code == 200
    page = response.content.decode()
    # The filter form offers the goal "exit from prostitution" of the other template;
    # the report below it says nothing of selling sex.
    report = page[page.index("</form>", page.index('class="report-filters"')):]
    assert "6.1" in report and mentions(report) == []
    workbook = client.get(reverse("evaluation:download", args=["xlsx"]), {"skabelon": "homelessness"})
    assert workbook.status_code == 200 and mentions(xlsx_text(workbook.content)) == []
    assert client.get(url, {"skabelon": "nonsense"}).status_code == 400


def test_a_municipality_without_the_prostitution_template_never_sees_it_on_the_page(client, login, world):
    testing.offer_templates(world.a, "homelessness")
    run(world.citizen, "homelessness", random.Random(5))
    login(world.leader)
    for language in ("da", "en"):
        client.cookies["django_language"] = language
        page = client.get(reverse("evaluation:report")).content.decode()
        assert "Figur 6.1" in page or "Figure 6.1" in page
        assert mentions(page) == []
        assert 'name="goal"' not in page

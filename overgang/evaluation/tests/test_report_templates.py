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
    # Neither the filter form nor the report below it says anything of selling sex: the
    # goals offered are the homelessness template's own.
    # (The template choice itself names the municipality's other template.)
    choice = page[page.index('name="skabelon"'):page.index("</select>", page.index('name="skabelon"'))]
    assert mentions(page.replace(choice, "")) == []
    assert 'value="move_home"' in page and 'value="keep_home"' in page
    assert 'value="exit"' not in page and 'value="life"' not in page
    report = page[page.index("</form>", page.index('class="report-filters"')):]
    assert "6.1" in report
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
        # The goal filter is the homelessness template's own.
        assert 'value="move_home"' in page and 'value="exit"' not in page and 'value="life"' not in page


# ---------------------------------------------------------------- the course length of the template


def ended(citizen, template, months, rng, reasons=(1,)):
    """A course of ``template`` ended with an end form saying it ran ``months`` months."""
    course = testing.make_course(citizen, template=template, start=D(2026, 1, 15))
    fill(course, "cti_start", D(2026, 1, 15), rng)
    fill(course, "star", D(2026, 1, 15), rng, possible=1)
    fill(course, "cti_end", D(2026, 4, 1), rng, months=months, end_reasons=list(reasons))
    actions.do_end_course(course, actor=citizen.worker, end_date=D(2026, 4, 1))
    return course


def test_the_dropout_cutoff_and_the_length_groups_follow_the_planned_course_length():
    from overgang.evaluation import definitions as defs

    # SFI's 12-month course: exactly the groups of evaluation.md.
    assert defs.course_length_bounds(12) == defs.COURSE_LENGTH_GROUPS
    assert defs.dropout_bounds(12) == defs.DROPOUT_GROUPS and defs.dropout_cutoff(12) == 10
    # Five sixths of the planned length, rounded up.
    assert [defs.dropout_cutoff(m) for m in (9, 6, 3, 18)] == [8, 5, 3, 15]
    assert dict(defs.course_length_bounds(9)) == {
        "le6": (None, 4), "m7_9": (5, 7), "m10_11": (8, 8), "m12": (9, 9), "m13_14": (10, None)}
    assert defs.course_length_bounds(3)["m10_11"] is None  # the cutoff is the planned end
    d = Definitions()
    assert d.dropout_group(8, 12) == "before10" and d.dropout_group(8, 9) == "from10"
    assert d.course_length_group(9, 12) == "m7_9" and d.course_length_group(9, 9) == "m12"


def test_a_nine_month_template_groups_and_words_its_courses_by_nine_months(world):
    """Homelessness courses last 9 months: ending at month 8 is no dropout, month 9 is the
    planned end, and no table or text of the report speaks of 10 or 12 months."""
    testing.offer_templates(world.a, "homelessness")
    rng = random.Random(21)
    courses = {}
    for pseudonym, months in (("Vibe", 3), ("Lærke", 7), ("Nanna", 8), ("Sif", 9)):
        citizen = Citizen.objects.create(municipality=world.a, pseudonym=pseudonym, worker=world.worker)
        courses[months] = ended(citizen, "homelessness", months, rng)
    report = report_json.compute(reports.Filters(template="homelessness"), Definitions())
    length = report["course_length"]
    assert length["course_months"] == [9]
    assert (length["le6"], length["m7_9"], length["m10_11"], length["m12"], length["m13_14"]) == (1, 1, 1, 1, 0)
    dropout = report["dropout"]
    assert (dropout["before10"]["courses"], dropout["from10"]["courses"]) == (2, 2)
    # Table 4.3: the three ended before the planned 9 months.
    assert report["descriptives"]["table_4_3"]["ended_before12"] == 3
    from django.utils import translation

    with translation.override("da"):
        html = render.render(report, "html")
    for wording in ("Afsluttet inden for de første 4 mdr.", "Afsluttet fra 5 til 7 mdr.", "Afsluttet ved 8 mdr.",
                    "Afsluttet ved 9 mdr. (planlagt)", "Afsluttet efter 10 mdr. eller senere",
                    "afsluttet før 9 måneder af kendte årsager", "efter højst 8 måneder",
                    "Før 8. md. antal", "8. md. eller senere antal", "Forløb afbrudt før 8. måned",
                    "forløb på 8 måneder eller mere", "sluttede før 8. måned"):
        assert wording in html, wording
    for wording in ("12 mdr", "12 måneder", "10. md", "10. måned", "10 måneder", "11 måneder", "6 mdr"):
        assert wording not in html, wording
    with translation.override("en"):
        english = render.render(report, "html")
    assert "Ended at 9 months (planned)" in english and "12 months" not in english
    assert "month 10" not in english and "Before month 8" in english


def test_the_prostitution_template_keeps_sfis_twelve_months_beside_a_nine_month_one(world):
    testing.offer_templates(world.a, "exit_prostitution", "homelessness")
    rng = random.Random(22)
    ended(world.citizen, "exit_prostitution", 9, rng)
    other = Citizen.objects.create(municipality=world.a, pseudonym="Vibe", worker=world.worker)
    ended(other, "homelessness", 9, rng)
    sfi = report_json.compute(reports.Filters(template="exit_prostitution"), Definitions())
    assert sfi["course_length"]["course_months"] == [12] and sfi["course_length"]["m7_9"] == 1
    assert sfi["dropout"]["before10"]["courses"] == 1
    html = render.render(sfi, "html")
    for wording in ("Afsluttet inden for de første 6 mdr.", "Afsluttet fra 7 til 9 mdr.",
                    "Afsluttet fra 10 til 11 mdr.", "Afsluttet ved 12 mdr. (planlagt)",
                    "afsluttet før 12 måneder", "Før 10. md. antal", "Forløb afbrudt før 10. måned"):
        assert wording in html, wording
    assert "Grænserne følger" not in html
    # Across both: each course by its own length, the wording names both.
    both = report_json.compute(reports.Filters(), Definitions())
    assert both["course_length"]["course_months"] == [9, 12]
    assert (both["course_length"]["m7_9"], both["course_length"]["m12"]) == (1, 1)
    assert (both["dropout"]["before10"]["courses"], both["dropout"]["from10"]["courses"]) == (1, 1)
    html = render.render(both, "html")
    assert "Afsluttet ved 12 / 9 mdr. (planlagt)" in html and "Før 10 / 8. md. antal" in html
    assert "forløb på 12 / 9 mdr." in html


def test_a_municipalitys_own_course_length_moves_the_groups(world):
    """The cutoff follows the course's own calendar: an Exit prostitution course of a
    municipality that set 3 + 3 + 3 months is a 9-month course."""
    from overgang.programmes import actions as programme_actions

    programme_actions.do_change_template_offer(world.a, "exit_prostitution", actor=None, offered=True,
                                               phase1_months=3, phase2_months=3, phase3_months=3)
    ended(world.citizen, "exit_prostitution", 8, random.Random(23))
    report = report_json.compute(reports.Filters(), Definitions())
    assert report["course_length"]["course_months"] == [9]
    assert report["course_length"]["m10_11"] == 1 and report["dropout"]["from10"]["courses"] == 1


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_goal_filter_offers_each_templates_own_goals(client, login, two_templates, language):
    world = two_templates
    login(world.leader)
    client.cookies["django_language"] = language
    url = reverse("evaluation:report")
    # Every template side by side: each template's goals under its own title.
    page = client.get(url).content.decode()
    goal = page[page.index('name="goal"'):page.index("</select>", page.index('name="goal"'))]
    assert goal.index("Exit prostitution") < goal.index('value="exit"') < goal.index('value="life"')
    assert goal.index("Hjemløshed → egen bolig" if language == "da" else "Homelessness → own home") < \
        goal.index('value="move_home"') < goal.index('value="keep_home"')
    # The prostitution template chosen: only its goals.
    page = client.get(url, {"skabelon": "exit_prostitution"}).content.decode()
    assert 'value="exit"' in page and 'value="move_home"' not in page
    # A goal the chosen template does not have is refused, located at the goal field.
    response = client.get(url, {"skabelon": "homelessness", "goal": "exit"})
    assert response.status_code == 400
    # The homelessness goal filters the homelessness courses by their registration.
    response = client.get(url, {"skabelon": "homelessness", "goal": "keep_home"})
    assert response.status_code == 200


def test_the_command_takes_a_homelessness_goal(two_templates, tmp_path):
    from overgang.measurements.models import Record

    goals = {r.citizen.pseudonym: r.get_answers().get("goal") for r in Record.objects.filter(
        instrument="registration", course__template_version__name="homelessness")}
    keep = sum(1 for g in goals.values() if str(g) == "4")
    out = tmp_path / "r.json"
    call_command("report", "--format", "json", "--output", str(out), "--template", "homelessness", "--goal", "keep_home")
    assert json.loads(out.read_text())["counts"]["citizens"] == keep


def test_a_withdrawn_citizens_courses_make_no_template_column(client, login, world):
    """The only Exit prostitution course is of a citizen who withdrew consent: the report
    across templates has no column, no JSON entry and no page choice for that template,
    as the citizen has left the report itself."""
    from overgang.rights.actions import do_record_consent, do_withdraw_consent

    testing.offer_templates(world.a, "exit_prostitution", "homelessness")
    rng = random.Random(31)
    run(world.citizen, "exit_prostitution", rng)
    for pseudonym in ("Vibe", "Lærke"):
        run(Citizen.objects.create(municipality=world.a, pseudonym=pseudonym, worker=world.worker), "homelessness", rng)
    testing.offer_templates(world.a, "homelessness")  # no longer offered; its one course remains
    assert reports.templates_present() == ["exit_prostitution", "homelessness"]
    consent = do_record_consent(world.citizen, "evaluation", actor=world.worker, given_on=D(2026, 1, 15))
    do_withdraw_consent(consent, actor=world.worker, withdrawn_on=D(2026, 5, 1))
    assert reports.templates_present() == ["homelessness"]
    report = report_json.compute(reports.Filters(), Definitions())
    assert [t["name"] for t in report["templates"]] == ["homelessness"] and "by_template" not in report
    assert report["counts"]["courses_started"] == 2
    login(world.leader)
    page = client.get(reverse("evaluation:report")).content.decode()
    assert 'name="skabelon"' not in page and "exit_prostitution" not in page

"""Legacy packages: a phase-3 date without a phase-2 date is accepted with a warning (interchange.md).

Older platforms often never recorded the day phase 2 began. Such a course is imported
with phase 2's start unknown; the import reports a located warning (not a problem, so the
rest of the package is not refused with it), and the report works from what is known.
"""

import csv
import io

from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from overgang.audit.models import AuditEvent
from overgang.courses.models import Course
from overgang.evaluation import report_json
from overgang.evaluation.definitions import Definitions
from overgang.evaluation.reports import Filters
from overgang.exports.actions import do_import_package
from overgang.exports.interchange import Reader
from overgang.exports.package import Package
from overgang.exports.tests.packages import add_rows, empty_installation, write_package
from overgang.exports.tests.test_views import _zip
from overgang.synthetic import package as cohort

K = "courses.csv"


def _without_phase2(directory, every=3):
    """Blank phase2_start on every ``every``-th course of a generated package that reached
    phase 3; the lines blanked."""
    path = directory / K
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    column, phase3 = rows[0].index("phase2_start"), rows[0].index("phase3_start")
    blanked = []
    for number, row in enumerate(rows[1:], start=2):
        if number % every == 0 and row[phase3]:
            row[column] = ""
            blanked.append(number)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return blanked


def test_it_reads_a_phase3_date_without_a_phase2_date_as_a_warning(tmp_path):
    courses = add_rows(K, "F2,Anna,2015-01-01,2015-12-01,ended,,2015-09-01")
    with Package(write_package(tmp_path / "p", courses_csv=courses)) as package:
        reader = Reader(package)
        rows = list(reader.read())
    assert reader.problems == []
    assert [(w.file, w.line, w.column, w.code) for w in reader.warnings] == [(K, 3, "phase2_start", "phase2_unknown")]
    course = next(r for r in rows if getattr(r, "course_id", None) == "F2")
    assert course.phase2_start is None and course.phase3_start.isoformat() == "2015-09-01"
    assert "fase 2" in reader.warnings[0].message_da and "phase 2" in reader.warnings[0].message_en


def test_a_phase3_date_before_the_start_is_still_a_problem(tmp_path):
    courses = add_rows(K, "F2,Anna,2015-01-01,2015-12-01,ended,,2014-09-01")
    with Package(write_package(tmp_path / "p", courses_csv=courses)) as package:
        reader = Reader(package)
        list(reader.read())
    assert [(p.line, p.column, p.code) for p in reader.problems] == [(3, "phase3_start", "date_order")]
    assert reader.warnings == []


def test_it_imports_a_legacy_package_whole_and_reports_from_what_is_known(db, tmp_path):
    directory = tmp_path / "legacy"
    cohort.write_cohort(directory, courses=40, seed=3, municipalities=("Aby Kommune",))
    known = do_import_package(directory)
    assert known.ok and known.warnings == []
    before = report_json.compute(Filters(), Definitions(), None)
    empty_installation()

    blanked = _without_phase2(directory)
    result = do_import_package(directory)
    assert result.ok, [str(p) for p in result.problems]
    assert result.written and result.summary.created["courses"] == known.summary.created["courses"]
    assert sorted(w.line for w in result.warnings) == blanked
    assert {(w.file, w.column, w.code) for w in result.warnings} == {(K, "phase2_start", "phase2_unknown")}
    legacy = Course.objects.filter(phase2_start__isnull=True, phase3_start__isnull=False)
    assert legacy.count() == len(blanked) and all(c.phase3_start for c in legacy)
    course = legacy.first()
    assert course.phase_on(course.phase3_start) == 3  # the course knows it reached phase 3
    assert AuditEvent.objects.get(action="interchange.import").details["warnings"] == len(blanked)

    # The report's measures rest on the records (time points, the forms' phase codes),
    # not on the day phase 2 began: the legacy package gives the same numbers.
    after = report_json.compute(Filters(), Definitions(), None)
    for key in ("counts", "who5", "star", "fidelity"):
        assert after[key] == before[key], key


def test_the_command_lists_warnings_apart_from_problems(world, tmp_path, capsys):
    courses = add_rows(K, "F2,Anna,2015-01-01,2015-12-01,ended,,2015-09-01")
    call_command("import", str(write_package(tmp_path / "p", courses_csv=courses)), "--dry-run")
    out, err = capsys.readouterr()
    assert err == ""
    assert "Advarsler (1)" in out and "Warnings (1)" in out
    assert "advarsel / warning: courses.csv:3 [phase2_start] phase2_unknown" in out
    assert "Tjek uden at skrive" in out


def test_the_web_import_shows_warnings_apart_and_imports(world, login, client, tmp_path):
    login(world.administrator)
    url = reverse("exports:admin_import", kwargs={"municipality": world.a.code})
    courses = add_rows(K, "F2,Anna,2015-01-01,2015-12-01,ended,,2015-09-01")
    response = client.post(url, {"package": _zip(write_package(tmp_path / "p", courses_csv=courses))})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pakken er gyldig" in page and "problemer i pakken" not in page
    warnings = page[page.index('class="warnings"'):]
    assert "1 advarsel. Den stopper ikke importen." in warnings and "phase2_unknown" in warnings
    assert "fase 2&#x27;s start er ikke registreret" in warnings
    assert "bekraeft" in page
    response = client.post(reverse("exports:admin_import_confirm", kwargs={"municipality": world.a.code}), follow=True)
    assert "Pakken er importeret med 1 advarsel." in response.content.decode()
    assert Course.objects.get(external_id="F2").phase2_start is None


def test_the_web_import_says_the_warning_in_english(world, login, client, tmp_path):
    login(world.administrator)
    client.post(reverse("set_language"), {"language": "en"})
    courses = add_rows(K, "F2,Anna,2015-01-01,2015-12-01,ended,,2015-09-01")
    with translation.override("en"):
        url = reverse("exports:admin_import", kwargs={"municipality": world.a.code})
    page = client.post(url, {"package": _zip(write_package(tmp_path / "p", courses_csv=courses))}).content.decode()
    assert "1 warning. It does not stop the import." in page
    assert "phase 2&#x27;s start was never recorded" in page

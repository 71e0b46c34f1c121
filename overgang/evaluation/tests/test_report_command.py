"""``overgang report``: every format, filters, --set, errors and the audit event."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from overgang.audit.models import AuditEvent

from . import cohorts


def run(tmp_path, *args, name="report.out"):
    path = tmp_path / name
    call_command("report", "--output", str(path), *args, stderr=io.StringIO())
    return path


def test_it_writes_json_that_parses(world, tmp_path):
    cohorts.main_cohort(world)
    path = run(tmp_path, "--format", "json", "--municipality", "Aby Kommune")
    report = json.loads(path.read_text(encoding="utf-8"))
    assert report["format"] == "overgang-report/1"
    assert report["filters"] == {"municipality": ["Aby Kommune"]}
    assert report["counts"]["courses_started"] == 4
    assert report["meta"]["computation_seconds"] >= 0
    assert report["meta"]["last_changed"]


def test_it_writes_html_with_the_tables(world, tmp_path):
    cohorts.main_cohort(world)
    html = run(tmp_path, "--format", "html").read_text(encoding="utf-8")
    for number in ("Tabel 3.1", "Tabel 4.4", "Figur 6.1", "Tabel 6.2", "Tabel 6.4", "Figur 6.8", "Tabel 7.2",
                   "Figur 7.5"):
        assert number in html
    assert "<svg" in html
    assert "Sammenfatning" in html


def test_it_writes_a_pdf(world, tmp_path):
    cohorts.main_cohort(world)
    assert run(tmp_path, "--format", "pdf").read_bytes().startswith(b"%PDF")


def test_it_writes_a_workbook(world, tmp_path):
    from openpyxl import load_workbook

    cohorts.main_cohort(world)
    book = load_workbook(run(tmp_path, "--format", "xlsx", name="report.xlsx"))
    assert "Oversigt" in book.sheetnames and "Tabel 6.2" in book.sheetnames
    sheet = book["Tabel 3.1"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["Outcomes Star med tilføjelser og WHO-5", 4, 2, 0, 0, 1] in rows


def test_it_suppresses_small_cells_for_a_leader_file(world, tmp_path):
    cohorts.main_cohort(world)
    html = run(tmp_path, "--format", "html", "--leader").read_text(encoding="utf-8")
    assert "&lt;5" in html


def test_it_echoes_overrides(world, tmp_path):
    path = run(tmp_path, "--set", 'who5_improvement="10 percent"', "--set", "large_inclusive=true")
    definitions = json.loads(path.read_text(encoding="utf-8"))["definitions"]
    assert definitions["who5_improvement"] == "10 percent"
    assert definitions["large_inclusive"] is True


def test_it_refuses_a_bad_override_and_an_unknown_municipality(world, tmp_path):
    with pytest.raises(CommandError, match="who5_risk_max"):
        run(tmp_path, "--set", "who5_risk_max=500")
    with pytest.raises(CommandError, match="points"):
        run(tmp_path, "--set", "points=start")
    with pytest.raises(CommandError, match="Nowhere"):
        run(tmp_path, "--municipality", "Nowhere")


def test_it_filters_and_audits(world, tmp_path):
    cohorts.main_cohort(world)
    path = run(tmp_path, "--started-from", "2026-02-01", "--goal", "life")
    report = json.loads(path.read_text(encoding="utf-8"))
    assert report["filters"] == {"started_from": "2026-02-01", "goal": "life"}
    assert report["counts"]["courses_started"] == 1  # C4: started 1 February, goal 2
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "report.export"
    assert event.details["format"] == "json"
    assert event.details["filters"] == {"started_from": "2026-02-01", "goal": "life"}


def test_it_refuses_bad_dates_and_unwritable_paths_before_computing(world, tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run(tmp_path, "--started-from", "2026-13-01")
    with pytest.raises(CommandError, match="--started-from"):
        run(tmp_path, "--started-from", "2026-05-01", "--started-to", "2026-01-01")
    with pytest.raises(CommandError, match="mappen findes ikke"):
        call_command("report", "--output", str(tmp_path / "no" / "such" / "r.json"), stderr=io.StringIO())
    with pytest.raises(CommandError, match="cannot be written"):
        call_command("report", "--output", str(tmp_path), "--lang", "en", stderr=io.StringIO())
    assert not AuditEvent.objects.filter(action="report.export").exists()


def test_it_says_so_when_the_field_keys_do_not_fit(world, tmp_path, settings):
    from cryptography.fernet import Fernet

    cohorts.main_cohort(world)
    settings.OVERGANG_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="feltnøgler"):
        run(tmp_path, "--format", "json")

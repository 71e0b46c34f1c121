"""The report page and downloads: leaders see "<5", evaluators exact numbers."""

import json

from django.urls import reverse

from overgang.accounts.models import Membership, Municipality, Role
from overgang.audit.models import AuditEvent

from . import cohorts


def test_it_shows_a_leader_their_municipality_with_small_cells_suppressed(client, world, login):
    cohorts.main_cohort(world)
    login(world.leader)
    response = client.get(reverse("evaluation:report"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tabel 6.2" in page and "Figur 7.3" in page
    assert "&lt;5" in page
    assert "vises som &lt;5" in page
    assert "beregnet på" in page and "data senest ændret" in page
    assert response.context["exact"] is False
    rows = dict((r[0], r) for r in next(b for s in response.context["document"].sections for b in s.rendered
                                        if b["number"] == "Tabel 3.1")["shown"])
    assert rows["Outcomes Star med tilføjelser og WHO-5"][1:] == ["<5", "<5", "<5", "<5", "<5"]  # any count below 5, 0 included
    blocks = {b["number"]: b for s in response.context["document"].sections for b in s.rendered}
    # A mean or share resting on fewer than 5 reads "(<5)", never "<5" (a value below 5).
    shares = [row[2] for row in blocks["Tabel 4.8"]["shown"]]  # columns: label, count, Pct., N
    assert "(<5)" in shares and "<5" not in shares
    # Chapter 4's populations are suppressed too.
    assert blocks["Tabel 4.8"]["population"] == "N = <5"
    assert "færre end 5 borgere ved opstart eller afslutning" in page
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "report.view" and event.actor_username == "leader"
    assert event.details["format"] == "html"


def test_it_shows_an_evaluator_exact_numbers(client, world, login):
    cohorts.main_cohort(world)
    login(world.evaluator)
    response = client.get(reverse("evaluation:report"))
    assert response.status_code == 200
    assert response.context["exact"] is True
    rows = dict((r[0], r) for r in next(b for s in response.context["document"].sections for b in s.rendered
                                        if b["number"] == "Tabel 3.1")["shown"])
    assert rows["Outcomes Star med tilføjelser og WHO-5"][1:] == ["4", "2", "0", "0", "1"]
    blocks = {b["number"]: b for s in response.context["document"].sections for b in s.rendered}
    assert blocks["Tabel 4.8"]["population"] == "N = 1, 2, 3"
    assert "(<5)" not in response.content.decode()


def test_it_lets_an_evaluator_choose_among_granted_municipalities(client, world, login):
    Membership.objects.create(user=world.evaluator, municipality=world.b, role=Role.EVALUATOR)
    cohorts.star(cohorts.course(world.foreign_citizen, cohorts.D(2026, 1, 1)), cohorts.D(2026, 1, 1), tp=1, who5=2)
    login(world.evaluator)
    response = client.get(reverse("evaluation:report"), {"kommune": str(world.b.code)})
    assert response.status_code == 200
    assert response.context["report"]["municipalities"] == ["Bby Kommune"]
    assert response.context["report"]["counts"]["stars"]["start"] == 1


def test_it_hides_municipalities_outside_the_grants(client, world, login):
    other = Municipality.objects.create(name="Cby Kommune")
    for persona in ("leader", "evaluator"):
        login(getattr(world, persona))
        for code in (world.b.code, other.code):
            assert client.get(reverse("evaluation:report"), {"kommune": str(code)}).status_code == 404
            assert client.get(reverse("evaluation:download", args=["pdf"]), {"kommune": str(code)}).status_code == 404


def test_it_gives_json_to_evaluators_only(client, world, login):
    cohorts.main_cohort(world)
    login(world.leader)
    assert client.get(reverse("evaluation:download", args=["json"])).status_code == 403
    login(world.evaluator)
    response = client.get(reverse("evaluation:download", args=["json"]), {"started_from": "2026-02-01"})
    assert response.status_code == 200
    report = json.loads(response.content)
    assert report["counts"]["courses_started"] == 2
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "report.export" and event.details["format"] == "json"
    assert event.details["filters"]["started_from"] == "2026-02-01"


def test_it_downloads_a_suppressed_workbook_for_a_leader(client, world, login):
    from io import BytesIO

    from openpyxl import load_workbook

    cohorts.main_cohort(world)
    login(world.leader)
    response = client.get(reverse("evaluation:download", args=["xlsx"]))
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    rows = [[c.value for c in row] for row in book["Tabel 3.1"].iter_rows()]
    assert ["Outcomes Star med tilføjelser og WHO-5", "<5", "<5", "<5", "<5", "<5"] in rows


def test_it_applies_definitions_from_the_form(client, world, login):
    cohorts.main_cohort(world)
    login(world.evaluator)
    response = client.get(reverse("evaluation:report"), {"definitions": "large_inclusive=true"})
    assert response.context["report"]["definitions"]["large_inclusive"] is True
    # A definition that cannot be used: the error, and no report under other definitions.
    response = client.get(reverse("evaluation:report"), {"definitions": "points=x", "started_from": "2026-01-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["definitions"]
    assert response.context["report"] is None and "Sammenfatning" not in response.content.decode()
    download = client.get(reverse("evaluation:download", args=["pdf"]), {"definitions": "who5_risk_max=abc"})
    assert download.status_code == 400 and download["Content-Type"].startswith("text/html")


def test_it_refuses_other_roles_and_unknown_formats(client, world, login):
    login(world.worker)
    assert client.get(reverse("evaluation:report")).status_code == 403
    login(world.evaluator)
    assert client.get(reverse("evaluation:download", args=["exe"])).status_code == 404


def test_a_leaders_stacked_bar_hides_a_segment_under_five(world):
    """Table 6.2: 1 regression and 5 large of 6 — the table shows (<5), and the bar,
    whose widths would tell the 1, is not drawn for a leader (an evaluator sees it)."""
    from overgang.evaluation import document
    from overgang.evaluation.definitions import Definitions
    from overgang.evaluation.report_json import compute
    from overgang.evaluation.reports import Filters

    report = compute(Filters(), Definitions(), [world.a])
    end = report["star"]["progression"]["end"]
    end.update({"n": 6, "regression": 1 / 6, "no_change": 0.0, "moderate": 0.0, "large": 5 / 6,
                "counts": {"regression": 1, "no_change": 0, "moderate": 0, "large": 5}})

    def block(suppress):
        doc = document.build(report, suppress=suppress)
        return next(b for s in doc.sections for b in s.blocks if b.number == "Tabel 6.2")

    assert "<rect" in block(False).chart and ">17<" in block(False).chart
    hidden = block(True)
    assert ">17<" not in hidden.chart and ">83<" not in hidden.chart


def test_odd_digits_in_a_definition_are_an_error_not_a_crash(client, world, login):
    login(world.evaluator)
    for value in ("²", "²²²", "9" * 5000, "٣٠"):
        response = client.get(reverse("evaluation:report"), {"definitions": f"who5_risk_max={value}"})
        assert response.status_code == 400, value
        assert response.context["form"].errors["definitions"]

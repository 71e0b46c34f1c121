"""Dates are read and shown day first (dd.mm.åååå), whatever the browser's locale."""

import datetime as dt

import pytest
from django.utils import translation

from overgang.lib.datefields import DayField, DayInput, iso_text, parse_day, show_day

JUNE_12 = dt.date(2026, 6, 12)


@pytest.mark.parametrize("text", ["12.06.2026", "12-06-2026", "12/06/2026", "12,06,2026", "12.6.2026",
                                  " 12.06.2026 ", "2026-06-12"])
def test_every_accepted_shape_is_read_day_first(text):
    assert parse_day(text) == JUNE_12


def test_a_month_first_reading_is_never_taken():
    # 06/12/2026 is 6 December (day first), never 12 June.
    assert parse_day("06/12/2026") == dt.date(2026, 12, 6)
    assert parse_day("1.2.2026") == dt.date(2026, 2, 1)


@pytest.mark.parametrize("text", ["31.02.2026", "2026/13/01", "2026/06/12", "13/13/2026", "12.06.26", "12.06",
                                  "12.06.2026x", "12.06-2026", "2026-6-12", "2026-02-30", "120626", "i går",
                                  "00.06.2026", "12.00.2026"])
def test_refused_shapes_raise(text):
    with pytest.raises(ValueError):
        parse_day(text)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_an_empty_field_is_no_date(text):
    assert parse_day(text) is None


def test_a_date_is_shown_day_first():
    assert show_day(JUNE_12) == "12.06.2026"
    assert show_day(dt.date(2026, 1, 2)) == "02.01.2026"
    assert show_day(dt.datetime(2026, 6, 12, 23, 59)) == "12.06.2026"
    assert show_day("2026-06-12") == "12.06.2026"  # a stored ISO answer
    assert show_day(None) == ""


def test_a_half_typed_date_is_shown_as_typed():
    for text in ("12.06", "12.06.20", "31.02.2026", "2026-02-30", "i går"):
        assert show_day(text) == text


def test_iso_text_gives_the_interchange_form_and_leaves_the_rest_for_the_caller():
    assert iso_text("12/06/2026") == "2026-06-12"
    assert iso_text("2026-06-12") == "2026-06-12"
    assert iso_text(" ") == ""
    assert iso_text("12.06") == "12.06"
    assert iso_text("31.02.2026") == "31.02.2026"


@pytest.mark.parametrize("lang,placeholder", [("da", "dd.mm.åååå"), ("en", "dd.mm.yyyy")])
def test_the_widget_is_a_text_field_showing_the_day_first(lang, placeholder):
    with translation.override(lang):
        html = DayInput().render("day", JUNE_12, attrs={"id": "id_day"})
    assert 'type="text"' in html and 'type="date"' not in html
    assert 'value="12.06.2026"' in html
    assert f'placeholder="{placeholder}"' in html
    assert 'autocomplete="off"' in html and 'inputmode="decimal"' in html


@pytest.mark.parametrize("lang,message", [("da", "Skriv datoen som dd.mm.åååå"), ("en", "Write the date as dd.mm.yyyy")])
def test_the_field_refuses_with_a_message_in_the_page_language(lang, message):
    from django import forms

    class Form(forms.Form):
        day = DayField(label="Dato")

    with translation.override(lang):
        form = Form({"day": "31.02.2026"})
        assert not form.is_valid()
        assert message in form.errors["day"][0]
        # The typed text comes back as it was typed.
        assert 'value="31.02.2026"' in str(form["day"])
    assert Form({"day": "12/06/2026"}).is_valid()
    iso = Form({"day": "2026-06-12"})
    assert iso.is_valid() and iso.cleaned_data["day"] == JUNE_12
    unbound = Form(initial={"day": JUNE_12})
    assert 'value="12.06.2026"' in str(unbound["day"])

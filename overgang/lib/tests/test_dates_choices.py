"""The page helpers that make the same text as Django, faster: ``shortdate`` and
``ChoiceDisplay`` must answer exactly what Django's own ways answer."""

import datetime as dt

import pytest
from django.db.models import Model
from django.template import Context, Template
from django.utils import translation

from overgang.courses.models import Contact, Course
from overgang.lib import dates
from overgang.measurements.models import Record


@pytest.mark.parametrize("language", ["da", "en"])
def test_shortdate_writes_what_the_date_filter_writes(language):
    template = Template('{{ d|shortdate }}|{{ d|date:"SHORT_DATE_FORMAT" }}|{{ none|shortdate }}|{{ empty|shortdate }}')
    with translation.override(language):
        for day in (dt.date(2026, 1, 2), dt.date(1999, 12, 31)):
            ours, django, none, empty = template.render(Context({"d": day, "none": None, "empty": ""})).split("|")
            assert ours == django and ours
            assert (none, empty) == ("", "")
            assert dates.short_date(day) == ours


def test_shortdate_of_a_datetime_is_the_date_filter_s():
    moment = dt.datetime(2026, 5, 6, 23, 30, tzinfo=dt.timezone.utc)
    template = Template('{{ m|shortdate }}={{ m|date:"SHORT_DATE_FORMAT" }}')
    with translation.override("da"):
        ours, django = template.render(Context({"m": moment})).split("=")
    assert ours == django  # in the active time zone, as the date filter does


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("model,field,values", [
    (Contact, "form", ["meeting", "sms", "other", "no-such-form", ""]),
    (Record, "status", ["draft", "completed", "unknown"]),
    (Course, "status", ["contact", "active", "ended", "x"]),
])
def test_choice_labels_answer_what_django_answers(language, model, field, values):
    with translation.override(language):
        for value in values:
            obj = model(**{field: value})
            ours = getattr(obj, f"get_{field}_display")()
            assert ours == Model._get_FIELD_display(obj, model._meta.get_field(field))
            assert isinstance(ours, str)


def test_choice_labels_are_in_the_active_language():
    contact = Contact(form="phone")
    with translation.override("da"):
        assert contact.get_form_display() == "Telefon"
    with translation.override("en"):
        assert contact.get_form_display() == "Phone"

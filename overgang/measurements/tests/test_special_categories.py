"""Special-category answers at rest: a copy of the database does not say which pseudonym
sells sex, uses hard drugs, has a diagnosis or children, nor when she was born (issue 14,
item 7; SECURITY.md). They are sealed with the citizen's data key like free text."""

import datetime
import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.db import connection

from overgang import testing
from overgang.instruments import registry
from overgang.measurements.models import Record

pytestmark = pytest.mark.django_db

migration = importlib.import_module("overgang.measurements.migrations.0009_seal_special_categories")

SPECIAL = migration.SEALED


def _stored(record):
    """The two stored parts as a raw copy of the table shows them (no model, no key)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT plain_answers, sealed_answers FROM measurements_record WHERE id = %s", [record.pk])
        plain, sealed = cursor.fetchone()
    return (json.loads(plain) if isinstance(plain, str) else plain), sealed


def test_every_special_category_item_is_declared_sealed_in_the_definitions():
    # The migration's list and the definitions agree, so new records and old rows alike
    # keep these answers sealed.
    for instrument, names in SPECIAL.items():
        sealed = registry.get_instrument(instrument).sealed_names
        assert names <= sealed, (instrument, sorted(names - sealed))


def test_a_database_copy_shows_no_birth_date_sale_of_sex_or_drug_use(world):
    registration = testing.make_record(world.citizen, "registration", answers={
        "birth_date": datetime.date(1991, 7, 14), "gender": 1, "first_paid": 2, "last_paid": 1})
    star = testing.make_record(world.citizen, "star", answers={**testing.STAR_ANSWERS, "paid_last_month": 1,
                                                                "paid_count": 4})
    plain, sealed = _stored(registration)
    assert "birth_date" not in plain and "first_paid" not in plain and "last_paid" not in plain
    assert "1991" not in json.dumps(plain) and "1991" not in sealed and plain.get("gender") == "1"
    plain, sealed = _stored(star)
    assert "paid_last_month" not in plain and "paid_count" not in plain
    assert "dim_money" in plain  # the star's scores stay readable in bulk for the report
    # The worker still reads them back.
    assert Record.objects.get(pk=registration.pk).get_answers()["birth_date"] == datetime.date(1991, 7, 14)
    assert Record.objects.get(pk=star.pk).get_answers()["paid_count"] == 4


def test_the_migration_seals_answers_stored_plain_before_it(world):
    record = testing.make_record(world.citizen, "registration", answers={
        "birth_date": datetime.date(1991, 7, 14), "gender": 1, "citizenship_other": "Norge"})
    answers = Record.objects.get(pk=record.pk).get_answers()
    # As an older installation stored it: the birth date in the clear beside the sealed text.
    sealed_text = Record.objects.get(pk=record.pk).sealed_answers
    Record.objects.filter(pk=record.pk).update(plain_answers={"birth_date": "1991-07-14", "gender": "1"})
    Record.objects.filter(pk=record.pk).update(sealed_answers=sealed_text)
    migration.seal(django_apps, None)
    plain, sealed = _stored(record)
    assert plain == {"gender": "1"} and "1991" not in sealed
    assert Record.objects.get(pk=record.pk).get_answers() == answers

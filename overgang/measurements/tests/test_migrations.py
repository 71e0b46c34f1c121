"""The migrations that move stored answers: run on rows written as the old schema had them."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from overgang.instruments import registry
from overgang.instruments.build import canonical_json
from overgang.lib import crypto

BEFORE = [("measurements", "0003_record_external_id_record_incomplete"), ("instruments", "0001_initial"),
          ("citizens", "0002_citizen_created_on_alter_citizen_worker")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_it_moves_plain_who_knows_answers_into_the_sealed_part_and_renames_the_parts():
    from overgang.measurements.models import Record

    old = _migrate(BEFORE)
    try:
        municipality = old.get_model("accounts", "Municipality").objects.create(name="Aby")
        citizen = old.get_model("citizens", "Citizen").objects.create(
            municipality=municipality, pseudonym="Ask", data_key=crypto.new_wrapped_key())
        definition = json.loads(canonical_json(registry.get_instrument("cti_start").to_dict()))
        version = old.get_model("instruments", "InstrumentVersion").objects.create(
            name="cti_start", version=1, content_hash="old", definition=definition)
        old_record = old.get_model("measurements", "Record").objects.create(
            citizen=citizen, instrument_version=version, instrument="cti_start", filled_on="2026-01-01",
            answers={"knows_partner": "5", "knows_siblings": "88", "debt": "1"}, text_answers_encrypted="")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    stored = Record.objects.get(pk=old_record.pk)
    assert stored.plain_answers == {"debt": "1"} and stored.sealed_answers
    assert stored.get_answers() == {"knows_partner": 5, "knows_siblings": 88, "debt": 1}

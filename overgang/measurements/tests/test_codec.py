"""The answer codec: what is sealed is declared in the definition; decoding needs no rule."""

import shutil

import pytest

from overgang import testing
from overgang.instruments import load, registry
from overgang.instruments.models import InstrumentVersion, sync_definitions
from overgang.measurements import codec
from overgang.measurements.models import Record

pytestmark = pytest.mark.django_db

SMALL = """
name: small
title: {da: Lille, en: Small}
pages:
- name: p1
  label: {da: Side, en: Page}
  items:
  - {name: debt, type: select_one yn, label: {da: Gæld, en: Debt}}
  - {name: drugs, type: select_one yn, label: {da: Stoffer, en: Drugs}%s}
  - {name: why, type: text, label: {da: Hvorfor, en: Why}}
choices:
  yn:
  - {code: 1, label: {da: Ja, en: 'Yes'}}
  - {code: 5, label: {da: Nej, en: 'No'}}
"""


def test_it_seals_free_text_by_its_type_and_an_item_declared_sealed(world):
    instrument = registry.compile_text(SMALL % ", sealed: true")
    fields = codec.AnswerCodec().encode(instrument, {"debt": "1", "drugs": "5", "why": "Fordi"},
                                        world.citizen.data_key)
    assert fields[codec.PLAIN] == {"debt": "1"}
    assert "Fordi" not in fields[codec.SEALED] and "drugs" not in fields[codec.SEALED]
    decoded = codec.AnswerCodec().decode(fields[codec.PLAIN], fields[codec.SEALED], world.citizen.data_key)
    assert decoded == {"debt": "1", "drugs": "5", "why": "Fordi"}
    assert codec.AnswerCodec().decode(fields[codec.PLAIN], fields[codec.SEALED], world.citizen.data_key,
                                      sealed=False) == {"debt": "1"}


def test_it_writes_nothing_sealed_when_nothing_sealed_is_answered(world):
    instrument = registry.compile_text(SMALL % "")
    fields = codec.AnswerCodec().encode(instrument, {"debt": "1", "drugs": "5"}, world.citizen.data_key)
    assert fields == {codec.PLAIN: {"debt": "1", "drugs": "5"}, codec.SEALED: ""}


def test_an_item_sealed_in_a_later_version_is_sealed_for_records_of_every_version(world, tmp_path):
    directory = tmp_path / "definitions"
    shutil.copytree(load.DEFINITIONS_DIR, directory)
    old = sync_definitions(directory)["star"]
    star = directory / "star.yaml"
    star.write_text(star.read_text().replace("  - name: considered\n", "  - name: considered\n    sealed: true\n"))
    new = sync_definitions(directory)["star"]
    assert new.version == old.version + 1 and "considered" in new.instrument().sealed_names
    assert "considered" not in old.instrument().sealed_names
    fields = codec.AnswerCodec().encode(old.instrument(), {"dim_money": "4", "considered": "1"},
                                        world.citizen.data_key)
    assert fields[codec.PLAIN] == {"dim_money": "4"}


def test_rows_written_under_an_older_rule_read_the_same(world):
    record = testing.make_record(world.citizen, "cti_start", answers={"debt": 1, "knows_partner": 5})
    # As migration 0004 found them: who knows stored in the clear.
    Record.objects.filter(pk=record.pk).update(plain_answers={"debt": "1", "knows_partner": "5"}, sealed_answers="")
    assert Record.objects.get(pk=record.pk).get_answers() == {"debt": 1, "knows_partner": 5}


def test_it_tells_stored_content_apart_whichever_rule_split_it(world):
    answers = codec.AnswerCodec()
    key = world.citizen.data_key
    instrument = registry.get_instrument("cti_start")
    fields = answers.encode(instrument, {"debt": "1", "knows_partner": "5"}, key)
    fingerprint = answers.fingerprint(fields[codec.PLAIN])
    assert answers.same_content(fingerprint, fields[codec.SEALED], key, {"debt": "1", "knows_partner": "5"})
    assert not answers.same_content(fingerprint, fields[codec.SEALED], key, {"debt": "1", "knows_partner": "1"})
    assert not answers.same_content(fingerprint, fields[codec.SEALED], key, {"debt": "5", "knows_partner": "5"})
    assert not answers.same_content(fingerprint, fields[codec.SEALED], key, {"knows_partner": "5"})
    everything_plain = answers.fingerprint({"debt": "1", "knows_partner": "5"})
    assert answers.same_content(everything_plain, "", key, {"debt": "1", "knows_partner": "5"})


def test_it_opens_only_the_sealed_parts_asked_for_and_only_the_items_kept(world):
    with_text = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 3,
                                                                  "declined_reason": "Nej tak"})
    who_knows = testing.make_record(world.citizen, "cti_start", answers={"debt": 1, "knows_partner": 5})
    plain_only = testing.make_record(world.citizen, "star", answers={"time_point": 1, "possible": 4})
    opened = codec.AnswerCodec().unseal_records(
        [with_text.pk, who_knows.pk, plain_only.pk], keep=lambda name: name != "declined_reason")
    assert opened == {who_knows.pk: {"knows_partner": "5"}}
    assert InstrumentVersion.objects.count() >= 2


def test_the_passing_reader_reads_what_decode_reads_in_the_same_order(world):
    import json

    answers = codec.AnswerCodec()
    key = world.citizen.data_key
    instrument = registry.compile_text(SMALL % ", sealed: true")
    fields = answers.encode(instrument, {"debt": "1", "drugs": "5", "why": "Fordi, sagde hun"}, key)
    read = answers.passing_reader()
    text = json.dumps(fields[codec.PLAIN])
    # The plain part as a dict (a model field), as the database's JSON text (an export's
    # cast), as bytes (a cursor), or nothing; with and without a sealed part.
    for plain in (fields[codec.PLAIN], text, text.encode(), None, {}, "null", b"null"):
        for token in (fields[codec.SEALED], ""):
            got, expected = read(plain, token, key), answers.decode(plain, token, key)
            assert got == expected and list(got) == list(expected)
    assert read(text, fields[codec.SEALED], key) == {"debt": "1", "drugs": "5", "why": "Fordi, sagde hun"}

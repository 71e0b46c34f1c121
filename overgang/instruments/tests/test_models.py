"""Published versions: content-hashed, immutable, created only when a definition changes."""

import shutil

import pytest

from overgang.instruments import load, registry
from overgang.instruments.models import ImmutableVersionError, InstrumentVersion, current_version, sync_definitions

pytestmark = pytest.mark.django_db


@pytest.fixture
def definitions(tmp_path):
    target = tmp_path / "definitions"
    shutil.copytree(load.DEFINITIONS_DIR, target)
    return target


def test_it_publishes_version_1_of_every_instrument_once():
    first = sync_definitions()
    assert {name: v.version for name, v in first.items()} == {n: 1 for n in
        ("cti_end", "cti_ongoing", "cti_start", "not_started", "registration", "star")}
    second = sync_definitions()
    assert {n: v.pk for n, v in second.items()} == {n: v.pk for n, v in first.items()}
    assert InstrumentVersion.objects.count() == 6


def test_it_stores_a_definition_that_rebuilds_to_the_same_hash():
    version = sync_definitions()["star"]
    version.refresh_from_db()
    rebuilt = version.instrument()
    assert rebuilt.content_hash() == version.content_hash
    assert rebuilt == registry.get_instrument("star")
    assert current_version("star") == version


def test_it_makes_a_new_version_when_a_definition_changes(definitions):
    old = sync_definitions(definitions)
    star = definitions / "star.yaml"
    star.write_text(star.read_text().replace("Skriv ca. antal gange", "Skriv ca. antallet af gange"))
    new = sync_definitions(definitions)
    assert new["star"].version == 2 and new["star"].content_hash != old["star"].content_hash
    assert new["registration"] == old["registration"]
    assert InstrumentVersion.objects.get(name="star", version=1).definition == old["star"].definition
    assert "Skriv ca. antallet af gange" not in str(old["star"].definition)
    assert "Skriv ca. antallet af gange" in str(new["star"].definition)


def test_it_versions_only_instruments_that_use_a_changed_shared_list(definitions):
    old = sync_definitions(definitions)
    shared = definitions / "shared" / "choices.yaml"
    shared.write_text(shared.read_text().replace("Trans person", "Transgender person"))
    new = sync_definitions(definitions)
    changed = sorted(n for n in new if new[n].pk != old[n].pk)
    assert changed == ["not_started", "registration"]  # the two that ask for gender


def test_it_maps_a_reverted_definition_to_its_earlier_version(definitions):
    old = sync_definitions(definitions)["star"]
    star = definitions / "star.yaml"
    original = star.read_text()
    star.write_text(original.replace("Kriminel adfærd", "Kriminalitet"))
    assert sync_definitions(definitions)["star"].version == 2
    star.write_text(original)
    assert sync_definitions(definitions)["star"] == old


def test_it_writes_nothing_when_a_definition_has_problems(definitions):
    star = definitions / "star.yaml"
    star.write_text(star.read_text().replace("relevant: ${possible} = 1", "relevant: ${possible} = 9", 1))
    with pytest.raises(registry.DefinitionError) as exc:
        sync_definitions(definitions)
    assert [p.code for p in exc.value.problems] == ["unknown_code"]
    assert exc.value.problems[0].where == "star.goal"
    assert InstrumentVersion.objects.count() == 0


def test_it_never_changes_or_deletes_a_version():
    version = sync_definitions()["registration"]
    version.definition = {}
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        version.delete()
    with pytest.raises(ImmutableVersionError):
        InstrumentVersion.objects.filter(name="registration").update(version=9)
    with pytest.raises(ImmutableVersionError):
        InstrumentVersion.objects.all().delete()
    assert InstrumentVersion.objects.get(pk=version.pk).version == 1

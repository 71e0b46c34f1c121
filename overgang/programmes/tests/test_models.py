"""Published template versions: content-hashed, immutable, new only when a template changes."""

import shutil

import pytest

from overgang.programmes import registry
from overgang.programmes.models import ImmutableVersionError, TemplateVersion, current_version, sync_definitions

pytestmark = pytest.mark.django_db


@pytest.fixture
def definitions(tmp_path):
    target = tmp_path / "definitions"
    shutil.copytree(registry.DEFINITIONS_DIR, target)
    return target


def test_it_publishes_version_1_of_every_template_once():
    first = sync_definitions()
    assert {name: v.version for name, v in first.items()} == {
        "care_home": 1, "exit_prostitution": 1, "homelessness": 1, "psychiatric_discharge": 1}
    assert {n: v.pk for n, v in sync_definitions().items()} == {n: v.pk for n, v in first.items()}
    assert TemplateVersion.objects.count() == 4
    assert current_version("homelessness") == first["homelessness"]


def test_it_stores_a_definition_that_rebuilds_to_the_same_template():
    version = current_version("exit_prostitution")
    version = TemplateVersion.objects.get(pk=version.pk)
    assert version.template() == registry.get_template("exit_prostitution")
    assert version.template().content_hash() == version.content_hash


def test_a_changed_template_is_a_new_version_and_the_old_one_stays(definitions):
    old = sync_definitions(definitions)
    path = definitions / "homelessness.yaml"
    path.write_text(path.read_text().replace("window_days: 14", "window_days: 21"))
    new = sync_definitions(definitions)
    assert new["homelessness"].version == 2
    assert [n for n in new if new[n].pk != old[n].pk] == ["homelessness"]
    assert TemplateVersion.objects.get(name="homelessness", version=1).template().calendar.window_days == 14
    assert new["homelessness"].template().calendar.window_days == 21
    path.write_text(path.read_text().replace("window_days: 21", "window_days: 14"))
    assert sync_definitions(definitions)["homelessness"] == old["homelessness"]


def test_a_version_can_be_neither_changed_nor_deleted():
    version = current_version("care_home")
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        version.delete()
    with pytest.raises(ImmutableVersionError):
        TemplateVersion.objects.filter(pk=version.pk).update(version=9)
    with pytest.raises(ImmutableVersionError):
        TemplateVersion.objects.all().delete()


def test_an_unknown_template_is_a_key_error():
    with pytest.raises(KeyError):
        current_version("astronauts")

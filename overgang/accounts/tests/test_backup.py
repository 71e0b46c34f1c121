"""Backups are consistent encrypted snapshots, and restore brings the data back."""

import io

import pytest
from django.core.management import CommandError, call_command

from overgang.audit.log import verify
from overgang.citizens.models import Citizen
from overgang.lib import backup, crypto

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_backs_up_and_restores_the_database(world, tmp_path):
    world.citizen.set_identity_note("genkendes på den gule jakke")
    world.citizen.save()
    path = tmp_path / "overgang.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    raw = path.read_bytes()
    assert raw.startswith(backup.MAGIC)
    assert b"Solsikke" not in raw and b"CREATE TABLE" not in raw and b"SQLite format" not in raw
    Citizen.objects.filter(pk=world.citizen.pk).update(pseudonym="Ændret")
    Citizen.objects.filter(pk=world.foreign_citizen.pk).delete()
    call_command("restore", str(path), "--yes", stdout=io.StringIO())
    restored = Citizen.objects.get(pk=world.citizen.pk)
    assert restored.pseudonym == "Solsikke" and restored.identity_note == "genkendes på den gule jakke"
    assert Citizen.objects.filter(pk=world.foreign_citizen.pk).exists()
    assert verify().ok


def test_a_changed_or_cut_backup_is_refused_and_nothing_changes(world, tmp_path):
    path = tmp_path / "b"
    call_command("backup", str(path), stdout=io.StringIO())
    data = bytearray(path.read_bytes())
    data[-40] ^= 0x01
    changed = tmp_path / "changed"
    changed.write_bytes(bytes(data))
    Citizen.objects.filter(pk=world.citizen.pk).update(pseudonym="Efter")
    with pytest.raises(CommandError, match="ændret eller beskadiget"):
        call_command("restore", str(changed), "--yes", stdout=io.StringIO())
    cut = tmp_path / "cut"
    cut.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(CommandError, match="afkortet|beskadiget"):
        call_command("restore", str(cut), "--yes", stdout=io.StringIO())
    assert Citizen.objects.get(pk=world.citizen.pk).pseudonym == "Efter"


def test_a_backup_needs_the_field_keys(world, tmp_path, settings):
    path = tmp_path / "b"
    call_command("backup", str(path), stdout=io.StringIO())
    settings.OVERGANG_FIELD_KEYS = [crypto.generate_master_key()]
    with pytest.raises(CommandError, match="feltnøgler"):
        call_command("restore", str(path), "--yes", stdout=io.StringIO())


def test_it_refuses_to_overwrite_a_file(world, tmp_path):
    path = tmp_path / "exists"
    path.write_text("keep me")
    with pytest.raises(CommandError, match="findes allerede"):
        call_command("backup", str(path), stdout=io.StringIO())
    assert path.read_text() == "keep me"

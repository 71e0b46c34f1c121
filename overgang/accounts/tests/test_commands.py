"""Bootstrap commands: municipalities, users, key rotation."""

import io

import pytest
from django.core.management import CommandError, call_command

from overgang.accounts.models import Municipality, Role, User
from overgang.audit.models import AuditEvent
from overgang.citizens.models import Citizen
from overgang.lib import crypto

pytestmark = pytest.mark.django_db


def test_it_adds_a_municipality_and_an_administrator(monkeypatch):
    call_command("municipality", "add", "Eksempel Kommune", stdout=io.StringIO())
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase 9\n"))
    call_command("user", "add", "it", "--municipality", "eksempel kommune", "--role", "admin", "--password-stdin", stdout=io.StringIO())
    user = User.objects.get(username="it")
    assert user.roles_in(Municipality.objects.get()) == {Role.ADMIN}
    assert user.check_password("a long enough passphrase 9")
    assert AuditEvent.objects.filter(action="user.create").exists()


def test_it_refuses_a_duplicate_municipality_and_a_weak_password(monkeypatch):
    call_command("municipality", "add", "X By", stdout=io.StringIO())
    with pytest.raises(CommandError, match="findes allerede"):
        call_command("municipality", "add", "x by", stdout=io.StringIO())
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError):
        call_command("user", "add", "u", "--municipality", "X By", "--role", "worker", "--password-stdin")
    assert not User.objects.filter(username="u").exists()


def test_key_rotation_rewraps_every_data_key(world, settings):
    citizen = world.citizen
    citizen.set_identity_note("note")
    citizen.save()
    new_key = crypto.generate_master_key()
    settings.OVERGANG_FIELD_KEYS = [new_key, *settings.OVERGANG_FIELD_KEYS]
    call_command("keys", "rotate", stdout=io.StringIO())
    settings.OVERGANG_FIELD_KEYS = [new_key]
    assert Citizen.objects.get(pk=citizen.pk).identity_note == "note"
    assert AuditEvent.objects.get(action="keys.rotate").details == {"citizens": 2, "in_store": 2}

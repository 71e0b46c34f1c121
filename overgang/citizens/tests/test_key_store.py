"""Erasing a citizen makes them unreadable in every backup (issue 14 item 7).

The citizens' data keys live in the key store (``lib/keystore.py``), outside the database
and its backups. A database backup taken before an erasure, read as a copy would read it
(with the field keys and the key store: everything the installation has), cannot decrypt
the erased citizen's free text or sealed answers, while everyone else's decrypt; restoring
it erases them again from the store's ledger. Run on SQLite and on PostgreSQL, with a
SQLite key store and, on PostgreSQL, a PostgreSQL key store too.
"""

import datetime as dt
import io
import os
import sqlite3
import subprocess
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse

from overgang import testing
from overgang.audit.models import AuditEvent
from overgang.citizens import actions, keys
from overgang.citizens.models import Citizen
from overgang.lib import backup, crypto, keystore
from overgang.measurements import codec
from overgang.measurements.models import Record
from overgang.synthetic import database, lives

pytestmark = pytest.mark.django_db(transaction=True)

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _postgres_store_database():
    """A database of its own on the test cluster, as production's key store would be."""
    db = django_settings.DATABASES["default"]
    name = f"overgang_keys_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    params = {k: v for k, v in (("host", db.get("HOST")), ("port", db.get("PORT")), ("user", db.get("USER")),
                                ("password", db.get("PASSWORD"))) if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return {**{k: v for k, v in db.items() if k in ("ENGINE", "HOST", "PORT", "USER", "PASSWORD")}, "NAME": name,
            "OPTIONS": {}}, params


@pytest.fixture(params=["sqlite-store", *(["postgres-store"] if ON_POSTGRES else [])])
def store(request, settings, tmp_path):
    """A fresh, empty key store for the test (ask for it before ``world``, whose citizens'
    keys must go into it)."""
    if request.param == "sqlite-store":
        settings.OVERGANG_KEY_STORE = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "keys.sqlite3")}
        yield keystore.store()
        keystore.store().close()
        return
    config, params = _postgres_store_database()
    settings.OVERGANG_KEY_STORE = config
    found = keystore.store()
    yield found
    found.close()
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')


def _generate(world, courses, seed):
    options = lives.Options(courses=courses, seed=seed, today=dt.date.today(), years=1.5,
                            municipalities=(world.a.name,), workers={world.a.name: [world.worker.username]})
    database.write(lives.plan(options))


def _copy_rows(snapshot: Path, table: str, columns: list[str]) -> list[dict]:
    """The rows of ``table`` in a decrypted backup snapshot, read straight from the file
    (SQLite) or from ``pg_restore``'s output (PostgreSQL), as whoever holds a copy would."""
    if not ON_POSTGRES:
        db = sqlite3.connect(snapshot)
        try:
            return [dict(zip(columns, row)) for row in db.execute(f"SELECT {', '.join(columns)} FROM {table}")]
        finally:
            db.close()
    text = subprocess.run([backup._pg_tool("pg_restore"), "--data-only", f"--table={table}", "--file=-",
                           str(snapshot)], capture_output=True, text=True, check=True).stdout
    rows, header = [], None
    for line in text.splitlines():
        if line.startswith(f"COPY public.{table} "):
            header = [c.strip() for c in line[line.index("(") + 1 : line.index(")")].split(",")]
        elif header is not None and line == "\\.":
            header = None
        elif header is not None:
            values = dict(zip(header, line.split("\t")))
            rows.append({c: ("" if values[c] == "\\N" else values[c]) for c in columns})
    return rows


def _every_key_the_installation_has(store):
    """Every Fernet the installation could try: each field key itself, and every data key
    in the key store unwrapped."""
    fernets = [Fernet(k.encode()) for k in django_settings.OVERGANG_FIELD_KEYS]
    for _ref, wrapped, _created in store.all_keys():
        fernets.append(Fernet(crypto.master().decrypt(wrapped.encode())))
    return fernets


def _opens(token: str, fernets) -> bool:
    for fernet in fernets:
        try:
            fernet.decrypt(token.encode())
            return True
        except InvalidToken:
            continue
    return False


def test_a_new_citizens_key_is_in_the_store_wrapped_and_the_database_holds_only_its_reference(store, world):
    citizen = Citizen.objects.create(municipality=world.a, pseudonym="Mælkebøtte", worker=world.worker)
    citizen.set_identity_note("kommer om tirsdagen")
    citizen.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT data_key FROM citizens_citizen WHERE id = %s", [citizen.pk])
        (column,) = cursor.fetchone()
    assert keystore.is_ref(column) and len(column) == len("ks1:") + 32
    wrapped = store.get_many([column])[column]
    # Wrapped by the field keys: the stored value is no Fernet key by itself.
    with pytest.raises(ValueError):
        Fernet(wrapped.encode())
    assert Citizen.objects.get(pk=citizen.pk).identity_note == "kommer om tirsdagen"


def test_backup_then_erase_then_restore_the_old_backup_leaves_the_erased_citizen_unreadable(
        store, client, world, tmp_path):
    _generate(world, 6, seed=11)
    erased = Citizen.objects.exclude(pk__in=[world.citizen.pk, world.foreign_citizen.pk]).order_by("pk").first()
    kept = Citizen.objects.exclude(pk__in=[world.citizen.pk, world.foreign_citizen.pk, erased.pk]).order_by("pk").first()
    for citizen in (erased, kept):
        citizen.set_identity_note(f"noten om {citizen.pseudonym}")
        citizen.save()
    assert Record.objects.filter(citizen=erased).exclude(**{codec.SEALED: ""}).count() >= 2
    erased_pk, erased_code, erased_pseudonym, erased_ref = erased.pk, erased.code, erased.pseudonym, erased.data_key

    old = tmp_path / "before-erasure.backup"
    out = io.StringIO()
    call_command("backup", str(old), stdout=out)
    assert "Nøglelageret" in out.getvalue() and "not in this backup" in out.getvalue()

    actions.do_erase_citizen(erased, actor=world.worker)
    assert store.get_many([erased_ref]) == {} and store.erased([erased_ref]) == {erased_ref}

    # The old backup, decrypted with the field keys and read as a copy would read it.
    snapshot = tmp_path / "snapshot"
    backup.decrypt_file(old, snapshot, django_settings.OVERGANG_FIELD_KEYS)
    citizens = {int(r["id"]): r for r in _copy_rows(snapshot, "citizens_citizen",
                                                    ["id", "data_key", "identity_note_encrypted"])}
    records = _copy_rows(snapshot, "measurements_record", ["citizen_id", codec.SEALED])
    assert erased_pk in citizens and citizens[erased_pk]["data_key"] == erased_ref
    fernets = _every_key_the_installation_has(store)
    sealed_of = {}
    for row in records:
        if row[codec.SEALED]:
            sealed_of.setdefault(int(row["citizen_id"]), []).append(row[codec.SEALED])
    # The erased citizen: nothing the installation has opens their note or sealed answers.
    with pytest.raises(crypto.KeyUnavailable):
        crypto.decrypt(erased_ref, citizens[erased_pk]["identity_note_encrypted"])
    with pytest.raises(crypto.KeyUnavailable):
        crypto.DataKeys().decrypt(erased_ref, sealed_of[erased_pk][0])
    assert not _opens(citizens[erased_pk]["identity_note_encrypted"], fernets)
    assert not any(_opens(token, fernets) for token in sealed_of[erased_pk])
    # Everyone else reads as before, from the same copy.
    assert crypto.decrypt(citizens[kept.pk]["data_key"], citizens[kept.pk]["identity_note_encrypted"]) \
        == f"noten om {kept.pseudonym}"
    reader = codec.AnswerCodec()
    for pk, tokens in sealed_of.items():
        if pk != erased_pk:
            assert all(reader.unseal(token, citizens[pk]["data_key"]) for token in tokens)

    # Restoring the old backup erases them again, from the key store's ledger.
    out, err = io.StringIO(), io.StringIO()
    call_command("restore", str(old), "--yes", stdout=out, stderr=err)
    assert not Citizen.objects.filter(pk=erased_pk).exists()
    assert not Record.objects.filter(citizen_id=erased_pk).exists()
    assert str(erased_code) in out.getvalue() and erased_pseudonym not in out.getvalue()
    assert err.getvalue() == ""
    event = AuditEvent.objects.get(action="keys.erasure_reapplied")
    assert event.citizen_code == event.object_code == str(erased_code)
    assert erased_pseudonym not in str(event.details)
    assert Citizen.objects.get(pk=kept.pk).identity_note == f"noten om {kept.pseudonym}"
    testing.login(client, world.worker)
    page = client.get(reverse("courses:citizen", kwargs={"code": kept.code}))
    assert page.status_code == 200 and kept.pseudonym in page.content.decode()


def test_a_citizen_whose_key_is_gone_shows_a_clear_page_not_a_server_error(store, client, world):
    citizen = Citizen.objects.create(municipality=world.a, pseudonym="Kornblomst", worker=world.worker)
    citizen.set_identity_note("hemmelig")
    citizen.save()
    store.destroy([citizen.data_key])  # as after a restore by hand of a backup older than the erasure
    testing.login(client, world.worker)
    response = client.get(reverse("citizens:edit", kwargs={"code": citizen.code}))
    assert response.status_code == 410
    assert "Borgerens oplysninger er slettet" in response.content.decode()
    assert "hemmelig" not in response.content.decode()
    overview = client.get(reverse("courses:citizen", kwargs={"code": citizen.code}))
    assert overview.status_code == 200 and "hemmelig" not in overview.content.decode()  # it shows no free text
    # The caseload and "Min uge", which list the citizen, still work.
    assert client.get(reverse("courses:caseload")).status_code == 200
    assert client.get(reverse("courses:week")).status_code == 200
    # The others are not affected.
    world.citizen.set_identity_note("synlig")
    world.citizen.save()
    assert client.get(reverse("citizens:edit", kwargs={"code": world.citizen.code})).status_code == 200


def test_an_erasure_the_key_store_cannot_take_is_refused_and_nothing_is_erased(store, client, world, settings):
    world.citizen.set_identity_note("bliver")
    world.citizen.save()
    settings.OVERGANG_KEY_STORE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/proc/no-such-dir/keys.sqlite3"}
    with pytest.raises(keystore.KeyStoreError, match="kan ikke åbnes"):
        actions.do_erase_citizen(world.citizen, actor=world.worker)
    assert Citizen.objects.filter(pk=world.citizen.pk).exists()
    testing.login(client, world.worker)
    response = client.post(reverse("citizens:erase", kwargs={"code": world.citizen.code}),
                           {"confirm": world.citizen.pseudonym})
    assert response.status_code == 503 and "Nøglelageret kan ikke nås" in response.content.decode()
    assert Citizen.objects.filter(pk=world.citizen.pk).exists()
    assert not AuditEvent.objects.filter(action="citizen.erase").exists()


def test_retention_destroys_the_keys_in_the_store(store, world):
    from overgang.rights import actions as rights_actions

    citizen = Citizen.objects.create(municipality=world.a, pseudonym="Gammel", worker=world.worker,
                                     created_on=dt.date(2010, 1, 1))
    ref = citizen.data_key
    plan = rights_actions.do_apply_retention(world.a, today=dt.date(2030, 1, 1))
    assert citizen.code in {c.code for c in plan.citizens}
    assert not Citizen.objects.filter(code=citizen.code).exists()
    assert store.get_many([ref]) == {} and store.erased([ref]) == {ref}


def test_the_move_command_moves_keys_kept_in_the_database_into_the_store(store, world, settings):
    config = settings.OVERGANG_KEY_STORE
    settings.OVERGANG_KEY_STORE = None  # an installation from before the key store
    old = Citizen.objects.create(municipality=world.a, pseudonym="Fra før", worker=world.worker)
    old.set_identity_note("gammel note")
    old.save()
    inline = old.data_key
    assert not keystore.is_ref(inline) and crypto.master().decrypt(inline.encode())
    settings.OVERGANG_KEY_STORE = config
    out = io.StringIO()
    call_command("keys", "move", stdout=out)
    moved = Citizen.objects.get(pk=old.pk)
    assert keystore.is_ref(moved.data_key) and store.get_many([moved.data_key])[moved.data_key]
    assert moved.identity_note == "gammel note"
    assert crypto.master().decrypt(store.get_many([moved.data_key])[moved.data_key].encode()) \
        == crypto.master().decrypt(inline.encode())
    assert Citizen.objects.exclude(data_key__startswith=keystore.PREFIX).count() == 0
    assert AuditEvent.objects.filter(action="keys.move").exists()
    assert "Fra før" not in str(list(AuditEvent.objects.filter(action="keys.move").values_list("details", flat=True)))
    # Again: nothing left to move.
    assert keys.move_to_store() == 0
    # And erasing the moved citizen now reaches the store.
    actions.do_erase_citizen(moved, actor=world.worker)
    assert store.erased([moved.data_key]) == {moved.data_key}


def test_backup_warns_without_a_key_store(world, settings, tmp_path):
    settings.OVERGANG_KEY_STORE = None
    err = io.StringIO()
    call_command("backup", str(tmp_path / "b"), stdout=io.StringIO(), stderr=err)
    assert "ADVARSEL" in err.getvalue() and "no key store is configured" in err.getvalue()


def test_keys_for_many_citizens_come_from_the_store_in_one_query_per_batch(store, world):
    _generate(world, 30, seed=5)
    pks = list(Record.objects.exclude(**{codec.SEALED: ""}).values_list("pk", flat=True))
    citizens = Record.objects.filter(pk__in=pks).values("citizen").distinct().count()
    assert citizens >= 25
    before = store.queries
    opened = codec.AnswerCodec().unseal_records(pks)
    assert len(opened) == len(pks)
    assert store.queries - before == 1  # not one per citizen


def test_concurrent_new_citizens_each_get_their_own_key(store, world):
    errors, made = [], []

    def create(n):
        try:
            for i in range(4):
                citizen = Citizen.objects.create(municipality=world.a, pseudonym=f"Samtidig {n}-{i}",
                                                 worker=world.worker)
                citizen.set_identity_note(f"note {n}-{i}")
                citizen.save()
                made.append(citizen.pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()
            keystore.store().close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = list(Citizen.objects.filter(pk__in=made).values_list("pseudonym", "data_key"))
    assert len(rows) == 24 and len({key for _p, key in rows}) == 24
    assert set(store.get_many([key for _p, key in rows])) == {key for _p, key in rows}
    for citizen in Citizen.objects.filter(pk__in=made):
        assert citizen.identity_note == "note " + citizen.pseudonym.removeprefix("Samtidig ")


def test_the_key_store_backup_and_restore_keep_erasures(store, world, tmp_path):
    erased = Citizen.objects.create(municipality=world.a, pseudonym="Slettes", worker=world.worker)
    erased.set_identity_note("væk")
    erased.save()
    kept = world.citizen
    kept.set_identity_note("bliver")
    kept.save()
    copy = tmp_path / "keys.backup"
    out = io.StringIO()
    call_command("keys", "backup", str(copy), stdout=out)
    assert b"ks1:" not in copy.read_bytes()
    ref = erased.data_key
    actions.do_erase_citizen(erased, actor=world.worker)
    with pytest.raises(CommandError, match="ikke en Overgang-sikkerhedskopi|nøglelageret"):
        call_command("restore", str(copy), "--yes", stdout=io.StringIO())
    out = io.StringIO()
    call_command("keys", "restore", str(copy), "--yes", stdout=out, stderr=io.StringIO())
    # The copy held the erased citizen's key; no citizen uses it, so it is destroyed again.
    assert store.get_many([ref]) == {} and ref in store.erased([ref])
    assert Citizen.objects.get(pk=kept.pk).identity_note == "bliver"
    assert AuditEvent.objects.filter(action="keys.restore").exists()


def test_the_store_refuses_to_be_the_database_itself(monkeypatch):
    monkeypatch.setenv("OVERGANG_KEY_STORE", os.environ.get("DATABASE_URL", "sqlite:///var/overgang.sqlite3"))
    monkeypatch.setenv("OVERGANG_MODE", "test")
    run = subprocess.run([str(Path(django_settings.BASE_DIR) / ".venv" / "bin" / "python"), "-c",
                          "import overgang.settings"], cwd=django_settings.BASE_DIR, capture_output=True, text=True,
                         env={**os.environ})
    assert run.returncode != 0 and "OVERGANG_KEY_STORE must be another database" in run.stderr


def test_beside_a_sqlite_database_the_store_is_a_file_next_to_it_by_default(tmp_path):
    code = ("from django.conf import settings; import django; django.setup(); "
            "print(settings.OVERGANG_KEY_STORE['NAME'] if settings.OVERGANG_KEY_STORE else 'database')")
    env = {k: v for k, v in os.environ.items() if k not in ("OVERGANG_KEY_STORE", "DATABASE_URL")}
    env.update(OVERGANG_MODE="demo", DJANGO_SETTINGS_MODULE="overgang.settings")
    python = str(Path(django_settings.BASE_DIR) / ".venv" / "bin" / "python")

    def where(**extra):
        run = subprocess.run([python, "-c", code], cwd=django_settings.BASE_DIR, capture_output=True, text=True,
                             env={**env, **extra})
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    assert where(DATABASE_URL=f"sqlite:///{tmp_path}/demo.sqlite3") == f"{tmp_path}/demo.keys.sqlite3"
    assert where(DATABASE_URL=f"sqlite:///{tmp_path}/demo.sqlite3", OVERGANG_KEY_STORE="database") == "database"
    assert where(DATABASE_URL="postgres://u@localhost/overgang") == "database"
    assert where(DATABASE_URL="postgres://u@localhost/overgang",
                 OVERGANG_KEY_STORE="postgres://k@keys.internal/overgang_keys") == "overgang_keys"


def test_a_sqlite_store_file_is_readable_by_the_installation_only(store, world):
    if store.engine == "sqlite":
        Citizen.objects.create(municipality=world.a, pseudonym="Fil", worker=world.worker)
        assert os.stat(store.config["NAME"]).st_mode & 0o077 == 0
    assert store.counts()[0] >= 1


def test_status_counts_and_sweep_refuses_when_most_keys_are_unused(store, world):
    world.citizen.set_identity_note("efter oprydningen")
    world.citizen.save()
    out = io.StringIO()
    call_command("keys", "status", stdout=out)
    assert "citizens with their key in the store: 2" in out.getvalue()
    assert world.citizen.pseudonym not in out.getvalue()
    unused = [crypto.new_data_key() for _ in range(5)]  # as if for transactions that rolled back
    with pytest.raises(CommandError, match="bruges ikke af nogen borger"):
        call_command("keys", "sweep", "--hours", "0", stdout=io.StringIO())
    assert set(store.get_many(unused)) == set(unused)
    call_command("keys", "sweep", "--hours", "1", "--force", stdout=io.StringIO())
    assert set(store.get_many(unused)) == set(unused)  # too young: a citizen may be on its way
    call_command("keys", "sweep", "--hours", "0", "--force", stdout=io.StringIO())
    assert store.get_many(unused) == {} and store.erased(unused) == set(unused)
    assert Citizen.objects.get(pk=world.citizen.pk).identity_note == "efter oprydningen"
    assert set(store.get_many([world.citizen.data_key, world.foreign_citizen.data_key])) == {
        world.citizen.data_key, world.foreign_citizen.data_key}
    assert AuditEvent.objects.filter(action="keys.sweep").count() == 2


def test_the_page_of_a_citizen_with_notes_whose_key_is_gone_says_so(store, client, world):
    _generate(world, 3, seed=21)
    gone, other = Citizen.objects.filter(courses__contacts__isnull=False).distinct().order_by("pk")[:2]
    store.destroy([gone.data_key])
    testing.login(client, world.worker)
    response = client.get(reverse("courses:citizen", kwargs={"code": gone.code}))
    assert response.status_code == 410 and "Borgerens oplysninger er slettet" in response.content.decode()
    assert client.get(reverse("courses:citizen", kwargs={"code": other.code})).status_code == 200


def test_a_destroyed_key_is_gone_from_the_sqlite_store_files_themselves(store, world):
    citizen = Citizen.objects.create(municipality=world.a, pseudonym="Spor", worker=world.worker)
    wrapped = store.get_many([citizen.data_key])[citizen.data_key].encode()
    if store.engine == "sqlite":
        files = [Path(store.config["NAME"] + suffix) for suffix in ("", "-wal")]
        assert any(wrapped in f.read_bytes() for f in files if f.exists())
    actions.do_erase_citizen(citizen, actor=world.worker)
    if store.engine == "sqlite":
        assert not any(wrapped in f.read_bytes() for f in files if f.exists())
    assert store.get_many([citizen.data_key]) == {}


def test_the_health_check_takes_a_host_without_its_key_store_out_of_rotation(store, client, settings, caplog):
    """A load balancer asks ``/status/``: a host that cannot reach its key store can show
    no citizen's text or answers, so it answers 503 (and says nothing of why), and 200
    again once the store is back (issue 15 item 6: several hosts behind a balancer)."""
    assert client.get("/status/").content == b"ok\n"
    working = settings.OVERGANG_KEY_STORE
    settings.OVERGANG_KEY_STORE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/proc/no-such-dir/keys.sqlite3"}
    response = client.get("/status/")
    assert response.status_code == 503 and response.content == b"unavailable\n"
    assert response["Cache-Control"] == "no-store"
    assert "kan ikke åbnes" in caplog.text and "no-such-dir" not in response.content.decode()
    settings.OVERGANG_KEY_STORE = working
    assert client.get("/status/").status_code == 200

"""Settings from the environment, and the ``overgang`` command on a fresh demo."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OVERGANG = Path(sys.executable).parent / "overgang"


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OVERGANG_", "DATABASE_URL", "SECRET_KEY", "DJANGO_"))}
    env.update(extra)
    return env


def _load_settings(**env):
    return subprocess.run(
        [sys.executable, "-c", "import overgang.settings as s; print(s.MODE, s.DEBUG, s.OVERGANG_TOTP_WAIVED)"],
        env=_env(**env),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _load_settings(SECRET_KEY="short", OVERGANG_FIELD_KEYS="x", OVERGANG_AUDIT_KEYS="a" * 40)
    assert result.returncode != 0 and "at least 50" in result.stderr


def test_production_refuses_debug_and_the_totp_waiver(tmp_path):
    good = {"SECRET_KEY": "s" * 60, "OVERGANG_FIELD_KEYS": "k", "OVERGANG_AUDIT_KEYS": "a" * 40,
            "OVERGANG_VAR_DIR": str(tmp_path)}
    assert _load_settings(**good).returncode == 0
    debug = _load_settings(**good, DEBUG="1")
    assert debug.returncode != 0 and "DEBUG" in debug.stderr
    waived = _load_settings(**good, OVERGANG_TOTP_WAIVED="1")
    assert waived.returncode != 0 and "OVERGANG_TOTP_WAIVED" in waived.stderr


def test_production_refuses_a_missing_or_short_audit_key(tmp_path):
    good = {"SECRET_KEY": "s" * 60, "OVERGANG_FIELD_KEYS": "k", "OVERGANG_VAR_DIR": str(tmp_path)}
    missing = _load_settings(**good)
    assert missing.returncode != 0 and "OVERGANG_AUDIT_KEYS" in missing.stderr
    short = _load_settings(**good, OVERGANG_AUDIT_KEYS="short")
    assert short.returncode != 0 and "at least 32" in short.stderr
    keyfile = tmp_path / "audit-key"
    keyfile.write_text("k" * 40 + "\n")
    assert _load_settings(**good, OVERGANG_AUDIT_KEYS_FILE=str(keyfile)).returncode == 0


def test_debug_is_never_on_with_postgresql():
    result = _load_settings(OVERGANG_MODE="development", DEBUG="true", DATABASE_URL="postgres://u@h/db")
    assert result.returncode != 0 and "DEBUG" in result.stderr


def test_a_secret_is_read_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("f" * 64 + "\n")
    result = _load_settings(SECRET_KEY_FILE=str(secret), OVERGANG_FIELD_KEYS="k", OVERGANG_AUDIT_KEYS="a" * 40,
                            OVERGANG_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_a_bad_boolean_is_an_error_naming_the_variable():
    result = _load_settings(OVERGANG_MODE="development", DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG must be one of" in result.stderr


def test_demo_sets_up_seeds_idempotently_and_audit_verify_catches_an_edit(tmp_path):
    env = _env(OVERGANG_VAR_DIR=str(tmp_path))
    first = subprocess.run([OVERGANG, "demo", "--no-serve"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "anna" in first.stdout and "overgang-demo" in first.stdout
    second = subprocess.run([OVERGANG, "demo", "--no-serve"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert second.returncode == 0, second.stderr

    db = sqlite3.connect(tmp_path / "demo.sqlite3")
    # Ten Exit prostitution and nine Homelessness → own home citizens made by hand (issue 13)
    # and the generator's (once: the second run adds nothing).
    from overgang.courses.demo import GENERATED_COURSES

    assert db.execute("SELECT count(*) FROM citizens_citizen").fetchone()[0] == 19 + GENERATED_COURSES
    assert db.execute("SELECT count(*) FROM accounts_user").fetchone()[0] == 6
    assert (tmp_path / "demo-secret-key").stat().st_mode & 0o077 == 0
    assert (tmp_path / "demo-audit-key").stat().st_mode & 0o077 == 0

    ok = subprocess.run([OVERGANG, "audit", "verify"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "intakt" in ok.stdout

    db.execute("UPDATE audit_auditevent SET action = 'nothing' WHERE seq = 3")
    db.commit()
    db.close()
    bad = subprocess.run([OVERGANG, "audit", "verify"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode != 0
    assert "IKKE intakt" in bad.stderr and "#3" in bad.stderr


def test_a_command_without_configuration_or_demo_explains_what_is_missing(tmp_path):
    result = subprocess.run(
        [OVERGANG, "audit", "verify"], env=_env(OVERGANG_VAR_DIR=str(tmp_path)), capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "Traceback" not in result.stderr

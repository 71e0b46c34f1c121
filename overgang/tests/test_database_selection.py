"""``pytest --database-tests-only`` (conftest.py), which ``scripts/test`` gives its run on
PostgreSQL: it keeps every test that may use the database and leaves out only those that
cannot reach one (pytest-django refuses them a connection), which run on SQLite."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = ["overgang/synthetic/tests/test_generate.py", "overgang/lib/tests/test_lib.py",
         "overgang/courses/tests/test_browser_course.py"]


def _collected(*options):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *options, *FILES],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return {line for line in result.stdout.splitlines() if "::" in line}


def test_it_leaves_out_only_the_tests_that_cannot_reach_the_database():
    everything = _collected()
    kept = _collected("--database-tests-only")
    lib = "overgang/lib/tests/test_lib.py::"
    # Every test of the generator (the db fixture; two of them read the codebook's versions)
    # and of the browser (the live server) is kept.
    assert {t for t in everything if not t.startswith(lib)} <= kept
    # Of test_lib: the ones marked django_db or given the db fixture are kept, parsing a
    # database URL or encrypting with a key needs no database.
    assert lib + "test_the_status_page_answers_ok_without_login_when_the_database_answers" in kept
    assert any(t.startswith(lib + "test_model_choice_fields_refuse_tampered_keys_as_form_errors") for t in kept)
    assert lib + "test_it_parses_a_postgres_url_with_a_socket_and_an_encoded_password" not in kept
    assert lib + "test_encryption_round_trips_and_the_data_key_is_wrapped" not in kept
    assert kept < everything

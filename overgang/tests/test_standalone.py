"""The repository stands alone: nothing in it reads a file beside it (README, non-negotiable 1).

``scripts/check-standalone`` proves it for the whole suite on every ``scripts/test`` run.
These tests check that proof itself: on a small repository whose one test reads
``../shared``, the check fails and names the read; without that read it passes.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OVERGANG_", "DATABASE_URL"))}
    env["OVERGANG_PYTHON"] = sys.executable
    return env


def _small_repository(holder, test_body):
    repo = holder / "repo"
    (repo / "scripts").mkdir(parents=True)
    for name in ("lib.sh", "check-standalone"):
        shutil.copy2(ROOT / "scripts" / name, repo / "scripts" / name)
    (repo / "pytest.ini").write_text("[pytest]\naddopts = -p no:django -p no:cacheprovider\n")
    (repo / "test_beside.py").write_text(test_body)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    return repo


def _check(repo):
    return subprocess.run([repo / "scripts" / "check-standalone"], cwd=repo, env=_env(), capture_output=True, text=True,
                          timeout=120)


def test_it_fails_when_a_test_reads_beside_the_repository(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "codebook.md").write_text("items\n")
    repo = _small_repository(tmp_path, (
        "from pathlib import Path\n"
        "TEXT = (Path(__file__).parent / '..' / 'shared' / 'codebook.md').read_text()\n"
        "def test_it():\n    assert TEXT\n"
    ))
    # In place the read works (the file is beside the repository) ...
    assert subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=repo, env=_env(), capture_output=True).returncode == 0
    # ... but a copy with nothing beside it cannot even collect the test.
    result = _check(repo)
    assert result.returncode == 1
    assert "FileNotFoundError" in result.stderr and "reads outside the repository" in result.stderr


def test_it_passes_when_everything_is_inside_the_repository(tmp_path):
    repo = _small_repository(tmp_path, (
        "from pathlib import Path\n"
        "TEXT = (Path(__file__).parent / 'docs.md').read_text()\n"
        "def test_it():\n    assert TEXT\n"
    ))
    (repo / "docs.md").write_text("items\n")  # untracked but not ignored: part of the working tree
    result = _check(repo)
    assert result.returncode == 0, result.stderr
    assert "1 test collected" in result.stderr


def test_it_runs_before_the_suite_in_the_command_ci_calls():
    assert "exec ./scripts/test" in (ROOT / ".ci" / "run").read_text()
    script = (ROOT / "scripts" / "test").read_text()
    assert script.index("scripts/check-standalone") < script.index('"$VENV/bin/pytest"')

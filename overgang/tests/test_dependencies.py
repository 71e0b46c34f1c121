"""One source of truth for dependencies (style.md rule 17).

``requirements.txt`` pins what Overgang needs to run, each with its reason, and the
package metadata reads its dependencies from it (``pyproject.toml``: setuptools' dynamic
``dependencies``). ``requirements-dev.txt`` adds what only the tests and benchmarks need.
These tests keep the lists honest: nothing the code imports is missing from them, and
nothing pinned for running is used only by the tests.
"""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "overgang"

# Runtime requirements that no module imports by name, and why they are needed anyway.
LOADED_INDIRECTLY = {
    "psycopg": "Django's PostgreSQL backend imports it (DATABASE_URL=postgres://…)",
    "argon2-cffi": "Django's Argon2PasswordHasher imports it",
    "whitenoise": "named as middleware in settings.py",
    "gunicorn": "the production server, run as a command (README)",
}


def _pins(filename):
    names = []
    for line in (ROOT / filename).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(re.split(r"[\[=<>~! ]", line, maxsplit=1)[0])
    return names


def _normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _top_level_imports(paths):
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def _distributions(modules):
    """Import name → distribution names, for the third-party modules among ``modules``."""
    mapping = importlib.metadata.packages_distributions()
    out = {}
    # The benchmark's scripts import each other by name (bench/ is their directory).
    local = {"overgang", "__future__", *(p.stem for p in (ROOT / "bench").glob("*.py"))}
    for module in modules:
        if module in sys.stdlib_module_names or module in local:
            continue
        out[module] = {_normal(d) for d in mapping.get(module, [module])}
    return out


def _is_test(path):
    return "tests" in path.relative_to(ROOT).parts or path.name in ("conftest.py", "testing.py")


def _runtime_modules():
    return [p for p in PACKAGE.rglob("*.py") if not _is_test(p)]


def test_it_reads_the_package_dependencies_from_requirements_txt():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "dependencies" not in project["project"], "pyproject.toml must not keep a second list"
    assert "dependencies" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["dependencies"] == {"file": ["requirements.txt"]}


def test_it_pins_every_package_the_application_imports_for_running():
    runtime = {_normal(n) for n in _pins("requirements.txt")}
    for module, dists in _distributions(_top_level_imports(_runtime_modules())).items():
        assert dists & runtime, f"overgang imports {module} at run time, but requirements.txt does not pin it"


def test_it_pins_every_package_the_tests_import():
    everything = {_normal(n) for n in _pins("requirements.txt") + _pins("requirements-dev.txt")}
    tests = [p for p in [*PACKAGE.rglob("*.py"), ROOT / "conftest.py", *(ROOT / "bench").rglob("*.py")] if p.exists()]
    for module, dists in _distributions(_top_level_imports(tests)).items():
        assert dists & everything, f"the tests import {module}, but no requirements file pins it"


def test_it_runs_on_nothing_that_only_the_tests_use():
    pinned = _pins("requirements.txt")
    imported = set().union(*_distributions(_top_level_imports(_runtime_modules())).values())
    needed_by_others = {
        _normal(re.split(r"[\[=<>~!; ]", req, maxsplit=1)[0])
        for name in pinned
        for req in (importlib.metadata.requires(name) or [])
        if "extra ==" not in req
    }
    for name in pinned:
        key = _normal(name)
        assert key in imported or key in needed_by_others or key in LOADED_INDIRECTLY, (
            f"requirements.txt pins {name}, but nothing in the application uses it: "
            "a package only the tests use belongs in requirements-dev.txt"
        )

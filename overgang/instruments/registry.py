"""The whole pipeline in one call: load → validate → build, for the YAML in the repository.

Consumers that need the *current* definition of an instrument (the codebook, a form
that has not been saved yet) call ``get_instrument``. A saved record must instead use
the exact version it was filled against: ``InstrumentVersion.instrument()``.
"""

from __future__ import annotations

from pathlib import Path

from . import load
from .build import Instrument, build
from .validate import Problem, validate_all


#: Every instrument of the repository, in the order of a course (registration first, the
#: not-started form last): the order of the interchange format, the course templates and
#: the codebook. Named once, here; a test holds it against the definitions directory.
INSTRUMENTS = ("registration", "star", "cti_start", "cti_ongoing", "cti_end", "not_started")


class DefinitionError(Exception):
    """One or more problems in the definitions; all of them are in ``problems``."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in instrument definitions:\n{lines}")


def compile_definitions(directory: Path | str | None = None) -> dict[str, Instrument]:
    """Every instrument of the directory, built; raises DefinitionError with all problems."""
    try:
        definitions = load.load_all(directory)
    except load.LoadError as exc:
        raise DefinitionError(exc.problems) from None
    problems = validate_all(definitions)
    if problems:
        raise DefinitionError(problems)
    return {name: build(definition) for name, definition in definitions.items()}


def compile_text(text: str, directory: Path | str | None = None) -> Instrument:
    """One instrument from YAML text (tests write small instruments inline)."""
    try:
        definition = load.load_text(text, "inline", directory)
    except load.LoadError as exc:
        raise DefinitionError(exc.problems) from None
    problems = validate_all({definition.get("name") or "inline": definition})
    if problems:
        raise DefinitionError(problems)
    return build(definition)


_cache: dict[str, tuple[tuple, dict[str, Instrument]]] = {}


def _stamp(directory: Path) -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in directory.rglob("*.yaml")))


def all_instruments(directory: Path | str | None = None) -> dict[str, Instrument]:
    """Like compile_definitions, cached until a YAML file under the directory changes."""
    directory = Path(directory or load.DEFINITIONS_DIR)
    stamp = _stamp(directory)
    cached = _cache.get(str(directory))
    if cached is None or cached[0] != stamp:
        cached = (stamp, compile_definitions(directory))
        _cache[str(directory)] = cached
    return cached[1]


def get_instrument(name: str, directory: Path | str | None = None) -> Instrument:
    """The current (repository) definition of one instrument. KeyError if unknown."""
    return all_instruments(directory)[name]

"""The course templates of the repository: load → validate → build, in one call.

Templates live as YAML in ``definitions/`` (one file per template, file stem = name).
``all_templates()`` gives every built ``Template``, cached until a file changes; a saved
course uses instead the exact version it began with (``TemplateVersion.template()``).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from overgang.instruments.validate import Problem

from .build import Template, build
from .validate import validate

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
#: The template every course was before templates existed: existing courses, and the
#: courses of `overgang-interchange/1` packages, are courses of this template; a
#: municipality that has not chosen its templates offers it.
DEFAULT = "exit_prostitution"


class DefinitionError(Exception):
    """One or more problems in the template definitions; all of them are in ``problems``."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in course template definitions:\n{lines}")


def load_text(text: str, where: str = "inline") -> dict:
    try:
        data = yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise DefinitionError([Problem("bad_yaml", where, f"{getattr(exc, 'problem', exc)}{at}")]) from None
    if not isinstance(data, dict):
        raise DefinitionError([Problem("bad_yaml", where, "a template must be a YAML mapping")])
    return data


def compile_definitions(directory: Path | str | None = None, instruments=None) -> dict[str, Template]:
    """Every template of ``directory``, built; raises DefinitionError with all problems.

    ``instruments`` (name → built Instrument, default: the repository's) is what the
    templates are checked against: every item group must exist there."""
    directory = Path(directory or DEFINITIONS_DIR)
    definitions, problems = {}, []
    for path in sorted(directory.glob("*.yaml")):
        try:
            definition = load_text(path.read_text(encoding="utf-8"), path.stem)
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        if definition.get("name") != path.stem:
            problems.append(Problem("name_mismatch", path.stem, f"{path.name} defines name {definition.get('name')!r}"))
        found = validate(definition)
        problems.extend(found)
        if not found:
            definitions[path.stem] = definition
    templates = {name: build(definition) for name, definition in definitions.items()}
    if not problems:
        problems.extend(check_against_instruments(templates.values(), instruments))
    if DEFAULT not in templates and not problems:
        problems.append(Problem("missing_default", str(directory), f"the default template {DEFAULT!r} is missing"))
    if problems:
        raise DefinitionError(problems)
    return templates


def check_against_instruments(templates, instruments=None) -> list[Problem]:
    """Item groups the instruments do not declare (``unknown_group``) and goal codes the
    instruments' `goal` list lacks (``unknown_goal``)."""
    from overgang.instruments import registry as instrument_registry

    instruments = instruments if instruments is not None else instrument_registry.all_instruments()
    goal_codes = {code for name in ("registration", "star") if name in instruments
                  for code in instruments[name].item("goal").choices.codes}
    problems = []
    for template in templates:
        for instrument_name, groups in template.instruments:
            declared = instruments[instrument_name].groups if instrument_name in instruments else frozenset()
            for group in groups:
                if group not in declared:
                    problems.append(Problem("unknown_group", f"{template.name}:instruments.{instrument_name}",
                                            f"{instrument_name} has no item group {group!r}"))
        for code in template.goals:
            if code not in goal_codes:
                problems.append(Problem("unknown_goal", f"{template.name}:goals",
                                        f"{code} is not a code of the instruments' goal list"))
        lists = {}
        for instrument in instruments.values():
            for item in instrument.items:
                if item.choices is not None:
                    lists.setdefault(item.choices.name, set(item.choices.codes))
        for name, codes in template.choice_labels:
            for code, _text in codes:
                if code not in lists.get(name, ()):
                    problems.append(Problem("unknown_choice", f"{template.name}:choice_labels.{name}.{code}",
                                            f"no instrument has a choice {code} in a list {name!r}"))
    return problems


_cache: dict[str, tuple[tuple, dict[str, Template]]] = {}


def _stamp(directory: Path) -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in directory.glob("*.yaml")))


def all_templates(directory: Path | str | None = None) -> dict[str, Template]:
    """Like ``compile_definitions``, cached until a YAML file in the directory changes."""
    directory = Path(directory or DEFINITIONS_DIR)
    stamp = _stamp(directory)
    cached = _cache.get(str(directory))
    if cached is None or cached[0] != stamp:
        cached = (stamp, compile_definitions(directory))
        _cache[str(directory)] = cached
    return cached[1]


def get_template(name: str, directory: Path | str | None = None) -> Template:
    """The current (repository) definition of one template. KeyError if unknown."""
    return all_templates(directory)[name]

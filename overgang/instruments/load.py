"""Stage 1 of the pipeline: YAML files → one plain dict per instrument.

The loader only reads and splices; it judges nothing but the things it must understand
to do that (YAML syntax, include files). Everything else is ``validate``'s job, so that
all problems of a definition are reported together with stable codes.

Includes, so that the block shared by the three CTI forms and the shared choice lists
are written once:

- top level ``include: [shared/choices.yaml]`` merges the fragment's ``choices``;
- an entry ``{include: shared/themes_2_9.yaml}`` in ``pages`` splices the fragment's pages;
- an entry ``{include: file}`` in a page's ``items`` splices the fragment's items.

Paths are relative to the definitions directory. Top-level ``*.yaml`` files there are
instruments (the file stem is the instrument name); sub-folders hold fragments.
"""

from __future__ import annotations

from pathlib import Path

import yaml

# libyaml's parser when PyYAML was built with it (the wheels are): about ten times faster.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

from .validate import Problem

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"


class LoadError(Exception):
    """The YAML could not be read or its includes could not be resolved."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"[{p.code}] {p.where}: {p.message}" for p in problems))


def instrument_names(directory: Path | str | None = None) -> list[str]:
    directory = Path(directory or DEFINITIONS_DIR)
    return sorted(p.stem for p in directory.glob("*.yaml"))


def load_instrument(name: str, directory: Path | str | None = None) -> dict:
    """The resolved definition of instrument `name` from `<directory>/<name>.yaml`."""
    directory = Path(directory or DEFINITIONS_DIR)
    path = directory / f"{name}.yaml"
    if not path.is_file():
        raise LoadError([Problem("missing_file", name, f"no definition file {path}")])
    definition = load_text(path.read_text(encoding="utf-8"), name, directory)
    if definition.get("name") != name:
        raise LoadError([Problem("name_mismatch", name,
                                 f"the file {path.name} defines name {definition.get('name')!r}")])
    return definition


def load_all(directory: Path | str | None = None) -> dict[str, dict]:
    """Every instrument of the directory; all load problems are collected before raising."""
    out, problems = {}, []
    for name in instrument_names(directory):
        try:
            out[name] = load_instrument(name, directory)
        except LoadError as exc:
            problems.extend(exc.problems)
    if problems:
        raise LoadError(problems)
    return out


def load_text(text: str, where: str = "inline", directory: Path | str | None = None) -> dict:
    """Parse one definition from YAML text and resolve its includes (tests use this inline)."""
    directory = Path(directory or DEFINITIONS_DIR)
    data = _parse(text, where)
    problems: list[Problem] = []
    resolved = _Resolver(directory, where, problems).instrument(data)
    if problems:
        raise LoadError(problems)
    return resolved


def _parse(text: str, where: str):
    try:
        data = yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise LoadError([Problem("bad_yaml", where, f"{getattr(exc, 'problem', exc)}{at}")]) from None
    if not isinstance(data, dict):
        raise LoadError([Problem("bad_yaml", where, "a definition must be a YAML mapping")])
    return data


class _Resolver:
    def __init__(self, directory: Path, where: str, problems: list[Problem]):
        self.directory = directory
        self.where = where
        self.problems = problems
        self.stack: list[str] = []

    def fragment(self, rel) -> dict | None:
        if not isinstance(rel, str) or not rel:
            self.problems.append(Problem("bad_include", self.where, f"an include must name a file, not {rel!r}"))
            return None
        path = (self.directory / rel).resolve()
        if self.directory.resolve() not in path.parents or not path.is_file():
            self.problems.append(Problem("missing_include", self.where, f"include file {rel!r} not found"))
            return None
        if rel in self.stack:
            self.problems.append(Problem("include_cycle", self.where, " → ".join(self.stack + [rel])))
            return None
        try:
            return _parse(path.read_text(encoding="utf-8"), f"{self.where} ({rel})")
        except LoadError as exc:
            self.problems.extend(exc.problems)
            return None

    def instrument(self, data: dict) -> dict:
        data = dict(data)
        choices = data.get("choices")
        choices = dict(choices) if isinstance(choices, dict) else ({} if choices is None else choices)
        includes = data.pop("include", None) or []
        if isinstance(includes, str):
            includes = [includes]
        for rel in includes if isinstance(includes, list) else [includes]:
            fragment = self.fragment(rel)
            if fragment is None:
                continue
            self.stack.append(rel)
            fragment = self.instrument(fragment)
            self.stack.pop()
            for list_name, entries in (fragment.get("choices") or {}).items():
                if isinstance(choices, dict) and list_name in choices:
                    self.problems.append(Problem("duplicate_choice_list", f"{self.where}:choices:{list_name}",
                                                 f"the list {list_name!r} is defined twice (also in {rel})"))
                elif isinstance(choices, dict):
                    choices[list_name] = entries
        if choices or "choices" in data:
            data["choices"] = choices
        if "pages" in data:
            data["pages"] = self.splice(data["pages"], "pages", self.page)
        return data

    def page(self, page):
        if isinstance(page, dict) and "items" in page:
            page = dict(page)
            page["items"] = self.splice(page["items"], "items", lambda item: item)
        return page

    def splice(self, entries, key, each):
        if not isinstance(entries, list):
            return entries
        out = []
        for entry in entries:
            if isinstance(entry, dict) and set(entry) == {"include"}:
                rel = entry["include"]
                fragment = self.fragment(rel)
                if fragment is None:
                    continue
                self.stack.append(rel)
                spliced = self.splice(fragment.get(key) or [], key, each)
                self.stack.pop()
                if not spliced:
                    self.problems.append(Problem("bad_include", self.where, f"{rel!r} has no {key}"))
                out.extend(spliced)
            else:
                out.append(each(entry))
        return out

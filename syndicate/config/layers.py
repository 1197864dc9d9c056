"""One source of settings, a layer (the Hugo config's mapping, `[tool.syndicate]` in
pyproject.toml, syndicate.toml, HUGO_BASEURL, the command line), checked against the schema: an
unknown section or key is a warning naming the closest known one, a value of the wrong type an
error at the file and line where it was written."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..diagnostics import Diagnostic, Diagnostics, Level, SyndicateError
from ..hugoconfig import KeyPath
from ..permalinks import from_old_syntax, pattern_problem
from .schema import SECTIONS


@dataclass(frozen=True)
class Place:
    """Where a setting was given: file, line, and the key as the user spelled it there."""
    file: str
    line: int | None
    key: str


@dataclass(frozen=True)
class Layer:
    source: str
    values: Mapping[str, Any]
    lines: Mapping[KeyPath, int] = field(default_factory=dict)  # (section,) / (section, key) → line in the file
    places: Mapping[str, Place] = field(default_factory=dict)  # "section.key" → where (Hugo layer)

    def line(self, *path: str) -> int | None:
        """The line of `[section]` or `[section] key` in the file (its key paths are lower case)."""
        return self.lines.get(tuple(part.lower() for part in path))

    def place(self, section: str, key: str) -> Place:
        return self.places.get(f"{section}.{key}") or Place(self.source, self.line(section, key), key)


def validated(layer: Layer, diagnostics: Diagnostics) -> dict[str, dict[str, Any]]:
    """Check a layer against the schema: unknown keys warn, wrong types are errors."""
    result: dict[str, dict[str, Any]] = {}
    source = layer.source
    for section, values in layer.values.items():
        if section not in SECTIONS:
            diagnostics.warn(source, layer.line(section),
                             f"unknown section [{section}]{did_you_mean(section, SECTIONS)}; it is ignored")
            continue
        if not isinstance(values, Mapping):
            raise SyndicateError(Diagnostic(source, layer.line(section), Level.ERROR,
                                            f"[{section}] must be a table of settings"))
        known = {f.name: f for f in dataclasses.fields(SECTIONS[section])}
        result[section] = {}
        for key, value in values.items():
            if key not in known:
                diagnostics.warn(source, layer.line(section, key),
                                 f"unknown key '{key}' in [{section}]{did_you_mean(key, known)}; it is ignored")
                continue
            hint = typing.get_type_hints(SECTIONS[section])[key]
            place = layer.place(section, key)
            result[section][key] = _coerce(value, hint, section, key, place)
            if (section, key) == ("content", "permalink"):
                result[section][key] = _permalink(result[section][key], place)
    return result


def _permalink(pattern: str, place: Place) -> str:
    """[content] permalink in Hugo's `:token` syntax; the first syntax (`{slug}`) still works."""
    pattern = from_old_syntax(pattern)
    problem = pattern_problem(pattern) if pattern else ""
    if problem:
        raise SyndicateError(Diagnostic(place.file, place.line, Level.ERROR, f"[content] permalink {problem}"))
    return pattern


def did_you_mean(word: str, choices: Mapping[str, Any] | list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _coerce(value: Any, hint: Any, section: str, key: str, place: Place) -> Any:
    def wrong(expected: str) -> SyndicateError:
        name = f"[{section}] {key}" if place.key == key else place.key
        return SyndicateError(Diagnostic(place.file, place.line, Level.ERROR,
                                         f"{name} must be {expected}, got {value!r}"))
    origin = typing.get_origin(hint)
    table = _table_type(hint)
    if table is not None:
        return _coerce_table(value, table, section, key, place)
    if hint is bool:
        if not isinstance(value, bool):
            raise wrong("true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong("a whole number")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise wrong("a number")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise wrong("a string")
        return value
    if origin is list:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise wrong("a list of strings")
        return list(value)
    if origin is dict:
        if not isinstance(value, dict):
            raise wrong("a table")
        if typing.get_args(hint)[1] is Any:  # nested as written (Hugo's params)
            return {str(k): v for k, v in value.items()}
        return {str(k): str(v) for k, v in value.items()}
    raise TypeError(f"no coercion for {hint}")  # a schema mistake, not a user error


def _table_type(hint: Any) -> type | None:
    """The settings class of a sub-table (`mastodon = { … }`), also when optional."""
    if isinstance(hint, types.UnionType):
        classes = [arg for arg in hint.__args__ if arg is not type(None)]
        hint = classes[0] if len(classes) == 1 else None
    return hint if isinstance(hint, type) and dataclasses.is_dataclass(hint) else None


def _coerce_table(value: Any, table: type, section: str, key: str, place: Place) -> Any:
    if not isinstance(value, Mapping):
        raise SyndicateError(Diagnostic(place.file, place.line, Level.ERROR,
                                        f"[{section}] {key} must be a table such as {{ key = \"value\" }}"))
    hints = typing.get_type_hints(table)
    for name in value:
        if name not in hints:
            raise SyndicateError(Diagnostic(place.file, place.line, Level.ERROR,
                                            f"[{section}] {key} has no key '{name}'{did_you_mean(name, hints)}"))
    return table(**{name: _coerce(item, hints[name], section, f"{key}.{name}", place)
                    for name, item in value.items()})

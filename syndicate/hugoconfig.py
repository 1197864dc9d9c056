"""Hugo's configuration, read and merged as Hugo 0.111+ merges it.

The root file (`hugo.*`, else `config.*`; only the first found counts), then the config folder
(`config/_default/*`, then `config/<environment>/*`, each overriding what came before; a file
named `params.toml` holds `params`, `params.de.toml` holds `languages.de.params`), then the
`HUGO_*` environment variables. Keys are case-insensitive, as in Hugo; every value remembers
the file, the line and the spelling it was written with, so errors can name them.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml

from .diagnostics import Diagnostic, Level, SyndicateError
from .sitefiles import outside_site
from .sourcefile import TooLarge, cleaned, toml_error_line

ROOT_NAMES = ("hugo", "config")
EXTENSIONS = (".toml", ".yaml", ".yml", ".json")
# libyaml's safe loader where PyYAML has it (its wheels do): the same documents, read ~10× faster
# than the pure-Python one (codefor.de's config.yaml: 40 ms of a 0.4 s rebuild with nothing changed).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
HUGO_CONFIG_NAMES = tuple(f"{name}{ext}" for name in ROOT_NAMES for ext in EXTENSIONS)
CONFIG_FOLDER = "config"
DEFAULT_ENVIRONMENT = "production"
KeyPath = tuple[str, ...]  # lower-case keys from the top


@dataclass(frozen=True)
class Origin:
    """Where a setting was written: the file (relative to the site), the key as spelled there
    (dotted from the file's top) and the line when it could be found."""
    file: str
    key: str
    line: int | None = None


class HugoConfig:
    """The merged configuration: nested mappings with lower-case keys."""

    def __init__(self, data: dict[str, Any], origins: dict[KeyPath, Origin], files: tuple[Path, ...],
                 environment: str):
        self.data, self.origins, self.files, self.environment = data, origins, files, environment

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.lower().split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def origin(self, dotted: str) -> Origin | None:
        """Where the value (or, failing that, its nearest enclosing table) was written."""
        path: KeyPath = tuple(dotted.lower().split("."))
        while path:
            if path in self.origins:
                return self.origins[path]
            path = path[:-1]
        return None


def read_hugo_config(root: Path, environ: Mapping[str, str]) -> HugoConfig | None:
    """The site's Hugo configuration, or None when the site has none. Raises SyndicateError for a
    file that cannot be read (with its line)."""
    environment = environ.get("HUGO_ENVIRONMENT") or environ.get("HUGO_ENV") or DEFAULT_ENVIRONMENT
    data: dict[str, Any] = {}
    origins: dict[KeyPath, Origin] = {}
    files: list[Path] = []
    for file, prefix in _config_files(root, environment):
        content, lines = read_config_file(file, root)
        written: dict[KeyPath, Origin] = {}
        _merge(data, _lowered(content, prefix, file.relative_to(root).as_posix(), lines, written))
        origins.update(written)
        files.append(file)
    if not files:
        return None
    _apply_environment(data, origins, environ)
    return HugoConfig(data, origins, tuple(files), environment)


def _config_files(root: Path, environment: str) -> Iterator[tuple[Path, KeyPath]]:
    """The files in the order Hugo merges them, each with the key path its content goes under."""
    for name in ROOT_NAMES:  # Hugo reads hugo.* if there is one, and then no config.*
        found = [root / f"{name}{ext}" for ext in EXTENSIONS if (root / f"{name}{ext}").is_file()]
        if found:
            yield found[0], ()
            break
    for folder in ("_default", environment):
        directory = root / CONFIG_FOLDER / folder
        if not directory.is_dir():
            continue
        for file in sorted(directory.iterdir()):
            if file.suffix in EXTENSIONS and file.is_file() and not file.name.startswith("."):
                yield file, _prefix_of(file.stem)


def _prefix_of(stem: str) -> KeyPath:
    """`hugo`/`config` → the top; `params` → params; `params.de` → languages.de.params."""
    name, _, language = stem.lower().partition(".")
    if name in ROOT_NAMES:
        return ()
    if language and name in ("params", "menus", "menu"):
        return ("languages", language, name)
    return (name,)


def read_config_file(file: Path, root: Path) -> tuple[dict[str, Any], dict[KeyPath, int]]:
    """A TOML, YAML or JSON settings file as a mapping, and the line of each key path in it."""
    name = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
    if outside_site(file, root):
        raise SyndicateError(Diagnostic(name, None, Level.ERROR, "is a link to a file outside the site; "
                                        "settings are read only from inside the site folder"))
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SyndicateError(Diagnostic(name, None, Level.ERROR, f"cannot be read: {exc}")) from exc
    try:
        if file.suffix == ".toml":
            data, lines = tomllib.loads(text), toml_key_lines(text)
        elif file.suffix == ".json":
            data, lines = json.loads(text), json_key_lines(text)
        else:
            data, lines = yaml.load(text, Loader=YAML_LOADER), yaml_key_lines(text)
    except tomllib.TOMLDecodeError as exc:
        line = toml_error_line(exc)
        raise SyndicateError(Diagnostic(name, line, Level.ERROR, f"invalid TOML: {exc}")) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SyndicateError(Diagnostic(name, mark.line + 1 if mark else None, Level.ERROR,
                                        f"invalid YAML: {exc}")) from exc
    except json.JSONDecodeError as exc:
        raise SyndicateError(Diagnostic(name, exc.lineno, Level.ERROR, f"invalid JSON: {exc.msg}")) from exc
    except RecursionError as exc:
        raise SyndicateError(Diagnostic(name, None, Level.ERROR, "is nested too deeply to read")) from exc
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise SyndicateError(Diagnostic(name, None, Level.ERROR, "expected a table of settings"))
    try:  # no control character reaches an output from the settings either (issue 10, item 6)
        return cleaned(data), lines
    except TooLarge as exc:
        raise SyndicateError(Diagnostic(name, None, Level.ERROR, str(exc))) from exc


# ---------------------------------------------------------------- lines of keys

TOML_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
TOML_KEY = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[\w-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[\w-]+))*)\s*=""")
JSON_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')


def _toml_parts(dotted: str) -> KeyPath:
    return tuple(part.strip().strip("\"'").lower() for part in re.findall(r"""\"[^\"]*\"|'[^']*'|[^.]+""", dotted))


def toml_key_lines(text: str) -> dict[KeyPath, int]:
    lines: dict[KeyPath, int] = {}
    table: KeyPath = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = TOML_TABLE.match(line)
        if header:
            table = _toml_parts(header.group(1))
            lines.setdefault(table, number)
            continue
        key = TOML_KEY.match(line)
        if key:
            lines.setdefault(table + _toml_parts(key.group(1)), number)
    return lines


def yaml_key_lines(text: str) -> dict[KeyPath, int]:
    lines: dict[KeyPath, int] = {}
    try:
        node = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.YAMLError:
        return lines
    stack: list[tuple[Any, KeyPath]] = [(node, ())]
    while stack:
        current, path = stack.pop()
        if isinstance(current, yaml.MappingNode) and len(path) < 12:
            for key_node, value_node in current.value:
                key = (*path, str(key_node.value).lower())
                lines.setdefault(key, key_node.start_mark.line + 1)
                stack.append((value_node, key))
    return lines


def json_key_lines(text: str) -> dict[KeyPath, int]:
    """JSON has no cheap positions: each key name's first line, under its name alone."""
    lines: dict[KeyPath, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in JSON_KEY.finditer(line):
            lines.setdefault((match.group(1).lower(),), number)
    return lines


# ---------------------------------------------------------------- merging

def _lowered(content: Mapping[str, Any], prefix: KeyPath, file: str, lines: Mapping[KeyPath, int],
             origins: dict[KeyPath, Origin]) -> dict[str, Any]:
    """The file's content under `prefix`, keys lower-cased (recursively, as Hugo does), with the
    origin of every key path recorded."""
    by_name_only = file.endswith(".json")  # json_key_lines knows names, not paths

    def lower(value: Any, path: KeyPath, spelled: tuple[str, ...], line: int | None, depth: int) -> Any:
        if not isinstance(value, dict) or depth > 32:
            return value
        result: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key).lower()
            inner, written = (*path, name), (*spelled, str(key))
            own = lines.get((name,) if by_name_only else inner[len(prefix):]) or line
            origins[inner] = Origin(file, ".".join(written), own)
            result[name] = lower(item, inner, written, own, depth + 1)
        return result

    tree: Any = lower(dict(content), prefix, prefix, None, 0)
    for part in reversed(prefix):
        tree = {part: tree}
    return tree


def _merge(target: dict[str, Any], layer: Mapping[str, Any]) -> None:
    """Deep merge, the layer winning (Hugo's config folder overrides the root file)."""
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _apply_environment(data: dict[str, Any], origins: dict[KeyPath, Origin], environ: Mapping[str, str]) -> None:
    """HUGO_TITLE=…, HUGO_PARAMS_AUTHOR=… (or HUGOxPARAMSxAUTHOR with another delimiter): the
    character after HUGO separates the key path; a value takes the type of the one it replaces."""
    for name, text in sorted(environ.items()):
        if not name.startswith("HUGO") or len(name) < 6 or name in ("HUGO_ENVIRONMENT", "HUGO_ENV"):
            continue
        delimiter, rest = name[4], name[5:]
        parts = tuple(part.lower() for part in rest.split(delimiter) if part)
        if not parts:
            continue
        path = _existing_path(data, parts)
        parent = data
        for part in path[:-1]:
            child = parent.get(part)
            if not isinstance(child, dict):
                child = parent[part] = {}
            parent = child
        parent[path[-1]] = _typed_like(parent.get(path[-1]), text)
        origins[path] = Origin(f"environment variable {name}", name, None)


def _existing_path(data: Mapping[str, Any], parts: KeyPath) -> KeyPath:
    """HUGO_PARAMS_TWITTER_HANDLE: `params.twitter_handle` if that key exists (underscores in key
    names), else the nested path `params.twitter.handle` that Hugo would make."""
    node: Any = data
    for index, part in enumerate(parts):
        if not isinstance(node, dict):
            break
        joined = "_".join(parts[index:])
        if joined in node and index < len(parts) - 1:
            return (*parts[:index], joined)
        node = node.get(part)
    return parts


def _typed_like(existing: Any, text: str) -> Any:
    if isinstance(existing, bool):
        return text.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(existing, int):
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(existing, float):
        try:
            return float(text)
        except ValueError:
            return text
    if isinstance(existing, (list, dict)):
        try:  # Hugo decodes such values as TOML/JSON/YAML; JSON covers the common `["a","b"]`
            value = json.loads(text)
            return value if isinstance(value, type(existing)) else existing
        except ValueError:
            return [part.strip() for part in text.split(",")] if isinstance(existing, list) else existing
    return text

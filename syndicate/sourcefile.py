"""One content file split as Hugo splits it: YAML (---), TOML (+++) or JSON ({…}) front matter and
a body; every text cleaned of control characters once, here, so no output ever carries them."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .diagnostics import Diagnostics
from .xmltext import NOT_XML

MAX_DEPTH = 64              # a real front matter nests a few levels; pickling 600 levels overflows
MAX_VALUES = 100_000        # YAML aliases can multiply a small file into millions of values
# C0 controls but tab, LF and CR; DEL; C1 controls; lone surrogates; the noncharacters XML 1.0
# discourages and HTML calls parse errors (U+FDD0–U+FDEF, U+FFFE, U+FFFF); and whole ANSI escape
# sequences (ESC [ … final byte), which would otherwise leave "[31m" behind. A terminal, an
# HTML page, a JSON manifest and an XML feed all get the same clean text.
CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]"
                     r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
KEY = re.compile(r"""^\s*-?\s*['"]?([\w-]+)['"]?\s*[:=]""")  # `key:` in YAML, `key =` in TOML, `"key":` in JSON


@dataclass(frozen=True)
class RawPost:
    """A content file split into front matter and body, before interpretation. Front-matter keys
    are lower case at every level (Hugo reads them case-insensitively)."""
    file: Path
    source: str
    metadata: Mapping[str, Any]
    body: str
    body_line: int
    front_text: str
    sha256: str
    has_front_matter: bool = True
    front_line: int = 1          # the file line the front matter starts on (Hugo skips blank lines before it)
    body_offset: int = 0         # where `body` starts in the file's (cleaned) text


class FrontMatterError(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    """The line tomllib's error names (only in its message before Python 3.14)."""
    match = re.search(r"line (\d+)", str(exc))
    return getattr(exc, "lineno", None) or (int(match.group(1)) if match else None)


# Every match of CONTROL starts with one of these (ESC is a C0 control): one character class is
# searched three times faster than CONTROL's alternatives, over 140 MB of posts.
CONTROL_START = NOT_XML  # the same characters: what XML refuses or discourages is what no output should hold


# CONTROL_START in UTF-8 bytes: C0 controls and DEL are single bytes, C1 controls are \xc2\x80–\xc2\x9f,
# the noncharacters U+FDD0–U+FDEF \xef\xb7\x90–\xef\xb7\xaf and U+FFFE/U+FFFF \xef\xbf\xbe/\xbf.
# Deleting the first kind and searching for the others is four times faster than CONTROL_START
# over the decoded text (a post is decoded twice per build: where it is parsed and rendered).
C0_AND_DEL = bytes([*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])
MULTIBYTE_CONTROL = re.compile(rb"\xc2[\x80-\x9f]|\xef\xb7[\x90-\xaf]|\xef\xbf[\xbe\xbf]")


def clean(text: str) -> str:
    """The text without control characters (NUL, C0, C1, ANSI escapes, lone surrogates)."""
    return CONTROL.sub("", text) if CONTROL_START.search(text) else text


class TooLarge(ValueError):
    """A structure deeper or larger than any real front matter or config file is."""


def cleaned(value: Any, lower_keys: bool = False) -> Any:
    """`value` with every string cleaned (and with `lower_keys`, every key a lower-case string);
    deeper than MAX_DEPTH or larger than MAX_VALUES (recursive YAML aliases included) is TooLarge."""
    count = 0

    def walk(item: Any, depth: int) -> Any:
        nonlocal count
        count += 1
        if depth > MAX_DEPTH:
            raise TooLarge(f"is nested more than {MAX_DEPTH} levels deep; flatten it")
        if count > MAX_VALUES:
            raise TooLarge(f"holds more than {MAX_VALUES:,} values (YAML aliases?); shorten it")
        if isinstance(item, str):
            return clean(item)
        if isinstance(item, dict):
            result: dict[Any, Any] = {}
            for key, inner in item.items():
                if lower_keys or isinstance(key, str):
                    key = clean(str(key)).lower() if lower_keys else clean(key)
                result.setdefault(key, walk(inner, depth + 1))
            return result
        if isinstance(item, (list, tuple)):
            return [walk(inner, depth + 1) for inner in item]
        return item

    return walk(value, 0)


def cleaned_metadata(value: Any) -> Any:
    """Front matter with every key lower case and every string cleaned; too deep or too large
    (recursive aliases included) is a FrontMatterError."""
    try:
        return cleaned(value, lower_keys=True)
    except TooLarge as exc:
        raise FrontMatterError(f"front matter {exc}") from exc


# ---------------------------------------------------------------- the three formats

def _yaml_loader():
    """PyYAML's safe loader without its timestamp type: Hugo reads YAML dates as text with its own
    formats (a YAML 1.1 timestamp such as `2001-12-14 21:59:43.10 -5` is no date to Hugo)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        yaml_implicit_resolvers = {
            first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in base.yaml_implicit_resolvers.items()
        }

    return Loader


_LOADER = None


def split_front_matter(text: str) -> tuple[str, Any, str, str]:
    """(format, front matter, its text, body) — format "" when the file has no front matter.
    Whitespace before the front matter is skipped, as Hugo does. Raises FrontMatterError (with
    the line in the front matter where known)."""
    global _LOADER
    import yaml

    text = text.lstrip(" \t\r\n")
    if re.match(r"-{3,}[ \t]*\r?\n", text):
        front_text, body = _between(text, re.compile(r"^-{3,}[ \t]*$", re.M))
        try:
            _LOADER = _LOADER or _yaml_loader()
            return "yaml", yaml.load(front_text, Loader=_LOADER), front_text, body
        except yaml.MarkedYAMLError as exc:
            # The context mark is where the broken construct starts (an unclosed '['), which is
            # where the fix goes; the problem mark is often the end of the front matter.
            mark = exc.context_mark or exc.problem_mark
            raise FrontMatterError(f"front matter is not valid YAML: {exc.problem or exc}; check quotes and "
                                   "indentation (values with ':' need quotes)",
                                   mark.line + 1 if mark else None) from exc
        except yaml.YAMLError as exc:
            raise FrontMatterError(f"front matter is not valid YAML: {exc}") from exc
    if re.match(r"\+{3,}[ \t]*\r?\n", text):
        front_text, body = _between(text, re.compile(r"^\+{3,}[ \t]*$", re.M))
        try:
            return "toml", tomllib.loads(front_text), front_text, body
        except tomllib.TOMLDecodeError as exc:
            line = toml_error_line(exc)
            raise FrontMatterError(f"front matter is not valid TOML: {exc}", line + 1 if line else None) from exc
    if text.startswith("{"):  # Hugo: a JSON object, ended by its matching brace
        try:
            data, end = json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError as exc:
            raise FrontMatterError(f"front matter is not valid JSON: {exc.msg}", exc.lineno) from exc
        return "json", data, text[:end], text[end:].lstrip("\r\n")
    return "", {}, "", text


def _between(text: str, boundary: re.Pattern[str]) -> tuple[str, str]:
    parts = boundary.split(text, 2)
    if len(parts) < 3:
        raise FrontMatterError("the front matter has no closing delimiter line; end it with the line "
                               "it starts with", 1)
    return parts[1], parts[2].lstrip("\r\n") if parts[2].startswith(("\n", "\r\n")) else parts[2]


# ---------------------------------------------------------------- one file

def parse_post(data: bytes, file: Path, source: str, diagnostics: Diagnostics) -> RawPost | None:
    """Bytes → front matter + body, or None with an error naming what to fix. A file without
    front matter is a page to Hugo (untitled, undated): it is read, and interpret says so."""
    try:
        text = decoded_text(data)  # raw control characters cleaned (YAML refuses them); escaped ones below
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        diagnostics.error(source, line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        return None
    try:
        kind, metadata, front_text, body = split_front_matter(text)
        if not isinstance(metadata, dict):
            raise FrontMatterError("front matter must be a mapping of keys to values, like 'title: …'", 2)
        metadata = cleaned_metadata(metadata)
    except FrontMatterError as exc:
        skipped = text[: len(text) - len(text.lstrip(" \t\r\n"))].count("\n")
        diagnostics.error(source, exc.line + skipped if exc.line else None, str(exc))
        return None
    except RecursionError:
        diagnostics.error(source, None, "front matter is nested too deeply to read; flatten it")
        return None
    body_offset = len(text) - len(body)
    body_line = text[:body_offset].count("\n") + 1
    front_line = text[: len(text) - len(text.lstrip(" \t\r\n"))].count("\n") + 1
    return RawPost(file, source, metadata, body, body_line, front_text,
                   hashlib.sha256(data).hexdigest(), bool(kind), front_line, body_offset)


def decoded_text(data: bytes) -> str:
    """A content file's text as every reading of it sees it: UTF-8 (a BOM dropped), control
    characters cleaned. Raises UnicodeDecodeError."""
    text = data.decode("utf-8-sig")
    if len(data.translate(None, C0_AND_DEL)) == len(data) and not MULTIBYTE_CONTROL.search(data):
        return text  # no control character in the bytes (and strict UTF-8 has no lone surrogate)
    return clean(text)


def read_body(file: Path, sha256: str, offset: int) -> str | None:
    """The body of a post read before (from `offset` of its text), if the file still holds the
    bytes it was read from; None if it changed or went away since."""
    try:
        data = file.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != sha256:
        return None
    return decoded_text(data)[offset:]


def read_front_matter(file: Path) -> dict[str, Any]:
    """Only the front matter of a section page (`_index.md`), for its cascade and url; {} when it
    cannot be read (the page itself is Hugo's, not a post)."""
    try:
        text = file.read_text(encoding="utf-8-sig")
        metadata = split_front_matter(text)[1]
        return cleaned_metadata(metadata) if isinstance(metadata, dict) else {}
    except (OSError, UnicodeDecodeError, FrontMatterError, RecursionError):
        return {}


def has_front_matter(file: Path) -> bool:
    """Whether an .html content file starts with front matter; without, Hugo does not make it a page."""
    try:
        with open(file, "rb") as handle:
            head = handle.read(512).lstrip(b"\xef\xbb\xbf").lstrip()
    except OSError:
        return False
    return head.startswith((b"---", b"+++", b"{"))


def key_lines(raw: RawPost) -> dict[str, int]:
    """Every front-matter key (nested ones too, lower case) and the first file line it is on."""
    lines: dict[str, int] = {}
    for number, line in enumerate(raw.front_text.splitlines(), start=raw.front_line):
        match = KEY.match(line)
        if match:
            lines.setdefault(match.group(1).lower(), number)
    return lines

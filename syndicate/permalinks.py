"""URLs exactly as Hugo 0.111 makes them: its path sanitising (`urlize`), `permalinks` patterns
with every token, `url` and `slug` from the front matter, `uglyURLs`, language prefixes.

Every rule here was checked against Debian's hugo (`hugo list all`); tests/test_hugo_oracle.py
keeps checking them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence
from urllib.parse import quote, unquote_plus

URL_SAFE = "/:@!$&'()*+,;=-._~%"
FILE_SAFE = URL_SAFE.replace("%", "")
# A token is a colon and a word (Hugo's `:\w+(\[.+?])?`); `:sections` may take a slice.
TOKEN = re.compile(r":(\w+)(\[[^\]]+\])?")
KNOWN_TOKENS = frozenset({
    "year", "month", "monthname", "day", "weekday", "weekdayname", "yearday", "section", "sections",
    "title", "slug", "slugorfilename", "filename",
    # newer Hugo (0.144+): the content file's base name (a bundle's folder), slug or that
    "contentbasename", "slugorcontentbasename",
})
WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
OLD_STYLE = re.compile(r"\{(\w+)\}")  # syndicate's first permalink syntax: /blog/{slug}/


@dataclass(frozen=True)
class PathRules:
    """The site's options that shape every path."""
    lower: bool = True              # not disablePathToLower
    remove_accents: bool = False    # removePathAccents


@dataclass(frozen=True)
class PageFields:
    """What a permalink pattern can refer to, for one page."""
    date: datetime | None           # Hugo's .Date; None: undated (Hugo's zero time, year 1)
    title: str
    slug: str                       # front matter `slug` (or the :filename date handler's)
    filename: str                   # file name without language and extension; a bundle's folder name
    section: str
    sections: tuple[str, ...]


# ---------------------------------------------------------------- Hugo's urlize

def sanitize(text: str, rules: PathRules = PathRules()) -> str:
    """Hugo's MakePathSanitized (helpers.UnicodeSanitize as of 0.111): letters, digits, marks and
    `. / \\ _ # ~ - @ +` stay, `%XX` stays, a run of spaces becomes one '-', everything else goes;
    lower case unless disablePathToLower. Hugo does not normalise to NFC here, so neither do we."""
    if rules.remove_accents:
        text = unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text)
                                                    if unicodedata.category(c) != "Mn"))
    kept: list[str] = []
    prepend_hyphen = was_hyphen = False
    for index, char in enumerate(text):
        allowed = (char in "./\\_#+~-@" or char.isalpha() or unicodedata.category(char) in ("Nd", "Mn", "Mc", "Me")
                   or (char == "%" and index + 2 < len(text) and _hex(text[index + 1]) and _hex(text[index + 2])))
        if allowed:
            was_hyphen = char == "-"
            if prepend_hyphen:
                if not was_hyphen:
                    kept.append("-")
                prepend_hyphen = False
            kept.append(char)
        elif kept and char.isspace() and not was_hyphen:
            prepend_hyphen = True
    result = "".join(kept)
    return result.lower() if rules.lower else result


def _hex(char: str) -> bool:
    return char in "0123456789abcdefABCDEF"


def encode(path: str) -> str:
    """A URL path percent-encoded as Hugo writes permalinks (non-ASCII and spaces escaped)."""
    return quote(path, safe=URL_SAFE)


def url_on_site(base_url: str, path: str) -> str:
    """The absolute URL of a path on the site, percent-encoded (`#` and `?` included), always
    below the base URL: a path is never read as a scheme or another host, as urljoin would."""
    return base_url + encode(path.lstrip("/"))


def file_url(base_url: str, rel: str) -> str:
    """The public URL of a file of the output folder, `rel` being its path there as written to disk
    (not encoded: a `%` in it is a character of the name). The one form for every place that names
    an output file — meta tags, feeds, the manifest, the server's headers, a deploy's CDN purges —
    so a CDN purges the very URL the crawlers cached."""
    return base_url + quote(rel.lstrip("/"), safe=FILE_SAFE)


# ---------------------------------------------------------------- patterns

def pattern_problem(pattern: str) -> str:
    """Why Hugo would refuse a permalink pattern ("permalink ill-formed"), or ""."""
    fragments = pattern.lstrip("/").split("/")
    for index, fragment in enumerate(fragments):
        if not fragment and index < len(fragments) - 1:
            return f"'{pattern}' has an empty path segment ('//')"
        for match in TOKEN.finditer(fragment):
            name, index_part = match.group(1), match.group(2)
            if index_part and name != "sections":
                return f"'{pattern}': only :sections takes an index such as [1:]"
            if name not in KNOWN_TOKENS and not is_date_layout(name):
                known = ", ".join(f":{token}" for token in sorted(KNOWN_TOKENS))
                return f"'{pattern}' has the unknown token ':{name}'; Hugo knows {known} and Go date layouts such as :2006"
    return ""


def from_old_syntax(pattern: str) -> str:
    """`/blog/{slug}/` (syndicate's first syntax) → `/blog/:slug/`."""
    return OLD_STYLE.sub(r":\1", pattern)


def expand(pattern: str, page: PageFields, rules: PathRules) -> str:
    """A `permalinks` pattern filled in for a page, as Hugo does: slugs and titles urlized, the
    result query-unescaped (so '+' becomes a space) and sanitised as a whole."""
    def value(match: re.Match[str]) -> str:
        return _token(match.group(1), match.group(2) or "", page, rules)

    return sanitize(unquote_plus(TOKEN.sub(value, pattern)), rules)


def _token(name: str, index: str, page: PageFields, rules: PathRules) -> str:
    moment = page.date
    if name in ("title", "slug", "slugorfilename", "filename", "contentbasename", "slugorcontentbasename"):
        text = {"title": page.title, "slug": page.slug or page.title,
                "slugorfilename": page.slug or page.filename, "filename": page.filename,
                "contentbasename": page.filename,
                "slugorcontentbasename": page.slug or page.filename}[name]
        return encode(sanitize(text, rules))
    if name == "section":
        return page.section
    if name == "sections":
        return "/".join(_sliced(page.sections, index))
    if moment is None:  # Hugo's zero time: Monday, 1 January of year 1
        return {"year": "1", "month": "01", "monthname": "January", "day": "01", "weekday": "1",
                "weekdayname": "Monday", "yearday": "1"}.get(name) or go_format(datetime(1, 1, 1), name)
    simple = {"year": str(moment.year), "month": f"{moment.month:02d}", "monthname": MONTH_NAMES[moment.month - 1],
              "day": f"{moment.day:02d}", "weekday": str((moment.weekday() + 1) % 7),
              "weekdayname": WEEKDAYS[(moment.weekday() + 1) % 7], "yearday": str(moment.timetuple().tm_yday)}
    return simple.get(name) or go_format(moment, name)


def _sliced(sections: Sequence[str], index: str) -> Sequence[str]:
    """`:sections[1:]`, `[:last]`, `[last]`, `[0]` (Hugo 0.111's slice syntax)."""
    inner = index.strip("[]").replace("last", str(len(sections) - 1))
    if not inner:
        return sections
    if ":" in inner:
        start, _, end = inner.partition(":")
        return sections[int(start or 0): int(end) + 1 if end else None]
    position = int(inner)
    return sections[position:position + 1]


# ---------------------------------------------------------------- Go time layouts

# Go's layout elements that can appear inside a word token, longest first at each start.
GO_ELEMENTS = ("January", "Jan", "Monday", "Mon", "MST", "2006", "__2", "_2", "002", "01", "02", "03", "04",
               "05", "06", "15", "PM", "pm", "1", "2", "3", "4", "5")


def is_date_layout(word: str) -> bool:
    """Hugo 0.111 reads a token that is no known name as a Go time layout if formatting a time
    with it changes it (`:2006`, `:Jan`; `:foo` is "ill-formed")."""
    return go_format(datetime(2019, 11, 9, 23, 1, 42), word) != word


def go_format(moment: datetime, layout: str) -> str:
    """Go's Time.Format for the layout elements a `:word` token can hold."""
    out: list[str] = []
    position = 0
    while position < len(layout):
        element = next((e for e in GO_ELEMENTS if layout.startswith(e, position)), None)
        if element is None:
            out.append(layout[position])
            position += 1
            continue
        out.append(_go_element(moment, element))
        position += len(element)
    return "".join(out)


def _go_element(moment: datetime, element: str) -> str:
    hour12 = moment.hour % 12 or 12
    return {
        "January": MONTH_NAMES[moment.month - 1], "Jan": MONTH_NAMES[moment.month - 1][:3],
        "Monday": WEEKDAYS[(moment.weekday() + 1) % 7], "Mon": WEEKDAYS[(moment.weekday() + 1) % 7][:3],
        "MST": moment.tzname() or "UTC", "2006": f"{moment.year:04d}", "__2": f"{moment.timetuple().tm_yday:>3}",
        "_2": f"{moment.day:>2}", "002": f"{moment.timetuple().tm_yday:03d}", "01": f"{moment.month:02d}",
        "02": f"{moment.day:02d}", "03": f"{hour12:02d}", "04": f"{moment.minute:02d}",
        "05": f"{moment.second:02d}", "06": f"{moment.year % 100:02d}", "15": f"{moment.hour:02d}",
        "PM": "PM" if moment.hour >= 12 else "AM", "pm": "pm" if moment.hour >= 12 else "am",
        "1": str(moment.month), "2": str(moment.day), "3": str(hour12), "4": str(moment.minute),
        "5": str(moment.second),
    }[element]


# ---------------------------------------------------------------- front matter `url`

class ClimbingURL(ValueError):
    """A `url:` whose dot segments climb above the site's root."""


def normalise_url_path(path: str) -> str:
    """RFC 3986 §5.2.4 remove_dot_segments, refusing a path that climbs above the root (which
    the algorithm would silently clamp: /../../etc/x is not a page of this site)."""
    segments = path.split("/")
    absolute = path.startswith("/")
    output: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
            continue
        if segment == "..":
            if not [s for s in output if s]:
                raise ClimbingURL(path)
            while output and not output[-1]:
                output.pop()
            output.pop()
            if last:
                output.append("")
            continue
        if segment or index == 0 or last:
            output.append(segment)
    result = "/".join(output)
    return ("/" + result.lstrip("/")) if absolute else result.lstrip("/")


def url_path(url: str, prefix: str) -> str:
    """The page path for a front-matter `url`, as Hugo 0.111 makes it: kept as written (no
    sanitising, case kept); a relative one goes below the language prefix; one without an
    extension is a folder (a trailing '/')."""
    path = normalise_url_path(url)
    if not url.startswith("/"):
        path = "/" + (prefix + path).lstrip("/")
    if path.endswith("/") or "." not in path:
        return path.rstrip("/") + "/"
    return path


# ---------------------------------------------------------------- whole paths

def page_path(*, pattern: str, directory: str, page: PageFields, prefix: str, ugly: bool,
              rules: PathRules) -> str:
    """The URL path of a page without `url`: its section's pattern, else Hugo's default (the
    content folder, then the slug or file name), below the language prefix; pretty or ugly."""
    if pattern:
        path = expand(pattern, page, rules).strip("/")
    else:
        base = sanitize(page.slug, rules) if page.slug else sanitize(page.filename, rules)
        path = "/".join(part for part in (sanitize(directory, rules).strip("/"), base) if part)
    path = "/".join(part for part in (prefix.strip("/"), path) if part)
    return f"/{path}.html" if ugly and path else f"/{path}/".replace("//", "/")

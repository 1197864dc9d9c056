"""Dates as Hugo reads them: the formats Hugo accepts, zone-less dates in the site's time zone,
and only moments that every output can write (years 1–9999 in UTC)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = r"(?P<mon>" + "|".join(MONTHS) + ")"
_YMD = r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
# Go's parser takes a one- or two-digit hour for "15", two digits for minutes and seconds, and a
# fraction after the seconds even where the layout has none; a space matches a run of spaces.
_HMS = r"(?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2})(?P<fraction>[.,]\d+)?"
_HM = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})"
_NAME = r"[A-Z][A-Za-z]{1,4}|[+-]\d{2}"   # MST, CEST, UTC: Hugo re-reads such times in the site's zone
_SP = " +"

# The layouts Hugo 0.111 reads (spf13/cast's list, checked against `hugo list all`), as patterns.
# `zone` is a numeric offset or Z; a layout without one (or with a zone name) is in the site's zone.
HUGO_LAYOUTS = tuple(re.compile(pattern) for pattern in (
    _YMD,                                                                   # 2006-01-02
    _YMD + "T" + _HMS + r"(?P<zone>Z|[+-]\d{2}:\d{2})",                     # RFC 3339
    _YMD + "T" + _HMS,                                                      # ISO 8601 without a zone
    _DAY + "," + _SP + r"(?P<day>\d{2})" + _SP + _MONTH + _SP + r"(?P<year>\d{4})" + _SP + _HMS
    + _SP + r"(?:(?P<zone>[+-]\d{4})|(?:" + _NAME + "))",                  # RFC 1123(Z)
    r"(?P<day>\d{2})" + _SP + _MONTH + _SP + r"(?P<yy>\d{2})" + _SP + _HM
    + _SP + r"(?:(?P<zone>[+-]\d{4})|(?:" + _NAME + "))",                  # RFC 822(Z)
    _WEEKDAY + "," + _SP + r"(?P<day>\d{2})-" + _MONTH + r"-(?P<yy>\d{2})" + _SP + _HMS + _SP
    + "(?:" + _NAME + ")",                                                  # RFC 850
    _YMD + _SP + _HMS + _SP + r"(?P<zone>[+-]\d{2}:?\d{2})(?:" + _SP + "(?:" + _NAME + "))?",  # Time.String()
    _YMD + "T" + _HMS + r"(?P<zone>[+-]\d{4})",                             # RFC 3339 without the colon
    _YMD + _SP + _HMS + r"(?P<zone>Z|[+-]\d{4})",                           # …and without the T
    _YMD + _SP + _HMS,                                                      # 2006-01-02 15:04:05
    _DAY + _SP + _MONTH + _SP + r"(?P<day>[ \d]?\d)" + _SP + _HMS + _SP + r"(?P<year>\d{4})",  # ANSI C
    _DAY + _SP + _MONTH + _SP + r"(?P<day>\d{2})" + _SP + _HMS + _SP + r"(?P<zone>[+-]\d{4})"
    + _SP + r"(?P<year>\d{4})",                                             # Ruby
    _DAY + _SP + _MONTH + _SP + r"(?P<day>[ \d]?\d)" + _SP + _HMS + _SP + "(?:" + _NAME + ")"
    + _SP + r"(?P<year>\d{4})",                                             # Unix date
    r"(?P<day>\d{2})" + _SP + _MONTH + _SP + r"(?P<year>\d{4})",            # 02 Jan 2006
))
FILENAME_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:-(.*))?", re.S)


class UnreadableDate(ValueError):
    """A value Hugo does not read as a date (Hugo then treats the post as undated)."""


class ImpossibleDate(ValueError):
    """A date Hugo reads but no feed can carry: outside years 1–9999 once converted to UTC."""


def parse_date(value: object, zone: tzinfo) -> datetime:
    """A timezone-aware datetime from a front-matter value; zone-less values get `zone`."""
    if isinstance(value, bool):
        raise UnreadableDate(f"{value!r} is not a date")
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=zone)
    elif isinstance(value, date):
        moment = datetime.combine(value, time(), tzinfo=zone)
    elif isinstance(value, int):  # Hugo reads a number as seconds since 1970
        try:
            moment = datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError) as exc:
            raise ImpossibleDate(f"{value} seconds since 1970 is outside the years 1–9999") from exc
    elif isinstance(value, str):
        moment = _parse_text(value, zone)
    else:
        raise UnreadableDate(f"{value!r} is not a date")
    return representable(moment)


def _parse_text(text: str, zone: tzinfo) -> datetime:
    for layout in HUGO_LAYOUTS:
        match = layout.fullmatch(text)
        if match:
            return _from_fields(match.groupdict(), text, zone)
    raise UnreadableDate(f"{text!r} is not a date Hugo reads; write it as 2024-05-31 or "
                         "2024-05-31T18:00:00+02:00")


def _from_fields(fields: dict[str, str | None], text: str, zone: tzinfo) -> datetime:
    if fields.get("year"):
        year = int(fields["year"])
    else:  # Go reads a two-digit year 69–99 as 19xx, 00–68 as 20xx
        year = int(fields["yy"] or 0) + (1900 if int(fields["yy"] or 0) >= 69 else 2000)
    month = MONTHS.index(fields["mon"]) + 1 if fields.get("mon") else int(fields["month"] or 1)
    fraction = (fields.get("fraction") or ".0").replace(",", ".")
    try:
        parsed = datetime(year, month, int((fields["day"] or "1").strip()), int(fields.get("hour") or 0),
                          int(fields.get("minute") or 0), int(fields.get("second") or 0),
                          int(float(fraction) * 1_000_000) % 1_000_000)
    except ValueError as exc:
        raise UnreadableDate(f"{text!r} is not a date on the calendar ({exc})") from exc
    return parsed.replace(tzinfo=_zone(fields.get("zone"), zone))


def _zone(text: str | None, default: tzinfo) -> tzinfo:
    if not text:
        return default
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise UnreadableDate(f"the time zone offset {text} does not exist; offsets run from -23:59 to +23:59")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def representable(moment: datetime) -> datetime:
    """The moment itself, if it lies in years 1–9999 in UTC too (every feed date is written from
    it); a date such as 0001-01-01 in Europe/Berlin (+00:53:28 then) does not."""
    try:
        moment.astimezone(timezone.utc)
    except (OverflowError, ValueError) as exc:
        raise ImpossibleDate(f"{moment.isoformat()} lies outside the years 1–9999 in UTC, which no feed "
                             "can carry") from exc
    return moment


def split_filename_date(stem: str, zone: tzinfo) -> tuple[datetime | None, str, str | None]:
    """Hugo's :filename date handler: (date, rest of the name, problem).

    `2023-02-30-x` has the shape of a date but is none: Hugo then takes no date from the name
    and keeps the whole name as the slug; the problem says so. So does a date that lies outside
    what UTC can hold in the site's zone.
    """
    match = FILENAME_DATE.fullmatch(stem)
    if not match:
        return None, stem, None
    year, month, day, rest = match.groups()
    try:
        moment = representable(datetime.combine(date(int(year), int(month), int(day)), time(), tzinfo=zone))
    except ImpossibleDate as exc:
        return None, stem, f"the file name's date: {exc}"
    except ValueError:
        return None, stem, f"the file name's date {year}-{month}-{day} is not on the calendar"
    return moment, rest or stem, None


def rfc3339(moment: datetime) -> str:
    """RFC 3339 with an explicit offset, seconds precision (+00:00 rather than Z, as in design.md).
    RFC 3339 §5.6's time-numoffset has hours and minutes only, so a moment in a zone whose offset
    has seconds (local mean time: Europe/Berlin was +00:53:28 before 1893) is written in UTC."""
    moment = moment.replace(microsecond=0)
    offset = moment.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        moment = moment.astimezone(timezone.utc)
    return moment.isoformat()

"""Dates as Hugo reads them: lenient near-ISO parsing, zone-less dates in the site's time zone."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo

# Hugo (via spf13/cast) accepts more than RFC 3339: one-digit hours, a space instead of "T",
# zones with or without a colon. Anything else is unreadable.
NEAR_ISO = re.compile(
    r"""\s*(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})
        (?:[Tt\s]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?P<fraction>\.\d+)?)?)?
        \s*(?P<zone>[Zz]|(?:UTC|GMT)|[+-]\d{2}(?::?\d{2})?)?\s*$""",
    re.VERBOSE,
)
FILENAME_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:-(.*))?", re.S)


class UnreadableDate(ValueError):
    pass


def parse_date(value: object, zone: tzinfo) -> datetime:
    """A timezone-aware datetime from a front-matter value; zone-less values get `zone`."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=zone)
    if not isinstance(value, str):
        raise UnreadableDate(f"{value!r} is not a date")
    match = NEAR_ISO.fullmatch(value)
    if not match:
        raise UnreadableDate(f"{value!r} is not a date; write it as 2024-05-31 or 2024-05-31T18:00:00+02:00")
    parts = match.groupdict()
    try:
        fraction = parts["fraction"] or ".0"
        parsed = datetime(int(parts["year"]), int(parts["month"]), int(parts["day"]),
                          int(parts["hour"] or 0), int(parts["minute"] or 0), int(parts["second"] or 0),
                          int(round(float(fraction) * 1_000_000)) % 1_000_000)
    except ValueError as exc:
        raise UnreadableDate(f"{value!r} is not a date on the calendar ({exc})") from exc
    return parsed.replace(tzinfo=_zone(parts["zone"], zone))


def _zone(text: str | None, default: tzinfo) -> tzinfo:
    if not text:
        return default
    if text.upper() in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise UnreadableDate(f"the time zone offset {text} does not exist; offsets run from -23:59 to +23:59")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def split_filename_date(stem: str, zone: tzinfo) -> tuple[datetime | None, str, str | None]:
    """Hugo's :filename date handler: (date, rest of the name, problem).

    `2023-02-30-x` has the shape of a date but is none: Hugo then takes no date from the name
    and keeps the whole name as the slug; the problem says so.
    """
    match = FILENAME_DATE.fullmatch(stem)
    if not match:
        return None, stem, None
    year, month, day, rest = match.groups()
    try:
        day_date = date(int(year), int(month), int(day))
    except ValueError:
        return None, stem, f"the file name's date {year}-{month}-{day} is not on the calendar"
    return datetime.combine(day_date, time(), tzinfo=zone), rest or stem, None


def rfc3339(moment: datetime) -> str:
    """RFC 3339 with an explicit offset, seconds precision (+00:00 rather than Z, as in design.md)."""
    return moment.replace(microsecond=0).isoformat()

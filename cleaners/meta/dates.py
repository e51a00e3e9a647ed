"""Dates to ISO 8601: the page's offset kept, zone names converted to UTC, nothing after the fetch time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from .rules import ZONE_OFFSETS

ISO_LIKE = re.compile(
    r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?\s*"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}
# "Fri Apr 28 19:20:36 CEST 2023", "Fri, 28 Apr 2023 19:20:36 GMT", "April 28, 2023 7:20 PM EDT"
TEXT_DATE = re.compile(
    r"^(?:[a-z]{3,9},?\s+)?(?:(?P<d1>\d{1,2})\.?\s+(?P<m1>[a-z]{3,9})\.?|(?P<m2>[a-z]{3,9})\.?\s+(?P<d2>\d{1,2}),?)"
    r"(?:\s+(?P<y1>\d{4}))?,?\s*(?:(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?"
    r"\s*(?P<zone>[a-z]{1,5}|[+-]\d{2}:?\d{2})?\s*(?P<y2>\d{4})?$",
    re.IGNORECASE,
)
EPOCH_MIN, EPOCH_MAX = 946684800, 4102444800  # 2000-01-01 .. 2100-01-01, seconds
MIN_YEAR = 1995  # web news before this is not a publication date but a typo or a birth date


def _zone(text: str | None) -> timezone | bool | None:
    """A tzinfo for "Z", "+02:00", "CEST"; None when absent; False when unknown."""
    if not text:
        return None
    if text[0] in "+-":
        digits = text[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
        return timezone(timedelta(minutes=minutes if text[0] == "+" else -minutes))
    hours = ZONE_OFFSETS.get(text.lower())
    return False if hours is None else timezone(timedelta(hours=hours))


def _build(
    y: str | int,
    mo: str | int,
    d: str | int,
    h: str | int | None = None,
    mi: str | None = None,
    s: str | None = None,
    zone: Any = None,
    named: bool = False,
    fraction: str | None = None,
) -> str | None:
    try:
        if h is None:
            return date(int(y), int(mo), int(d)).isoformat() if int(y) >= MIN_YEAR else None
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi or 0), int(s or 0), micro, tzinfo=zone or None)
    except ValueError:
        return None
    if dt.year < MIN_YEAR:
        return None
    if named and zone:
        dt = dt.astimezone(UTC)
    return dt.isoformat()


def _iso(m: re.Match[str]) -> str | None:
    y, mo, d, h, mi, s, fraction, z = m.groups()
    zone = _zone(z.upper() if z and z.upper() == "Z" else z)
    if h is None:
        return _build(y, mo, d)
    return _build(y, mo, d, h, mi, s, zone or None, fraction=fraction)


def _text(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    month = MONTHS.get((g["m1"] or g["m2"] or "")[:3].lower())
    year = g["y1"] or g["y2"]
    if not month or not year:
        return None
    h = int(g["h"]) if g["h"] else None
    if h is not None and g["ampm"]:
        h = h % 12 + (12 if g["ampm"][0].lower() == "p" else 0)
    zone = _zone(g["zone"]) if g["zone"] else None
    if zone is False:
        zone = None
    named = bool(g["zone"] and g["zone"][0] not in "+-")
    return _build(year, month, g["d1"] or g["d2"], h, g["mi"], g["s"], zone, named)


def parse_date(raw: Any) -> str | None:
    """ISO 8601 for a date string the page gives, or None when it is not a date."""
    if isinstance(raw, (int, float)) and EPOCH_MIN <= raw / (1000 if raw > 1e11 else 1) <= EPOCH_MAX:
        return datetime.fromtimestamp(raw / (1000 if raw > 1e11 else 1), UTC).isoformat()
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if m := ISO_LIKE.match(text):
        return _iso(m)
    if m := TEXT_DATE.match(text):
        return _text(m)
    return None


def as_datetime(value: str) -> datetime:
    """An ISO string as an aware datetime (dates and naive times taken as UTC) for comparisons."""
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def not_after(value: str | None, limit: str | None) -> bool:
    """Whether `value` is not later than the fetch time `limit` (a day of slack for zone-less dates)."""
    if not value or not limit:
        return True
    try:
        return as_datetime(value) <= as_datetime(limit) + timedelta(days=1 if len(value) == 10 else 0, minutes=5)
    except ValueError:
        return True


URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|[-_]|$)|/((?:19|20)\d{2})(\d{2})(\d{2})/")


def url_date(url: str | None) -> tuple[str, str] | None:
    """(date, raw) from a URL path like /2024/05/02/ or /20240502/."""
    if not url:
        return None
    m = URL_DATE.search(url)
    if not m:
        return None
    y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    value = _build(y, mo, d)
    return (value, m.group(0)) if value else None

"""Publication dates: from the data, else from the article's opening lines, else its file name."""

from __future__ import annotations

import datetime as dt
import re

_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*((?:19|20)\d\d)(?!\d)")
_WORDED = re.compile(
    r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:,\s*|\s+)năm\s+((?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)
_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)")

# The opening of an article states when it happened; dates further down are references to
# other events ("Chỉ thị 34-CT/TW ngày 15/4/2014").
LEAD_CHARS = 400
EARLIEST_YEAR = 1945


def make_date(year: int, month: int, day: int) -> dt.date | None:
    """A real calendar date within the archive's range, or None (31/2, month 13, year 2999)."""
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if not EARLIEST_YEAR <= year <= dt.date.today().year + 1:
        return None
    return date


def parse_iso(value: str) -> dt.date | None:
    """A YYYY-MM-DD date (a time part after it is ignored), or None."""
    match = _ISO.match(value.strip()) if value else None
    if not match:
        return None
    return make_date(int(match[1]), int(match[2]), int(match[3]))


def dates_in(text: str) -> list[tuple[int, dt.date]]:
    """Every valid day-month-year date in a text with its position, in text order."""
    found = []
    for match in _NUMERIC.finditer(text):
        date = make_date(int(match[4]), int(match[3]), int(match[1]))  # Vietnamese: day first
        if date:
            found.append((match.start(), date))
    for match in _WORDED.finditer(text):
        date = make_date(int(match[3]), int(match[2]), int(match[1]))
        if date:
            found.append((match.start(), date))
    return sorted(found, key=lambda item: item[0])


def date_from_text(text: str) -> dt.date | None:
    """The first date stated in the opening of an article, or None."""
    found = dates_in(text[:LEAD_CHARS])
    return found[0][1] if found else None


def date_from_name(name: str) -> dt.date | None:
    """A YYYY-MM-DD date inside a file name ("mic-2017-03-23.txt"), or None."""
    match = _ISO.search(name)
    return make_date(int(match[1]), int(match[2]), int(match[3])) if match else None

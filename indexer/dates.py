"""Publication dates: from the data, else from the article's opening lines, else its file name."""

from __future__ import annotations

import datetime as dt
import re

_NUMERIC = re.compile(
    r"(?<![\d/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*((?:19|20)\d\d)(?![\d/])")
_WORDED = re.compile(
    r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:,\s*|\s+)năm\s+((?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)
_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)")
_ISO_TIME = re.compile(r"(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?")
# A date right after these words is a deadline or the end of a range, not when the article
# happened: "báo cáo về bộ trước 10/09/2019", "từ ngày 12 đến 14/11/2018", "hạn chót 5/4/2021".
_NOT_THE_EVENT = re.compile(
    r"(?:(?:trước|đến|tới|hết|chậm nhất|hạn chót|hạn|từ|sau)\s+(?:ngày\s+)?"
    # an earlier event: "Trước đó, ngày 17/3/2021"
    r"|trước đó,?\s+(?:vào\s+)?(?:ngày\s+)?"
    # the date of a document: "Nghị định số 116/2020/NĐ-CP ngày 25/9/2020", "Chỉ thị 34-CT/TW
    # ngày 15/4/2014", "văn bản số 1199/SGDĐT-QLT ngày 13-4-2021"
    r"|(?:nghị định|quyết định|thông tư|chỉ thị|nghị quyết|công văn|văn bản|kết luận|thông báo"
    r"|công điện|tờ trình|hướng dẫn)\b[^.;\n]{0,40}?ngày\s+)$",
    re.IGNORECASE,
)
# Two dates joined by a dash are a span ("80 năm Quốc khánh (2-9-1945 - 2-9-2025)").
_SPAN = re.compile(r"\s*[-–—]\s*(?:ngày\s+)?\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}")
_SPAN_BEFORE = re.compile(r"\d{4}\s*[-–—]\s*(?:ngày\s+)?$")
# The end of a sentence: a line break, or a stop and a space before a capital. Dotted dates
# ("2.10.2025") have no space; abbreviations ("TP. HCM", "GS. Lê", "Q. 1") are not ends.
_STOP = re.compile(r"[.!?…]+[\"”']?\s+(?=[\"“']?(\w))|\n")
_ABBREVIATED = re.compile(r"(?:\b[A-ZĐ]|\b(?:TP|Tp|TS|GS|PGS|ThS|BS|St|Mr|Dr))$")

# The opening of an article states when it happened; dates further down are references to
# other events ("Chỉ thị 34-CT/TW ngày 15/4/2014").
LEAD_SENTENCES = 2
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


def parse_iso(value: str, whole: bool = False) -> dt.date | None:
    """A YYYY-MM-DD date (a time part after it is ignored), or None.

    ``whole``: the value must be the date, or the date and an ISO time, and nothing else
    ("2021-03-12garbage" is not a date).
    """
    match = _ISO.match(value.strip()) if value else None
    if not match or (whole and not _ISO_TIME.fullmatch(value.strip()[match.end():])):
        return None
    return make_date(int(match[1]), int(match[2]), int(match[3]))


def _day_month(first: int, second: int, year: int) -> dt.date | None:
    """Vietnamese write the day first (23/3/2017); a month first is only read where the
    day-first reading is impossible and the other is not (3/23/2017)."""
    return make_date(year, second, first) or (
        make_date(year, first, second) if second > 12 >= first else None)


def dates_in(text: str) -> list[tuple[int, dt.date]]:
    """Every valid day-month-year date in a text with its position, in text order."""
    found = []
    for match in _NUMERIC.finditer(text):
        date = _day_month(int(match[1]), int(match[3]), int(match[4]))
        if date:
            found.append((match.start(), date))
    for match in _WORDED.finditer(text):
        date = make_date(int(match[3]), int(match[2]), int(match[1]))
        if date:
            found.append((match.start(), date))
    for match in _ISO.finditer(text):
        date = make_date(int(match[1]), int(match[2]), int(match[3]))
        if date:
            found.append((match.start(), date))
    return sorted(found, key=lambda item: item[0])


def opening(text: str) -> str:
    """The first sentences of a text (at most LEAD_CHARS), where an article says when it
    happened."""
    sentences = 0
    for stop in _STOP.finditer(text, 0, LEAD_CHARS):
        if "\n" not in stop.group() and not (
                stop[1].isupper() and not _ABBREVIATED.search(text, 0, stop.start())):
            continue
        sentences += 1
        if sentences == LEAD_SENTENCES:
            return text[:stop.end()]
    return text[:LEAD_CHARS]


def date_from_text(text: str) -> dt.date | None:
    """The first date stated in the opening of an article, or None.

    Deadlines and the ends of ranges ("trước 10/09/2019", "từ ngày 12 đến 14/11/2018") are not
    the date of the event.
    """
    lead = opening(text)
    for position, date in dates_in(lead):
        before = lead[max(0, position - 60):position]
        if _NOT_THE_EVENT.search(before) or _SPAN_BEFORE.search(before):
            continue
        if _SPAN.match(lead, _date_end(lead, position)):
            continue
        return date
    return None


def _date_end(text: str, position: int) -> int:
    for pattern in (_NUMERIC, _WORDED, _ISO):
        match = pattern.match(text, position)
        if match:
            return match.end()
    return position


def date_from_opening(summary: str, body: str) -> dt.date | None:
    """The date an article's opening states: its summary's when it has one, else its body's."""
    return date_from_text(summary if summary.strip() else body)


def date_from_name(name: str) -> dt.date | None:
    """A YYYY-MM-DD date inside a file name ("mic-2017-03-23.txt"), or None."""
    match = _ISO.search(name)
    return make_date(int(match[1]), int(match[2]), int(match[3])) if match else None

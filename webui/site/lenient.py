"""The search page's lenient reading of its query string.

The API refuses a bad argument with a 400; the page keeps the search instead: a date range
given backwards is swapped, a day written 23/03/2017 is read, and an argument it cannot use
is left out, each with a notice in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import re

from werkzeug.datastructures import MultiDict

from ..api.params import MAX_FILTER_VALUES, SEARCH, BadParameter, parse_search
from ..core import SearchRequest
from ..core.query import MAX_QUERY_CHARS

# What the search page says about a query argument it cannot use and leaves out.
ARGUMENT_NAMES = {
    "q": "từ khóa", "ministry": "bộ, ngành", "person": "nhân vật", "date": "thời gian",
    "from": "từ ngày", "to": "đến ngày", "sort": "cách sắp xếp", "page": "số trang",
    "per_page": "số bài mỗi trang", "predecessors": "bộ tiền thân",
    "facet_size": "số giá trị bộ lọc", "category": "chuyên mục", "source": "nguồn tin",
}
_DAY_MONTH_YEAR = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*")


def lenient_search(args: MultiDict) -> tuple[SearchRequest, list[str]]:
    """The page's reading of its query string: what can be used, and notices about the rest.

    The API refuses a bad argument; a reader who follows an old link or types a date range
    backwards gets the search anyway, with a word about what was changed or left out.
    """
    args = MultiDict(args)
    notices: list[str] = []
    for name in ("from", "to"):  # 23/03/2017, as readers write dates, is read too
        day = _DAY_MONTH_YEAR.fullmatch(args.get(name, ""))
        if day:
            args[name] = f"{day[3]}-{int(day[2]):02d}-{int(day[1]):02d}"
    start, end = args.get("from", "").strip(), args.get("to", "").strip()
    if start and end and start > end and _is_day(start) and _is_day(end):
        args["from"], args["to"] = end, start
        notices.append(f"Ngày bắt đầu ({day_label(start)}) sau ngày kết thúc "
                       f"({day_label(end)}): đã đổi lại thành từ {day_label(end)} "
                       f"đến {day_label(start)}.")
    for _ in range(len(ARGUMENT_NAMES) + 1):  # each round leaves out one argument at least
        try:
            return parse_search(args), notices
        except BadParameter as bad:
            notices.append(_leave_out(args, bad.param))
    return SearchRequest(q=args.get("q", "").strip()[:MAX_QUERY_CHARS]), notices


def _is_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _leave_out(args: MultiDict, name: str) -> str:
    """Change or drop the argument ``name`` so that it parses; say what was done."""
    label = ARGUMENT_NAMES.get(name, name)
    if name == "q":
        args["q"] = args.get("q", "")[:MAX_QUERY_CHARS]
        return f"Từ khóa dài quá {MAX_QUERY_CHARS} ký tự: chỉ tìm {MAX_QUERY_CHARS} ký tự đầu."
    if name == "page":
        args.pop("page", None)
        return "Không có trang này của kết quả: đang hiển thị trang đầu."
    if name in SEARCH and SEARCH[name].repeatable:
        values = args.poplist(name)
        kept = [v for v in values if _value_parses(name, v)][:MAX_FILTER_VALUES]
        args.setlist(name, kept)
        dropped = [v for v in values if v not in kept]
        shown = ", ".join(f"“{v[:40]}”" for v in dropped[:3]) + ("…" if len(dropped) > 3 else "")
        return f"Đã bỏ qua {label} không dùng được: {shown}."
    value = args.poplist(name)
    shown = f" “{value[0][:40]}”" if value and value[0] else ""
    return f"Đã bỏ qua {label}{shown} không dùng được."


def _value_parses(name: str, value: str) -> bool:
    try:
        parse_search(MultiDict([(name, value)]))
    except BadParameter:
        return False
    return True


def day_label(value) -> str:
    """A date as Vietnamese readers write it: 23/03/2017."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value.strftime("%d/%m/%Y")

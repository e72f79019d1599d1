"""Small typed parsers from request arguments to a SearchRequest.

Every problem raises :class:`BadParameter`, which both the page and the API turn into a 400
with a message a person can act on.
"""

from __future__ import annotations

import datetime as dt
import re

from werkzeug.datastructures import MultiDict

from .query import MAX_QUERY_CHARS
from .search import FACET_SIZE, MAX_PER_PAGE, MAX_RESULTS_DEPTH, SORTS, SearchRequest
from indexer.schema import NO_DATE

MAX_FILTER_VALUES = 20
MAX_FACET_SIZE = 100
_DATE_VALUE = re.compile(r"^\d{4}(-\d{2})?$")


class BadParameter(ValueError):
    """A request argument that cannot be used; ``param`` names it."""

    def __init__(self, param: str, message: str, code: str = "invalid_parameter"):
        super().__init__(message)
        self.param = param
        self.message = message
        self.code = code


def parse_int(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"'{name}' must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise BadParameter(name, f"'{name}' must be between {low} and {high}, not {value}")
    return value


def parse_date(args: MultiDict, name: str) -> dt.date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else _bad()
    except ValueError:
        raise BadParameter(
            name, f"'{name}' must be a date written YYYY-MM-DD, such as 2017-03-23, not {raw!r}"
        ) from None


def _bad():
    raise ValueError


def parse_values(args: MultiDict, name: str) -> tuple[str, ...]:
    values = [v.strip() for v in args.getlist(name) if v.strip()]
    if len(values) > MAX_FILTER_VALUES:
        raise BadParameter(name, f"at most {MAX_FILTER_VALUES} values of '{name}' at once")
    return tuple(dict.fromkeys(values))


def parse_dates(args: MultiDict) -> tuple[str, ...]:
    values = parse_values(args, "date")
    for value in values:
        if value != NO_DATE and not _valid_period(value):
            raise BadParameter(
                "date", f"'date' must be a year (2017), a month (2017-03) or '{NO_DATE}', "
                f"not {value!r}",
            )
    return values


def _valid_period(value: str) -> bool:
    if not _DATE_VALUE.match(value):
        return False
    return len(value) == 4 or 1 <= int(value[5:]) <= 12


def parse_search(args: MultiDict) -> SearchRequest:
    """A SearchRequest from the query string of /search or /api/search."""
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter("q", f"the query is {len(q)} characters long; "
                           f"at most {MAX_QUERY_CHARS} are searched")
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadParameter("sort", f"'sort' must be one of {', '.join(SORTS)}, not {sort!r}")
    per_page = parse_int(args, "per_page", 10, 1, MAX_PER_PAGE)
    page = parse_int(args, "page", 1, 1, MAX_RESULTS_DEPTH)
    if page * per_page > MAX_RESULTS_DEPTH:
        raise BadParameter(
            "page", f"'page' {page} of {per_page} results goes beyond the first "
            f"{MAX_RESULTS_DEPTH} results, which is as deep as paging goes: narrow the search "
            "with a filter instead",
        )
    date_from, date_to = parse_date(args, "from"), parse_date(args, "to")
    if date_from and date_to and date_from > date_to:
        raise BadParameter("from", f"'from' ({date_from}) is after 'to' ({date_to})")
    return SearchRequest(
        q=q.strip(),
        ministries=parse_values(args, "ministry"),
        persons=parse_values(args, "person"),
        dates=parse_dates(args),
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        per_page=per_page,
        facet_size=parse_int(args, "facet_size", FACET_SIZE, 1, MAX_FACET_SIZE),
    )

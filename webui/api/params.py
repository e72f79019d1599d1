"""Small typed parsers from request arguments to a SearchRequest and the API's other inputs.

Every problem raises :class:`BadParameter`, which both the page and the API turn into a 400
with a message a person can act on. The API is strict (``strict=True``): unknown, repeated
and empty parameters are errors. The search page is lenient about them, so that a shared
link with tracking parameters (``utm_source``) or an empty form field still works.
"""

from __future__ import annotations

import datetime as dt
import re

from werkzeug.datastructures import MultiDict

from indexer.schema import NO_DATE

from ..core.query import MAX_QUERY_CHARS
from ..core.request import (DEFAULT_PER_PAGE, FACET_SIZE, MAX_PER_PAGE, MAX_RESULTS_DEPTH, SORTS,
                            SearchRequest)

MAX_FILTER_VALUES = 20
MAX_FACET_SIZE = 100
MAX_VALUE_CHARS = 200  # one ministry, person or facet prefix

# The parameters of /api/search; "repeatable" ones may be given several times.
SEARCH_PARAMS = ("q", "ministry", "predecessors", "person", "date", "from", "to", "sort", "page",
                 "per_page", "facet_size")
REPEATABLE = ("ministry", "person", "date")

_DATE_VALUE = re.compile(r"^\d{4}(-\d{2})?$")
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadParameter(ValueError):
    """A request argument that cannot be used; ``param`` names it."""

    def __init__(self, param: str, message: str, code: str = "invalid_parameter"):
        super().__init__(message)
        self.param = param
        self.message = message
        self.code = code


def check_names(args: MultiDict, known: tuple[str, ...], repeatable: tuple[str, ...] = ()):
    """Reject parameters the endpoint does not know, and single ones given more than once."""
    for name in args:
        if name not in known:
            takes = ", ".join(known) if known else "no parameters"
            raise BadParameter(
                name, f"unknown parameter {name!r}; this endpoint takes {takes}",
                code="unknown_parameter",
            )
        if name not in repeatable and len(args.getlist(name)) > 1:
            raise BadParameter(name, f"'{name}' is given {len(args.getlist(name))} times; "
                                     "give it once")


def _empty(name: str, strict: bool) -> None:
    if strict:
        raise BadParameter(name, f"'{name}' is empty: give a value or leave the parameter out")


def parse_int(args: MultiDict, name: str, default: int, low: int, high: int,
              strict: bool = False) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if raw.strip() == "":
        _empty(name, strict)
        return default
    # int() would also take "1_000", " 7" and other scripts' digits; the API takes plain digits
    if not _WHOLE_NUMBER.fullmatch(raw):
        raise BadParameter(name, f"'{name}' must be a whole number, not {raw!r}")
    value = int(raw)
    if not low <= value <= high:
        raise BadParameter(name, f"'{name}' must be between {low} and {high}, not {value}")
    return value


def parse_date(args: MultiDict, name: str, strict: bool = False) -> dt.date | None:
    raw = args.get(name)
    if raw is None:
        return None
    if not raw.strip():
        _empty(name, strict)
        return None
    text = raw if strict else raw.strip()
    try:
        if not _ISO_DAY.fullmatch(text):
            raise ValueError(raw)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadParameter(
            name, f"'{name}' must be a date written YYYY-MM-DD, such as 2017-03-23, not {raw!r}"
        ) from None


def parse_flag(args: MultiDict, name: str, strict: bool = False) -> bool:
    """A yes/no parameter: ``1``/``true`` or ``0``/``false``; absent means no."""
    raw = args.get(name)
    if raw is None:
        return False
    value = raw if strict else raw.strip()
    if not value:
        _empty(name, strict)
        return False
    if value in ("1", "true"):
        return True
    if value in ("0", "false"):
        return False
    raise BadParameter(name, f"'{name}' must be 1 (true) or 0 (false), not {raw!r}")


def parse_values(args: MultiDict, name: str, strict: bool = False) -> tuple[str, ...]:
    values = []
    for raw in args.getlist(name):
        value = raw.strip()
        if not value:
            _empty(name, strict)
            continue
        if len(value) > MAX_VALUE_CHARS:
            raise BadParameter(name, f"a value of '{name}' is {len(value)} characters long; "
                                     f"at most {MAX_VALUE_CHARS} are allowed")
        values.append(value)
    if len(values) > MAX_FILTER_VALUES:
        raise BadParameter(name, f"at most {MAX_FILTER_VALUES} values of '{name}' at once")
    return tuple(dict.fromkeys(values))


def parse_dates(args: MultiDict, strict: bool = False) -> tuple[str, ...]:
    values = parse_values(args, "date", strict)
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


def parse_text(args: MultiDict, name: str, limit: int, required: bool = False) -> str:
    """A free-text parameter of at most ``limit`` characters, blank-stripped."""
    raw = args.get(name, "")
    if len(raw) > limit:
        raise BadParameter(name, f"'{name}' is {len(raw)} characters long; "
                                 f"at most {limit} are allowed")
    if required and not raw.strip():
        raise BadParameter(name, f"'{name}' is required: give the text to complete",
                           code="missing_parameter")
    return raw.strip()


def parse_search(args: MultiDict, strict: bool = False) -> SearchRequest:
    """A SearchRequest from the query string of the search page or (strict) /api/search."""
    if strict:
        check_names(args, SEARCH_PARAMS, REPEATABLE)
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter("q", f"the query is {len(q)} characters long; "
                           f"at most {MAX_QUERY_CHARS} are searched")
    sort = args.get("sort")
    if sort is None or (sort == "" and not strict):
        sort = "relevance"
    if sort not in SORTS:
        raise BadParameter("sort", f"'sort' must be one of {', '.join(SORTS)}, not {sort!r}")
    per_page = parse_int(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, strict)
    page = parse_int(args, "page", 1, 1, MAX_RESULTS_DEPTH, strict)
    if page * per_page > MAX_RESULTS_DEPTH:
        raise BadParameter(
            "page", f"'page' {page} of {per_page} results goes beyond the first "
            f"{MAX_RESULTS_DEPTH} results, which is as deep as paging goes: narrow the search "
            "with a filter instead",
        )
    date_from, date_to = parse_date(args, "from", strict), parse_date(args, "to", strict)
    if date_from and date_to and date_from > date_to:
        raise BadParameter("from", f"'from' ({date_from}) is after 'to' ({date_to})")
    return SearchRequest(
        q=q.strip(),
        ministries=parse_values(args, "ministry", strict),
        predecessors=parse_flag(args, "predecessors", strict),
        persons=parse_values(args, "person", strict),
        dates=parse_dates(args, strict),
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        per_page=per_page,
        facet_size=parse_int(args, "facet_size", FACET_SIZE, 1, MAX_FACET_SIZE, strict),
    )

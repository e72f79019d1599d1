"""The parameters of the search page and the API, each declared once, and their typed parsing.

A :class:`Param` says what a parameter is (kind, limits, default, whether it repeats) and what
it means; the same declaration parses requests here and states the parameter in the OpenAPI
description (openapi.py), so the two cannot drift apart.

Every problem raises :class:`BadParameter`, which both the page and the API turn into a 400
with a message a person can act on. The API is strict (``strict=True``): unknown, repeated
and empty parameters are errors. The search page is lenient about them, so that a shared
link with tracking parameters (``utm_source``) or an empty form field still works.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from indexer.schema import NO_DATE

from ..core.facets import FIELDS as FACETS
from ..core.query import MAX_QUERY_CHARS
from ..core.related import MAX_RELATED
from ..core.request import (DEFAULT_PER_PAGE, FACET_SIZE, MAX_PAGE, MAX_PER_PAGE,
                            MAX_RESULTS_DEPTH, SORTS, SearchRequest)
from .autocomplete import MAX_SUGGEST_CHARS, MAX_SUGGEST_LIMIT, SUGGEST_LIMIT

MAX_FILTER_VALUES = 20
MAX_FACET_SIZE = 100
MAX_VALUE_CHARS = 200  # one ministry, person, section, source or facet prefix
MAX_ID_CHARS = 200

# A character that is not blank, in words both Python's re and the description's readers
# (JSON Schema validators) understand the same way: str.strip() also strips \x1c-\x1f and
# \x85, and some regex dialects count \ufeff as a space.
NOT_BLANK = r"[^\s\x1c-\x1f\x85\ufeff]"
PERIOD = f"^([0-9]{{4}}(-(0[1-9]|1[0-2]))?|{NO_DATE})$"  # 2017, 2017-03 or none
_NOT_BLANK = re.compile(NOT_BLANK)
_PERIOD = re.compile(PERIOD)
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")  # int() would also take "1_000", " 7", other digits
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FLAGS = {"1": True, "true": True, "0": False, "false": False}


class BadParameter(ValueError):
    """A request argument that cannot be used; ``param`` names it."""

    def __init__(self, param: str, message: str, code: str = "invalid_parameter"):
        super().__init__(message)
        self.param = param
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Param:
    """One parameter: its kind and limits, for parsing and for the description alike.

    Kinds: ``text`` (at most ``high`` characters), ``int`` (``low``–``high``), ``flag``
    (1/true, 0/false), ``choice`` (one of ``choices``), ``day`` (YYYY-MM-DD), ``name`` (a facet
    value of at most ``high`` characters) and ``period`` (a year, a month or ``none``).
    """

    name: str
    kind: str
    description: str
    default: object = None
    low: int = 0
    high: int = 0
    choices: tuple[str, ...] = ()
    repeatable: bool = False
    required: bool = False
    example: object = None
    where: str = "query"

    def parse(self, args: MultiDict, strict: bool = False):
        """The parameter's value in the request, or its default."""
        if self.repeatable:
            values = tuple(v for v in (self.value(raw, strict) for raw in args.getlist(self.name))
                           if v is not None)
            if len(values) > MAX_FILTER_VALUES:
                raise BadParameter(self.name, f"at most {MAX_FILTER_VALUES} values of "
                                              f"'{self.name}' at once")
            return tuple(dict.fromkeys(values))
        raw = args.get(self.name)
        if raw is None:
            if self.required:
                raise BadParameter(self.name, f"'{self.name}' is required",
                                   code="missing_parameter")
            return self.default
        value = self.value(raw, strict)
        return self.default if value is None else value

    def value(self, raw: str, strict: bool):
        """One value as typed; None for an empty one the page ignores."""
        if self.kind in ("text", "name") and len(raw) > self.high:
            raise BadParameter(self.name, f"'{self.name}' is {len(raw)} characters long; "
                                          f"at most {self.high} are allowed")
        if self.kind == "text":
            if self.required and not _NOT_BLANK.search(raw):
                raise BadParameter(self.name, f"'{self.name}' is required: give the text",
                                   code="missing_parameter")
            return raw.strip()
        if not _NOT_BLANK.search(raw):
            if strict:
                raise BadParameter(self.name, f"'{self.name}' is empty: give a value or leave "
                                              "the parameter out")
            return None
        text = raw if strict else raw.strip()  # the API takes no stray spaces, the page does
        if self.kind == "name":
            return raw.strip()
        if self.kind == "int":
            if not _WHOLE_NUMBER.fullmatch(text):
                raise BadParameter(self.name, f"'{self.name}' must be a whole number, not {raw!r}")
            # int() refuses over 4300 digits; no limit here has more than a few
            if len(text) > 20 or not self.low <= int(text) <= self.high:
                shown = text if len(text) <= 20 else text[:20] + "…"
                raise BadParameter(self.name, f"'{self.name}' must be between {self.low} and "
                                              f"{self.high}, not {shown}")
            return int(text)
        if self.kind == "flag" and text in FLAGS:
            return FLAGS[text]
        if self.kind == "choice" and text in self.choices:
            return text
        if self.kind == "period" and _PERIOD.fullmatch(text):
            return text
        if self.kind == "day" and _ISO_DAY.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        raise BadParameter(self.name, f"'{self.name}' must be {self.expected()}, not {raw!r}")

    def expected(self) -> str:
        """What the parameter takes, in words, for error messages."""
        return {"flag": "1 (true) or 0 (false)",
                "choice": "one of " + ", ".join(self.choices),
                "period": f"a year (2017), a month (2017-03) or '{NO_DATE}'",
                "day": "a date written YYYY-MM-DD, such as 2017-03-23"}[self.kind]

    def schema(self) -> dict:
        """The parameter's JSON Schema, with the limits the parsing enforces."""
        kind, item = self.kind, None
        if kind == "int":
            item = {"type": "integer", "minimum": self.low, "maximum": self.high}
        elif kind == "text":
            item = {"type": "string", "maxLength": self.high}
            if self.required:
                item.update(minLength=1, pattern=NOT_BLANK)
        elif kind == "name":
            item = {"type": "string", "minLength": 1, "maxLength": self.high,
                    "pattern": NOT_BLANK}
        elif kind in ("flag", "choice"):
            item = {"type": "string", "enum": list(FLAGS if kind == "flag" else self.choices)}
        elif kind == "day":
            item = {"type": "string", "format": "date"}
        elif kind == "period":
            item = {"type": "string", "pattern": PERIOD}
        if self.repeatable:
            return {"type": "array", "maxItems": MAX_FILTER_VALUES, "items": item}
        if self.default is not None:
            item["default"] = ("1" if self.default else "0") if kind == "flag" else self.default
        return item

    def openapi(self) -> dict:
        """The parameter as an OpenAPI parameter object."""
        out = {"name": self.name, "in": self.where, "required": self.required or
               self.where == "path", "description": self.description, "schema": self.schema()}
        if self.repeatable:
            out.update(style="form", explode=True)
            out["description"] += (f" Lặp lại được, tối đa {MAX_FILTER_VALUES} giá trị: bài có "
                                   "một trong các giá trị là khớp.")
        if self.example is not None:
            out["example"] = self.example
        return out


def table(*params: Param) -> dict[str, Param]:
    """An endpoint's parameters by name, in the order the description lists them."""
    return {p.name: p for p in params}


def _names(name: str, what: str, example: str) -> Param:
    return Param(name, "name", f"{what}, như trong nhóm lọc `{name}`.", high=MAX_VALUE_CHARS,
                 repeatable=True, example=[example])


SEARCH = table(
    Param("q", "text", f"Nội dung tìm, tối đa {MAX_QUERY_CHARS} ký tự; để trống: các bài mới "
          "nhất. Dấu và chữ hoa không bắt buộc (`ha noi` tìm được \"Hà Nội\"); bài có nhiều từ "
          "(tính theo độ hiếm) xếp trước, không từ nào bắt buộc. Cú pháp: "
          "`\"cụm từ chính xác\"`, `-từ`, `NOT từ`, `OR`, `title:từ`, "
          "`ministry:GTVT`, `person:\"Phan Tâm\"`, `tiền_tố*`. Không nội dung nào là lỗi.",
          default="", high=MAX_QUERY_CHARS, example="thi đua"),
    _names("ministry", "Tên chuẩn của bộ, ngành", "Bộ Thông tin và Truyền thông"),
    Param("predecessors", "flag", "`1` (hoặc `true`): lọc theo `ministry` lấy cả các bộ đã "
          "hợp nhất vào bộ đó (Bộ Giao thông vận tải với Bộ Xây dựng sau ngày 1/3/2025). `0` "
          "(`false`, mặc định): chỉ bộ được chọn.", default=False),
    _names("person", "Tên nhân vật", "Phan Tâm"),
    _names("category", "Chuyên mục của bài", "Thời sự"),
    _names("source", "Nguồn (trang) của bài", "mic.gov.vn"),
    Param("date", "period", f"Năm (`2017`), tháng (`2017-03`) hoặc `{NO_DATE}` (bài không rõ "
          "ngày).", repeatable=True),
    Param("from", "day", "Đăng từ ngày này (`YYYY-MM-DD`), tính cả ngày đó. Khoảng ngược "
          "(`from` sau `to`) được đọc theo chiều đúng; `filters` cho biết khoảng đã áp dụng."),
    Param("to", "day", "Đăng đến ngày này (`YYYY-MM-DD`), tính cả ngày đó; bỏ các bài không "
          "rõ ngày."),
    Param("sort", "choice", "`relevance` (bằng nhau thì bài mới hơn trước), `newest`, `oldest` "
          "(bài không rõ ngày luôn ở cuối), `recent` (liên quan, ưu tiên bài mới).",
          default="relevance", choices=SORTS),
    Param("page", "int", f"Trang kết quả, từ 1, tối đa {MAX_PAGE}: với `per_page` tối đa "
          f"{MAX_PER_PAGE}, trang chỉ đi sâu đến {MAX_RESULTS_DEPTH:,} kết quả đầu; sâu hơn "
          "thì thu hẹp bằng bộ lọc.", default=1, low=1, high=MAX_PAGE),
    Param("per_page", "int", "Số kết quả mỗi trang.", default=DEFAULT_PER_PAGE, low=1,
          high=MAX_PER_PAGE),
    Param("facet_size", "int", "Số giá trị mỗi nhóm lọc theo tên (`ministry`, `person`, "
          "`category`, `source`), nhiều bài nhất trước; giá trị đã chọn luôn có mặt.",
          default=FACET_SIZE, low=1, high=MAX_FACET_SIZE),
)
ARTICLE = table(
    Param("id", "text", "Mã bài viết.", high=MAX_ID_CHARS, where="path",
          example="mic-2017-03-23"),
    Param("related", "int", "Số bài liên quan cần lấy.", default=5, low=0, high=MAX_RELATED),
)
SUGGEST = table(
    Param("q", "text", f"Những gì đã gõ, tối đa {MAX_SUGGEST_CHARS} ký tự.", required=True,
          high=MAX_SUGGEST_CHARS, example="tiêm chủng"),
    Param("limit", "int", "Số gợi ý tối đa.", default=SUGGEST_LIMIT, low=1,
          high=MAX_SUGGEST_LIMIT),
)
FACET_VALUES = table(
    Param("name", "choice", "Nhóm lọc.", choices=tuple(FACETS), where="path"),
    Param("prefix", "text", "Phần đầu của các giá trị cần tìm; trống hoặc không có: tất cả.",
          default="", high=MAX_VALUE_CHARS, example="ngh"),
    Param("limit", "int", "Số giá trị tối đa.", default=10, low=1, high=100),
)


def check_names(args: MultiDict, params: dict[str, Param] | tuple = ()) -> None:
    """Reject parameters the endpoint does not know, and single ones given more than once."""
    known = {name: p for name, p in dict(params).items() if p.where == "query"}
    for name in args:
        if name not in known:
            takes = ", ".join(known) if known else "no parameters"
            raise BadParameter(name, f"unknown parameter {name!r}; this endpoint takes {takes}",
                               code="unknown_parameter")
        if not known[name].repeatable and len(args.getlist(name)) > 1:
            raise BadParameter(name, f"'{name}' is given {len(args.getlist(name))} times; "
                                     "give it once")


def parse(params: dict[str, Param], args: MultiDict, strict: bool = True) -> dict:
    """The query parameters of an endpoint, by name (strict: unknown ones are errors)."""
    if strict:
        check_names(args, params)
    return {name: p.parse(args, strict) for name, p in params.items() if p.where == "query"}


def parse_search(args: MultiDict, strict: bool = False) -> SearchRequest:
    """A SearchRequest from the query string of the search page or (strict) /api/search."""
    got = parse(SEARCH, args, strict)
    date_from, date_to = got["from"], got["to"]
    if date_from and date_to and date_from > date_to:
        # a reversed range has one meaning: the days between (the answer shows it applied)
        date_from, date_to = date_to, date_from
    return SearchRequest(
        q=got["q"], ministries=got["ministry"], predecessors=got["predecessors"],
        persons=got["person"], categories=got["category"], sources=got["source"],
        dates=got["date"], date_from=date_from, date_to=date_to, sort=got["sort"],
        page=got["page"], per_page=got["per_page"], facet_size=got["facet_size"],
    )

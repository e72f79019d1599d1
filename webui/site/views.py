"""The HTML pages and the Atom feed: the search page, the article page, /feed.atom.

Every state of the search page is its URL (GET forms and links only), so a search with its
filters, sort and page can be bookmarked and shared and the back button works; JavaScript
only enhances it (static/app.js).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)


from ..api.params import parse_search
from ..core import SearchRequest, facets, search
from ..core.hits import get_article
from ..core.related import related_articles
from ..core.request import MAX_PAGE
from ..live import generation
from . import panels
from .feed import CONTENT_TYPE, atom_feed
from .lenient import day_label, lenient_search

bp = Blueprint("views", __name__)

MONTHS = {f"{m:02d}": f"Tháng {m}" for m in range(1, 13)}
SORT_LABELS = {"relevance": "Liên quan nhất", "newest": "Mới nhất", "oldest": "Cũ nhất"}
PERSON_QUERY = "person_q"  # the text of the person facet's search box (page only)
PERSON_QUERY_CHARS = 100
PERSON_MATCHES = 20
FEED_SIZE = 20
ICON_MAX_AGE = 86_400  # seconds
CLEAR = "clear"  # the search box's "search without the filters" button (page only)

# The value filters of a search: (SearchRequest field, query argument, panel heading).
# ``categories`` and ``sources`` are used where the request has them.
FILTERS = (
    ("ministries", "ministry", "Bộ, ngành"),
    ("persons", "person", "Nhân vật"),
    ("dates", "date", "Thời gian"),
    ("categories", "category", "Chuyên mục"),
    ("sources", "source", "Nguồn tin"),
)
# The facets of the search result that are listed as plain panels, by query argument.
PLAIN_PANELS = ("category", "source")

# The error page in Vietnamese. The site's and the operations' messages for pages are written
# in Vietnamese and shown as they are; the HTTP library's and the API's (a bad parameter of the
# feed) are in English and give way to the status's explanation.
ARTICLE_MISSING = "Không có bài viết này trong kho tin."
ERROR_MESSAGES = {
    400: "Địa chỉ này có tham số không dùng được. Hãy tìm lại bằng ô tìm kiếm ở trên.",
    404: "Không có trang nào ở địa chỉ này. Hãy tìm bài viết bằng ô tìm kiếm ở trên.",
    405: "Trang này không nhận yêu cầu kiểu này.",
    429: "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Hãy thử lại sau ít phút.",
    500: "Máy chủ gặp lỗi; lỗi đã được ghi lại. Hãy thử lại sau.",
    503: "Kho tin đang được chuẩn bị. Hãy thử lại sau ít phút.",
}
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")  # a value quoted in an English message


def request_fields() -> set[str]:
    return {f.name for f in dataclasses.fields(SearchRequest)}


def filter_fields(req: SearchRequest) -> list[tuple[str, str, str]]:
    """The value filters this version of SearchRequest has."""
    have = request_fields()
    return [spec for spec in FILTERS if spec[0] in have]


def hidden_fields(req: SearchRequest, *leave_out: str) -> list[tuple[str, str]]:
    """(name, value) of the search's arguments, for the hidden inputs of a form on the page.

    A form submitted again starts at page 1; ``leave_out`` names what the form itself sets.
    """
    fields = []
    for name, value in req.query_args().items():
        if name == "page" or name in leave_out:
            continue
        for one in value if isinstance(value, list) else [value]:
            fields.append((name, str(one)))
    return fields


def search_url(req: SearchRequest, **changes) -> str:
    """The URL of the search with some fields changed; any change but paging goes to page 1."""
    if "page" not in changes:
        changes["page"] = 1
    return url_for("views.index", **req.with_(**changes).query_args())


def feed_url(req: SearchRequest) -> str:
    """The Atom feed of the search: its query and filters (the feed has its own order)."""
    return url_for("views.feed", **req.with_(page=1, sort="relevance", per_page=10).query_args())


def toggle_url(req: SearchRequest, facet: str, value: str) -> str:
    """Add a facet value to the search, or remove it when it is already selected."""
    current = getattr(req, facet)
    values = tuple(v for v in current if v != value) if value in current else (*current, value)
    return search_url(req, **{facet: values})


def date_label(value: str) -> str:
    """"2017-03" -> "Tháng 3/2017"; "none" -> "Không rõ ngày"."""
    if value == "none":
        return "Không rõ ngày"
    if len(value) == 7:
        return f"{MONTHS.get(value[5:], value[5:])}/{value[:4]}"
    return value


def predecessor_names(req: SearchRequest) -> list[str]:
    """Ministries merged into the chosen ones, which "include predecessors" would add."""
    chosen = req.with_(predecessors=True)
    return [n for n in facets.ministry_filter(chosen) if n not in req.ministries]


def filter_values(req: SearchRequest) -> list[dict]:
    """The search's filters one by one: what the chips remove and the search box keeps.

    ``boxes`` are the search box's checkboxes for the filter: query argument, value, label.
    """
    out = []
    for field, arg, _ in filter_fields(req):
        for value in getattr(req, field):
            label = date_label(value) if arg == "date" else value
            out.append({"field": field, "label": label, "boxes": [(arg, value, label)],
                        "remove": toggle_url(req, field, value)})
    if req.date_from or req.date_to:
        out.append({
            "field": "range",
            "label": f"{day_label(req.date_from) or '…'} – {day_label(req.date_to) or '…'}",
            "boxes": [(name, day.isoformat(), f"{word} {day_label(day)}")
                      for name, word, day in (("from", "từ", req.date_from),
                                              ("to", "đến", req.date_to)) if day],
            "remove": search_url(req, date_from=None, date_to=None),
        })
    number = 0
    for item in out:
        boxes = []
        for name, value, label in item["boxes"]:
            number += 1
            boxes.append({"id": f"keep-{number}", "name": name, "value": value, "label": label})
        item["boxes"] = boxes
    return out


def without_filters(req: SearchRequest) -> SearchRequest:
    """The same words, sort and page size, with no filter."""
    return req.with_(date_from=None, date_to=None, predecessors=False,
                     **{field: () for field, _, _ in filter_fields(req)})


def has_filters(req: SearchRequest) -> bool:
    return bool(filter_values(req))


def describe(req: SearchRequest) -> str:
    """The search in words, for titles: “thi đua” · Bộ Y tế · Tháng 3/2017."""
    parts = [f"“{req.q}”"] if req.q else []
    parts += [f["label"] for f in filter_values(req)]
    return " · ".join(parts)


def archive_ranges(req: SearchRequest, months: list[dict]) -> list[dict]:
    """Ranges ending at the newest month that has articles in this search, with their counts.

    Ranges counted back from today would be empty on an archive of past years; these always
    hold articles. ``months`` is the date facet, whose counts ignore the date filter itself.
    """
    counts = {m["value"]: m["count"] for m in months if m["value"] != "none" and m["count"]}
    if not counts:
        return []
    newest = max(counts)
    year, month = int(newest[:4]), int(newest[5:])
    out, seen = [], set()
    for span, label in ((1, date_label(newest)), (3, "3 tháng"), (12, "12 tháng")):
        first_year, first_month = divmod(year * 12 + month - 1 - (span - 1), 12)
        first = f"{first_year:04d}-{first_month + 1:02d}"
        count = sum(c for value, c in counts.items() if first <= value <= newest)
        if count in seen:  # a longer range with no more articles adds nothing
            continue
        seen.add(count)
        start = dt.date(first_year, first_month + 1, 1)
        end = _month_end(year, month)
        out.append({
            "label": label if span == 1 else f"{label} đến {month}/{year}",
            "count": count,
            "current": req.date_from == start and req.date_to == end and not req.dates,
            "url": search_url(req, date_from=start, date_to=end, dates=()),
        })
    return out


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The page links to show: first, last and two either side of the current; None is a gap."""
    wanted = {1, pages, *range(page - 2, page + 3)}
    numbers: list[int | None] = []
    for n in sorted(n for n in wanted if 1 <= n <= pages):
        if numbers and n - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


def whole_year(value: str) -> str:
    return f"Cả năm {value}"


def sort_links(req: SearchRequest) -> list[dict]:
    """The orders offered: without words every article is as relevant, so the newest come first
    and "relevance" is not offered."""
    if req.q:
        return [{"label": label, "url": search_url(req, sort=value), "current": req.sort == value}
                for value, label in SORT_LABELS.items()]
    current = "oldest" if req.sort == "oldest" else "newest"
    return [{"label": SORT_LABELS[value],
             "url": search_url(req, sort="relevance" if value == "newest" else value),
             "current": value == current}
            for value in ("newest", "oldest")]


def error_message(status: int, message: str) -> str:
    """What the error page says: the message when it is in Vietnamese, else the status's."""
    if any(ch.isalpha() and not ch.isascii() for ch in _QUOTED.sub("", message or "")):
        return message
    return ERROR_MESSAGES.get(status, ERROR_MESSAGES[500])


@bp.app_template_filter("number")
def number(value: int) -> str:
    """12345 -> "12.345", as Vietnamese writes thousands."""
    return f"{value:,}".replace(",", ".")


@bp.app_context_processor
def helpers():
    return {
        # every page's search box keeps the search it was reached with (error pages too);
        # a page that renders a search passes its own ``req``
        "req": lenient_search(request.args)[0] if has_request_context() else SearchRequest(),
        "filter_values": filter_values,
        "filter_args": [arg for _, arg, _ in FILTERS] + ["from", "to"],
        "error_message": error_message,
        "search_url": search_url,
        "toggle_url": toggle_url,
        "feed_url": feed_url,
        "hidden_fields": hidden_fields,
        "date_label": date_label,
        "day_label": day_label,
        "whole_year": whole_year,
        "site_name": current_app.config["SITE_NAME"],
    }


@bp.get("/")
def index():
    req, notices = lenient_search(request.args)
    if request.args.get(CLEAR):  # the search box's "without filters" button
        return redirect(search_url(without_filters(req)))
    # one more value than listed behind "show more" tells whether a facet has further values
    result = search(req.with_(facet_size=panels.MORE + 1), generation())
    person_q = request.args.get(PERSON_QUERY, "").strip()[:PERSON_QUERY_CHARS]
    person_matches = _person_matches(req, person_q) if person_q else None
    # the last page paging can reach (deeper pages are refused: see request.MAX_PAGE)
    pages = min(result.pages, MAX_PAGE)
    months = panels.with_selected_dates(result.facets["date"], req.dates)
    years = panels.with_selected_dates(result.facets["year"], req.dates, years=True)
    open_years = {value[:4] for value in req.dates}
    plain = [
        {"arg": arg, "field": field, "heading": heading,
         "panel": panels.panel(result.facets[arg])}
        for field, arg, heading in filter_fields(req)
        if arg in PLAIN_PANELS and result.facets.get(arg)
    ]
    return render_template(
        "search.html", req=req, result=result, pages=pages, notices=notices,
        page_numbers=page_numbers(req.page, pages),
        ministries=panels.panel(result.facets["ministry"]),
        predecessors=predecessor_names(req),
        persons=panels.panel(result.facets["person"]),
        plain_panels=plain,
        person_q=person_q, person_matches=person_matches,
        chart=panels.month_chart(months), months=months, years=years,
        open_years=open_years, archive_ranges=archive_ranges(req, months),
        active_filters=filter_values(req), cleared=search_url(without_filters(req)),
        has_filters=has_filters(req), description=describe(req),
        sort_links=sort_links(req),
        suggestion=getattr(result, "suggestion", None),
    )


def _person_matches(req: SearchRequest, text: str) -> list[dict]:
    """Persons whose name matches the box, with their counts in this search.

    A facet's counts ignore its own selection and a selected value is always listed, so one
    search with the matching names selected counts exactly them.
    """
    names = [name for name, _ in
             facets.values(generation()).search("person", text)[:PERSON_MATCHES]]
    if not names:
        return []
    counted = search(req.with_(persons=tuple(names), page=1, per_page=1, facet_size=1),
                     generation())
    counts = {item["value"]: item["count"] for item in counted.facets["person"]}
    return [
        {"value": name, "count": counts[name], "selected": name in req.persons}
        for name in names if counts.get(name)
    ]


@bp.get("/favicon.ico")
def favicon():
    """Where browsers look for an icon when a document (the feed) names none."""
    return redirect(url_for("views.icon"), code=301)


@bp.get("/icon.svg")
def icon():
    """The site's icon, from memory.

    Browsers fetch the icon last and drop the request when the reader moves on at once; a
    static file's response holds an open file, which a dropped connection can leave unclosed.
    """
    response = Response(_icon_bytes(), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = ICON_MAX_AGE
    return response


@functools.cache
def _icon_bytes() -> bytes:
    return (Path(current_app.static_folder) / "favicon.svg").read_bytes()


@bp.get("/articles/<article_id>")
def article(article_id: str):
    found = get_article(generation(), article_id)
    if found is None:
        abort(404, description=ARTICLE_MISSING)
    return render_template(
        "article.html", article=found, req=SearchRequest(),
        related=related_articles(generation(), article_id), source_url=_source_url(found),
    )


def _source_url(article: dict) -> str | None:
    """The article on its publisher's site, else the publisher's site when the source names it."""
    if article["url"] and article["url"].startswith(("https://", "http://")):
        return article["url"]
    source = article["source"] or ""
    if "." in source and " " not in source and "/" not in source:
        return f"https://{source}/"
    return None


@bp.get("/feed.atom")
def feed():
    """The newest articles of any search, as Atom; takes the search page's parameters.

    Without ``sort`` the feed lists the newest first, and without ``per_page`` FEED_SIZE of them.
    """
    req = parse_search(request.args)
    own = req.with_(page=1, sort="relevance", per_page=10).query_args()
    sort, per_page = "newest", FEED_SIZE
    if "sort" in request.args:
        sort = own["sort"] = req.sort
    if "per_page" in request.args:
        per_page = own["per_page"] = req.per_page
    result = search(req.with_(sort=sort, page=1, per_page=per_page, facet_size=1), generation())
    site = current_app.config["SITE_NAME"]
    description = describe(req)
    base = (current_app.config["BASE_URL"] or "").rstrip("/")  # never the Host header
    feed_path = url_for("views.feed", **own)
    body = atom_feed(
        result,
        title=f"{site}: {description}" if description else f"{site}: bài viết mới nhất",
        feed_path=feed_path,
        feed_url=base + feed_path,
        page_url=base + url_for("views.index",
                                **req.with_(page=1, sort=sort, per_page=10).query_args()),
        article_url=lambda article_id: base + url_for("views.article", article_id=article_id),
        author=site,
        built_at=_built_at(),
    )
    return Response(body, content_type=CONTENT_TYPE)


def _built_at() -> dt.datetime:
    """When the live index was built: the feed's time when no article carries a date."""
    gen = generation()
    try:
        built = dt.datetime.fromisoformat(gen.meta["built_at"])
    except (KeyError, TypeError, ValueError):
        built = dt.datetime.fromtimestamp(gen.path.stat().st_mtime, dt.UTC)
    return built if built.tzinfo else built.replace(tzinfo=dt.UTC)

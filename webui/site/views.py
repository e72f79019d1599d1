"""The HTML pages and the Atom feed: the search page, the article page, /feed.atom.

Every state of the search page is its URL (GET forms and links only), so a search with its
filters, sort and page can be bookmarked and shared and the back button works; JavaScript
only enhances it (static/app.js).
"""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from ..api.params import parse_search
from ..core import SearchRequest, facets, search
from ..core.hits import get_article
from ..core.related import related_articles
from ..core.request import MAX_RESULTS_DEPTH
from ..live import generation
from . import panels
from .feed import CONTENT_TYPE, VIETNAM, atom_feed

bp = Blueprint("views", __name__)

MONTHS = {f"{m:02d}": f"Tháng {m}" for m in range(1, 13)}
SORT_LABELS = {"relevance": "Liên quan nhất", "newest": "Mới nhất", "oldest": "Cũ nhất"}
PERSON_QUERY = "person_q"  # the text of the person facet's search box (page only)
PERSON_QUERY_CHARS = 100
PERSON_MATCHES = 20
FEED_SIZE = 20


def today() -> dt.date:
    """Today in Vietnam, for the quick date ranges."""
    return dt.datetime.now(VIETNAM).date()


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


def day_label(value) -> str:
    """A date as Vietnamese readers write it: 23/03/2017."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value.strftime("%d/%m/%Y")


def predecessor_names(req: SearchRequest) -> list[str]:
    """Ministries merged into the chosen ones, which "include predecessors" would add."""
    chosen = req.with_(predecessors=True)
    return [n for n in facets.ministry_filter(chosen) if n not in req.ministries]


def has_filters(req: SearchRequest) -> bool:
    return bool(req.ministries or req.persons or req.dates or req.date_from or req.date_to)


def describe(req: SearchRequest) -> str:
    """The search in words, for titles: “thi đua” · Bộ Y tế · Tháng 3/2017."""
    parts = [f"“{req.q}”"] if req.q else []
    parts += [*req.ministries, *req.persons, *(date_label(d) for d in req.dates)]
    if req.date_from or req.date_to:
        parts.append(f"{day_label(req.date_from) or '…'} – {day_label(req.date_to) or '…'}")
    return " · ".join(parts)


def quick_ranges(req: SearchRequest) -> list[dict]:
    """Last 7 days, last 30 days, this year: plain from/to searches."""
    now = today()
    out = []
    for label, start in (
        ("7 ngày qua", now - dt.timedelta(days=6)),
        ("30 ngày qua", now - dt.timedelta(days=29)),
        ("Năm nay", now.replace(month=1, day=1)),
    ):
        current = req.date_from == start and req.date_to == now and not req.dates
        out.append({
            "label": label, "current": current,
            "url": search_url(req, date_from=start, date_to=now, dates=()),
        })
    return out


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


@bp.app_template_filter("number")
def number(value: int) -> str:
    """12345 -> "12.345", as Vietnamese writes thousands."""
    return f"{value:,}".replace(",", ".")


@bp.app_context_processor
def helpers():
    return {
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
    req = parse_search(request.args)
    # one more value than listed behind "show more" tells whether a facet has further values
    result = search(req.with_(facet_size=panels.MORE + 1), generation())
    person_q = request.args.get(PERSON_QUERY, "").strip()[:PERSON_QUERY_CHARS]
    person_matches = _person_matches(req, person_q) if person_q else None
    # the last page paging can reach (deep paging is refused: see search.MAX_RESULTS_DEPTH)
    pages = min(result.pages, MAX_RESULTS_DEPTH // req.per_page)
    open_years = {value[:4] for value in req.dates}
    return render_template(
        "search.html", req=req, result=result, pages=pages,
        page_numbers=page_numbers(req.page, pages),
        ministries=panels.panel(result.facets["ministry"]),
        predecessors=predecessor_names(req),
        persons=panels.panel(result.facets["person"]),
        person_q=person_q, person_matches=person_matches,
        bars=panels.month_bars(result.facets["date"]), chart_height=panels.CHART_HEIGHT,
        open_years=open_years, quick_ranges=quick_ranges(req),
        has_filters=has_filters(req), description=describe(req),
        sort_labels=SORT_LABELS,
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
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/articles/<article_id>")
def article(article_id: str):
    found = get_article(generation(), article_id)
    if found is None:
        abort(404, description="Không có bài viết này trong kho tin.")
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

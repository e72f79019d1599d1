"""The HTML pages: the search page and the article page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for

from .params import parse_search
from .search import SearchRequest, get_article, search

bp = Blueprint("views", __name__)

MONTHS = {f"{m:02d}": f"Tháng {m}" for m in range(1, 13)}


def request_args(req: SearchRequest) -> dict:
    """The query-string arguments that reproduce a search (defaults left out)."""
    args: dict = {}
    if req.q:
        args["q"] = req.q
    if req.ministries:
        args["ministry"] = list(req.ministries)
    if req.persons:
        args["person"] = list(req.persons)
    if req.dates:
        args["date"] = list(req.dates)
    if req.date_from:
        args["from"] = req.date_from.isoformat()
    if req.date_to:
        args["to"] = req.date_to.isoformat()
    if req.sort != "relevance":
        args["sort"] = req.sort
    if req.page != 1:
        args["page"] = req.page
    if req.per_page != 10:
        args["per_page"] = req.per_page
    return args


def search_url(req: SearchRequest, **changes) -> str:
    """The URL of the search with some fields changed; any change but paging goes to page 1."""
    if "page" not in changes:
        changes["page"] = 1
    return url_for("views.index", **request_args(req.with_(**changes)))


def toggle_url(req: SearchRequest, facet: str, value: str) -> str:
    """Add a facet value to the search, or remove it when it is already selected."""
    current = getattr(req, facet)
    values = tuple(v for v in current if v != value) if value in current else (*current, value)
    return search_url(req, **{facet: values})


def date_label(value: str) -> str:
    if value == "none":
        return "Không rõ ngày"
    if len(value) == 7:
        return f"{MONTHS.get(value[5:], value[5:])}/{value[:4]}"
    return value


@bp.app_context_processor
def helpers():
    return {
        "search_url": search_url,
        "toggle_url": toggle_url,
        "date_label": date_label,
        "site_name": current_app.config["SITE_NAME"],
    }


@bp.get("/")
def index():
    req = parse_search(request.args)
    result = search(req)
    # a year's months show once the year, or one of its months, is selected
    open_years = {value[:4] for value in req.dates}
    return render_template("search.html", req=req, result=result, open_years=open_years)


@bp.get("/articles/<article_id>")
def article(article_id: str):
    found = get_article(article_id)
    if found is None:
        abort(404, description="Không có bài viết này trong kho tin.")
    return render_template("article.html", article=found, req=SearchRequest())

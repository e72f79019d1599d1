"""The JSON API: /api/search and /api/articles/<id>."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from .params import parse_search
from .search import get_article, search

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def api_search():
    result = search(parse_search(request.args))
    req = result.request
    return jsonify({
        "query": req.q,
        "total": result.total,
        "page": req.page,
        "per_page": req.per_page,
        "pages": result.pages,
        "sort": req.sort,
        "relaxed": result.relaxed,
        "took_ms": result.took_ms,
        "results": [
            {key: (str(value) if key in ("snippet", "title_html") else value)
             for key, value in hit.items()}
            for hit in result.hits
        ],
        "facets": result.facets,
    })


@bp.get("/articles/<article_id>")
def api_article(article_id: str):
    article = get_article(article_id)
    if article is None:
        abort(404, description=f"no article with id {article_id!r}")
    return jsonify(article)

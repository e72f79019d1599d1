"""The JSON API: search, articles, autocomplete, facet values, and its own description.

Every answer is shaped here, field by field, after the OpenAPI description in openapi.py:
what the search module adds internally does not leak into the contract.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, render_template, request
from markupsafe import Markup, escape

from ..core import SearchRequest, SearchResult, facets, search
from ..core.hits import get_article
from ..core.related import related_articles
from ..live import generation
from ..ops import caching, metrics
from . import openapi
from .autocomplete import completions
from .openapi import spec
from .params import ARTICLE, FACET_VALUES, SUGGEST, check_names, parse, parse_search

bp = Blueprint("api", __name__, url_prefix="/api")

CORS_PATHS = ("/api/", "/healthz", "/metrics")
# Headers a cross-origin script may read, and may send in a preflighted GET.
EXPOSED_HEADERS = "ETag, Last-Modified, Retry-After"
ALLOWED_HEADERS = "If-None-Match, If-Modified-Since"


@bp.get("/search")
def api_search():
    req = parse_search(request.args, strict=True)
    metrics.note_search(req)

    def body():
        # one unselected value beyond the size tells whether a name facet has more values
        extra = 1 + max(len(facets.selected(req, name)) for name in facets.NAME_FACETS)
        result = search(req.with_(facet_size=req.facet_size + extra), generation())
        metrics.note_search(req, result)
        return search_body(req, result)

    return caching.per_generation(body)


def search_body(req: SearchRequest, result: SearchResult) -> dict:
    """The JSON of a search result; name facets cut to ``req.facet_size`` plus selected values."""
    listed = {name: [{"value": v["value"], "count": v["count"], "selected": v["selected"]}
                     for v in result.facets.get(name, [])]
              for name in facets.FIELDS}
    truncated = {}
    for name in facets.NAME_FACETS:
        items = listed[name]
        listed[name] = [v for n, v in enumerate(items) if n < req.facet_size or v["selected"]]
        truncated[name] = any(not v["selected"] for v in items[req.facet_size:])
    return {
        "query": req.q,
        "total": result.total,
        "page": req.page,
        "per_page": req.per_page,
        "pages": result.pages,
        "sort": req.sort,
        "facet_size": req.facet_size,
        "relaxed": result.relaxed,
        "suggestion": getattr(result, "suggestion", None),
        "took_ms": result.took_ms,
        "filters": {
            "ministry": list(req.ministries),
            "predecessors": req.predecessors,
            "ministries_included": facets.ministry_filter(req),
            "person": list(req.persons),
            "category": list(req.categories),
            "source": list(req.sources),
            "date": list(req.dates),
            "from": req.date_from.isoformat() if req.date_from else None,
            "to": req.date_to.isoformat() if req.date_to else None,
        },
        "results": [
            {**_summary(hit), "title_html": str(hit["title_html"]), "snippet": str(hit["snippet"])}
            for hit in result.hits
        ],
        "facets": listed,
        "facets_truncated": truncated,
    }


def _summary(fields: dict) -> dict:
    return {key: fields[key] for key in ("id", "title", "date", "source", "url", "author",
                                         "category", "ministries", "persons")}


@bp.get("/articles/<article_id>")
def api_article(article_id: str):
    ARTICLE["id"].value(article_id, strict=True)  # a 400 when the id is over its limit
    related = parse(ARTICLE, request.args)["related"]
    # before the validators: "If-None-Match: *" must not make a missing article a 304
    article = get_article(generation(), article_id)
    if article is None:
        abort(404, description=f"no article with id {article_id!r}")

    def body():
        return {**_summary(article),
                **{key: article[key] for key in ("summary", "body", "captions", "images")},
                "related": [_summary(a) for a in related_articles(generation(), article_id, related)]
                if related else []}

    return caching.per_generation(body)


@bp.get("/suggest")
def api_suggest():
    got = parse(SUGGEST, request.args)
    typed, limit = got["q"], got["limit"]
    metrics.note(q=typed)

    def body():
        found = completions(generation()).complete(typed, limit)
        metrics.note(hits=len(found))
        return {"query": typed,
                "suggestions": [{"text": c.text, "kind": c.kind, "count": c.count}
                                for c in found]}

    return caching.per_generation(body)


@bp.get("/facets/<name>")
def api_facet_values(name: str):
    if name not in FACET_VALUES["name"].choices:
        abort(404, description=f"no facet named {name!r}; the facets are "
                               f"{', '.join(FACET_VALUES['name'].choices)}")
    got = parse(FACET_VALUES, request.args)
    prefix, limit = got["prefix"], got["limit"]
    metrics.note(prefix=prefix)

    def body():
        found = facets.values(generation()).search(name, prefix)
        metrics.note(hits=len(found))
        return {"facet": name, "prefix": prefix, "total": len(found),
                "values": [{"value": v, "count": c} for v, c in found[:limit]]}

    return caching.per_generation(body)


@bp.get("/openapi.json")
def api_openapi():
    check_names(request.args, ())
    return caching.fixed(spec())


@bp.get("/docs")
def api_docs():
    # a page for people: tracking parameters on a shared link must not break it
    return render_template(
        "api_docs.html", info=spec()["info"], operations=openapi.operations(),
        schemas=openapi.schemas(), markup=markup, req=None,
    )


_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def markup(text: str) -> Markup:
    """The little Markdown of the description as HTML: paragraphs, `code`, **bold**, tables.

    The text is escaped first; only the tags made here are marked safe.
    """
    html = []
    for block in text.strip().split("\n\n"):
        lines = block.strip().splitlines()
        if lines and all(line.startswith("|") for line in lines):
            rows = [[_inline(cell.strip()) for cell in line.strip("|").split("|")]
                    for line in lines if not set(line) <= set("|- ")]
            head, body = rows[0], rows[1:]
            html.append("<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in head)
                        + "</tr></thead><tbody>"
                        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
                                  for row in body)
                        + "</tbody></table>")
        else:
            html.append(f"<p>{_inline(' '.join(lines))}</p>")
    return Markup("\n".join(html))


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", _CODE.sub(r"<code>\1</code>", str(escape(text))))


@bp.after_app_request
def cors(response):
    """Let any web page GET the API (a read-only, public API has nothing to protect)."""
    if request.path.startswith(CORS_PATHS):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if request.method == "OPTIONS" and response.status_code < 400:
            # a preflight: conditional headers make a GET "non-simple"
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = "86400"
    return response

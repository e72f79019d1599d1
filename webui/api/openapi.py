"""The OpenAPI 3 description of the JSON API: the contract, served at /api/openapi.json.

Limits come from the modules that enforce them, so the description cannot drift from the
code; tests/test_schemathesis.py holds the app to it with generated requests.
"""

from __future__ import annotations

from functools import lru_cache

from indexer.schema import NO_DATE

from ..core.facets import FIELDS as FACETS
from ..core.query import MAX_QUERY_CHARS
from ..core.related import MAX_RELATED
from ..core.request import DEFAULT_PER_PAGE, FACET_SIZE, MAX_PER_PAGE, MAX_RESULTS_DEPTH, SORTS
from .autocomplete import MAX_SUGGEST_CHARS, MAX_SUGGEST_LIMIT, SUGGEST_LIMIT
from .params import (MAX_FACET_SIZE, MAX_FILTER_VALUES, MAX_VALUE_CHARS, REPEATABLE,
                     SEARCH_PARAMS)

API_VERSION = "1.1.0"
MAX_ID_CHARS = 200
RELATED = 5
FACET_SEARCH_LIMIT = 10
MAX_FACET_SEARCH_LIMIT = 100

# Every error code the API gives, with its status and what a client should do.
ERROR_CODES = {
    "invalid_parameter": (400, "a parameter has the wrong type, is out of range, empty, given "
                               "more than once, or contradicts another (`from` after `to`)"),
    "unknown_parameter": (400, "the endpoint does not take this parameter: check its spelling"),
    "missing_parameter": (400, "a required parameter is absent or blank"),
    "not_found": (404, "no such article, facet or path"),
    "method_not_allowed": (405, "only GET (and HEAD, OPTIONS) are served; see the Allow header"),
    "too_many_requests": (429, "the client's rate limit is spent: wait the Retry-After seconds"),
    "internal_error": (500, "a fault on our side; it has been logged, and no details are shown"),
    "no_index": (503, "the search index has not been built yet: try again later"),
}

DESCRIPTION = f"""\
Search Vietnamese news articles by words, dates, ministries and persons.

**Contract.** Every answer is UTF-8 JSON (Vietnamese text as is, never `\\u` escapes), apart
from the documentation page and `/metrics`. Responses only gain fields in a minor version; a
field is never removed or changed in meaning without a new major version.

**Strict parameters.** A parameter the endpoint does not take, a wrong type, an out-of-range or
empty value, a single-valued parameter given twice: each is a **400** (never silently ignored).
Limits: the query text at most {MAX_QUERY_CHARS} characters; `page` × `per_page` at most
{MAX_RESULTS_DEPTH:,} (deeper paging costs a full sort: narrow the search with a filter);
at most {MAX_FILTER_VALUES} values of a repeatable filter.

**Errors** all have one shape, with the real HTTP status:
`{{"error": {{"code": "...", "message": "...", "param": "per_page" or null}}}}`.
The message is for people; act on `code`:

| code | status | meaning |
|---|---|---|
""" + "".join(f"| `{code}` | {status} | {meaning} |\n" for code, (status, meaning) in ERROR_CODES.items()) + """
**Caching.** Search answers change only when the index is rebuilt. They carry a weak `ETag`
(the index generation and API version) and `Last-Modified` (when that index went live); send
them back in `If-None-Match` / `If-Modified-Since` and get a `304 Not Modified` with no body.
`Cache-Control: public, max-age=N` lets shared caches keep them. Errors are `no-store`.

**CORS.** GET from any origin: `Access-Control-Allow-Origin: *`; ETag, Last-Modified and
Retry-After are exposed to scripts.

**Rate limit.** Requests per client are limited (by default 120 a minute); over the limit the
answer is a 429 with `Retry-After` in seconds. `/healthz` and `/metrics` are not limited.
"""


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _int(name: str, low: int, high: int, default: int, text: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": text,
            "schema": {"type": "integer", "minimum": low, "maximum": high, "default": default}}


def _values(name: str, text: str, item: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": True,
            "description": f"{text} Repeatable, at most {MAX_FILTER_VALUES} values: an article "
                           "with any of them matches.",
            "schema": {"type": "array", "maxItems": MAX_FILTER_VALUES, "items": item}}


_NAME_VALUE = {"type": "string", "minLength": 1, "maxLength": MAX_VALUE_CHARS, "pattern": r"\S"}
_NULLABLE_STRING = {"type": "string", "nullable": True}
_DAY = {"type": "string", "format": "date", "nullable": True}


def _answer(schema: str | dict, text: str, validators: bool = True) -> dict:
    headers = {"ETag": _ref("headers", "ETag"), "Cache-Control": _ref("headers", "CacheControl"),
               "Access-Control-Allow-Origin": _ref("headers", "AllowOrigin")}
    if validators:
        headers["Last-Modified"] = _ref("headers", "LastModified")
    return {"description": text, "headers": headers,
            "content": {"application/json": {
                "schema": _ref("schemas", schema) if isinstance(schema, str) else schema}}}


def _errors(*statuses: int) -> dict:
    names = {304: "NotModified", 400: "BadRequest", 404: "NotFound", 429: "TooManyRequests",
             500: "InternalError", 503: "NoIndex"}
    return {str(status): _ref("responses", names[status]) for status in statuses}


def _get(summary: str, description: str, parameters: list, responses: dict, tag: str) -> dict:
    return {"get": {"summary": summary, "description": description, "tags": [tag],
                    "operationId": summary.lower().replace(" ", "_").replace("-", "_"),
                    "parameters": parameters, "responses": responses}}


_CONDITIONAL = [_ref("parameters", "IfNoneMatch"), _ref("parameters", "IfModifiedSince")]

_SEARCH_PARAMETERS = [
    {"name": "q", "in": "query", "required": False,
     "description": f"Query text, at most {MAX_QUERY_CHARS} characters; empty lists the newest "
                    "articles. Accents and case do not matter (`ha noi` finds \"Hà Nội\"); every "
                    "word must appear. Also understood: `\"exact phrase\"`, `-word`, `NOT word`, "
                    "`OR`, `title:word`, `ministry:GTVT`, `person:\"Phan Tâm\"`, `prefix*`. "
                    "No query text is an error.",
     "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS}, "example": "thi đua"},
    {**_values("ministry", "Canonical ministry name, as in the `ministry` facet.", _NAME_VALUE),
     "example": ["Bộ Thông tin và Truyền thông"]},
    {"name": "predecessors", "in": "query", "required": False,
     "description": "`1` (or `true`): a `ministry` filter also takes the ministries merged into "
                    "it, such as Bộ Giao thông vận tải for Bộ Xây dựng after the 1 March 2025 "
                    "reorganisation. `0` (`false`, the default) takes the named ministry only.",
     "schema": {"type": "string", "enum": ["0", "1", "false", "true"], "default": "0"}},
    {**_values("person", "Person's name, as in the `person` facet.", _NAME_VALUE),
     "example": ["Phan Tâm"]},
    _values("date", f"A year (`2017`), a month (`2017-03`) or `{NO_DATE}` (undated articles).",
            {"type": "string", "pattern": f"^([0-9]{{4}}(-(0[1-9]|1[0-2]))?|{NO_DATE})$"}),
    {"name": "from", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
     "description": "Published on or after this day (`YYYY-MM-DD`); must not be after `to`."},
    {"name": "to", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
     "description": "Published on or before this day (`YYYY-MM-DD`); undated articles are "
                    "left out."},
    {"name": "sort", "in": "query", "required": False,
     "description": "`relevance` (ties go to the newer article), `newest` or `oldest` "
                    "(undated articles last either way).",
     "schema": {"type": "string", "enum": list(SORTS), "default": "relevance"}},
    _int("page", 1, MAX_RESULTS_DEPTH, 1,
         f"Page of results, from 1; `page` × `per_page` at most {MAX_RESULTS_DEPTH:,}."),
    _int("per_page", 1, MAX_PER_PAGE, DEFAULT_PER_PAGE, "Results per page."),
    _int("facet_size", 1, MAX_FACET_SIZE, FACET_SIZE,
         "Values shown per name facet (`ministry`, `person`), most frequent first; selected "
         "values are always shown too."),
]
assert [p["name"] for p in _SEARCH_PARAMETERS] == list(SEARCH_PARAMS)
assert all(p["schema"]["type"] == "array" for p in _SEARCH_PARAMETERS if p["name"] in REPEATABLE)

_SUMMARY_FIELDS = {
    "id": {"type": "string", "description": "Article id, safe in a link: the source file name "
           "without extension, or the source's own id (a feed item's URL guid) made safe."},
    "title": {"type": "string"},
    "date": {**_DAY, "description": "Publication day, null when unknown."},
    "source": {**_NULLABLE_STRING, "description": "Site the article comes from."},
    "url": _NULLABLE_STRING,
    "author": _NULLABLE_STRING,
    "category": _NULLABLE_STRING,
    "ministries": {"type": "array", "items": {"type": "string"},
                   "description": "Canonical names of the ministries the article names."},
    "persons": {"type": "array", "items": {"type": "string"},
                "description": "Persons the article names."},
}


def _object(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "required": list(properties), "additionalProperties": False,
              "properties": properties}
    if description:
        schema["description"] = description
    return schema


_FACET_VALUE = _object({
    "value": {"type": "string"},
    "count": {"type": "integer", "minimum": 0},
    "selected": {"type": "boolean", "description": "Whether the search filters on this value."},
})

SCHEMAS = {
    "ArticleSummary": _object(_SUMMARY_FIELDS, "An article's metadata."),
    "Hit": _object({
        **_SUMMARY_FIELDS,
        "title_html": {"type": "string", "description": "The title as HTML: text escaped, the "
                                                        "query's words in `<mark>`."},
        "snippet": {"type": "string", "description": "An HTML excerpt around the query's words, "
                                                     "escaped, the words in `<mark>`."},
    }, "One search result."),
    "Article": _object({
        **_SUMMARY_FIELDS,
        "summary": {"type": "string"},
        "body": {"type": "string", "description": "Paragraphs separated by newlines."},
        "captions": {"type": "array", "items": {"type": "string"}},
        "images": {"type": "array", "items": {"type": "string"}},
        "related": {"type": "array", "items": _ref("schemas", "ArticleSummary"),
                    "description": "Articles on similar subjects, most similar first."},
    }, "One article with all its text."),
    "FacetValue": _FACET_VALUE,
    "SearchResults": _object({
        "query": {"type": "string", "description": "The query text, trimmed."},
        "total": {"type": "integer", "minimum": 0, "description": "Articles matching."},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 1},
        "sort": {"type": "string", "enum": list(SORTS)},
        "facet_size": {"type": "integer", "minimum": 1},
        "relaxed": {"type": "boolean", "description": "No article had every word: the results "
                                                      "have most of them."},
        "suggestion": {**_NULLABLE_STRING, "description": "A corrected spelling of the query "
                                                          "worth offering (\"did you mean\"), "
                                                          "or null."},
        "took_ms": {"type": "number", "minimum": 0, "description": "Time the search took."},
        "filters": _object({
            "ministry": {"type": "array", "items": {"type": "string"}},
            "predecessors": {"type": "boolean"},
            "ministries_included": {"type": "array", "items": {"type": "string"},
                                    "description": "The ministries the filter takes: those "
                                                   "chosen, with `predecessors` the ministries "
                                                   "merged into them too."},
            "person": {"type": "array", "items": {"type": "string"}},
            "date": {"type": "array", "items": {"type": "string"}},
            "from": _DAY,
            "to": _DAY,
        }, "The filters applied, as understood."),
        "results": {"type": "array", "items": _ref("schemas", "Hit")},
        "facets": _object(
            {name: {"type": "array", "items": _ref("schemas", "FacetValue")}
             for name in ("ministry", "person", "date", "year")},
            "Counts over every match, not only this page. A facet's own selected values do not "
            "narrow its counts (choose several: any of them matches); the other facets' do. "
            "`date` has months (`2017-03`) and `none`, newest first; `year` adds them up.",
        ),
        "facets_truncated": _object(
            {name: {"type": "boolean"} for name in ("ministry", "person")},
            "Whether a name facet has more values than listed: find them with "
            "`/api/facets/{name}?prefix=` or a larger `facet_size`.",
        ),
    }, "A page of search results with the facets of the whole search."),
    "Suggestions": _object({
        "query": {"type": "string"},
        "suggestions": {"type": "array", "items": _object({
            "text": {"type": "string", "description": "What to put in the search box."},
            "kind": {"type": "string", "enum": ["term", "ministry", "person"],
                     "description": "`term`: words from titles; `ministry`, `person`: a "
                                    "facet value (filter on it with that parameter)."},
            "count": {"type": "integer", "minimum": 0,
                      "description": "Titles with the words, or articles naming the name."},
        })},
    }, "Completions of what was typed, best first."),
    "FacetSearch": _object({
        "facet": {"type": "string", "enum": list(FACETS)},
        "prefix": {"type": "string"},
        "total": {"type": "integer", "minimum": 0,
                  "description": "Values matching, of which `values` shows the first `limit`."},
        "values": {"type": "array", "items": _object({
            "value": {"type": "string"},
            "count": {"type": "integer", "minimum": 0, "description": "Articles with it."},
        })},
    }, "Values of one facet matching a prefix, best first."),
    "Health": _object({
        "status": {"type": "string", "enum": ["ok"]},
        "articles": {"type": "integer", "minimum": 0},
        "generation": {"type": "string", "description": "Name of the live index generation."},
        "built_at": {"type": "string", "format": "date-time"},
        "api_version": {"type": "string"},
    }, "The service and its live index."),
    "Error": _object({"error": _object({
        "code": {"type": "string", "pattern": "^[a-z_]+$",
                 "description": "What went wrong, for programs: " + ", ".join(
                     f"`{c}`" for c in ERROR_CODES) + "."},
        "message": {"type": "string", "description": "What went wrong, for people."},
        "param": {**_NULLABLE_STRING, "description": "The parameter at fault, or null."},
    })}, "The one shape of every error."),
}


def _error(text: str, retry_after: bool = False) -> dict:
    headers = {"Cache-Control": _ref("headers", "CacheControl"),
               "Access-Control-Allow-Origin": _ref("headers", "AllowOrigin")}
    if retry_after:
        headers["Retry-After"] = _ref("headers", "RetryAfter")
    return {"description": text, "headers": headers,
            "content": {"application/json": {"schema": _ref("schemas", "Error")}}}


def _header(text: str, schema: dict | None = None) -> dict:
    return {"description": text, "required": True, "schema": schema or {"type": "string"}}


COMPONENTS = {
    "schemas": SCHEMAS,
    "parameters": {
        "IfNoneMatch": {"name": "If-None-Match", "in": "header", "required": False,
                        "schema": {"type": "string"},
                        "description": "An ETag from an earlier answer: 304 when it is current."},
        "IfModifiedSince": {"name": "If-Modified-Since", "in": "header", "required": False,
                            "schema": {"type": "string"},
                            "description": "An HTTP date: 304 when the index is not newer."},
    },
    "headers": {
        "ETag": _header("Weak validator: the index generation and the API version."),
        "LastModified": _header("When the answering index generation went live (a build, an "
                                "update or a rollback)."),
        "CacheControl": _header("`public, max-age=N` for answers, `no-store` for errors."),
        "AllowOrigin": _header("`*`: any web page may read the answer.", {"type": "string",
                                                                            "enum": ["*"]}),
        "RetryAfter": _header("Seconds to wait before the next request.",
                              {"type": "string", "pattern": "^[0-9]+$"}),
    },
    "responses": {
        "NotModified": {"description": "The client's copy (If-None-Match / If-Modified-Since) "
                                       "is current: no body.",
                        "headers": {"ETag": _ref("headers", "ETag")}},
        "BadRequest": _error("A parameter is unknown, of the wrong type, out of range, empty, "
                             "repeated or contradicts another; `param` names it."),
        "NotFound": _error("No such article, facet or path."),
        "TooManyRequests": _error("The client's rate limit is spent.", retry_after=True),
        "InternalError": _error("A fault on our side; logged, no details shown."),
        "NoIndex": _error("The search index has not been built yet."),
    },
}

PATHS = {
    "/api/search": _get(
        "Search articles",
        "The search of the search page: words, filters, facets, sorting and paging.",
        _SEARCH_PARAMETERS + _CONDITIONAL,
        {"200": _answer("SearchResults", "A page of results and the facets of the search."),
         **_errors(304, 400, 429, 500, 503)}, "search"),
    "/api/articles/{id}": _get(
        "Get an article",
        "One article with all its fields and the articles most like it.",
        [{"name": "id", "in": "path", "required": True, "description": "The article id.",
          "schema": {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS},
          "example": "mic-2017-03-23"},
         _int("related", 0, MAX_RELATED, RELATED, "How many related articles to give.")]
        + _CONDITIONAL,
        {"200": _answer("Article", "The article."), **_errors(304, 400, 404, 429, 500, 503)},
        "articles"),
    "/api/suggest": _get(
        "Suggest completions",
        "Autocomplete for a search box: title words, ministries and persons that complete what "
        "was typed, accent-insensitively (`ngu` finds \"Nguyễn\", `gtvt` finds \"Bộ Giao thông "
        "vận tải\"). The last word of several is completed on its own when the whole does not "
        "match (`tiêm chủng mở` → `tiêm chủng mở rộng`).",
        [{"name": "q", "in": "query", "required": True,
          "description": f"What was typed so far, at most {MAX_SUGGEST_CHARS} characters.",
          "schema": {"type": "string", "minLength": 1, "maxLength": MAX_SUGGEST_CHARS,
                     "pattern": r"\S"}, "example": "tiêm chủng"},
         _int("limit", 1, MAX_SUGGEST_LIMIT, SUGGEST_LIMIT, "Most completions to give.")]
        + _CONDITIONAL,
        {"200": _answer("Suggestions", "Completions, best first."),
         **_errors(304, 400, 429, 500, 503)}, "search"),
    "/api/facets/{name}": _get(
        "Search facet values",
        "The values of one facet that start with a prefix, with their number of articles in the "
        "whole index, for a \"more…\" box: `ministry` and `person` match at the start of any "
        "word, accent-insensitively (`ngu`, `Ngũ` → \"Nguyễn …\"), most frequent first; `date` "
        "(months) and `year` match from the start, newest first. No prefix lists every value.",
        [{"name": "name", "in": "path", "required": True, "description": "The facet.",
          "schema": {"type": "string", "enum": list(FACETS)}},
         {"name": "prefix", "in": "query", "required": False,
          "description": "Start of the values wanted; empty or absent: all.",
          "schema": {"type": "string", "maxLength": MAX_VALUE_CHARS}, "example": "ngh"},
         _int("limit", 1, MAX_FACET_SEARCH_LIMIT, FACET_SEARCH_LIMIT, "Most values to give.")]
        + _CONDITIONAL,
        {"200": _answer("FacetSearch", "The matching values."),
         **_errors(304, 400, 404, 429, 500, 503)}, "search"),
    "/healthz": _get(
        "Health",
        "Whether the service can answer, and which index it answers from: for load balancers "
        "and monitoring. 503 while no index has been built. Never cached, never rate-limited.",
        [],
        {"200": {"description": "Ready.", "content": {"application/json": {
            "schema": _ref("schemas", "Health")}}},
         **_errors(400, 500, 503)}, "service"),
    "/metrics": _get(
        "Metrics",
        "Counters in the Prometheus text format: requests by endpoint and status, errors by "
        "code, latency quantiles over the last requests, HTTP cache hits, the live index. Each "
        "server process counts its own requests.",
        [],
        {"200": {"description": "Prometheus text exposition format 0.0.4.",
                 "content": {"text/plain": {"schema": {"type": "string"}}}},
         **_errors(400, 500)}, "service"),
    "/api/openapi.json": _get(
        "OpenAPI description", "This document.", [_CONDITIONAL[0]],
        {"200": _answer({"type": "object"}, "The OpenAPI 3 description.", validators=False),
         **_errors(304, 400, 429, 500)}, "service"),
    "/api/docs": _get(
        "Documentation", "This description as a page for people.", [],
        {"200": {"description": "An HTML page.", "content": {"text/html": {
            "schema": {"type": "string"}}}},
         **_errors(429, 500)}, "service"),
}


@lru_cache(maxsize=1)
def spec() -> dict:
    """The OpenAPI document."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Tìm kiếm tin tức — Vietnamese news search API",
                 "version": API_VERSION, "description": DESCRIPTION},
        "tags": [{"name": "search", "description": "Finding articles."},
                 {"name": "articles", "description": "Reading one article."},
                 {"name": "service", "description": "The service itself."}],
        "paths": PATHS,
        "components": COMPONENTS,
    }


# -- the documentation page's view of the description ------------------------------------------


def _resolve(node: dict) -> dict:
    if "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        return COMPONENTS[kind][name]
    return node


def type_text(schema: dict) -> str:
    """A schema in words: "integer 1–100, default 10", "array of string, at most 20"."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "any")
    if kind == "array":
        text = f"array of {type_text(schema.get('items', {}))}"
        if "maxItems" in schema:
            text += f", at most {schema['maxItems']}"
        return text
    parts = [schema.get("format", kind)]
    if "enum" in schema:
        parts = ["one of " + ", ".join(map(str, schema["enum"]))]
    if "minimum" in schema and "maximum" in schema:
        parts[0] += f" {schema['minimum']}–{schema['maximum']}"
    elif "minimum" in schema:
        parts[0] += f" ≥ {schema['minimum']}"
    if "maxLength" in schema:
        parts.append(f"{schema.get('minLength', 0)}–{schema['maxLength']} characters")
    if "pattern" in schema and "enum" not in schema and schema["pattern"] != r"\S":
        parts.append(f"matching {schema['pattern']}")
    if schema.get("nullable"):
        parts.append("or null")
    if "default" in schema:
        parts.append(f"default {schema['default']}")
    return ", ".join(parts)


def operations() -> list[dict]:
    """Every operation, ready to list: method, path, parameters and responses in words."""
    out = []
    for path, methods in PATHS.items():
        for method, op in methods.items():
            parameters = [_resolve(p) for p in op["parameters"]]
            responses = []
            for status, response in op["responses"].items():
                response = _resolve(response)
                content = response.get("content", {})
                media, body = next(iter(content.items()), (None, {}))
                schema = body.get("schema", {})
                responses.append({
                    "status": status, "description": response["description"], "media": media,
                    "schema": schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema else None,
                })
            out.append({
                "id": op["operationId"], "method": method.upper(), "path": path,
                "summary": op["summary"], "description": op["description"],
                "parameters": [{"name": p["name"], "in": p["in"], "required": p["required"],
                                "type": type_text(p["schema"]), "description": p["description"]}
                               for p in parameters],
                "responses": responses,
            })
    return out


def schemas() -> list[dict]:
    """Every schema with its fields in words; fields of inline objects as "filters.from"."""
    return [{"name": name, "description": schema.get("description", ""),
             "fields": _fields(schema, "")} for name, schema in SCHEMAS.items()]


def _fields(schema: dict, prefix: str) -> list[dict]:
    out = []
    for field, prop in schema.get("properties", {}).items():
        name = prefix + field
        target = prop.get("items", prop)
        out.append({
            "name": name, "type": type_text(prop), "description": prop.get("description", ""),
            "ref": target["$ref"].rsplit("/", 1)[-1] if "$ref" in target else None,
        })
        if "properties" in target:
            out += _fields(target, name + ("[]." if target is not prop else "."))
    return out

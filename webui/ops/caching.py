"""HTTP caching of API answers: validators tied to the live index generation.

An answer depends only on the request URL, the index generation that served it and the API
version, so the ETag is made of the last two and Last-Modified is when the generation went live.
A client or cache revalidating with If-None-Match or If-Modified-Since gets a 304 without the
search being run again; after the next index build every validator changes at once. If-Match and
If-Unmodified-Since that do not hold get a 412; a date header that is not a date is ignored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Callable

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import PreconditionFailed
from werkzeug.http import parse_date, parse_etags

from indexer import store

from ..core import Generation
from ..live import generation


def generation_name(gen: Generation) -> str:
    """The live generation's name (its folder, e.g. 20261127-101500-123456)."""
    return gen.path.name


def built_at(gen: Generation) -> dt.datetime:
    """When the generation was built: its metadata, else its folder's modification time."""
    stamp = gen.meta.get("built_at")
    if stamp:
        try:
            when = dt.datetime.fromisoformat(stamp)
            return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
        except ValueError:
            pass
    return dt.datetime.fromtimestamp(gen.path.stat().st_mtime, dt.timezone.utc)


def live_since(gen: Generation) -> dt.datetime:
    """When the generation went live: the time of the ``current`` link naming it, else its
    build time. A rollback to an older generation is newer news than the one it replaces, so
    If-Modified-Since must not take the older build time for "not modified"."""
    link = Path(current_app.config["INDEX_DIR"]) / store.CURRENT
    try:
        if link.resolve() == gen.path:
            return max(built_at(gen),
                       dt.datetime.fromtimestamp(os.lstat(link).st_mtime, dt.timezone.utc))
    except OSError:
        pass
    return built_at(gen)


def _validators() -> tuple[str, dt.datetime]:
    from ..api.openapi import API_VERSION

    gen = generation()
    return f"{generation_name(gen)}-v{API_VERSION}", live_since(gen).replace(microsecond=0)


def public(response: Response, etag: str, last_modified: dt.datetime | None) -> Response:
    """Mark a response cacheable by any cache for CACHE_MAX_AGE seconds, with its validators."""
    response.set_etag(etag, weak=True)  # equal in meaning, not in bytes: took_ms varies
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["CACHE_MAX_AGE"]
    return response


def _answer(etag: str, last_modified: dt.datetime | None, body: Callable[[], object]) -> Response:
    if not _preconditions_hold(etag, last_modified):
        raise PreconditionFailed(description="the precondition of If-Match or "
                                             "If-Unmodified-Since does not hold")
    if not _modified(etag, last_modified):
        return public(Response(status=304), etag, last_modified)
    return public(jsonify(body()), etag, last_modified)


def _preconditions_hold(etag: str, last_modified: dt.datetime | None) -> bool:
    """If-Match, else If-Unmodified-Since (RFC 9110 13.2.2). If-Match compares strongly, and
    these ETags are weak: only ``*`` matches them."""
    if "If-Match" in request.headers:
        return parse_etags(request.headers["If-Match"]).star_tag
    since = _http_date("If-Unmodified-Since")
    return since is None or last_modified is None or last_modified <= since


def _modified(etag: str, last_modified: dt.datetime | None) -> bool:
    """Whether the client's copy is stale: If-None-Match, else If-Modified-Since."""
    if "If-None-Match" in request.headers:
        return not parse_etags(request.headers["If-None-Match"]).contains_weak(etag)
    since = _http_date("If-Modified-Since")
    return since is None or last_modified is None or last_modified > since


def _http_date(header: str) -> dt.datetime | None:
    """An HTTP date header, or None when it is absent or not a date (unparseable, or past year
    9999): such a header is ignored (RFC 9110 13.1.3), never an error."""
    try:
        return parse_date(request.headers.get(header))
    except (OverflowError, ValueError):
        return None


def per_generation(body: Callable[[], object]) -> Response:
    """The JSON of ``body()``, or a 304 when the client's copy is of the live generation."""
    etag, last_modified = _validators()
    return _answer(etag, last_modified, body)


def fixed(document: dict) -> Response:
    """A JSON document that changes only with the code (the OpenAPI description)."""
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:16]
    return _answer(digest, None, lambda: document)

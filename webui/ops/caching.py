"""HTTP caching of API answers: validators tied to the live index generation.

An answer depends only on the request URL, the index generation that served it and the API
version, so the ETag is made of the last two and Last-Modified is when the generation went live.
A client or cache revalidating with If-None-Match or If-Modified-Since gets a 304 without the
search being run again; after the next index build every validator changes at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Callable

from flask import Response, current_app, jsonify, request
from werkzeug.http import is_resource_modified

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
    if not is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        return public(Response(status=304), etag, last_modified)
    return public(jsonify(body()), etag, last_modified)


def per_generation(body: Callable[[], object]) -> Response:
    """The JSON of ``body()``, or a 304 when the client's copy is of the live generation."""
    etag, last_modified = _validators()
    return _answer(etag, last_modified, body)


def fixed(document: dict) -> Response:
    """A JSON document that changes only with the code (the OpenAPI description)."""
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:16]
    return _answer(digest, None, lambda: document)

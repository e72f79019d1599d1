"""/healthz: whether the service can answer, and from which index."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from . import caching, index
from .openapi import API_VERSION
from .params import check_names

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 with the live index's article count, generation and build time; 503 without one."""
    check_names(request.args, ())
    gen = index.generation()  # NoIndex becomes the 503 of errors.py
    response = jsonify({
        "status": "ok",
        "articles": index.searcher().doc_count(),
        "generation": caching.generation_name(gen),
        "built_at": caching.built_at(gen).isoformat(timespec="seconds"),
        "api_version": API_VERSION,
    })
    response.cache_control.no_store = True  # a probe must see the present, not a cached past
    return response

"""/healthz: whether the service can answer, and from which index."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..api.openapi import API_VERSION
from ..api.params import check_names
from ..live import generation
from . import caching

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 with the live index's article count, generation and build time; 503 without one."""
    check_names(request.args, ())
    gen = generation()  # NoIndex becomes the 503 of errors.py
    response = jsonify({
        "status": "ok",
        "articles": gen.doc_count,
        "generation": caching.generation_name(gen),
        "built_at": caching.built_at(gen).isoformat(timespec="seconds"),
        "api_version": API_VERSION,
    })
    response.cache_control.no_store = True  # a probe must see the present, not a cached past
    return response

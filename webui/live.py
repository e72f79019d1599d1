"""The live index as the web app sees it: the generation that answers a request.

The app holds one :class:`~webui.core.LiveIndex` for its index folder; each request takes the
live generation once, on ``g`` (like the database handle of Flask's tutorial), so a request
that starts before an index switch finishes on the generation it started with, and the ones
after it take the new generation once it is ready — no restart needed.
"""

from __future__ import annotations

import logging
import time

from flask import current_app, g

from .core import Generation, LiveIndex, search, warm_up
from .core.generation import settle
from .core.search import recent_results

LOG = logging.getLogger(__name__)
REPLAY_SECONDS = 5.0  # at most this long running recent searches again on a new generation


def generation() -> Generation:
    """The live generation for this request."""
    if "generation" not in g:
        g.generation = current_app.extensions["live_index"].generation()
    return g.generation


def init_app(app) -> None:
    """Follow the index folder's live generation; with WARM_UP, each one is warmed before it
    serves, in the background unless WARM_IN_BACKGROUND is off (by default, under TESTING)."""
    background, freeze = app.config["WARM_IN_BACKGROUND"], app.config["GC_FREEZE"]
    if background is None:
        background = not app.config["TESTING"]
    if freeze is None:
        freeze = not app.config["TESTING"]
    app.extensions["live_index"] = LiveIndex(
        app.config["INDEX_DIR"], app.config["RESULT_CACHE"],
        warm=bool(app.config["WARM_UP"]), background=bool(background), follow=replay_recent,
        freeze=bool(freeze))


def replay_recent(old: Generation, new: Generation) -> None:
    """Run the old generation's recent searches on the new one before it serves, the most
    recent first, for at most REPLAY_SECONDS: the new generation's result cache holds what
    the old one held, in the same order, and the posting arrays of the words people search
    for now are read, so the searches after a switch are as quick as the ones before it."""
    recent = recent_results(old).keys()  # least recently used first
    deadline = time.monotonic() + REPLAY_SECONDS
    for req in reversed(recent):
        if time.monotonic() > deadline:
            break
        try:
            search(req, new)
        except Exception:  # noqa: BLE001 -- one search must not stop the switch
            LOG.exception("search %r failed on the new index generation %s", req, new.path)
    kept = recent_results(new)
    for req in recent:
        kept.get(req)  # in the old order: the least recently used go first, as before


def warm(app) -> None:
    """Open the live generation and compute what is computed once for it.

    Under ``gunicorn --preload`` this runs in the master before it forks, so every worker
    starts ready and the arrays are shared copy-on-write instead of built once per worker.
    """
    from indexer import store

    try:
        gen = app.extensions["live_index"].generation()
    except store.NoIndex:
        return  # the app answers 503 until an index is built
    if not gen.warmed:
        warm_up(gen)
    if app.extensions["live_index"].freeze:
        settle()  # before the fork, too: pages the workers share stay shared

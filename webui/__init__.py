"""The public search site and JSON API, as a Flask app factory."""

from __future__ import annotations

from flask import Flask

from indexer import store

# Every setting with its default and meaning; unknown settings stop start-up (a typo in a
# deployment should fail loudly, not be ignored).
SETTINGS = {
    "BASE_URL": (None, "the site's public address (https://tin.example.vn) for the absolute links of the Atom feed; None: links are paths (never taken from the request's Host header)"),
    "CACHE_MAX_AGE": (60, "seconds browsers and shared caches may keep an API answer before "
                          "revalidating it (answers also change only with a new index)"),
    "INDEX_DIR": (None, "index folder; default $INDEX_DIR, else var/index in the project"),
    "RATE_LIMIT": (None, "requests per client, as N/second, N/minute or N/hour, or 'off'; "
                         "unset: 120/minute, and off when TESTING"),
    "RESULT_CACHE": (256, "searches whose results each worker keeps for the live index "
                          "generation; 0: none"),
    "SITE_NAME": ("Tìm kiếm tin tức", "name shown in the page header"),
    "SLOW_QUERY_MS": (1000, "requests slower than this many milliseconds are logged again, as "
                            "slow queries, on the webui.slow logger; None: never"),
    "TESTING": (False, "Flask testing mode"),
    "WARM_UP": (True, "load the word segmenter and the live index's tables at start-up, "
                      "before gunicorn forks workers"),
    "WARM_IN_BACKGROUND": (None, "with WARM_UP, warm each new index generation in a thread and answer from the previous one until it is ready; unset: on, off when TESTING (the request that sees the switch waits)"),
}


def create_app(settings: dict | None = None) -> Flask:
    """Create the app; ``settings`` override the defaults of SETTINGS."""
    app = Flask(__name__)
    settings = dict(settings or {})
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(unknown)} (known: {', '.join(SETTINGS)})")
    app.config.from_mapping({name: default for name, (default, _) in SETTINGS.items()})
    app.config.update(settings)
    app.config["INDEX_DIR"] = str(store.index_dir(app.config["INDEX_DIR"]))
    app.json.ensure_ascii = False  # Vietnamese text as UTF-8, not \u escapes
    app.json.sort_keys = False

    from . import live
    from .api import endpoints
    from .ops import errors, health, metrics, ratelimit, security
    from .site import views

    live.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    metrics.init_app(app)  # before the rate limit, so that refused requests are timed too
    ratelimit.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(endpoints.bp)
    app.register_blueprint(health.bp)
    if app.config["WARM_UP"]:
        # with gunicorn --preload the ~270 MB pyvi model and the live index's tables are
        # loaded once and shared by the workers
        from indexer import analysis

        analysis.words("khởi động")
        live.warm(app)
    return app

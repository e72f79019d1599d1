"""The public search site and JSON API, as a Flask app factory."""

from __future__ import annotations

import os

from flask import Flask

from indexer import store

# Every setting with its default and meaning; unknown settings stop start-up (a typo in a
# deployment should fail loudly, not be ignored).
SETTINGS = {
    "INDEX_DIR": (None, "index folder; default $INDEX_DIR, else var/index in the project"),
    "SITE_NAME": ("Tìm kiếm tin tức", "name shown in the page header"),
    "TESTING": (False, "Flask testing mode"),
    "WARM_UP": (True, "load the word segmenter at start-up, before gunicorn forks workers"),
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

    from . import api, errors, index, views

    index.init_app(app)
    errors.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    if app.config["WARM_UP"]:
        # with gunicorn --preload the ~270 MB pyvi model is loaded once and shared by workers
        from indexer import analysis

        analysis.words("khởi động")
    return app

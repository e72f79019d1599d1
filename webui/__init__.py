"""The public search site and JSON API, as a Flask app factory."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from indexer import store

# Each setting is checked here, by its type, before anything starts: a module reads a value
# known to be valid, and a typo or a wrong type in a deployment stops start-up with a message
# naming the setting, instead of failing on the first request or being ignored.
_RATE = re.compile(r"\s*(0*[1-9][0-9]*\s*/\s*(second|minute|hour)|(?i:off))\s*")


@dataclass(frozen=True)
class Setting:
    """A setting: its default, what it means, and what it accepts (in words for the message)."""

    default: object
    meaning: str
    accepts: str
    valid: Callable[[object], bool]


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _milliseconds(value) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)
                             and value >= 0)


def _flag(value) -> bool:
    return isinstance(value, bool)


SETTINGS = {
    "BASE_URL": Setting(None, "the site's public address (https://tin.example.vn) for the "
                              "absolute links of the Atom feed; None: links are paths (never "
                              "taken from the request's Host header)", "an http(s) address or None",
                        lambda v: v is None or (isinstance(v, str)
                                                and v.startswith(("https://", "http://")))),
    "CACHE_MAX_AGE": Setting(60, "seconds browsers and shared caches may keep an API answer "
                                 "before revalidating it (answers also change only with a new "
                                 "index)", "a whole number of seconds ≥ 0", _whole),
    "INDEX_DIR": Setting(None, "index folder; default $INDEX_DIR, else var/index in the project",
                         "a path or None", lambda v: v is None or isinstance(v, (str, Path))),
    "RATE_LIMIT": Setting(None, "requests per client, as N/second, N/minute or N/hour, or "
                                "'off'; unset: 120/minute, and off when TESTING",
                          "N/second, N/minute or N/hour with N ≥ 1, 'off' or None",
                          lambda v: v is None or (isinstance(v, str) and bool(_RATE.fullmatch(v)))),
    "RESULT_CACHE": Setting(256, "searches whose results each worker keeps for the live index "
                                 "generation; 0: none", "a whole number ≥ 0", _whole),
    "SITE_NAME": Setting("Tìm kiếm tin tức", "name shown in the page header",
                         "a non-empty text", lambda v: isinstance(v, str) and bool(v.strip())),
    "SLOW_QUERY_MS": Setting(1000, "requests slower than this many milliseconds are logged "
                                   "again, as slow queries, on the webui.slow logger; None: never",
                             "a number of milliseconds ≥ 0 or None", _milliseconds),
    "TESTING": Setting(False, "Flask testing mode", "True or False", _flag),
    "GC_FREEZE": Setting(None, "with WARM_UP, keep each warmed index generation's tables out of "
                               "full garbage collections (gc.freeze), which otherwise stop the "
                               "worker for 100-200 ms at a time; unset: on, off when TESTING "
                               "(many apps in one process)", "True, False or None",
                         lambda v: v is None or isinstance(v, bool)),
    "WARM_UP": Setting(True, "load the word segmenter and the live index's tables at start-up, "
                             "before gunicorn forks workers", "True or False", _flag),
    "WARM_IN_BACKGROUND": Setting(None, "with WARM_UP, warm each new index generation in a "
                                        "thread and answer from the previous one until it is "
                                        "ready; unset: on, off when TESTING", "True, False or None",
                                  lambda v: v is None or isinstance(v, bool)),
}


def check_settings(settings: dict) -> dict:
    """The settings with their defaults, or ValueError naming every setting that is wrong."""
    unknown = sorted(set(settings) - set(SETTINGS))
    problems = [f"unknown settings: {', '.join(unknown)} (known: {', '.join(SETTINGS)})"
                ] if unknown else []
    values = {name: settings.get(name, setting.default) for name, setting in SETTINGS.items()}
    problems += [f"{name} must be {SETTINGS[name].accepts}, not {value!r}"
                 for name, value in values.items()
                 if name in settings and not SETTINGS[name].valid(value)]
    if problems:
        raise ValueError("; ".join(problems))
    return values


def create_app(settings: dict | None = None) -> Flask:
    """Create the app; ``settings`` override the defaults of SETTINGS."""
    app = Flask(__name__)
    app.config.from_mapping(check_settings(dict(settings or {})))
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

"""Observability: one log line per request, a slow-query log, and counters at /metrics.

Counters live in the server process that answered: with several gunicorn workers, each one
reports its own (Prometheus adds them up by instance labels, or scrape a single worker).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import unicodedata
from collections import Counter, defaultdict, deque

from flask import Blueprint, Response, current_app, g, request, template_rendered

from indexer.store import NoIndex

from ..api.params import check_names
from ..core import SearchRequest, SearchResult
from ..live import generation
from . import caching

REQUEST_LOG = logging.getLogger("webui.requests")
SLOW_LOG = logging.getLogger("webui.slow")
QUANTILES = (0.5, 0.9, 0.99)
LATENCY_WINDOW = 1024  # latency quantiles are over each route's last requests
METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

bp = Blueprint("metrics", __name__)


class Metrics:
    """The counters of one app in one process."""

    def __init__(self):
        self._lock = threading.Lock()
        self.started = time.time()
        self.requests: Counter = Counter()  # (route, method, status) -> answers
        self.errors: Counter = Counter()  # (code, status) -> answers
        self.latency: defaultdict = defaultdict(lambda: deque(maxlen=LATENCY_WINDOW))
        self.latency_sum: Counter = Counter()  # route -> seconds
        self.latency_count: Counter = Counter()
        self.cache_hits = 0
        self.cache_misses = 0
        self.slow = 0

    def observe(self, route: str, method: str, status: int, seconds: float,
                error_code: str | None, conditional: bool, slow: bool) -> None:
        with self._lock:
            self.requests[(route, method, str(status))] += 1
            if error_code:
                self.errors[(error_code, str(status))] += 1
            self.latency[route].append(seconds)
            self.latency_sum[route] += seconds
            self.latency_count[route] += 1
            if conditional:
                if status == 304:
                    self.cache_hits += 1
                elif status == 200:
                    self.cache_misses += 1
            self.slow += slow

    def render(self) -> str:
        """The counters in the Prometheus text exposition format."""
        out: list[str] = []

        def family(name: str, kind: str, text: str, samples: list[tuple[str, dict, float]]):
            out.append(f"# HELP {name} {text}")
            out.append(f"# TYPE {name} {kind}")
            for suffix, labels, value in samples:
                out.append(f"{name}{suffix}{_labels(labels)} {_number(value)}")

        with self._lock:
            family("news_requests_total", "counter",
                   "HTTP requests answered, by route, method and status.",
                   [("", {"route": r, "method": m, "status": s}, n)
                    for (r, m, s), n in sorted(self.requests.items())])
            family("news_errors_total", "counter", "Error answers, by error code and status.",
                   [("", {"code": c, "status": s}, n) for (c, s), n in sorted(self.errors.items())])
            samples = []
            for route in sorted(self.latency):
                window = sorted(self.latency[route])
                for q in QUANTILES:
                    samples.append(("", {"route": route, "quantile": str(q)}, _rank(window, q)))
                samples.append(("_sum", {"route": route}, self.latency_sum[route]))
                samples.append(("_count", {"route": route}, self.latency_count[route]))
            family("news_request_duration_seconds", "summary",
                   f"Time to answer, by route; quantiles over the route's last "
                   f"{LATENCY_WINDOW} requests.", samples)
            family("news_cache_hits_total", "counter",
                   "Conditional requests answered 304 Not Modified.",
                   [("", {}, self.cache_hits)])
            family("news_cache_misses_total", "counter",
                   "Conditional requests whose copy was stale, answered in full.",
                   [("", {}, self.cache_misses)])
            family("news_slow_requests_total", "counter",
                   "Requests slower than SLOW_QUERY_MS.", [("", {}, self.slow)])
        family("news_process_start_time_seconds", "gauge",
               "When this server process started, in Unix time.", [("", {}, self.started)])
        try:
            gen = generation()
            family("news_index_articles", "gauge", "Articles in the live index.",
                   [("", {}, gen.doc_count)])
            family("news_index_built_time_seconds", "gauge",
                   "When the live index was built, in Unix time.",
                   [("", {"generation": caching.generation_name(gen)},
                     caching.built_at(gen).timestamp())])
        except NoIndex:
            pass  # no index yet: the service counters still matter
        return "\n".join(out) + "\n"


def _rank(window: list[float], q: float) -> float:
    """Nearest-rank quantile of a sorted window."""
    if not window:
        return math.nan
    return window[min(len(window) - 1, max(0, math.ceil(q * len(window)) - 1))]


def _labels(labels: dict) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{name}="{_escape(value)}"' for name, value in labels.items()) + "}"


def _escape(value) -> str:
    return str(value).replace("\\", r"\\").replace('"', r'\"').replace("\n", r"\n")


def _number(value: float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return repr(float(value)) if isinstance(value, float) else str(value)


# -- the request log ----------------------------------------------------------------------------


def note_search(req: SearchRequest, result: SearchResult | None = None) -> None:
    """Put a search's query, filters and outcome in this request's log line."""
    fields = {"q": " ".join(unicodedata.normalize("NFC", req.q).split())}
    fields.update((k, v) for k, v in req.query_args().items() if k != "q")
    if result is not None:
        fields["hits"] = result.total
        fields["took_ms"] = result.took_ms
    g.log_fields = fields


def note(**fields) -> None:
    """Add fields to this request's log line (what was asked, how much was found)."""
    g.log_fields = {**g.get("log_fields", {}), **fields}


def _page_search(sender, template, context, **extra):
    # The search page renders a SearchResult; its view stays free of logging concerns.
    result = context.get("result")
    if isinstance(result, SearchResult):
        note_search(result.request, result)


def log_line(method: str, path: str, status: int, ms: float, fields: dict) -> str:
    """One request as `GET /api/search 200 12.3ms q="thi đua" hits=3 took_ms=10.1`."""
    extra = " ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in fields.items())
    return f"{method} {path} {status} {ms:.1f}ms" + (f" {extra}" if extra else "")


def _start():
    g.request_started = time.perf_counter()


def _finish(response):
    seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
    ms = seconds * 1000
    threshold = current_app.config["SLOW_QUERY_MS"]
    slow = threshold is not None and ms >= threshold
    route = request.url_rule.rule if request.url_rule else "unmatched"
    method = request.method if request.method in METHODS else "other"
    conditional = bool(request.headers.get("If-None-Match")
                       or request.headers.get("If-Modified-Since"))
    current_app.extensions["metrics"].observe(
        route, method, response.status_code, seconds, g.get("error_code"), conditional, slow,
    )
    line = log_line(request.method, request.path, response.status_code, ms,
                    g.get("log_fields", {}))
    REQUEST_LOG.info("%s", line)
    if slow:
        SLOW_LOG.warning("slow query (over %s ms): %s", threshold, line)
    return response


@bp.get("/metrics")
def metrics():
    check_names(request.args, ())
    response = Response(current_app.extensions["metrics"].render(), content_type=CONTENT_TYPE)
    response.cache_control.no_store = True
    return response


def init_app(app):
    app.extensions["metrics"] = Metrics()
    app.logger  # noqa: B018 -- makes Flask attach its handler, which these loggers reach
    for logger in (REQUEST_LOG, SLOW_LOG):
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)
    app.before_request(_start)
    app.after_request(_finish)
    template_rendered.connect(_page_search, app)
    app.register_blueprint(bp)

"""Observability: one log line per request, a slow-query log, and counters at /metrics.

The counters are prometheus_client's. Under gunicorn (webui/gunicorn_conf.py) its multiprocess
mode is on: each worker writes its counts to files in PROMETHEUS_MULTIPROC_DIR and whichever
worker answers a scrape reports the sum over all of them. Without that folder (one process,
the tests) each app counts in a registry of its own.
"""

from __future__ import annotations

import json
import logging
import os
import time
import unicodedata

import prometheus_client
from flask import Blueprint, Response, current_app, g, request, template_rendered
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from indexer.store import NoIndex

from ..api.params import check_names
from ..core import SearchRequest, SearchResult
from ..live import generation
from . import caching

REQUEST_LOG = logging.getLogger("webui.requests")
SLOW_LOG = logging.getLogger("webui.slow")
METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
# seconds: searches take tens of milliseconds; SLOW_QUERY_MS is 1 s by default
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = prometheus_client.CONTENT_TYPE_LATEST

# _created samples exist only in single-process mode: leave them out so both modes expose
# the same series
prometheus_client.disable_created_metrics()

bp = Blueprint("metrics", __name__)


def multiprocess() -> bool:
    """Whether counts are shared between processes (set before prometheus_client is imported)."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class Metrics:
    """The counters of the service: of this app alone, or of every worker in multiprocess mode."""

    def __init__(self):
        # in multiprocess mode the values live in files, not in a registry; a scrape reads them
        self.registry = None if multiprocess() else prometheus_client.CollectorRegistry()
        options = {"registry": self.registry}
        self.requests = prometheus_client.Counter(
            "news_requests", "HTTP requests answered, by route, method and status.",
            ("route", "method", "status"), **options)
        self.errors = prometheus_client.Counter(
            "news_errors", "Error answers, by error code and status.", ("code", "status"),
            **options)
        self.duration = prometheus_client.Histogram(
            "news_request_duration_seconds", "Time to answer, by route.", ("route",),
            buckets=DURATION_BUCKETS, **options)
        self.cache_hits = prometheus_client.Counter(
            "news_cache_hits", "Conditional requests answered 304 Not Modified.", **options)
        self.cache_misses = prometheus_client.Counter(
            "news_cache_misses", "Conditional requests whose copy was stale, answered in full.",
            **options)
        self.slow = prometheus_client.Counter(
            "news_slow_requests", "Requests slower than SLOW_QUERY_MS.", **options)

    def observe(self, route: str, method: str, status: int, seconds: float,
                error_code: str | None, conditional: bool, slow: bool) -> None:
        self.requests.labels(route, method, str(status)).inc()
        if error_code:
            self.errors.labels(error_code, str(status)).inc()
        self.duration.labels(route).observe(seconds)
        if conditional:
            if status == 304:
                self.cache_hits.inc()
            elif status == 200:
                self.cache_misses.inc()
        if slow:
            self.slow.inc()

    def render(self) -> bytes:
        """Every counter, and the live index of the answering worker, in the text format."""
        counters = (MultiProcessCollector(None) if self.registry is None else self.registry)
        return prometheus_client.generate_latest(_Scrape(counters, _LiveIndexGauges()))


class _Scrape:
    """The collectors of one scrape, read in turn."""

    def __init__(self, *collectors):
        self.collectors = collectors

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()


class _LiveIndexGauges:
    """The live index's size and build time, read at scrape time from the generation the
    answering worker serves: a property of the index, not a count to add up over workers
    (and a gauge labelled by generation would keep every past generation's series)."""

    def collect(self):
        try:
            gen = generation()
        except NoIndex:
            return  # no index yet: the service counters still matter
        articles = GaugeMetricFamily("news_index_articles", "Articles in the live index.")
        articles.add_metric([], gen.doc_count)
        built = GaugeMetricFamily("news_index_built_time_seconds",
                                  "When the live index was built, in Unix time.",
                                  labels=("generation",))
        built.add_metric([caching.generation_name(gen)], caching.built_at(gen).timestamp())
        yield articles
        yield built


# -- the request log ----------------------------------------------------------------------------


def note_search(req: SearchRequest, result: SearchResult | None = None) -> None:
    """Put a search's query, filters and outcome in this request's log line."""
    fields = {"q": " ".join(unicodedata.normalize("NFC", req.q).split())}
    fields.update((k, v) for k, v in req.query_args().items() if k != "q")
    if result is not None:
        fields["hits"] = result.total
        fields["took_ms"] = result.took_ms
        if result.cached:
            fields["cached"] = True
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
    fields = g.get("log_fields", {})
    line = log_line(request.method, request.path, response.status_code, ms, fields)
    REQUEST_LOG.info("%s", line)
    if "took_ms" in fields:
        # how long the search took and whether it was answered from the recent results, for
        # a developer's browser tools and for bench/soak.py (W3C Server Timing)
        timing = f"search;dur={fields['took_ms']}"
        response.headers["Server-Timing"] = (
            f'cache;desc="hit", {timing}' if fields.get("cached") else timing)
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

"""Running the API: the request log, the slow-query log, /metrics, the rate limit, settings."""

from __future__ import annotations

import logging
import re

import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from webui import create_app
from webui.ops.ratelimit import Limiter, Rate

# One sample line of the Prometheus text format: name, optional labels, value.
SAMPLE = re.compile(r'^[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf)$')


@pytest.fixture()
def fresh(data_index):
    """An app of its own, so that its counters start at zero."""
    def make(**settings):
        return create_app({"INDEX_DIR": str(data_index), "TESTING": True, "WARM_UP": False,
                           **settings})
    return make


def lines(caplog, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger]


# -- logs ------------------------------------------------------------------------------------


def test_one_log_line_per_request_with_query_filters_hits_and_time(fresh, caplog):
    client = fresh().test_client()
    with caplog.at_level(logging.INFO, logger="webui.requests"):
        client.get("/api/search", query_string={"q": " Thi   đua ", "ministry": "Bộ Y tế",
                                                "date": ["2017", "none"], "sort": "newest"})
        client.get("/api/search?page=0")
        client.get("/", query_string={"q": "thi đua", "person": "Phan Tâm"})
        client.get("/healthz")
        client.get("/api/suggest?q=Ngh")
        client.get("/api/facets/person?prefix=ngh")
    logged = lines(caplog, "webui.requests")
    assert len(logged) == 6
    assert re.fullmatch(
        r'GET /api/search 200 [0-9.]+ms q="Thi đua" ministry=\["Bộ Y tế"\] '
        r'date=\["2017", "none"\] sort="newest" hits=[0-9]+ took_ms=[0-9.]+', logged[0])
    assert re.fullmatch(r"GET /api/search 400 [0-9.]+ms", logged[1])
    assert re.fullmatch(r'GET / 200 [0-9.]+ms q="thi đua" person=\["Phan Tâm"\] hits=1 '
                        r'took_ms=[0-9.]+', logged[2])
    assert re.fullmatch(r"GET /healthz 200 [0-9.]+ms", logged[3])
    assert re.fullmatch(r'GET /api/suggest 200 [0-9.]+ms q="Ngh" hits=[1-9][0-9]*', logged[4])
    assert re.fullmatch(r'GET /api/facets/person 200 [0-9.]+ms prefix="ngh" hits=2', logged[5])


def test_a_search_says_how_long_it_took_and_whether_it_was_cached(fresh):
    client = fresh(RESULT_CACHE=8).test_client()
    first = client.get("/api/search?q=bộ y tế")
    assert re.fullmatch(r"search;dur=[0-9.]+", first.headers["Server-Timing"])
    again = client.get("/api/search?q=bộ+y+tế")
    assert re.fullmatch(r'cache;desc="hit", search;dur=[0-9.]+', again.headers["Server-Timing"])
    assert client.get("/?q=bộ y tế").headers["Server-Timing"].startswith("search;dur=")
    assert client.get("/?q=bộ y tế").headers["Server-Timing"].startswith('cache;desc="hit"')
    assert "Server-Timing" not in client.get("/healthz").headers


def test_slow_requests_are_logged_again_above_the_threshold(fresh, caplog):
    slow = fresh(SLOW_QUERY_MS=0).test_client()
    never = fresh(SLOW_QUERY_MS=None).test_client()
    with caplog.at_level(logging.INFO):
        slow.get("/api/search?q=thi+đua")
        never.get("/api/search?q=thi+đua")
    warned = [r for r in caplog.records if r.name == "webui.slow"]
    assert len(warned) == 1 and warned[0].levelno == logging.WARNING
    assert 'q="thi đua"' in warned[0].getMessage()
    assert "slow query (over 0 ms)" in warned[0].getMessage()


# -- /metrics --------------------------------------------------------------------------------


def samples(text: str) -> dict:
    """The samples of a Prometheus text exposition: {(name, ((label, value), ...)): value}."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def test_metrics_count_requests_errors_latency_and_cache_hits(fresh):
    client = fresh().test_client()
    etag = client.get("/api/search?q=thi+đua").headers["ETag"]
    client.get("/api/search?q=thi+đua", headers={"If-None-Match": etag})
    client.get("/api/search?q=thi+đua", headers={"If-None-Match": '"stale"'})
    client.get("/api/search?per_page=1000")
    client.get("/api/nothing")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
    text = response.get_data(as_text=True)
    for line in text.splitlines():
        assert line.startswith(("# HELP ", "# TYPE ")) or SAMPLE.match(line), line
    found = samples(text)

    def value(name, **labels):
        return found.get((name, tuple(sorted(labels.items()))))

    requests = "news_requests_total"
    assert value(requests, route="/api/search", method="GET", status="200") == 2
    assert value(requests, route="/api/search", method="GET", status="304") == 1
    assert value(requests, route="/api/search", method="GET", status="400") == 1
    assert value(requests, route="unmatched", method="GET", status="404") == 1
    assert value("news_errors_total", code="invalid_parameter", status="400") == 1
    assert value("news_errors_total", code="not_found", status="404") == 1
    assert value("news_cache_hits_total") == 1 and value("news_cache_misses_total") == 1
    assert value("news_slow_requests_total") == 0
    assert value("news_request_duration_seconds_count", route="/api/search") == 4
    assert value("news_request_duration_seconds_bucket", route="/api/search", le="+Inf") == 4
    assert value("news_index_articles") >= 31
    assert "# TYPE news_request_duration_seconds histogram" in text
    assert not [name for name, _ in found if name.endswith("_created")]


def test_metrics_without_an_index_still_count(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path), "TESTING": True,
                         "WARM_UP": False}).test_client()
    client.get("/api/search")
    text = client.get("/metrics").get_data(as_text=True)
    assert samples(text)[("news_errors_total", (("code", "no_index"), ("status", "503")))] == 1
    assert "news_index_articles" not in text


def test_each_app_counts_on_its_own_in_one_process(fresh):
    one, other = fresh().test_client(), fresh().test_client()
    one.get("/healthz")
    text = other.get("/metrics").get_data(as_text=True)
    assert 'route="/healthz"' not in text


# -- rate limit ------------------------------------------------------------------------------


def test_the_rate_limit_is_off_in_tests_unless_turned_on(app, fresh):
    assert "rate_limiter" not in app.extensions
    assert fresh(TESTING=False).extensions["rate_limiter"].rate == Rate(120, 60)
    assert "rate_limiter" not in fresh(TESTING=False, RATE_LIMIT="off").extensions


def test_over_the_limit_is_429_with_retry_after(fresh):
    client = fresh(RATE_LIMIT="3/minute").test_client()
    assert [client.get("/api/search").status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/suggest?q=a")
    assert refused.status_code == 429
    assert refused.get_json() == {"error": {
        "code": "too_many_requests", "param": None,
        "message": "too many requests from this client: wait before the next one"}}
    assert 1 <= int(refused.headers["Retry-After"]) <= 20
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    # the page too; probes, scrapers and preflights are never refused
    page = client.get("/")
    assert page.status_code == 429 and "Retry-After" in page.headers
    assert "Vui lòng thử lại sau" in page.get_data(as_text=True)
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.options("/api/search").status_code == 200
    # those paths exactly: others that begin alike are limited like the rest
    for path in ("/healthzX", "/metricsX", "/healthz/x", "/metrics.txt"):
        assert client.get(path).status_code == 429, path
    # another client has its own allowance
    other = client.get("/api/search", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_a_bucket_refills_at_the_rate():
    now = [0.0]
    limiter = Limiter(Rate(2, 60), clock=lambda: now[0])
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    assert limiter.take("a") == pytest.approx(30.0)
    now[0] = 29.0
    assert limiter.take("a") == pytest.approx(1.0)
    now[0] = 30.0
    assert limiter.take("a") == 0
    now[0] = 1000.0  # a long pause refills the bucket, no further
    assert [limiter.take("a") for _ in range(3)][:2] == [0, 0]

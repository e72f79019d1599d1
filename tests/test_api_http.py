"""HTTP done right: validators tied to the index generation, 304s, caching, CORS, UTF-8."""

from __future__ import annotations

import datetime as dt
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from email.utils import format_datetime, parsedate_to_datetime

import pytest

from conftest import PROJECT
from indexer.write import rollback
from webui import create_app
from webui.api.openapi import spec

CACHED = ["/api/search?q=thi+đua", "/api/articles/mic-2017-03-23", "/api/suggest?q=ngh",
          "/api/facets/person?prefix=ngh"]


@pytest.mark.parametrize("path", CACHED)
def test_answers_carry_validators_of_the_generation(client, data_index, path):
    response = client.get(path)
    assert response.status_code == 200
    generation = (data_index / "current").resolve().name
    assert response.headers["ETag"].startswith(f'W/"{generation}-v')
    built = parsedate_to_datetime(response.headers["Last-Modified"])
    assert abs(built - dt.datetime.fromtimestamp((data_index / "current").stat().st_mtime,
                                                 dt.timezone.utc)) < dt.timedelta(minutes=5)
    assert response.headers["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize("path", CACHED)
def test_revalidation_with_the_etag_is_304(client, path):
    etag = client.get(path).headers["ETag"]
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.data == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    # any of several, and the strong form of a weak tag, match too (RFC 9110 weak comparison)
    listed = client.get(path, headers={"If-None-Match": f'"other", {etag}'})
    assert listed.status_code == 304
    assert client.get(path, headers={"If-None-Match": etag[2:]}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("path", CACHED)
def test_revalidation_by_date(client, path):
    last_modified = parsedate_to_datetime(client.get(path).headers["Last-Modified"])
    same = client.get(path, headers={"If-Modified-Since": format_datetime(last_modified, True)})
    assert same.status_code == 304
    later = format_datetime(last_modified + dt.timedelta(days=1), True)
    assert client.get(path, headers={"If-Modified-Since": later}).status_code == 304
    earlier = format_datetime(last_modified - dt.timedelta(seconds=1), True)
    assert client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200


@pytest.mark.parametrize("date", [
    "Fri, 31 Dec 10000 23:59:59 GMT", "Sat, 01 Jan 99999999999999999999 00:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 -0100", "yesterday", ""])
def test_a_date_that_is_not_one_is_ignored(client, date):
    for header in ("If-Modified-Since", "If-Unmodified-Since"):
        response = client.get("/api/search?q=thi+đua", headers={header: date})
        assert response.status_code in (200, 304), (header, date, response.status_code)
    # a year past 9999 cannot be parsed: the header counts as absent and the answer is full
    assert client.get("/api/search?q=thi+đua", headers={
        "If-Modified-Since": "Sat, 01 Jan 99999999999999999999 00:00:00 GMT"}).status_code == 200


@pytest.mark.parametrize("path", CACHED)
def test_if_match_holds_only_for_a_star(client, path):
    etag = client.get(path).headers["ETag"]
    for tag in ('"unknown"', etag, etag[2:], f'"other", {etag}'):
        # a weak ETag never matches strongly (RFC 9110 13.1.1): the precondition fails
        response = client.get(path, headers={"If-Match": tag})
        assert response.status_code == 412, tag
        assert response.get_json()["error"]["code"] == "precondition_failed"
        assert response.headers["Cache-Control"] == "no-store"
    assert client.get(path, headers={"If-Match": "*"}).status_code == 200
    # If-Match is decided before If-None-Match
    assert client.get(path, headers={"If-Match": '"unknown"',
                                     "If-None-Match": etag}).status_code == 412
    assert client.get(path, headers={"If-Match": "*", "If-None-Match": etag}).status_code == 304


def test_if_unmodified_since_fails_for_a_copy_older_than_the_index(client):
    last_modified = parsedate_to_datetime(client.get("/api/search").headers["Last-Modified"])
    older = format_datetime(last_modified - dt.timedelta(seconds=1), True)
    assert client.get("/api/search", headers={"If-Unmodified-Since": older}).status_code == 412
    same = format_datetime(last_modified, True)
    assert client.get("/api/search", headers={"If-Unmodified-Since": same}).status_code == 200


def test_a_bad_request_is_not_hidden_by_revalidation(client):
    etag = client.get("/api/search").headers["ETag"]
    response = client.get("/api/search?page=0", headers={"If-None-Match": etag})
    assert response.status_code == 400
    missing = client.get("/api/articles/nope", headers={"If-None-Match": "*"})
    assert missing.status_code == 404


def test_a_new_generation_changes_the_validators(make_index):
    root, _ = make_index({"a.txt": "Bộ Y tế họp bàn\n\nBộ Y tế họp bàn về tiêm chủng.\n"})
    app = create_app({"INDEX_DIR": str(root), "TESTING": True, "WARM_UP": False})
    client = app.test_client()
    first = client.get("/api/search?q=tiêm")
    assert first.get_json()["total"] == 1
    root2, _ = make_index({"a.txt": "Bộ Y tế họp bàn\n\nBộ Y tế họp bàn về tiêm chủng.\n",
                           "b.txt": "Tiêm chủng mở rộng\n\nTiêm chủng cho trẻ em.\n"})
    assert root2 == root
    again = client.get("/api/search?q=tiêm", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.get_json()["total"] == 2
    assert again.headers["ETag"] != first.headers["ETag"]


def test_the_description_is_cached_by_its_content(client):
    first = client.get("/api/openapi.json")
    assert first.headers["ETag"].startswith('W/"') and "Last-Modified" not in first.headers
    again = client.get("/api/openapi.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_cache_max_age_is_a_setting(data_index):
    app = create_app({"INDEX_DIR": str(data_index), "TESTING": True, "WARM_UP": False,
                      "CACHE_MAX_AGE": 3600})
    assert app.test_client().get("/api/search").headers["Cache-Control"] == "public, max-age=3600"


@pytest.mark.parametrize("path", ["/healthz", "/metrics", "/api/search?page=0"])
def test_probes_and_errors_are_not_stored(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", CACHED + ["/api/openapi.json", "/healthz", "/api/search?page=0",
                                          "/api/nothing"])
def test_any_origin_may_get(client, path):
    response = client.get(path, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Last-Modified", "Retry-After"} <= exposed


def test_a_preflight_for_a_conditional_get_is_answered(client):
    response = client.options("/api/search", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match",
    })
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]
    assert int(response.headers["Access-Control-Max-Age"]) > 0


def test_the_pages_are_not_opened_to_other_origins(client):
    assert "Access-Control-Allow-Origin" not in client.get("/").headers


def test_json_is_utf8_with_vietnamese_unescaped(client):
    response = client.get("/api/search", query_string={"ministry": "Bộ Y tế"})
    assert response.mimetype == "application/json"
    raw = response.get_data()
    assert "Bộ Y tế".encode("utf-8") in raw and b"\\u" not in raw
    raw.decode("utf-8")


def test_head_is_answered_like_get_without_a_body(client):
    get = client.get("/api/search?q=thi+đua")
    head = client.head("/api/search?q=thi+đua")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]


def test_a_rollback_is_news_for_if_modified_since(make_index):
    one = {"a.txt": "Bộ Y tế họp bàn\n\nBộ Y tế họp bàn về tiêm chủng.\n"}
    root, _ = make_index(one)
    client = create_app({"INDEX_DIR": str(root), "TESTING": True, "WARM_UP": False}).test_client()
    time.sleep(1.1)  # Last-Modified counts whole seconds
    make_index({**one, "b.txt": "Tiêm chủng mở rộng\n\nTiêm chủng cho trẻ em.\n"})
    newer = client.get("/api/search?q=tiêm")
    assert newer.get_json()["total"] == 2
    time.sleep(1.1)
    rollback(root)
    again = client.get("/api/search?q=tiêm",
                       headers={"If-Modified-Since": newer.headers["Last-Modified"]})
    assert again.status_code == 200 and again.get_json()["total"] == 1


@pytest.fixture(scope="module")
def gunicorn(data_index):
    """The app under gunicorn, as deployed (its own HTTP parser, its own limits)."""
    app = f'webui:create_app({{"INDEX_DIR": "{data_index}", "WARM_UP": False}})'
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", "127.0.0.1:0", app],
        cwd=PROJECT, stderr=subprocess.PIPE, text=True,
    )
    try:
        port = None
        for line in server.stderr:
            listening = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            port = int(listening[1]) if listening else port
            if "Booting worker" in line:
                break
        assert port, "gunicorn did not start"
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()


def raw_get(port: int, target: bytes) -> tuple[int, str]:
    """(status, content type) of a GET sent byte for byte, as a client that does not encode."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b"".join(iter(lambda: conn.recv(65536), b""))
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in head[1:])
    return int(head[0].split()[1]), headers.get("Content-Type", "").split(";")[0]


def test_the_server_refuses_what_the_description_says_it_refuses(gunicorn):
    encoded = "/api/search?q=" + urllib.parse.quote("thi đua")
    assert raw_get(gunicorn, encoded.encode()) == (200, "application/json")
    # raw UTF-8 in the request line: refused by gunicorn before the app (README, "Limits")
    assert raw_get(gunicorn, "/api/search?q=thi_đua".encode())[0] == 400
    # a request line over gunicorn's limit: the 414 every operation of the description lists
    too_long = ("/api/search?q=" + "a" * 5000).encode()
    status, media = raw_get(gunicorn, too_long)
    described = spec()["components"]["responses"]["URITooLong"]["content"]
    assert status == 414 and media in described

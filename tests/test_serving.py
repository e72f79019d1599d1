"""The site under real gunicorn with its own settings (webui/gunicorn_conf.py): metrics counted
over every worker, and slow clients that cannot hold the workers."""

from __future__ import annotations

import http.client
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

PROJECT = Path(__file__).resolve().parent.parent
HEADER_TIMEOUT = 5  # seconds: long enough that nothing here nears it by accident


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the app on a loopback port, logging which worker answered what."""

    def __init__(self, port: int, access_log: Path):
        self.port = port
        self.access_log = access_log

    def get(self, path: str) -> tuple[int, str]:
        """GET on a connection of its own, so that any worker may answer it."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()

    def workers_that_answered(self, path: str) -> set[str]:
        """The pids of the workers that answered a path, from the access log."""
        found = set()
        for line in self.access_log.read_text().splitlines():
            pid, _, answered = line.partition(" ")
            if answered.split(" ")[0] == path:
                found.add(pid)
        return found


@pytest.fixture(scope="module")
def gunicorn(data_index, tmp_path_factory):
    work = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    access_log = work / "access.log"
    env = {**os.environ, "INDEX_DIR": str(data_index), "WEB_THREADS": "2",
           "REQUEST_HEADER_TIMEOUT": str(HEADER_TIMEOUT)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the settings make a fresh one
    with open(work / "gunicorn.log", "wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:webui.gunicorn_conf",
             "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(U)s %(s)s",
             "webui:create_app({'RATE_LIMIT': 'off'})"],
            cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(port, access_log)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if server.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start:\n" + (work / "gunicorn.log").read_text())
            time.sleep(0.3)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def searches_answered(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (sample.name == "news_requests_total"
                    and sample.labels == {"route": "/api/search", "method": "GET",
                                          "status": "200"}):
                return sample.value
    return 0


def test_metrics_count_the_requests_of_every_worker(gunicorn):
    before = searches_answered(gunicorn.get("/metrics")[1])
    for n in range(30):
        assert gunicorn.get(f"/api/search?q=b%E1%BB%99+y+t%E1%BA%BF&page={1 + n % 3}")[0] == 200
    # whichever worker answers the scrape counts the searches every worker answered
    for _ in range(200):
        status, text = gunicorn.get("/metrics")
        assert status == 200 and searches_answered(text) == before + 30
        if len(gunicorn.workers_that_answered("/metrics")) >= 2:
            break
    assert len(gunicorn.workers_that_answered("/metrics")) == 2, \
        "one worker answered every scrape: the test proves nothing"
    assert re.search(r"^news_index_articles [0-9.]+$", text, re.M)


def slow_connection(port: int) -> socket.socket:
    """A connection that has sent the start of a request head, and no end to it."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(b"GET /api/search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
    return sock


def is_open(sock: socket.socket) -> bool:
    """Whether the server has left the connection open (nothing to read, no end of it)."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return True
    try:
        return sock.recv(1) != b""
    except OSError:
        return False


def test_slow_clients_do_not_hold_up_other_requests(gunicorn):
    # more than the workers have threads (2 × 2), each with a byte more to send now and then
    slow = [slow_connection(gunicorn.port) for _ in range(12)]
    try:
        for sock in slow:
            sock.sendall(b"a")
        status, _ = gunicorn.get("/api/search?q=thi+%C4%91ua")
        assert status == 200
        # answered while every slow head was still being sent, not after they were given up
        assert all(is_open(sock) for sock in slow)
    finally:
        for sock in slow:
            sock.close()


def test_a_head_that_never_ends_is_cut_off(gunicorn):
    sock = slow_connection(gunicorn.port)
    try:
        for _ in range(4 * HEADER_TIMEOUT * 2):  # a byte every half second, for up to 4× the limit
            if not is_open(sock):
                break
            try:
                sock.sendall(b"a")
            except OSError:
                break
            time.sleep(0.5)
        assert not is_open(sock)
    finally:
        sock.close()
    assert gunicorn.get("/healthz")[0] == 200

"""Slow clients against gunicorn: are other requests still answered at once?

    .venv/bin/python bench/slowloris.py [--connections 50] [--seconds 30] [--gunicorn-args ARGS]

Indexes data/, starts gunicorn on 127.0.0.1 with the site's settings (webui/gunicorn_conf.py;
--gunicorn-args adds options, e.g. "--worker-class sync" to see the worker class it replaces)
and measures normal searches, one after another on fresh connections: first alone, then while
--connections clients send their request heads a byte a second and never finish them (one whose
connection the server closes connects again at once, as an attacker would). Prints the
latency of the normal requests in both phases (median, p95, max, how many took over 1 s: target
0) and what became of the slow connections. Only loopback is used.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
from bench.reindex import load, machine  # noqa: E402
from bench.soak import ThreadGroup, free_port, percentile, stop_server, wait_until_up  # noqa: E402,E501

QUERIES = [urllib.parse.quote(q) for q in ("thi đua", "bộ y tế", "chuyen doi so", "hà nội")]


class SlowClients(ThreadGroup):
    """Connections that send a request head a byte at a time and never end it."""

    def __init__(self, port: int, count: int, interval: float):
        self.port = port
        self.count = count
        self.interval = interval
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.opened = 0
        self.closed_by_server = 0
        self.open_now = 0
        self.threads = [threading.Thread(target=self.hold, daemon=True) for _ in range(count)]

    def hold(self) -> None:
        head = b"GET /api/search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 4000
        while not self.stop.is_set():
            try:
                conn = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            except OSError:
                time.sleep(0.1)
                continue
            with self.lock:
                self.opened += 1
                self.open_now += 1
            try:
                for byte in head:
                    if self.stop.wait(self.interval):
                        break
                    conn.sendall(bytes([byte]))
            except OSError:
                with self.lock:
                    self.closed_by_server += 1
            finally:
                conn.close()
                with self.lock:
                    self.open_now -= 1


def probe(port: int, seconds: float) -> list[tuple[float, str]]:
    """Searches one after another on fresh connections: (seconds, outcome) each."""
    out = []
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        path = f"/api/search?q={QUERIES[n % len(QUERIES)]}&page={1 + n % 3}"
        n += 1
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            conn.close()
            outcome = "ok" if response.status == 200 else f"HTTP {response.status}"
        except (OSError, http.client.HTTPException) as exc:
            outcome = f"{type(exc).__name__}: {exc}"
        out.append((time.perf_counter() - started, outcome))
        time.sleep(0.1)
    return out


def report(name: str, records: list[tuple[float, str]]) -> None:
    ms = [1000 * seconds for seconds, _ in records]
    failed = sum(1 for _, outcome in records if outcome != "ok")
    over = sum(1 for m in ms if m > 1000)
    print(f"{name:18}{len(ms):9}{failed:8}{statistics.median(ms):11.1f}{percentile(ms, 95):9.1f}"
          f"{max(ms):10.1f}{over:9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--interval", type=float, default=1.0,
                        help="seconds between the bytes of a slow client")
    parser.add_argument("--gunicorn-args", default="", help="more gunicorn options")
    args = parser.parse_args()
    print(machine())
    print(f"start: {load()}")
    with tempfile.TemporaryDirectory(prefix="bench-slowloris-") as work:
        index = Path(work) / "index"
        subprocess.run([sys.executable, "-m", "indexer", "build", "data/", "--index", str(index),
                        "--progress", "none"], cwd=PROJECT, check=False, capture_output=True)
        port = free_port()
        log = open(Path(work) / "gunicorn.log", "wb")
        command = [str(Path(sys.executable).parent / "gunicorn"),
                   "-c", "python:webui.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
                   *shlex.split(args.gunicorn_args), "webui:create_app({'RATE_LIMIT': 'off'})"]
        server = subprocess.Popen(command, cwd=PROJECT, stdout=log, stderr=subprocess.STDOUT,
                                  env={**os.environ, "INDEX_DIR": str(index)})
        try:
            wait_until_up(server, port, Path(work) / "gunicorn.log")
            print("gunicorn " + " ".join(command[1:-1]))
            alone = probe(port, min(10.0, args.seconds / 2))
            slow = SlowClients(port, args.connections, args.interval)
            slow.start()
            time.sleep(2)  # every slow connection open and sending
            during = probe(port, args.seconds)
            still_open = slow.open_now
            slow.finish()
            print(f"{'normal requests':18}{'count':>9}{'failed':>8}{'median ms':>11}{'p95 ms':>9}"
                  f"{'max ms':>10}{'over 1 s':>9}")
            report("alone", alone)
            report(f"{args.connections} slow open", during)
            print(f"slow connections: {slow.opened} opened, {slow.closed_by_server} closed by the "
                  f"server, {still_open} open at the end (a byte every {args.interval:g} s)")
            over = sum(1 for seconds, _ in during if seconds > 1)
            print(f"requests over 1 s while slow connections were open: {over} (target 0)")
        finally:
            stop_server(server)
            log.close()
    print(f"end: {load()}")


if __name__ == "__main__":
    main()

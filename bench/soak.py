"""Searches in a loop against gunicorn while a full rebuild and then an update run.

    .venv/bin/python bench/soak.py [--articles N] [--clients C] [--max-seconds S] [--corpus FILE]
                              [--warm-on-request]

Builds an index of N articles of the shared corpus (data/ where it is absent), starts gunicorn
with the site's settings (webui/gunicorn_conf.py, 2 workers) on 127.0.0.1, and has C client
threads search without pause while `python -m indexer build` and then `python -m indexer
update` (1% of the articles changed) run against the live index folder. Reports requests made
and failed (target: 0 failed), latency medians and p95 during each phase, and after each index
switch the first request of each worker on the new generation and its first 20 (server times
from the access log, by ETag and Server-Timing; target: within 2x the median of the answers
of its kind, from the result cache or computed, among the 500 before the switch), and the
latency of all requests from 5 s before the first answer from the new generation (while it
is warmed) to 10 s after.
--updates N runs N updates, each changing another 1% of the articles, so that the first
requests after a switch are N+1 samples per worker rather than one: a single request on a busy
machine is often several times the median (the p95 is), so the summary gives the median ratio
over every switch and worker and where each first request falls among the requests before it.
--warm-on-request makes the request that sees a switch warm the new generation, as before
background warming (WARM_IN_BACKGROUND off), for comparison. Prints the machine and the load.
Only loopback is used; every loop is bounded by --max-seconds.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import random
import shutil
import signal
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
from bench.reindex import CORPUS, load, machine  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def stop_server(server: subprocess.Popen) -> None:
    """Stop gunicorn as a service manager would: SIGTERM, then SIGKILL after 30 s."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def answers(port: int, path: str, timeout: float = 5) -> bool:
    """Whether a server on this loopback port answers GET ``path`` with 200."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path)
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def wait_until_up(server: subprocess.Popen, port: int, log: Path) -> None:
    """Wait for gunicorn to answer /healthz (200 once the live index is open), or exit."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        if answers(port, "/healthz"):
            return
        time.sleep(0.3)
    raise SystemExit("gunicorn did not start:\n" + log.read_text(errors="replace")[-3000:])


class ThreadGroup:
    """Daemon threads started together and stopped together through ``self.stop``."""

    threads: list[threading.Thread]
    stop: threading.Event

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


class Clients(ThreadGroup):
    """Client threads searching in a loop; each request is recorded with the phase it fell in."""

    def __init__(self, port: int, queries: list[str], count: int, deadline: float):
        self.port = port
        self.queries = queries
        self.count = count
        self.deadline = deadline
        self.phase = "before"
        self.stop = threading.Event()
        # (phase, started at, seconds, outcome, generation named by the answer's ETag)
        self.records: list[tuple[str, float, float, str, str]] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.loop, args=(n,), daemon=True)
                        for n in range(count)]

    def loop(self, n: int) -> None:
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self.stop.is_set() and time.monotonic() < self.deadline:
            q = rng.choice(self.queries)
            path = "/api/search?" + urllib.parse.urlencode({"q": q, "per_page": 10})
            phase = self.phase
            started = time.perf_counter()
            generation = ""
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200 and "results" in json.loads(body)
                outcome = "ok" if ok else f"HTTP {response.status}"
                generation = etag_generation(response.getheader("ETag"))
            except (OSError, http.client.HTTPException, ValueError) as exc:
                outcome = f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            with self.lock:
                self.records.append((phase, started, time.perf_counter() - started, outcome,
                                     generation))
        conn.close()


def etag_generation(etag: str | None) -> str:
    """The generation an API answer came from: its ETag is W/"<generation>-v<api version>"."""
    # the access log writes the quotes escaped: W/\"...\"
    return (etag or "").replace("\\", "").removeprefix("W/").strip('"').rpartition("-v")[0]


def around_switch(access_log: Path, generation: str, after: int = 20, before: int = 500
                  ) -> tuple[dict[bool, list[float]], dict[str, list[tuple[float, bool]]]]:
    """Server times from the access log: of the last ``before`` answers from other generations
    before the first from ``generation``, by whether they came from the result cache (the
    Server-Timing header); and per worker its first ``after`` answers from ``generation``,
    as (seconds, from the cache)."""
    earlier: list[tuple[float, bool]] = []
    first: dict[str, list[tuple[float, bool]]] = {}
    for line in access_log.read_text(errors="replace").splitlines():
        parts = line.split(" ", 3)
        if len(parts) != 4:
            continue
        answer = (float(parts[1]), "hit" in parts[3])  # cache;desc="hit", escaped
        if etag_generation(parts[2]) == generation:
            times = first.setdefault(parts[0], [])
            if len(times) < after:
                times.append(answer)
        elif not first:
            earlier.append(answer)
    kinds = {hit: [t for t, h in earlier[-before:] if h == hit] for hit in (True, False)}
    return kinds, first


def indexer(command: str, src: Path, index: Path, tmp: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "indexer", command, str(src), "--index", str(index),
         "--workers", "2", "--json", "--progress", "none"],
        cwd=PROJECT, capture_output=True, text=True, env={**os.environ, "TMPDIR": str(tmp)},
    )
    if out.returncode not in (0, 1):
        raise SystemExit(f"{command} failed ({out.returncode}):\n{out.stderr}")
    return time.perf_counter() - started, json.loads(out.stdout)


def sources(src: Path, articles: int, corpus: Path = CORPUS) -> list[dict]:
    if corpus.exists():
        with gzip.open(corpus, "rt", encoding="utf-8") as lines:
            items = [json.loads(line) for _, line in zip(range(articles), lines)]
    else:
        print(f"{corpus} is absent: using data/ instead")
        items = []
        for path in sorted((PROJECT / "data").rglob("*.txt")):
            title, _, body = path.read_text("utf-8").partition("\n")
            items.append({"id": path.stem, "title": title, "body": body})
    write_jsonl(src / "articles.jsonl", items)
    return items


def write_jsonl(path: Path, items: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help=f"JSON Lines articles (default {CORPUS})")
    parser.add_argument("--updates", type=int, default=5,
                        help="updates after the rebuild, each one index switch (default 5)")
    parser.add_argument("--warm-on-request", action="store_true",
                        help="the request that sees a switch warms the new generation")
    args = parser.parse_args()
    print(machine())
    print(f"start: {load()}")
    work = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    server = server_log = None
    try:
        tmp = work / "tmp"
        tmp.mkdir()
        src = work / "src"
        src.mkdir()
        index = work / "index"
        items = sources(src, args.articles, args.corpus)
        seconds, summary = indexer("build", src, index, tmp)
        print(f"initial build: {summary['articles']:,} articles in {seconds:.1f} s")

        port = free_port()
        server_log = open(work / "gunicorn.log", "wb")
        settings = {"RATE_LIMIT": "off"}
        if args.warm_on_request:
            settings["WARM_IN_BACKGROUND"] = False
        access_log = work / "access.log"
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:webui.gunicorn_conf",
             "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
             "--access-logfile", str(access_log),
             "--access-logformat", "%(p)s %(L)s %({etag}o)s %({server-timing}o)s",
             f"webui:create_app({settings!r})"],
            cwd=PROJECT, env={**os.environ, "INDEX_DIR": str(index), "TMPDIR": str(tmp)},
            stdout=server_log, stderr=subprocess.STDOUT,  # the app logs every request
        )
        wait_until_up(server, port, work / "gunicorn.log")

        rng = random.Random(7)
        queries = [""]
        for item in rng.sample(items, min(200, len(items))):
            words = (item.get("title") or "").split()
            if len(words) >= 2:
                start = rng.randrange(0, len(words) - 1)
                queries.append(" ".join(words[start:start + rng.choice((1, 2, 3))]))
        clients = Clients(port, queries, args.clients, time.monotonic() + args.max_seconds)
        clients.start()
        time.sleep(5)
        clients.phase = "rebuild"
        build_seconds, built = indexer("build", src, index, tmp)
        switches = [("rebuild", built["generation"], time.perf_counter())]
        clients.phase = "between"
        time.sleep(20)  # the workers warm the new generation meanwhile
        update_seconds = []
        for n in range(args.updates):
            # another 1% of the articles changed each time
            changed = [dict(item, body=(item.get("body") or "") + f"\nBài viết được cập nhật {n}.")
                       if i % 100 == n % 100 else item for i, item in enumerate(items)]
            write_jsonl(src / "articles.jsonl", changed)
            clients.phase = "update"
            seconds, summary = indexer("update", src, index, tmp)
            update_seconds.append(seconds)
            switches.append((f"update {n + 1}", summary["generation"], time.perf_counter()))
            clients.phase = "after"
            time.sleep(30 if n == args.updates - 1 else 20)
        clients.finish()

        print(f"rebuild {build_seconds:.1f} s, {args.updates} updates, median "
              f"{statistics.median(update_seconds or [float('nan')]):.1f} s "
              f"({summary['updated']} updated, {summary['unchanged']} unchanged); "
              f"{args.clients} clients, gunicorn 2 workers")
        print(f"{'phase':10}{'requests':>10}{'failed':>8}{'median ms':>11}{'p95 ms':>9}"
              f"{'max ms':>9}")
        phases = ["before", "rebuild", "between", "update", "after"]
        for phase in phases + ["all"]:
            rows = [r for r in clients.records if phase == "all" or r[0] == phase]
            ms = [1000 * r[2] for r in rows]
            failed = [r for r in rows if r[3] != "ok"]
            print(f"{phase:10}{len(rows):10}{len(failed):8}"
                  f"{statistics.median(ms) if ms else float('nan'):11.1f}"
                  f"{percentile(ms, 95):9.1f}{max(ms) if ms else float('nan'):9.1f}")
        failures = [r for r in clients.records if r[3] != "ok"]
        for phase, _, _, outcome, _ in failures[:10]:
            print(f"  failed during {phase}: {outcome}")
        warming = "on the first request" if args.warm_on_request else "in the background"
        print(f"after each switch (server times from the access log; warming {warming}; "
              f"target: the first request of each worker within 2x the median before):")
        kind = {True: "answered from the result cache", False: "computed"}
        firsts: list[tuple[float, float]] = []  # (x the median before, share of those faster)
        for name, generation, switched in switches:
            earlier, first = around_switch(access_log, generation)
            first_answer = min((r[1] for r in clients.records if r[4] == generation),
                               default=None)
            if first_answer is None:
                print(f"  {name}: no answer from the new generation before the end")
                continue
            medians = {hit: 1000 * statistics.median(times) if times else float("nan")
                       for hit, times in earlier.items()}
            print(f"  {name}: first answer from the new generation "
                  f"{first_answer - switched:+.1f} s after the indexer ended; before it, median "
                  f"{medians[True]:.1f} ms answered from the cache "
                  f"({len(earlier[True])}), {medians[False]:.1f} ms computed "
                  f"({len(earlier[False])})")
            for worker, answers in first.items():
                seconds, hit = answers[0]
                before = earlier[hit]
                firsts.append((1000 * seconds / medians[hit],
                               sum(t < seconds for t in before) / max(len(before), 1)))
                print(f"  {name}: worker {worker}: first request {1000 * seconds:.1f} ms, "
                      f"{kind[hit]} ({1000 * seconds / medians[hit]:.1f}x the median of its "
                      f"kind before); its first {len(answers)}: "
                      f"{sum(h for _, h in answers)} from the cache, median "
                      f"{1000 * statistics.median(t for t, _ in answers):.1f} ms")
            # from 5 s before the first answer from the new generation (while it was being
            # warmed) to 10 s after
            window = [1000 * r[2] for r in clients.records
                      if first_answer - 5 <= r[1] < first_answer + 10]
            print(f"  {name}: client times from 5 s before to 10 s after: {len(window)} requests,"
                  f" p95 {percentile(window, 95):.1f} ms, max "
                  f"{max(window, default=float('nan')):.1f} ms")
        if firsts:
            ratios = sorted(r for r, _ in firsts)
            print(f"first request of each worker after each switch: {len(firsts)} in all, "
                  f"median {statistics.median(ratios):.1f}x the median of its kind before "
                  f"(target 2x), {sum(r <= 2 for r in ratios)} within 2x, highest "
                  f"{ratios[-1]:.1f}x; it was slower than a median "
                  f"{100 * statistics.median(p for _, p in firsts):.0f}% of the requests "
                  f"before it (50% is an ordinary request)")
        print(f"requests {len(clients.records)}, failed {len(failures)} (target 0)")
        errors = [line for line in (work / "gunicorn.log").read_text(errors="replace").splitlines()
                  if "ERROR" in line or "Traceback" in line]
        print(f"server log: {len(errors)} error line(s)")
        for line in errors[:5]:
            print(f"  {line}")
        print(f"end: {load()}")
    finally:
        if server is not None and server.poll() is None:
            stop_server(server)
        if server_log is not None:
            server_log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

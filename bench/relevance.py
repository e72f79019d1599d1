"""Relevance benchmark: recall@10 and MRR@10 of the search against a naive baseline.

    .venv/bin/python bench/relevance.py                     # ViQuAD, ALQAC and the known items
    .venv/bin/python bench/relevance.py --sets viquad --limit 500

Sets:
  viquad, alqac  ../shared/eval/<set>: human questions with judged passages; run with the
                 questions as given and with every accent stripped.
  known          bench/known_items.jsonl: queries written the way readers type, each with the
                 one article of ../shared/corpus it should find, by style.
  readers        bench/readers/: queries written by reading a target article of
                 ../shared/corpus before any was run (questions, paraphrases, mixed accents,
                 typos, ...), split once by target; --half tune (what ranking is tuned on) or
                 --half test (what is reported).

The readers' baseline is BM25 over syllables with every accent folded away on both sides
(bench/naive.py), computed in the same run.

The baselines, indexed and queried in the same run: syllables split on non-word characters,
lowercased, BM25, any word may match — no other Vietnamese handling ("naive"); and the same
with every accent folded away on both sides ("folded", bench/naive.py).
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from whoosh import index as whoosh_index  # noqa: E402
from whoosh import query as Q  # noqa: E402
from whoosh.analysis import LowercaseFilter, RegexTokenizer  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402

from indexer import analysis, store  # noqa: E402
from indexer.article import Article  # noqa: E402
from indexer.schema import document  # noqa: E402
from indexer.write import BuildReport, build, write_generation  # noqa: E402

from bench.naive import FoldedBM25  # noqa: E402

SHARED = PROJECT.parent / "shared"
K = 10


def read_jsonl(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


# -- the two engines ---------------------------------------------------------------------------


class Ours:
    """The product's search, through the search core (no web app, no result cache)."""

    def __init__(self, root: Path):
        from webui.core import LiveIndex

        self.live = LiveIndex(root)

    def run(self, queries: list[str]) -> list[list[str]]:
        from webui.core import SearchRequest, search

        gen = self.live.generation()
        return [[hit["id"] for hit in search(SearchRequest(q=q, per_page=K, facet_size=1),
                                              gen).hits]
                for q in queries]


class Naive:
    """Syllables, lowercase, BM25, OR: the baseline of ../shared/eval/README.md."""

    def __init__(self, root: Path, docs: list[tuple[str, str]]):
        analyzer = RegexTokenizer(r"\w+") | LowercaseFilter()
        schema = Schema(id=ID(stored=True, unique=True), text=TEXT(analyzer=analyzer))
        root.mkdir(parents=True, exist_ok=True)
        self.ix = whoosh_index.create_in(str(root), schema)
        with self.ix.writer(limitmb=256) as writer:
            for doc_id, text in docs:
                writer.add_document(id=doc_id, text=text)
        self.analyzer = analyzer

    def run(self, queries: list[str]) -> list[list[str]]:
        out = []
        with self.ix.searcher() as searcher:
            for q in queries:
                terms = list(dict.fromkeys(t.text for t in self.analyzer(q)))
                if not terms:
                    out.append([])
                    continue
                hits = searcher.search(Q.Or([Q.Term("text", t) for t in terms]), limit=K)
                out.append([hit["id"] for hit in hits])
        return out


# -- metrics -----------------------------------------------------------------------------------


def score(ranked: list[list[str]], relevant: list[set[str]]) -> dict:
    recall, rr = [], []
    for got, wanted in zip(ranked, relevant):
        rank = next((i for i, doc in enumerate(got[:K], 1) if doc in wanted), None)
        recall.append(1.0 if rank else 0.0)
        rr.append(1.0 / rank if rank else 0.0)
    return {"queries": len(ranked), "recall@10": statistics.fmean(recall),
            "mrr@10": statistics.fmean(rr)}


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


# -- the sets ----------------------------------------------------------------------------------


def read_eval(name: str, limit: int | None) -> tuple[list[dict], list[dict], list[set[str]]]:
    """An eval set's passages, its first ``limit`` judged questions and their relevant ids."""
    folder = SHARED / "eval" / name
    passages = list(read_jsonl(folder / "corpus.jsonl.gz"))
    queries = list(read_jsonl(folder / "queries.jsonl.gz"))[:limit]
    qrels: dict[str, set[str]] = defaultdict(set)
    for line in (folder / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, doc_id, rel = line.split("\t")
        if int(rel) > 0:
            qrels[qid].add(doc_id)
    queries = [q for q in queries if q["id"] in qrels]
    return passages, queries, [qrels[q["id"]] for q in queries]


def index_passages(passages: list[dict], root: Path) -> None:
    """Our index of eval passages (title and text), live in ``root``."""
    docs = (document(Article(id=p["id"], title=p.get("title") or "", body=p["text"]))
            for p in passages)
    store.publish(root, write_generation(root, docs, BuildReport()), {})


def eval_set(name: str, limit: int | None, workdir: Path) -> list[dict]:
    passages, queries, relevant = read_eval(name, limit)
    root = workdir / name
    _, build_ours = timed(index_passages, passages, root)
    docs = [(p["id"], (p.get("title") or "") + "\n" + p["text"]) for p in passages]
    naive, build_naive = timed(Naive, workdir / f"{name}-naive", docs)
    folded = FoldedBM25.build(docs)
    ours = Ours(root)
    rows = []
    for style, texts in (("as given", [q["text"] for q in queries]),
                         ("accents stripped", [analysis.fold(q["text"]) for q in queries])):
        for engine, runner in (("naive", naive), ("folded", folded), ("ours", ours)):
            ranked, seconds = timed(runner.run, texts)
            rows.append({"set": name, "style": style, "engine": engine,
                         **score(ranked, relevant), "ms/query": 1000 * seconds / len(texts)})
    print(f"# {name}: {len(passages)} passages, {len(queries)} queries; "
          f"build ours {build_ours:.1f} s, naive {build_naive:.1f} s", file=sys.stderr)
    return rows


def known_set(workdir: Path, index_dir: Path | None, baseline: bool = True) -> list[dict]:
    items = list(read_jsonl(PROJECT / "bench" / "known_items.jsonl"))
    files = sorted({item["file"] for item in items})
    root = index_dir or workdir / "known"
    if not (root / store.CURRENT).exists():
        sources = [str(SHARED / "corpus" / f) for f in files]
        report, seconds = timed(build, sources, root, 1, 2)
        print(f"# known: built {report.indexed} articles in {seconds:.0f} s", file=sys.stderr)
    ours = Ours(root)
    engines = [("ours", ours)]
    if baseline:
        naive_docs = []
        for f in files:
            for row in read_jsonl(SHARED / "corpus" / f):
                naive_docs.append((row["id"], "\n".join(
                    filter(None, [row.get("title"), row.get("summary"), row.get("body")]))))
        engines.insert(0, ("naive", Naive(workdir / "known-naive", naive_docs)))
    rows = []
    by_style: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_style[item["style"]].append(item)
    for style, group in sorted(by_style.items()):
        texts = [i["query"] for i in group]
        relevant = [{i["target"]} for i in group]
        for engine, runner in engines:
            ranked, seconds = timed(runner.run, texts)
            rows.append({"set": "known", "style": style, "engine": engine,
                         **score(ranked, relevant), "ms/query": 1000 * seconds / len(texts)})
    return rows


def readers_set(workdir: Path, index_dir: Path | None, half: str, baseline: bool = True,
                naive_cache: Path | None = None) -> list[dict]:
    sys.path.insert(0, str(PROJECT / "bench" / "readers"))
    import split  # noqa: PLC0415 (bench/readers/split.py)

    items = split.load(None if half == "all" else half)
    root = index_dir or workdir / "corpus"
    if not (root / store.CURRENT).exists():
        sources = [str(SHARED / "corpus")]
        report, seconds = timed(build, sources, root, 1, 2)
        print(f"# readers: built {report.indexed} articles in {seconds:.0f} s", file=sys.stderr)
    engines = [("ours", Ours(root))]
    if baseline:
        def docs():
            for path in sorted((SHARED / "corpus").glob("*.jsonl.gz")):
                for row in read_jsonl(path):
                    yield row["id"], "\n".join(
                        filter(None, [row.get("title"), row.get("summary"), row.get("body")]))
        naive, seconds = timed(FoldedBM25.build, docs(), naive_cache)
        print(f"# readers: naive folded BM25 ready in {seconds:.0f} s", file=sys.stderr)
        engines.insert(0, ("folded", naive))
    by_style: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_style[item["style"]].append(item)
    by_style["ALL"] = items
    rows = []
    for style, group in sorted(by_style.items()):
        texts = [i["query"] for i in group]
        relevant = [{i["target"]} for i in group]
        for engine, runner in engines:
            ranked, seconds = timed(runner.run, texts)
            rows.append({"set": f"readers-{half}", "style": style, "engine": engine,
                         **score(ranked, relevant), "ms/query": 1000 * seconds / len(texts)})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", default=["viquad", "alqac", "known"],
                        choices=["viquad", "alqac", "known", "readers"])
    parser.add_argument("--half", choices=["tune", "test", "all"], default="tune",
                        help="readers: which half of the split (default tune)")
    parser.add_argument("--naive-cache", type=Path,
                        help="readers: keep the baseline's matrix here between runs")
    parser.add_argument("--limit", type=int, help="first N questions of each eval set")
    parser.add_argument("--known-index", type=Path,
                        help="reuse (or create) the corpus index for the known items here")
    parser.add_argument("--no-baseline", action="store_true",
                        help="known items: skip indexing the corpus a second time for the baseline")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args()
    if not SHARED.exists():
        print(f"{SHARED} is absent: the benchmark reads the shared data in place", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets:
            if name == "known":
                rows += known_set(Path(tmp), args.known_index, not args.no_baseline)
            elif name == "readers":
                rows += readers_set(Path(tmp), args.known_index, args.half,
                                    not args.no_baseline, args.naive_cache)
            else:
                rows += eval_set(name, args.limit, Path(tmp))
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.node()}")
    print(f"{'set':13} {'style':18} {'engine':6} {'queries':>7} {'recall@10':>9} "
          f"{'MRR@10':>7} {'ms/query':>8}")
    for r in rows:
        print(f"{r['set']:13} {r['style']:18} {r['engine']:6} {r['queries']:7d} "
              f"{r['recall@10']:9.3f} {r['mrr@10']:7.3f} {r['ms/query']:8.1f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

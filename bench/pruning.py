"""Pruned retrieval against exhaustive scoring: the same top 10, and how much faster.

    .venv/bin/python bench/pruning.py --index /work/idx/179k [--half test]

For each readers' query (bench/readers/, the half given) and each query of the short mix,
``retrieve`` runs twice on the same generation: over the articles holding an essential unit
(as searches do) and over every article (``prune=False``). Prints the share of queries with
the same top 10 (by retrieval score; ties by document number) and the same matches, and the
median and p95 time of each way, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench" / "readers"))

from webui.core.generation import LiveIndex, days, live_mask, warm_up  # noqa: E402
from webui.core.query import parse  # noqa: E402
from webui.core.retrieval import retrieve  # noqa: E402
from webui.core.postings import postings  # noqa: E402
from webui.core.scoring import Evaluator  # noqa: E402
from webui.core.spelling import vocabulary  # noqa: E402


def top(found, k: int = 10) -> list[int]:
    docs = np.flatnonzero(found.mask)
    if found.score is None:
        return docs[:k].tolist()
    order = np.lexsort((docs, -found.score[docs]))
    return docs[order[:k]].tolist()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--half", choices=["tune", "test", "all"], default="test")
    args = parser.parse_args()
    import split  # noqa: PLC0415 (bench/readers/split.py)

    try:
        queries = [q["query"] for q in split.load(None if args.half == "all" else args.half)]
    except (OSError, ValueError) as error:
        print(f"the readers' queries need ../shared/corpus: {error}", file=sys.stderr)
        return 2
    with open(PROJECT / "bench" / "query_mix.jsonl", encoding="utf-8") as lines:
        queries += [json.loads(line)["q"] for line in lines if line.strip()]
    queries = [q for q in queries if q.strip()]
    live = LiveIndex(args.index)
    gen = live.generation()
    warm_up(gen, close=False)
    same_top = same_matches = 0
    took: dict[bool, list[float]] = {True: [], False: []}
    with gen.searcher() as searcher:
        evaluator = Evaluator(searcher, postings(gen), live_mask(gen))

        def run(q: str, prune: bool):
            started = time.perf_counter()
            found = retrieve(parse(q), evaluator, searcher.reader(), vocabulary(gen),
                             scored=True, days=days(gen), prune=prune)
            took[prune].append((time.perf_counter() - started) * 1000)
            return found

        for q in queries:  # one pass to read the postings, then the measured one
            run(q, True), run(q, False)
        took = {True: [], False: []}
        for q in queries:
            pruned, exhaustive = run(q, True), run(q, False)
            same_top += top(pruned) == top(exhaustive)
            same_matches += bool(np.array_equal(pruned.mask, exhaustive.mask))
    live.close()

    def p95(values: list[float]) -> float:
        return sorted(values)[int(0.95 * (len(values) - 1))]

    n = len(queries)
    print(f"{n} queries ({args.half} half of the readers' and the short mix), {args.index}")
    print(f"same top 10: {same_top}/{n} ({same_top / n:.1%}); "
          f"same matches: {same_matches}/{n} ({same_matches / n:.1%})")
    for prune, label in ((True, "pruned"), (False, "exhaustive")):
        print(f"retrieve {label:10}: p50 {statistics.median(took[prune]):6.1f} ms, "
              f"p95 {p95(took[prune]):6.1f} ms")
    print(f"ratio of medians: {statistics.median(took[False]) / statistics.median(took[True]):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

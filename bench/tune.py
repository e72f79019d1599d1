"""MRR@10 on ALQAC and ViQuAD for variants of the ranking constants, one at a time.

    .venv/bin/python bench/tune.py [--viquad-limit 600]

Indexes both eval sets once, then scores the questions as given and with their accents
stripped for the current constants and for each variant below (the proximity rerank's
bonuses in webui/core/ranking.py, the boosts in webui/core/query.py, the weight of the accents
restored for an unaccented query). The search core keeps no results here, so every variant
really searches.
What it prints is how the constants in the code were chosen (see the README).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
import webui.core.query as query_module  # noqa: E402
import webui.core.ranking as ranking_module  # noqa: E402
from indexer import analysis  # noqa: E402
from bench.relevance import SHARED, Ours, index_passages, read_eval, score  # noqa: E402

WORD_FIELDS = ("title", "summary", "body")
VARIANTS = [
    ("pair bonus", ranking_module, "PAIR_BONUS", (0.3, 1.0)),
    ("phrase bonus", ranking_module, "PHRASE_BONUS", (0.0, 0.6)),
    ("restored accents", ranking_module, "RESTORED_WEIGHT", (0.25, 1.0)),
    ("folded, accented query", query_module.BOOSTS, "fold_accented", (0.15, 0.5)),
    ("pyvi words", query_module.BOOSTS, WORD_FIELDS, (0.5, 1.5)),
]


def load(name: str, limit: int | None, workdir: Path):
    passages, queries, relevant = read_eval(name, limit)
    index_passages(passages, workdir / name)
    return Ours(workdir / name), [q["text"] for q in queries], relevant


def get(target, key):
    keys = key if isinstance(key, tuple) else (key,)
    read = (lambda k: target[k]) if isinstance(target, dict) else (lambda k: getattr(target, k))
    return {k: read(k) for k in keys}


def put(target, values: dict) -> None:
    for k, v in values.items():
        if isinstance(target, dict):
            target[k] = v
        else:
            setattr(target, k, v)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viquad-limit", type=int, default=600)
    args = parser.parse_args()
    if not (SHARED / "eval").exists():
        raise SystemExit(f"{SHARED / 'eval'} is absent: this benchmark needs the eval sets")
    workdir = Path(tempfile.mkdtemp(prefix="bench-tune-"))
    sets = {"alqac": load("alqac", None, workdir),
            "viquad": load("viquad", args.viquad_limit, workdir)}

    def run(label: str) -> None:
        cells = []
        for name, (ours, texts, relevant) in sets.items():
            for style, typed in (("as given", texts), ("stripped", map(analysis.fold, texts))):
                mrr = score(ours.run(list(typed)), relevant)["mrr@10"]
                cells.append(f"{name} {style} {mrr:.3f}")
        print(f"{label:<32} " + " | ".join(cells), flush=True)

    run("current constants")
    for label, target, key, values in VARIANTS:
        saved = get(target, key)
        for value in values:
            put(target, {k: value for k in saved})
            run(f"{label} = {value}")
        put(target, saved)


if __name__ == "__main__":
    main()

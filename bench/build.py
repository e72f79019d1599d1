"""Build time and index size at three archive sizes: Dân Trí, + VNDS, + everything.

    .venv/bin/python bench/build.py [--work DIR] [--workers 2] [--sizes 2.6k 25k 179k]
        [--keep] [--out results.json]

Each size is one ``python -m indexer build`` of the shared corpus files into DIR/<size>, timed
from outside: wall time, CPU time of the build and its workers, the peak RSS of the largest
process, and the size on disk of the generation built. With ``--keep`` the indexes stay for
bench/queries.py (``--index 25k=DIR/25k``); otherwise they are removed.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
from bench.reindex import load, machine  # noqa: E402

CORPUS_DIR = PROJECT.parent / "shared" / "corpus"
SIZES = {
    "2.6k": ["dantri-2019-2021.jsonl.gz"],
    "25k": ["dantri-2019-2021.jsonl.gz", "vnds-test.jsonl.gz"],
    "179k": ["dantri-2019-2021.jsonl.gz", "vnds-test.jsonl.gz", "news-2025-2026.jsonl.gz"],
}


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build(files: list[Path], index: Path, workers: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "indexer", "build", *map(str, files), "--index", str(index),
         "--workers", str(workers), "--json", "--progress", "none"],
        cwd=PROJECT, capture_output=True, text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode not in (0, 1):
        raise SystemExit(f"build failed ({out.returncode}):\n{out.stderr[-3000:]}")
    summary = json.loads(out.stdout)
    generation = (index / "current").resolve()
    return {
        "articles": summary["articles"],
        "wall_s": round(wall, 1),
        "cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 1),
        "peak_rss_mb": round(after.ru_maxrss / 1024),  # the largest process waited for so far
        "index_mb": round(folder_size(generation) / 2**20),
        "workers": workers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-build"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    parser.add_argument("--keep", action="store_true", help="keep the indexes built")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if not CORPUS_DIR.exists():
        raise SystemExit(f"{CORPUS_DIR} is absent: this benchmark needs the shared corpus")
    print(machine())
    print(f"start: {load()}")
    print(f"{'size':>6} {'articles':>9} {'wall s':>8} {'CPU s':>8} {'CPU/wall':>8} "
          f"{'peak RSS MB':>11} {'index MB':>9} {'ms/article':>10}")
    results = {}
    for label in args.sizes:
        index = args.work / label
        shutil.rmtree(index, ignore_errors=True)
        r = build([CORPUS_DIR / name for name in SIZES[label]], index, args.workers)
        results[label] = r
        print(f"{label:>6} {r['articles']:>9,} {r['wall_s']:>8.1f} {r['cpu_s']:>8.1f} "
              f"{r['cpu_s'] / r['wall_s']:>8.2f} {r['peak_rss_mb']:>11} {r['index_mb']:>9} "
              f"{1000 * r['wall_s'] / r['articles']:>10.2f}", flush=True)
        if not args.keep:
            shutil.rmtree(index, ignore_errors=True)
    print(f"end: {load()}")
    if args.out:
        args.out.write_text(json.dumps({"machine": machine(), "workers": args.workers,
                                        "sizes": results}, indent=1))
        print(f"written: {args.out}")


if __name__ == "__main__":
    main()

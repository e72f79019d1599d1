"""Kill -9 builds and updates at random moments; the live index must stay whole.

    .venv/bin/python bench/crash.py [--runs 20] [--articles N] [--seed S]

After a clean build and a clean update, each run starts `python -m indexer build` or `update`
(in turn; each update also changes 1% of the articles and adds one) and kills it with SIGKILL
at a random moment between its start and 110% of a clean run of the same command. After each
kill: the live index opens and answers a search, holds the articles of before or of after the
run, no worker process is left, and the lock is free. A final clean update must then hold exactly the
articles of the sources. Prints the machine, the load, each run and a summary.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
from bench.reindex import CORPUS, load, machine  # noqa: E402


def live_state(index: Path) -> tuple[str, int, int]:
    """(live generation, articles, hits for a common word) of the live index."""
    from whoosh import index as whoosh_index
    from whoosh.query import Term

    from indexer import store

    live = store.live_generation(index)
    ix = whoosh_index.open_dir(str(live))
    try:
        with ix.searcher() as searcher:
            hits = len(searcher.search(Term("text_syl", "của"), limit=None))
            return live.name, searcher.doc_count(), hits
    finally:
        ix.close()


def write_jsonl(path: Path, items: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")


def command_line(command: str, src: Path, index: Path) -> list[str]:
    return [sys.executable, "-m", "indexer", command, str(src), "--index", str(index),
            "--workers", "2", "--progress", "none", "--json"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--articles", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(machine())
    print(f"start: {load()}")
    work = Path(tempfile.mkdtemp(prefix="bench-crash-"))
    env = {**os.environ, "TMPDIR": str(work / "tmp")}  # pyvi's model files of killed runs
    (work / "tmp").mkdir()
    src, index = work / "src", work / "index"
    src.mkdir()
    problems: list[str] = []
    try:
        if CORPUS.exists():
            with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
                items = [json.loads(line) for _, line in zip(range(args.articles), lines)]
        else:
            print(f"{CORPUS} is absent: using data/ instead")
            items = [{"id": p.stem, "title": p.read_text("utf-8").partition("\n")[0],
                      "body": p.read_text("utf-8").partition("\n")[2]}
                     for p in sorted((PROJECT / "data").rglob("*.txt"))]
        write_jsonl(src / "articles.jsonl", items)

        clean = {}
        for command in ("build", "update"):
            if command == "update":
                items = [dict(item, body=(item.get("body") or "") + "\nCập nhật.")
                         if i % 100 == 0 else item for i, item in enumerate(items)]
                write_jsonl(src / "articles.jsonl", items)
            started = time.perf_counter()
            first = subprocess.run(command_line(command, src, index), env=env, cwd=PROJECT,
                                   capture_output=True, text=True)
            clean[command] = time.perf_counter() - started
            assert first.returncode == 0, first.stderr
            print(f"clean {command}: {len(items):,} articles in {clean[command]:.1f} s; its "
                  f"kills fall in 0–{1.1 * clean[command]:.1f} s")

        outcomes = []
        for run in range(1, args.runs + 1):
            command = "build" if run % 2 else "update"
            before = live_state(index)
            if command == "update":
                items = [dict(item, body=(item.get("body") or "") + f"\nCập nhật lần {run}.")
                         if i % 100 == run % 100 else item for i, item in enumerate(items)]
                items.append({"id": f"crash-{run}", "title": f"Bài thêm lần {run}",
                              "body": f"Nội dung của bài thêm lần {run}."})
                write_jsonl(src / "articles.jsonl", items)
            delay = rng.uniform(0, 1.1 * clean[command])
            proc = subprocess.Popen(command_line(command, src, index), env=env, cwd=PROJECT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                proc.wait(timeout=delay)
                killed = False
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                killed = True
            time.sleep(0.3)  # the workers die with their parent
            left = subprocess.run(["pgrep", "-f", f"{index} --workers"], capture_output=True,
                                  text=True).stdout.split()
            from indexer.lock import holder

            lock = holder(index)
            try:
                after = live_state(index)
            except Exception as exc:  # noqa: BLE001 - this is what the script looks for
                after = ("", -1, -1)
                problems.append(f"run {run}: live index unusable: {type(exc).__name__}: {exc}")
            switched = after[0] != before[0]
            expected = {before[1], len(items)}
            ok = after[1] in expected and after[2] > 0 and not left and not (lock and lock["alive"])
            if not ok:
                problems.append(f"run {run}: articles {after[1]} (expected one of {expected}), "
                                f"hits {after[2]}, workers left {left}, lock {lock}")
            outcomes.append((killed, delay, switched))
            print(f"run {run:2}: {command:6} {'killed at' if killed else 'finished before'} "
                  f"{delay:5.1f} s; live {'switched' if switched else 'unchanged'}, "
                  f"{after[1]:,} articles, search {'ok' if after[2] > 0 else 'FAILED'}"
                  f"{'' if ok else '  <-- problem'}", flush=True)

        final = subprocess.run(command_line("update", src, index), env=env, cwd=PROJECT,
                               capture_output=True, text=True)
        summary = json.loads(final.stdout) if final.stdout else {}
        state = live_state(index)
        ids = {item["id"] for item in items}
        unfinished = [p.name for p in (index / "generations").iterdir()
                      if not (p / "generation.json").exists()]
        print(f"final clean update: exit {final.returncode}, {state[1]:,} articles live, "
              f"{len(ids):,} in the sources; cleared {len(summary.get('cleared', []))} "
              f"unfinished generation(s) left by kills; unfinished now: {len(unfinished)}")
        if final.returncode != 0 or state[1] != len(ids) or unfinished:
            problems.append("final run: the index does not hold exactly the sources' articles")
        killed = [o for o in outcomes if o[0]]
        print(f"\n{len(outcomes)} runs: {len(killed)} killed mid-run, "
              f"{len(outcomes) - len(killed)} finished before the kill; kill moments median "
              f"{statistics.median(o[1] for o in outcomes):.1f} s")
        print(f"problems: {len(problems)}")
        for problem in problems:
            print(f"  {problem}")
        print(f"end: {load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

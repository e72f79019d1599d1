"""Build and update timings on a real corpus, against pyvi alone on the same text.

    .venv/bin/python bench/reindex.py [--corpus FILE] [--limit N] [--repeat R]

Measures, in one run and on the same articles:
- pyvi only: ViTokenizer.tokenize over every title, summary and body, in one process;
- `python -m indexer build` with 1 and with 2 worker processes (wall time of the command);
- `python -m indexer update` (2 workers) after 1% of the articles changed.
Prints the machine, the load before and after, every timing and the medians, and the targets:
2 workers ≥ 1.7× one; build ≤ 2× pyvi alone; update ≤ 10% of the build.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
CORPUS = PROJECT.parent / "shared" / "corpus" / "vnds-test.jsonl.gz"


def machine() -> str:
    """One line about the machine this ran on."""
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal"))) / 2**20
    except (OSError, StopIteration):
        mem = 0.0
    return (f"{platform.node()}: {os.cpu_count()} cores ({model}), {mem:.0f} GiB, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def batches(items, size: int):
    """The items in lists of ``size`` (the last one shorter)."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def copy_corpus(source: Path, target: Path, limit: int | None) -> list[str]:
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        kept = [line for _, line in zip(range(limit or 10**9), lines)]
    with gzip.open(target, "wt", encoding="utf-8") as out:
        out.writelines(kept)
    return kept


def change_one_percent(target: Path, lines: list[str]) -> int:
    changed = 0
    out = []
    for i, line in enumerate(lines):
        if i % 100 == 0:
            article = json.loads(line)
            article["body"] = (article.get("body") or "") + "\nBài viết được cập nhật lúc 8 giờ."
            line = json.dumps(article, ensure_ascii=False) + "\n"
            changed += 1
        out.append(line)
    with gzip.open(target, "wt", encoding="utf-8") as handle:
        handle.writelines(out)
    return changed


def pyvi_only(lines: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of pyvi alone over the articles' text, in this process."""
    from pyvi import ViTokenizer

    from indexer.analysis import normalize

    texts = []
    for line in lines:
        article = json.loads(line)
        texts += [normalize(article.get(k) or "") for k in ("title", "summary", "body")]
    ViTokenizer.tokenize("khởi động")  # the model loads once, outside the timing
    cpu = time.process_time()
    started = time.perf_counter()
    for text in texts:
        if text:
            ViTokenizer.tokenize(text)
    return time.perf_counter() - started, time.process_time() - cpu


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all processes, from /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return float("nan")
    ticks = [int(x) for x in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stages(lines: list[str], count: int) -> dict[str, float]:
    """CPU seconds of each stage of the pipeline on the first ``count`` articles, one process."""
    from whoosh import index as whoosh_index

    from indexer.analysis import normalize
    from indexer.extract import extract
    from indexer.parse import parse_record
    from indexer.record import Record
    from indexer.schema import document, make_schema

    from pyvi import ViTokenizer

    records = [Record("json", "bench", i, json.loads(line)) for i, line in enumerate(lines[:count])]
    out: dict[str, float] = {}
    clock = time.process_time
    started = clock()
    for r in records:
        for key in ("title", "summary", "body"):
            if r.data.get(key):
                ViTokenizer.tokenize(normalize(r.data[key]))
    out["pyvi"] = clock() - started
    started = clock()
    articles = [extract(parse_record(r)) for r in records]
    out["parse + extract"] = clock() - started
    started = clock()
    docs = [document(a) for a in articles]
    out["analysis (pyvi included)"] = clock() - started
    folder = Path(tempfile.mkdtemp(prefix="bench-stages-"))
    try:
        ix = whoosh_index.create_in(str(folder), make_schema())
        started = clock()
        with ix.writer(limitmb=128) as writer:
            for doc in docs:
                writer.add_document(**doc)
        out["Whoosh writing"] = clock() - started
        ix.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def indexer(command: str, src: Path, index: Path, workers: int, tmp: Path) -> tuple[float, dict]:
    """Wall seconds of one indexer command, and its JSON summary (with its CPU seconds)."""
    cpu = cpu_of_children()
    busy = busy_seconds()
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "indexer", command, str(src), "--index", str(index),
         "--workers", str(workers), "--json", "--progress", "none"],
        cwd=PROJECT, capture_output=True, text=True, env={**os.environ, "TMPDIR": str(tmp)},
    )
    seconds = time.perf_counter() - started
    if out.returncode not in (0, 1):
        raise SystemExit(f"{command} failed ({out.returncode}):\n{out.stderr}")
    summary = json.loads(out.stdout)
    summary["cpu_seconds"] = cpu_of_children() - cpu  # the command and its workers
    # what other processes took meanwhile: on 2 cores, one busy neighbour halves a 2-worker run
    summary["others_cores"] = (busy_seconds() - busy - summary["cpu_seconds"]) / seconds
    return seconds, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, help="first N articles only")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--stages", type=int, default=500, metavar="N",
                        help="articles for the per-stage CPU breakdown (0: none)")
    args = parser.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"{args.corpus} is absent: this benchmark reads the shared corpus")

    print(machine())
    print(f"start: {load()}")
    work = Path(tempfile.mkdtemp(prefix="bench-reindex-"))
    try:
        (work / "tmp").mkdir()
        src = work / "src"
        src.mkdir()
        corpus = src / "corpus.jsonl.gz"
        lines = copy_corpus(args.corpus, corpus, args.limit)
        print(f"corpus: {len(lines):,} articles of {args.corpus.name}, "
              f"{sum(len(x) for x in lines) / 2**20:.0f} MB of JSON")
        names = ("pyvi only", "build 1 worker", "build 2 workers", "update 1% (2 workers)")
        times: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}
        for r in range(args.repeat):
            copy_corpus(args.corpus, corpus, args.limit)
            wall, used = pyvi_only(lines)
            times["pyvi only"].append(wall)
            cpu["pyvi only"].append(used)
            print(f"[{r + 1}] pyvi only {wall:.1f} s, cpu {used:.1f} s ({load()})", flush=True)
            for workers in (1, 2):
                index = work / f"index{workers}"
                shutil.rmtree(index, ignore_errors=True)
                seconds, summary = indexer("build", src, index, workers, work / "tmp")
                name = f"build {workers} worker{'s' if workers > 1 else ''}"
                times[name].append(seconds)
                cpu[name].append(summary["cpu_seconds"])
                print(f"[{r + 1}] build, {workers} worker(s): {seconds:.1f} s, "
                      f"cpu {summary['cpu_seconds']:.1f} s "
                      f"({summary['cpu_seconds'] / seconds:.2f} cores; other processes "
                      f"{summary['others_cores']:.2f} cores), "
                      f"{summary['articles']:,} articles ({load()})", flush=True)
            changed = change_one_percent(corpus, lines)
            seconds, summary = indexer("update", src, work / "index2", 2, work / "tmp")
            times["update 1% (2 workers)"].append(seconds)
            cpu["update 1% (2 workers)"].append(summary["cpu_seconds"])
            print(f"[{r + 1}] update after changing {changed} articles: {seconds:.1f} s, "
                  f"cpu {summary['cpu_seconds']:.1f} s — "
                  f"updated {summary['updated']}, unchanged {summary['unchanged']}, "
                  f"added {summary['added']}, removed {summary['removed']} ({load()})", flush=True)
        med = {name: statistics.median(values) for name, values in times.items()}
        med_cpu = {name: statistics.median(values) for name, values in cpu.items()}
        print(f"\nmedians of {args.repeat} run(s), {len(lines):,} articles "
              "(wall seconds; CPU seconds of the process and its workers):")
        for name, value in med.items():
            print(f"  {name:24} {value:8.1f} s   {len(lines) / value:7.0f} articles/s   "
                  f"cpu {med_cpu[name]:8.1f} s")
        one, two, pyvi = med["build 1 worker"], med["build 2 workers"], med["pyvi only"]
        upd = med["update 1% (2 workers)"]
        print(f"  2 workers vs 1          {one / two:8.2f}×   (target ≥ 1.7×)")
        print(f"  build 1 worker / pyvi   {one / pyvi:8.2f}×   (target ≤ 2×)")
        print(f"  build 2 workers / pyvi  {two / pyvi:8.2f}×")
        print(f"  update / build 2        {100 * upd / two:7.1f} %   (target ≤ 10%)")
        one_cpu = med_cpu["build 1 worker"]
        print(f"  cpu: build 1 worker / pyvi {one_cpu / med_cpu['pyvi only']:.2f}×, "
              f"2 workers / 1 worker {med_cpu['build 2 workers'] / one_cpu:.2f}× "
              "(1.00 = no work added by splitting)")
        if args.stages:
            parts = stages(lines, args.stages)
            total = sum(v for k, v in parts.items() if k != "pyvi")
            print(f"\nCPU seconds per stage, {min(args.stages, len(lines))} articles, one process:")
            for name, value in parts.items():
                print(f"  {name:26} {value:7.2f} s   {100 * value / total:5.1f}% of the pipeline")
            print(f"  pipeline / pyvi alone      {total / parts['pyvi']:7.2f}×")
        print(f"end: {load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Build time and index size at three archive sizes, against pyvi alone on the same texts.

    .venv/bin/python bench/build.py [--work DIR] [--workers 2] [--sizes 2.6k 25k 179k]
        [--stages N] [--keep] [--out results.json]

Each size is one ``python -m indexer build`` of the shared corpus files into DIR/<size>, timed
from outside: wall time, CPU time of the build and its workers, the peak RSS of the largest
process, and the size on disk of the generation built. With ``--keep`` the indexes stay for
bench/queries.py (``--index 25k=DIR/25k``); otherwise they are removed.

In the same run, for the same files and ``--workers``, pyvi alone: the records are read in place
with indexer.sources and prepared by the indexer's own ``prepare()`` with the segmenter stubbed
out, which collects the exact texts the build hands to ``ViTokenizer.tokenize`` (title, summary,
body and captions, normalised). That collection is not timed. What is timed is loading pyvi's
model, then segmenting those texts in ``--workers`` forked processes fed batches of BATCH
records through a queue, as indexer.workers feeds the build's workers. The target is a build
taking at most TARGET times that.

With ``--stages N`` (0: none), N records picked evenly over the size's files go through the
build's stages in one process (the path of ``--workers 1``), each stage timed on its own: where
the build's time beyond pyvi goes.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
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
TARGET = 1.15  # the build may take this many times what pyvi alone takes on the same texts
STAGES_SAMPLE = 1500  # records through the timed stages, per size (30 s of Dân Trí's long ones)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def files_of(label: str) -> list[Path]:
    return [CORPUS_DIR / name for name in SIZES[label]]


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


def run_child(mode: str, label: str, workers: int, extra: list[str] = ()) -> dict:
    """One of the measurements below in a fresh interpreter, as the build runs in one."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--sizes", label,
         "--workers", str(workers), *extra],
        cwd=PROJECT, capture_output=True, text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} measurement failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout)


# -- pyvi alone -------------------------------------------------------------------------------

_segmented: list[str] = []  # texts handed to pyvi while one record is prepared


def _collect(text: str) -> list[str]:
    _segmented.append(text)
    return []  # no words: the rest of the analysis has nothing to align


def _texts_of(records: list) -> list[list[str]]:
    """The texts pyvi segments for each record, in order (the build segments every record)."""
    from indexer.documents import prepare

    out = []
    for record in records:
        _segmented.clear()
        prepare(record)
        out.append(list(_segmented))
    if "pyvi" in sys.modules:  # loaded by a call that bypassed the stub: texts were missed
        raise SystemExit("pyvi was called other than through indexer.analysis._pyvi_tokens")
    return out


def read_in_place(files: list[Path]):
    """The records of the files, read as the build reads them (skips and notices left out)."""
    from indexer.record import Record
    from indexer.sources import read_records

    for path in files:
        for record in read_records(path):
            if isinstance(record, Record):
                yield record


def segmented_texts(files: list[Path], workers: int) -> list[list[str]]:
    """The texts the build segments, per record, collected on ``workers`` processes."""
    from indexer import analysis
    from indexer.workers import batches

    # only what reaches pyvi matters here: the syllable views are skipped
    analysis._pyvi_tokens = _collect
    analysis._KINDS["syllables"] = analysis._KINDS["folded"] = lambda text: []
    if workers == 1:
        return [texts for batch in batches(read_in_place(files)) for texts in _texts_of(batch)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return [texts for done in pool.imap(_texts_of, batches(read_in_place(files)), 8)
                for texts in done]


def _segment(tasks, results) -> None:
    from pyvi import ViTokenizer

    while (task := tasks.get()) is not None:
        seq, batch = task
        results.put((seq, sum(len(ViTokenizer.tokenize(text).split())
                              for texts in batch for text in texts)))


def pyvi_only(files: list[Path], workers: int) -> dict:
    """pyvi's time on the build's texts: model load, then segmentation spread as the build's."""
    from indexer.workers import BATCH, batches

    collected = time.perf_counter()
    texts = segmented_texts(files, workers)
    collected = time.perf_counter() - collected
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    children_before = child_cpu()
    started = time.perf_counter()
    from pyvi import ViTokenizer  # loading the model, as the build does before forking

    ViTokenizer.tokenize("khởi động")
    loaded = time.perf_counter()
    tasks_sent = words = 0
    if workers == 1:
        for batch in batches(texts, BATCH):
            words += sum(len(ViTokenizer.tokenize(t).split()) for ts in batch for t in ts)
            tasks_sent += 1
    else:
        context = multiprocessing.get_context("fork")
        tasks, results = context.Queue(maxsize=2 * workers), context.Queue()
        procs = [context.Process(target=_segment, args=(tasks, results), daemon=True)
                 for _ in range(workers)]
        for proc in procs:
            proc.start()
        received = 0
        for batch in batches(texts, BATCH):
            tasks.put((tasks_sent, batch))
            tasks_sent += 1
            while not results.empty():  # taken as they come, as the build takes outcomes
                words += results.get()[1]
                received += 1
        for _ in procs:
            tasks.put(None)
        while received < tasks_sent:
            words += results.get()[1]
            received += 1
        for proc in procs:
            proc.join()
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (child_cpu() - children_before + cpu_after.ru_utime - cpu_before.ru_utime
           + cpu_after.ru_stime - cpu_before.ru_stime)
    return {
        "records": len(texts),
        "texts": sum(len(t) for t in texts),
        "chars": sum(len(s) for t in texts for s in t),
        "words": words,
        "wall_s": round(wall, 1),
        "load_s": round(loaded - started, 1),
        "cpu_s": round(cpu, 1),
        "collect_s": round(collected, 1),  # not part of wall_s
        "workers": workers,
    }


# -- the build's stages, timed one by one -----------------------------------------------------


class Stopwatch:
    """Seconds per stage, each less the stages it calls: a breakdown that adds up."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._inner: list[float] = []

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def wrap(self, stage: str, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            self._inner.append(0.0)
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                self.add(stage, elapsed - self._inner.pop())
                if self._inner:
                    self._inner[-1] += elapsed
        return timed


def stages(files: list[Path], sample: int, work: Path) -> dict:
    """Seconds per stage of building ``sample`` records picked evenly over the files.

    The path of ``--workers 1`` (indexer.workers.write_inline), with the functions each stage
    is made of wrapped in a stopwatch. Reading is timed over all the records and scaled.
    """
    from indexer import analysis, documents, extract, ministries, postings, schema, segments
    from indexer import store
    from indexer.workers import batches

    watch = Stopwatch()
    started = time.perf_counter()
    records = list(read_in_place(files))
    read = time.perf_counter() - started
    picked = [records[i * len(records) // sample] for i in range(min(sample, len(records)))]
    watch.add("read: gzip, JSON, digest", read * len(picked) / len(records))

    started = time.perf_counter()
    analysis.words("khởi động")  # pyvi's model, loaded once before the workers fork
    load = time.perf_counter() - started
    documents.prepare(picked[0])  # the gazetteer and word lists, loaded once per worker

    # the names each stage is called by, where it is called from
    documents.parse_record = watch.wrap("parse and clean", documents.parse_record)
    documents.extract = watch.wrap("entities: byline, joining", documents.extract)
    ministries.Gazetteer.find = watch.wrap("entities: ministries", ministries.Gazetteer.find)
    extract.find_persons = watch.wrap("entities: persons", extract.find_persons)
    documents.document = watch.wrap("document fields", documents.document)
    analysis._pyvi_tokens = watch.wrap("pyvi", analysis._pyvi_tokens)
    for kind, stage in (("words", "words: normalise, align"), ("syllables", "syllables"),
                        ("folded", "folded syllables")):
        analysis._KINDS[kind] = watch.wrap(stage, analysis._KINDS[kind])
    schema.alias_keys = watch.wrap("aliases", schema.alias_keys)
    segments.prepare = watch.wrap("prepare: rest", segments.prepare)

    root = work / "stages"
    shutil.rmtree(root, ignore_errors=True)
    generation = store.new_generation(root)
    try:
        started = time.perf_counter()
        segments.create_empty(generation)
        worker = segments.SegmentWorker(generation, 0, limitmb=2 * segments.WORKER_LIMIT_MB)
        worker.writer.add_document = watch.wrap("Whoosh: add documents",
                                                worker.writer.add_document)
        process = watch.wrap("batches: rest", worker.process)
        for batch in batches(picked):
            process(batch)
        segment = watch.wrap("Whoosh: close the segment", worker.finish)()
        watch.wrap("table of contents", segments.assemble)(generation, [segment], [], None,
                                                           set())
        watch.wrap("posting arrays", postings.write_generation)(generation)
        watch.wrap("sync to disk", store.sync_tree)(generation)
        watch.add("rest", time.perf_counter() - started - sum(
            s for stage, s in watch.seconds.items() if not stage.startswith("read")))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {"records": len(picked), "of": len(records), "model_load_s": round(load, 2),
            "seconds": {stage: round(s, 3) for stage, s in
                        sorted(watch.seconds.items(), key=lambda item: -item[1])}}


def print_stages(label: str, result: dict, built: dict) -> None:
    """The stages' table, and the build's CPU beyond pyvi against the stages' sum of it."""
    seconds = result["seconds"]
    total = sum(seconds.values())
    beyond = total - seconds.get("pyvi", 0.0)
    n = result["records"]
    print(f"\n{label}: stages on {n:,} of {result['of']:,} records, one process "
          f"({1000 * total / n:.1f} ms a record; pyvi {100 * seconds.get('pyvi', 0) / total:.0f}%)")
    print(f"  {'stage':<28} {'ms/record':>9} {'% all':>6} {'% beyond pyvi':>13}")
    for stage, s in seconds.items():
        share = "" if stage == "pyvi" else f"{100 * s / beyond:>13.1f}"
        print(f"  {stage:<28} {1000 * s / n:>9.2f} {100 * s / total:>6.1f} {share:>13}")
    pyvi = built["pyvi"]
    records = pyvi["records"]
    print(f"  CPU a record beyond pyvi: {1000 * beyond / n:.1f} ms in these stages, "
          f"{1000 * (built['cpu_s'] - pyvi['cpu_s']) / records:.1f} ms in the build with "
          f"{built['workers']} workers (the difference: the parent reading and handing out "
          f"records, the queues, the workers' smaller posting buffers)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-build"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    parser.add_argument("--stages", type=int, default=STAGES_SAMPLE, metavar="N",
                        help="records timed stage by stage per size (0: none; default "
                        "%(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the indexes built")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", choices=("pyvi", "stages"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not CORPUS_DIR.exists():
        raise SystemExit(f"{CORPUS_DIR} is absent: this benchmark needs the shared corpus")
    if args.child == "pyvi":
        print(json.dumps(pyvi_only(files_of(args.sizes[0]), max(1, args.workers))))
        return
    if args.child == "stages":
        print(json.dumps(stages(files_of(args.sizes[0]), args.stages, args.work)))
        return
    print(machine())
    print(f"start: {load()}")
    print(f"{'size':>6} {'articles':>9} {'wall s':>8} {'CPU s':>8} {'CPU/wall':>8} "
          f"{'peak RSS MB':>11} {'index MB':>9} {'ms/article':>10} {'pyvi s':>7} "
          f"{'pyvi CPU':>8} {'build/pyvi':>10} {'≤' + str(TARGET):>6} {'CPU ratio':>9}")
    results = {}
    for label in args.sizes:
        index = args.work / label
        shutil.rmtree(index, ignore_errors=True)
        r = build(files_of(label), index, args.workers)
        if not args.keep:
            shutil.rmtree(index, ignore_errors=True)
        pyvi = run_child("pyvi", label, args.workers)
        ratio = r["wall_s"] / pyvi["wall_s"]
        # steadier than the wall ratio when other work shares the cores for a while
        cpu_ratio = r["cpu_s"] / pyvi["cpu_s"]
        results[label] = r = {**r, "pyvi": pyvi, "build_over_pyvi": round(ratio, 3),
                              "build_over_pyvi_cpu": round(cpu_ratio, 3),
                              "target": TARGET, "meets_target": ratio <= TARGET}
        print(f"{label:>6} {r['articles']:>9,} {r['wall_s']:>8.1f} {r['cpu_s']:>8.1f} "
              f"{r['cpu_s'] / r['wall_s']:>8.2f} {r['peak_rss_mb']:>11} {r['index_mb']:>9} "
              f"{1000 * r['wall_s'] / r['articles']:>10.2f} {pyvi['wall_s']:>7.1f} "
              f"{pyvi['cpu_s']:>8.1f} {ratio:>10.2f} {'yes' if ratio <= TARGET else 'no':>6} "
              f"{cpu_ratio:>9.2f}", flush=True)
    for label in args.sizes:
        pyvi = results[label]["pyvi"]
        built = results[label]
        print(f"{label}: pyvi alone segmented {pyvi['texts']:,} texts of {pyvi['records']:,} "
              f"records ({pyvi['chars'] / 1e6:.1f} M characters, {pyvi['words']:,} words) in "
              f"{pyvi['wall_s']} s, its model loaded in {pyvi['load_s']} s (texts collected "
              f"beforehand in {pyvi['collect_s']} s, not counted); the build took "
              f"{built['wall_s'] - pyvi['wall_s']:.1f} s more, "
              f"{built['wall_s'] - TARGET * pyvi['wall_s']:.1f} s over the target")
        cores = min(args.workers, os.cpu_count() or 1)
        used = (built["cpu_s"] / built["wall_s"], pyvi["cpu_s"] / pyvi["wall_s"])
        if min(used) < 0.85 * cores:
            print(f"  note: the build kept {used[0]:.2f} of {cores} cores busy, pyvi alone "
                  f"{used[1]:.2f}: other work shared the machine, the CPU ratio is steadier")
    if args.stages > 0:
        for label in args.sizes:
            results[label]["stages"] = run_child("stages", label, 1, [
                "--stages", str(args.stages), "--work", str(args.work)])
            print_stages(label, results[label]["stages"], results[label])
    print(f"end: {load()}")
    if args.out:
        args.out.write_text(json.dumps({"machine": machine(), "workers": args.workers,
                                        "target": TARGET, "sizes": results}, indent=1))
        print(f"written: {args.out}")


if __name__ == "__main__":
    main()

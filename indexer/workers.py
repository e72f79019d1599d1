"""Worker processes: each parses, extracts, analyses and writes its share of the records into a
segment of its own, while the run's process reads the sources and takes the outcomes in order.

The parent process writing alone (the first design) kept two workers at about 1.3× one: writing
postings costs as much as segmenting.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import traceback
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .analysis import words
from .report import BuildFailed
from .segments import WORKER_LIMIT_MB, SegmentWorker

BATCH = 16  # records per task handed to a worker

Take = Callable[[object], None]  # told each outcome (Written, Unchanged, Skip) in source order


def batches(items: Iterable, size: int = BATCH) -> Iterator[list]:
    """Lists of ``size`` items (the last one shorter)."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the run that forked it dies (kill -9 included)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _worker_main(generation: Path, number: int, parent: int, tasks, results) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which ends us
    try:
        worker = SegmentWorker(generation, number)
        while True:
            task = tasks.get()
            if task is None:
                break
            seq, items = task
            results.put(("batch", seq, worker.process(items)))
        results.put(("done", number, worker.finish()))
    except BaseException:
        results.put(("error", number, traceback.format_exc()))
        raise


def write_inline(generation: Path, inputs: Iterator, take: Take) -> list:
    """Write every input in this process, into one segment; the segments (one, or None)."""
    worker = SegmentWorker(generation, 0, limitmb=2 * WORKER_LIMIT_MB)
    for batch in batches(inputs):
        for outcome in worker.process(batch):
            take(outcome)
    segment = worker.finish()
    return [segment]


def write_parallel(generation: Path, inputs: Iterator, take: Take, workers: int) -> list:
    """Write the inputs in ``workers`` processes, a segment each; the segments by worker."""
    # Load the word segmenter once, before forking: the workers share its ~270 MB, and none
    # of them writes a model file of its own to /tmp (a worker ends with os._exit, which would
    # leave that file behind; the parent removes its own when it exits).
    words("khởi động")
    context = multiprocessing.get_context("fork")
    tasks = context.Queue(maxsize=2 * workers)
    results = context.Queue()
    procs = [context.Process(target=_worker_main, name=f"indexer-worker-{n}", daemon=True,
                             args=(generation, n, os.getpid(), tasks, results))
             for n in range(workers)]
    for proc in procs:
        proc.start()
    pending: dict[int, list] = {}
    segments: dict[int, object] = {}
    next_seq = 0

    def receive(timeout: float) -> None:
        nonlocal next_seq
        try:
            kind, key, payload = results.get(timeout=timeout)
        except queue.Empty:
            for proc in procs:
                if proc.exitcode is not None and proc.exitcode != 0:
                    raise BuildFailed(f"worker {proc.name} died (exit status {proc.exitcode})")
            return
        if kind == "error":
            raise BuildFailed(f"worker {key} failed:\n{payload}")
        if kind == "done":
            segments[key] = payload
            return
        pending[key] = payload
        while next_seq in pending:  # outcomes are taken in source order
            for outcome in pending.pop(next_seq):
                take(outcome)
            next_seq += 1

    def send(task) -> None:
        while True:
            try:
                tasks.put(task, timeout=0.05)
                return
            except queue.Full:
                receive(0.05)

    try:
        seq = 0
        for batch in batches(inputs):
            send((seq, batch))
            seq += 1
            while not results.empty():
                receive(0.01)
        for _ in procs:
            send(None)
        while len(segments) < workers or next_seq < seq:
            receive(1.0)
        for proc in procs:
            proc.join()
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
                proc.join()
        tasks.close()
        results.close()
    return [segments[n] for n in range(workers)]

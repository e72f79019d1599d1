"""Write stage: from the sources to a published index generation, on every core.

A run (``build`` or ``update``) never writes into the live generation. It makes a new folder
beside it, and only when that folder holds a complete index does ``current`` move to it
(store.py). A run that fails or is killed leaves the live index as it was.

Work is split over worker processes. Each one parses, extracts, analyses *and writes* its share
of the articles into a Whoosh segment of its own inside the new folder; the parent process
reads the sources, hands out batches, decides which article wins when ids repeat, and at the
end lists all the segments in one table of contents (Whoosh's TOC) — the layout Whoosh's own
multi-segment writer produces, with no merging pass. The parent writing alone (the first
design) kept two workers at about 1.3× one: writing postings costs as much as segmenting.

An update starts the new generation from the live one: the live segment files are hard-linked
(Whoosh never changes a segment file once written; deletions live in the TOC), articles whose
digest and file match are kept as they are — neither parsed nor segmented again — and only new
and changed articles are written, into new segments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import multiprocessing
import os
import queue
import shutil
import signal
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.reading import SegmentReader
from whoosh.writing import PostingPool, SegmentWriter

from . import postings, store
from .article import BadArticle, Skip
from .extract import GAZETTEER_DIR, extract
from .lock import IndexLock
from .parse import parse_record
from .progress import Progress
from .schema import SCHEMA_VERSION, document, make_schema
from .sources import Notice, Record, find_files, read_records

log = logging.getLogger("indexer")

INDEX_NAME = "MAIN"  # Whoosh's default index name: files MAIN_<segment>.seg, _MAIN_<n>.toc
BATCH = 16  # records per task handed to a worker
WORKER_LIMIT_MB = 128  # postings a worker holds in memory before spilling to its temp folder
MAX_SEGMENTS = 8  # past this many, an update merges the small segments
PACKAGE_DIR = Path(__file__).resolve().parent
# The code and data that decide what an article becomes in the index: when any of them
# changes, articles that did not change must be analysed again, so an update builds in full.
PIPELINE_FILES = ("aliases.py", "analysis.py", "article.py", "dates.py", "encoding.py",
                  "extract.py", "feeds.py", "html.py", "lexicon.py", "mentions.py", "ministries.py",
                  "parse.py", "persons.py", "postings.py", "schema.py")


class BuildFailed(RuntimeError):
    """The run could not complete; the live index is untouched."""


@dataclass
class BuildReport:
    """What a run did, for people (text) and schedulers (JSON)."""

    command: str = "build"
    indexed: int = 0  # articles written: added + updated
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    kept: dict[str, int] = field(default_factory=dict)  # reason -> articles left as they were
    skipped: list[Skip] = field(default_factory=list)
    notes: list[Notice] = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0
    index: str = ""
    generation: str = ""
    articles: int = 0  # in the new live generation
    workers: int = 1
    full_build_because: str | None = None  # why an update built in full
    cleared: list[str] = field(default_factory=list)  # leftovers of a killed run

    def as_dict(self) -> dict:
        return {
            "command": self.command,
            "indexed": self.indexed,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "kept": sum(self.kept.values()),
            "kept_because": dict(self.kept),
            "skipped": [
                {"file": s.file, "line": s.line, "reason": s.reason} for s in self.skipped
            ],
            "notes": [{"file": n.file, "line": n.line, "note": n.message} for n in self.notes],
            "files": self.files,
            "articles": self.articles,
            "seconds": round(self.seconds, 3),
            "index": self.index,
            "generation": self.generation,
            "workers": self.workers,
            "full_build_because": self.full_build_because,
            "cleared": self.cleared,
        }


def pipeline_fingerprint() -> str:
    """A digest of the schema version, the pipeline's code and the gazetteer."""
    h = hashlib.blake2b(str(SCHEMA_VERSION).encode(), digest_size=8)
    paths = [PACKAGE_DIR / name for name in PIPELINE_FILES]
    paths += sorted(p for p in GAZETTEER_DIR.iterdir() if p.is_file())
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes() if path.exists() else b"")
    return h.hexdigest()


# -- what the workers do ------------------------------------------------------------------------


@dataclass(frozen=True)
class Unchanged:
    """An input whose digest and file match a live article: kept as it is, not parsed again."""

    id: str
    file: str
    line: int | None
    live: tuple[int, int]  # (segment, document number) in the live generation


@dataclass(frozen=True)
class Written:
    """An article written into a worker's new segment."""

    id: str
    file: str
    line: int | None
    worker: int
    docnum: int


def prepare(record: Record) -> dict | Skip:
    """Parse, extract and analyse one record into the field values of one document."""
    try:
        if record.kind == "html":
            from .html import parse_html

            article = parse_html(record.data, record.file)
        else:
            article = parse_record(record)
        doc = document(extract(article))
    except BadArticle as exc:
        return Skip(record.file, record.line, str(exc))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # one odd input must not stop the night's run: it is reported like any bad input
        return Skip(record.file, record.line,
                    f"could not be indexed: {type(exc).__name__}: {exc}")
    doc["content_hash"] = record.digest
    doc["source_file"] = os.path.abspath(record.file)
    return doc


class SegmentWorker:
    """Writes articles into one new segment of a generation (in a worker or in the parent)."""

    def __init__(self, generation: Path, number: int, limitmb: int = WORKER_LIMIT_MB):
        self.number = number
        ix = whoosh_index.open_dir(str(generation), indexname=INDEX_NAME)
        writer = SegmentWriter(ix, _lk=False, limitmb=limitmb)  # the run's lock guards the folder
        # Whoosh names every writer's temp folder "MAIN.tmp" and removes it when one finishes:
        # each worker gets its own, or the first to finish would delete the others' runs
        writer._tempstorage = ix.storage.temp_storage(f"{INDEX_NAME}.worker{number}.tmp")
        writer.pool = PostingPool(writer._tempstorage, writer.newsegment, limitmb=limitmb)
        self.writer = writer
        self.added = 0

    def process(self, items: list) -> list:
        """Outcomes for a batch of Records and Unchanged marks, in the same order."""
        out = []
        for item in items:
            if isinstance(item, Unchanged):
                out.append(item)
                continue
            doc = prepare(item)
            if isinstance(doc, Skip):
                out.append(doc)
                continue
            docnum = self.writer.docnum
            self.writer.add_document(**doc)
            self.added += 1
            out.append(Written(doc["id"], item.file, item.line, self.number, docnum))
        return out

    def finish(self):
        """Close the segment; return it (None when nothing was written)."""
        writer = self.writer
        segment = writer._finalize_segment() if self.added else None
        if segment is None:
            writer._close_segment()
        writer._tempstorage.destroy()
        writer.is_closed = True
        return segment


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


# -- the live generation an update starts from --------------------------------------------------


@dataclass
class LiveIndex:
    """The articles of the live generation, as an update compares them."""

    path: Path
    segments: list  # Segment objects of its TOC (fresh copies: deletions go to the new TOC)
    by_key: dict[tuple[str, str], tuple[str, tuple[int, int]]]  # (digest, file) -> (id, where)
    by_id: dict[str, list[tuple[int, int]]]
    files: dict[tuple[int, int], str]

    @classmethod
    def open(cls, path: Path) -> "LiveIndex":
        storage = FileStorage(str(path), readonly=True)
        toc = TOC.read(storage, INDEX_NAME)
        by_key, by_id, files = {}, {}, {}
        for number, segment in enumerate(toc.segments):
            reader = SegmentReader(storage, toc.schema, segment)
            try:
                for docnum in range(segment.doc_count_all()):
                    if segment.is_deleted(docnum):
                        continue
                    fields = reader.stored_fields(docnum)
                    where = (number, docnum)
                    file = fields.get("source_file") or ""
                    by_key.setdefault((fields.get("content_hash") or "", file),
                                      (fields["id"], where))
                    by_id.setdefault(fields["id"], []).append(where)
                    files[where] = file
            finally:
                reader.close()
        return cls(path, list(toc.segments), by_key, by_id, files)

    def segment_files(self, segment) -> list[Path]:
        """The files of one of its segments (MAIN_<id>.seg and the like)."""
        prefix = f"{segment.segment_id()}."
        return sorted(p for p in self.path.iterdir() if p.name.startswith(prefix))


def _update_base(root: Path) -> tuple[LiveIndex | None, str | None]:
    """The live generation to update from, or None and why a full build is needed."""
    try:
        live = store.live_generation(root)
    except store.NoIndex:
        return None, "there is no live index yet"
    meta = store.read_meta(live)
    if meta.get("schema_version") != SCHEMA_VERSION:
        return None, (f"the live index has schema version {meta.get('schema_version')}, "
                      f"this indexer writes {SCHEMA_VERSION}")
    if meta.get("pipeline") != pipeline_fingerprint():
        return None, ("the analysis (indexer code or gazetteer) changed since the live index "
                      "was built")
    try:
        return LiveIndex.open(live), None
    except Exception as exc:  # noqa: BLE001 - any damage: rebuild from the sources
        return None, f"the live index cannot be read ({type(exc).__name__}: {exc})"


# -- one run ------------------------------------------------------------------------------------


class _Run:
    """The bookkeeping of one run: inputs in source order, outcomes, what to delete."""

    def __init__(self, report: BuildReport, sources: list[str], base: LiveIndex | None,
                 progress: Progress | None):
        self.report = report
        self.base = base
        self.progress = progress
        self.roots = [os.path.abspath(s) for s in sources]
        self.missing_roots = [r for r in self.roots if not os.path.exists(r)]
        self.read_files: set[str] = set()
        self.troubled_files: set[str] = set()  # files with a skipped part: keep their articles
        self.claimed: dict[str, str] = {}  # id -> where the winning article came from
        self.dropped: list[tuple[int, int]] = []  # (worker, docnum) that lost to an earlier id
        self.deleted_live: set[tuple[int, int]] = set()

    def _skip(self, skip: Skip) -> None:
        self.report.skipped.append(skip)
        self.troubled_files.add(os.path.abspath(skip.file))
        log.info("skipped %s", skip)

    def inputs(self, paths: list[Path | Skip]) -> Iterator[Record | Unchanged]:
        """Records to index and Unchanged marks, in source order."""
        read = self.progress.read if self.progress else None
        for path in paths:
            if isinstance(path, Skip):
                self._skip(path)
                continue
            self.report.files += 1
            self.read_files.add(os.path.abspath(path))
            for record in read_records(path, read):
                if isinstance(record, Skip):
                    self._skip(record)
                elif isinstance(record, Notice):
                    self.report.notes.append(record)
                    log.info("note %s", record)
                elif self.base is not None:
                    known = self.base.by_key.get((record.digest, os.path.abspath(record.file)))
                    if known:
                        yield Unchanged(known[0], record.file, record.line, known[1])
                    else:
                        yield record
                else:
                    yield record

    def take(self, outcome) -> None:
        """Account for one outcome, in source order: the first article with an id wins."""
        report = self.report
        if isinstance(outcome, Skip):
            self._skip(outcome)
            return
        if outcome.id in self.claimed:
            where = outcome.file if outcome.line is None else f"{outcome.file}:{outcome.line}"
            first = self.claimed[outcome.id]
            report.skipped.append(Skip(outcome.file, outcome.line, f"duplicate id "
                                       f"{outcome.id!r}: already indexed from {first}"))
            log.info("skipped %s: duplicate id %r", where, outcome.id)
            if isinstance(outcome, Written):
                self.dropped.append((outcome.worker, outcome.docnum))
            return
        self.claimed[outcome.id] = (outcome.file if outcome.line is None
                                    else f"{outcome.file}:{outcome.line}")
        if isinstance(outcome, Unchanged):
            report.unchanged += 1
        elif self.base is not None and outcome.id in self.base.by_id:
            report.updated += 1
            self.deleted_live.update(self.base.by_id[outcome.id])
        else:
            report.added += 1
        if self.progress:
            self.progress.indexed(1)

    def removals(self, keep_missing: bool) -> None:
        """Live articles no input claimed: removed when their source is gone, else kept."""
        if self.base is None:
            return
        kept = self.report.kept
        for article_id, places in self.base.by_id.items():
            if article_id in self.claimed:
                continue
            file = self.base.files[places[0]]
            reason = self._keep_reason(file, keep_missing)
            if reason:
                kept[reason] = kept.get(reason, 0) + len(places)
            else:
                self.deleted_live.update(places)
                self.report.removed += len(places)

    def _keep_reason(self, file: str, keep_missing: bool) -> str | None:
        if keep_missing:
            return "--keep-missing"
        roots = [r for r in self.roots if file == r or file.startswith(r.rstrip(os.sep) + os.sep)]
        if not roots:
            return "from a file outside the sources given"
        if any(r in self.missing_roots for r in roots):
            return "its source folder is missing"
        if file in self.troubled_files:
            return "its source file could not be read in full"
        if not os.path.exists(file):
            return None
        if file not in self.read_files:
            return "its source file is no longer read as articles"
        from .sources import kind_of

        if kind_of(Path(file)) == "feed":
            return "older feed items stay when they leave the feed"
        return None


def _batches(items: Iterable, size: int = BATCH) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_inline(generation: Path, run: _Run, inputs: Iterator) -> list:
    worker = SegmentWorker(generation, 0, limitmb=2 * WORKER_LIMIT_MB)
    for batch in _batches(inputs):
        for outcome in worker.process(batch):
            run.take(outcome)
    segment = worker.finish()
    return [segment]


def _write_parallel(generation: Path, run: _Run, inputs: Iterator, workers: int) -> list:
    # Load the word segmenter once, before forking: the workers share its ~270 MB, and none
    # of them writes a model file of its own to /tmp (a worker ends with os._exit, which would
    # leave that file behind; the parent removes its own when it exits).
    from .analysis import words

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
                run.take(outcome)
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
        for batch in _batches(inputs):
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


def _merge_small(writer, segments):
    """Merge policy: copy the small segments (and half-deleted ones) into one new segment.

    Postings are copied, not analysed again: no article is segmented a second time.
    """
    largest = max(s.doc_count_all() for s in segments)
    small = [s for s in segments
             if s.doc_count_all() < largest // 4 or s.deleted_count() * 2 > s.doc_count_all()]
    if len(small) < 2:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


def _assemble(generation: Path, run: _Run, new_segments: list) -> int:
    """Write the generation's TOC: the live segments with their deletions, then the new ones."""
    new_segments = list(new_segments)
    for worker, docnum in run.dropped:
        new_segments[worker].delete_document(docnum)
    segments = []
    if run.base is not None:
        for number, docnum in run.deleted_live:
            run.base.segments[number].delete_document(docnum)
        for segment in run.base.segments:
            if segment.doc_count() > 0:
                segments.append(segment)
            else:  # every article of it changed or went: its files are not needed
                for path in run.base.segment_files(segment):
                    (generation / path.name).unlink(missing_ok=True)
    segments += [s for s in new_segments if s is not None and s.doc_count() > 0]
    storage = FileStorage(str(generation))
    TOC(make_schema(), segments, 1).write(storage, INDEX_NAME)
    (generation / f"_{INDEX_NAME}_0.toc").unlink(missing_ok=True)
    if len(segments) > MAX_SEGMENTS:
        ix = whoosh_index.open_dir(str(generation), indexname=INDEX_NAME)
        with ix.writer() as writer:
            writer.mergetype = _merge_small
        ix.close()
        (generation / f"{INDEX_NAME}_WRITELOCK").unlink(missing_ok=True)
    for child in generation.iterdir():  # temp folders of the workers and of Whoosh
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
    return sum(s.doc_count() for s in segments)


def run(command: str, sources: list[str], root: Path, keep: int = store.KEEP_GENERATIONS,
        workers: int = 1, keep_missing: bool = False, wait: float = 0.0,
        progress: Progress | None = None) -> BuildReport:
    """Index the sources into a new generation under ``root`` and make it live.

    ``command`` is "build" (every article from the sources) or "update" (from the live
    generation: new and changed articles written, gone ones removed, the rest kept as is).
    """
    started = time.perf_counter()
    root = Path(root)
    report = BuildReport(command=command, index=str(root), workers=max(1, workers))
    root.mkdir(parents=True, exist_ok=True)
    with IndexLock(root, command, wait) as lock:
        cleared = store.clear_unfinished(root)
        report.cleared = [str(p) for p in cleared]
        if lock.stale:
            log.warning("the last run (pid %s, %s, started %s) did not finish; cleared %d "
                        "unfinished generation(s)", lock.stale.get("pid"),
                        lock.stale.get("command"), lock.stale.get("started"), len(cleared))
        base = None
        if command == "update":
            base, report.full_build_because = _update_base(root)
            if base is None:
                log.info("update builds in full: %s", report.full_build_because)
        paths = list(find_files(sources))
        if progress:
            progress.start(sum(p.stat().st_size for p in paths
                               if not isinstance(p, Skip) and p.exists()))
        generation = store.new_generation(root)
        log.info("%s into %s from %s", command, generation, ", ".join(sources))
        try:
            whoosh_index.create_in(str(generation), make_schema(), indexname=INDEX_NAME).close()
            if base is not None:
                for segment in base.segments:
                    for path in base.segment_files(segment):
                        try:
                            os.link(path, generation / path.name)
                        except OSError:  # a file system without hard links
                            shutil.copy2(path, generation / path.name)
            job = _Run(report, sources, base, progress)
            inputs = job.inputs(paths)
            if report.workers > 1:
                new_segments = _write_parallel(generation, job, inputs, report.workers)
            else:
                new_segments = _write_inline(generation, job, inputs)
            job.removals(keep_missing)
            report.articles = _assemble(generation, job, new_segments)
            postings.write_generation(generation, base.path if base is not None else None)
            store.sync_tree(generation)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        finally:
            if progress:
                progress.close()
        report.indexed = report.added + report.updated
        report.generation = generation.name
        report.seconds = time.perf_counter() - started
        store.publish(root, generation, {
            "command": command,
            "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "sources": [str(Path(s).resolve()) for s in sources],
            "articles": report.articles,
            "added": report.added,
            "updated": report.updated,
            "removed": report.removed,
            "unchanged": report.unchanged,
            "skipped": len(report.skipped),
            "seconds": round(report.seconds, 3),
            "workers": report.workers,
            "full_build_because": report.full_build_because,
            "schema_version": SCHEMA_VERSION,
            "pipeline": pipeline_fingerprint(),
        })
        store.prune(root, max(2, keep))  # the one before stays, for rollback
    log.info("%s done: %s", command, {k: v for k, v in report.as_dict().items()
                                      if k not in ("skipped", "notes")})
    return report


def build(sources: list[str], root: Path, keep: int = store.KEEP_GENERATIONS,
          workers: int = 1, **kwargs) -> BuildReport:
    """Index every article of the sources into a new generation and make it live."""
    return run("build", sources, root, keep=keep, workers=workers, **kwargs)


def update(sources: list[str], root: Path, keep: int = store.KEEP_GENERATIONS,
           workers: int = 1, **kwargs) -> BuildReport:
    """Bring the live index up to date with the sources, in a new generation."""
    return run("update", sources, root, keep=keep, workers=workers, **kwargs)


def rollback(root: Path, wait: float = 0.0) -> tuple[Path, Path]:
    """Make the generation that was live before the live one live again: (from, to)."""
    root = Path(root)
    with IndexLock(root, "rollback", wait):
        live = store.live_generation(root)
        previous = store.previous_generation(root)
        if previous is None:
            raise BuildFailed(f"no earlier complete generation to roll back to in {root}")
        store.switch(root, previous)
    log.info("rolled back from %s to %s", live.name, previous.name)
    return live, previous


def write_generation(root: Path, docs: Iterable[dict], report: BuildReport) -> Path:
    """Write prepared documents into a new generation folder under ``root`` (not yet live).

    For callers with their own documents (benchmarks); one writer, no lock, no sources.
    On any error the half-written folder is removed and the live index is left as it was.
    """
    root.mkdir(parents=True, exist_ok=True)
    generation = store.new_generation(root)
    ix = whoosh_index.create_in(str(generation), make_schema())
    try:
        with ix.writer(limitmb=256) as writer:  # commits on success, cancels on error
            for doc in docs:
                writer.add_document(**doc)
                report.indexed += 1
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    finally:
        ix.close()
    postings.write_generation(generation)
    report.generation = generation.name
    return generation

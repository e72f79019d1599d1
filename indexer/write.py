"""Write stage: from the sources to a published index generation, on every core.

A run (``build`` or ``update``) never writes into the live generation. It makes a new folder
beside it, and only when that folder holds a complete index does ``current`` move to it
(store.py). A run that fails or is killed leaves the live index as it was.

Work is split over worker processes (workers.py): each one prepares (documents.py) and writes
its share of the articles into a Whoosh segment of its own inside the new folder (segments.py);
this process reads the sources, hands out batches, decides which article wins when ids repeat
and what an update changes (changes.py), and at the end lists all the segments in one table of
contents.

An update starts the new generation from the live one: the live segment files are hard-linked
(Whoosh never changes a segment file once written; deletions live in the TOC), articles whose
digest and file match are kept as they are — neither parsed nor segmented again — and only new
and changed articles are written, into new segments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
import time
from pathlib import Path
from typing import Iterable

from whoosh import index as whoosh_index

from . import postings, store
from .article import Skip
from .changes import Changes, RemovalLimit
from .extract import GAZETTEER_DIR
from .lock import IndexLock
from .progress import Progress
from .report import BuildFailed, BuildReport, Refused
from .schema import SCHEMA_VERSION, make_schema
from .segments import LiveIndex, assemble, create_empty
from .sources import find_files
from .workers import write_inline, write_parallel

log = logging.getLogger("indexer")

PACKAGE_DIR = Path(__file__).resolve().parent
# The code and data that decide what an article becomes in the index: when any of them
# changes, articles that did not change must be analysed again, so an update builds in full.
PIPELINE_FILES = ("aliases.py", "analysis.py", "article.py", "cleaning.py", "dates.py",
                  "documents.py", "encoding.py", "extract.py", "feeds.py", "html.py",
                  "lexicon.py", "mentions.py", "ministries.py", "parse.py", "persons.py",
                  "postings.py", "record.py", "schema.py", "segmenter.py")


def pipeline_fingerprint() -> str:
    """A digest of the schema version, the pipeline's code and the gazetteer."""
    h = hashlib.blake2b(str(SCHEMA_VERSION).encode(), digest_size=8)
    paths = [PACKAGE_DIR / name for name in PIPELINE_FILES]
    paths += sorted(p for p in GAZETTEER_DIR.iterdir() if p.is_file())
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes() if path.exists() else b"")
    return h.hexdigest()


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


def _size(path: Path) -> int:
    """A file's size for the progress estimate (0 when it went away: reading will say so)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _live_articles(root: Path, base: LiveIndex | None) -> int:
    """How many articles the live generation holds (0 when there is none, or it is damaged)."""
    if base is not None:
        return sum(len(places) for places in base.by_id.values())
    try:
        ix = whoosh_index.open_dir(str(store.live_generation(root)))
    except Exception:  # noqa: BLE001 - no live index, or one that cannot be read: nothing to lose
        return 0
    try:
        return ix.doc_count()
    finally:
        ix.close()


def run(command: str, sources: list[str], root: Path, keep: int = store.KEEP_GENERATIONS,
        workers: int = 1, keep_missing: bool = False, wait: float = 0.0,
        progress: Progress | None = None, max_remove: RemovalLimit = RemovalLimit(),
        report: BuildReport | None = None) -> BuildReport:
    """Index the sources into a new generation under ``root`` and make it live.

    ``command`` is "build" (every article from the sources) or "update" (from the live
    generation: new and changed articles written, gone ones removed, the rest kept as is).
    A run that would remove more live articles than ``max_remove`` raises Refused and
    publishes nothing. ``report``, when given, is filled in as the run goes (a failed run's
    report says how far it got).
    """
    started = time.perf_counter()
    root = Path(root)
    report = report or BuildReport()
    report.command, report.index, report.workers = command, str(root), max(1, workers)
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
            progress.start(sum(_size(p) for p in paths if not isinstance(p, Skip)))
        generation = store.new_generation(root)
        log.info("%s into %s from %s", command, generation, ", ".join(sources))
        try:
            create_empty(generation)
            if base is not None:
                base.link_into(generation)
            changes = Changes(report, sources, base, progress)
            inputs = changes.inputs(paths)
            if report.workers > 1:
                new_segments = write_parallel(generation, inputs, changes.take, report.workers)
            else:
                new_segments = write_inline(generation, inputs, changes.take)
            changes.removals(keep_missing)
            changes.unlisted_skips()
            report.articles = assemble(generation, new_segments, changes.dropped, base,
                                       changes.deleted_live)
            live = _live_articles(root, base)
            lost = report.removed if base is not None else max(0, live - report.articles)
            refusal = max_remove.refusal(live, lost, report.articles)
            if refusal:
                raise Refused(f"{command} refused: {refusal}")
            postings.write_generation(generation, base.path if base is not None else None,
                                      report.workers)
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

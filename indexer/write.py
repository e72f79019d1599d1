"""Write stage: the whole pipeline from sources to a published index generation."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from whoosh import index as whoosh_index

from . import store
from .article import BadArticle, Skip
from .extract import extract
from .parse import parse_record
from .schema import SCHEMA_VERSION, document, make_schema
from .sources import Record, find_files, read_records


@dataclass
class BuildReport:
    """What a build did, for people (text) and schedulers (JSON)."""

    indexed: int = 0
    skipped: list[Skip] = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0
    index: str = ""
    generation: str = ""

    def as_dict(self) -> dict:
        return {
            "indexed": self.indexed,
            "skipped": [
                {"file": s.file, "line": s.line, "reason": s.reason} for s in self.skipped
            ],
            "files": self.files,
            "seconds": round(self.seconds, 3),
            "index": self.index,
            "generation": self.generation,
        }


def records(sources: list[str], report: BuildReport) -> Iterator[Record]:
    """Every record of the sources; files and lines that cannot be read go into the report."""
    for path in find_files(sources):
        if isinstance(path, Skip):
            report.skipped.append(path)
            continue
        report.files += 1
        for record in read_records(path):
            if isinstance(record, Skip):
                report.skipped.append(record)
            else:
                yield record


def prepare(record: Record) -> dict | Skip:
    """Parse, extract and analyse one record: the work that runs in worker processes."""
    try:
        article = extract(parse_record(record))
    except BadArticle as exc:
        return Skip(record.file, record.line, str(exc))
    doc = document(article)
    doc["_origin"] = article.origin
    return doc


def documents(sources: list[str], report: BuildReport, workers: int = 1) -> Iterator[dict]:
    """The documents to index, prepared on ``workers`` processes, in source order.

    When two inputs carry the same id the first one read wins; the later one is reported.
    """
    stream = records(sources, report)
    if workers > 1:
        pool = multiprocessing.get_context("fork").Pool(workers)
        prepared = pool.imap(prepare, stream, chunksize=16)
    else:
        pool = None
        prepared = map(prepare, stream)
    seen: dict[str, str] = {}
    try:
        for doc in prepared:
            if isinstance(doc, Skip):
                report.skipped.append(doc)
                continue
            origin = doc.pop("_origin")
            if doc["id"] in seen:
                file, _, line = origin.rpartition(":") if origin.count(":") else (origin, "", "")
                report.skipped.append(Skip(
                    file or origin, int(line) if line.isdigit() else None,
                    f"duplicate id {str(doc['id'])!r}: already indexed from {seen[doc['id']]}",
                ))
                continue
            seen[doc["id"]] = origin
            yield doc
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def write_generation(root: Path, docs: Iterable[dict], report: BuildReport) -> Path:
    """Write the documents into a new generation folder under ``root`` (not yet live).

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
    report.generation = generation.name
    return generation


def build(sources: list[str], root: Path, keep: int = store.KEEP_GENERATIONS,
          workers: int = 1) -> BuildReport:
    """Index the sources into a new generation under ``root`` and make it live.

    ``workers`` processes segment and analyse the text; one writer (Whoosh allows no more)
    takes their output.
    """
    started = time.perf_counter()
    report = BuildReport(index=str(root))
    generation = write_generation(root, documents(sources, report, workers), report)
    report.seconds = time.perf_counter() - started
    store.publish(root, generation, {
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "sources": [str(Path(s).resolve()) for s in sources],
        "articles": report.indexed,
        "skipped": len(report.skipped),
        "seconds": round(report.seconds, 3),
        "schema_version": SCHEMA_VERSION,
    })
    store.prune(root, keep)
    return report

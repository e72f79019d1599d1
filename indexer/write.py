"""Write stage: the whole pipeline from sources to a published index generation."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from whoosh import index as whoosh_index

from . import store
from .article import Article, BadArticle, Skip
from .extract import extract
from .parse import parse_record
from .schema import SCHEMA_VERSION, document, make_schema
from .sources import find_files, read_records


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


def articles(sources: list[str], report: BuildReport) -> Iterator[Article]:
    """Read, parse and extract every article of the sources; problems go into the report.

    When two inputs carry the same id the first one read wins; the later one is reported.
    """
    seen: dict[str, str] = {}
    for path in find_files(sources):
        if isinstance(path, Skip):
            report.skipped.append(path)
            continue
        report.files += 1
        for record in read_records(path):
            if isinstance(record, Skip):
                report.skipped.append(record)
                continue
            try:
                article = parse_record(record)
            except BadArticle as exc:
                report.skipped.append(Skip(record.file, record.line, str(exc)))
                continue
            if article.id in seen:
                report.skipped.append(Skip(
                    record.file, record.line,
                    f"duplicate id {article.id!r}: already indexed from {seen[article.id]}",
                ))
                continue
            seen[article.id] = article.origin
            yield extract(article)


def build(sources: list[str], root: Path, keep: int = store.KEEP_GENERATIONS) -> BuildReport:
    """Index the sources into a new generation under ``root`` and make it live."""
    started = time.perf_counter()
    report = BuildReport(index=str(root))
    root.mkdir(parents=True, exist_ok=True)
    generation = store.new_generation(root)
    ix = whoosh_index.create_in(str(generation), make_schema())
    try:
        with ix.writer(limitmb=256) as writer:  # commits on success, cancels on error
            for article in articles(sources, report):
                writer.add_document(**document(article))
                report.indexed += 1
    except BaseException:
        ix.close()
        import shutil

        shutil.rmtree(generation, ignore_errors=True)
        raise
    ix.close()
    report.seconds = time.perf_counter() - started
    report.generation = generation.name
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

"""What a run changes: the inputs in source order against the live articles — which are new,
changed, unchanged, duplicates, and which live articles are gone or must be kept."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Iterator

from .article import Skip
from .progress import Progress
from .record import Notice, Record
from .report import BuildReport
from .segments import LiveIndex, Unchanged, Written
from .sources import kind_of, read_records

log = logging.getLogger("indexer")


class Changes:
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

    def take(self, outcome: Written | Unchanged | Skip) -> None:
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
        if kind_of(Path(file)) == "feed":
            return "older feed items stay when they leave the feed"
        return None

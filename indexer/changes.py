"""What a run changes: the inputs in source order against the live articles — which are new,
changed, unchanged, duplicates, and which live articles are gone or must be kept."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .article import Skip
from .progress import Progress
from .record import Notice, Record
from .report import BuildReport
from .segments import LiveIndex, Unchanged, Written
from .sources import Outside, kind_of, read_records

log = logging.getLogger("indexer")

# Skips listed per file, in the summary and the log; the rest are counted. A file of a
# million broken lines would otherwise make a summary of hundreds of megabytes and rotate the
# log's history away.
MAX_SKIPS_LISTED = 100


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
        self.troubled_folders: set[str] = set()  # folders that could not be listed, with "/"
        self.outside: set[str] = set()  # links out of the sources: what they gave goes
        self.claimed: dict[str, str] = {}  # id -> where the winning article came from
        self.dropped: list[tuple[int, int]] = []  # (worker, docnum) that lost to an earlier id
        self.deleted_live: set[tuple[int, int]] = set()
        self.skips_by_file: dict[str, int] = {}

    def _skip(self, skip: Skip, troubled: bool = True) -> None:
        file = os.path.abspath(skip.file)
        count = self.skips_by_file[file] = self.skips_by_file.get(file, 0) + 1
        if isinstance(skip, Outside):
            self.outside.add(file)
        elif troubled:
            self.troubled_files.add(file)
            if count == 1 and skip.line is None and os.path.isdir(file):
                self.troubled_folders.add(file.rstrip(os.sep) + os.sep)
        if count <= MAX_SKIPS_LISTED:
            self.report.skipped.append(skip)
            log.info("skipped %s", skip)

    def unlisted_skips(self) -> None:
        """One Skip per file for its skips past the first MAX_SKIPS_LISTED (call at the end)."""
        for skip in list(self.report.skipped):
            file = os.path.abspath(skip.file)
            more = self.skips_by_file.pop(file, 0) - MAX_SKIPS_LISTED
            if more > 0:
                summary = Skip(skip.file, None, f"and {more} more skipped inputs of this file, "
                               f"not listed (the first {MAX_SKIPS_LISTED} are)")
                self.report.skipped.append(summary)
                log.info("skipped %s", summary)

    def _records(self, path: Path) -> Iterator[Record | Skip | Notice]:
        """The records of one file; an unforeseen failure of its reader is a Skip too."""
        read = self.progress.read if self.progress else None
        records = read_records(path, read)
        line = None
        while True:
            try:
                record = next(records)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - one file must not stop the run
                log.warning("reading %s failed", path, exc_info=True)
                yield Skip(str(path), line, f"cannot be read: {type(exc).__name__}: {exc}")
                return
            line = record.line
            yield record

    def inputs(self, paths: list[Path | Skip]) -> Iterator[Record | Unchanged]:
        """Records to index and Unchanged marks, in source order."""
        for path in paths:
            if isinstance(path, Skip):
                self._skip(path)
                continue
            self.report.files += 1
            self.read_files.add(os.path.abspath(path))
            for record in self._records(path):
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
            first = self.claimed[outcome.id]
            # read in full all the same: the file's other articles go when they go
            self._skip(Skip(outcome.file, outcome.line, f"duplicate id {outcome.id!r}: already "
                            f"indexed from {first}"), troubled=False)
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
        if file in self.outside or any(file.startswith(link.rstrip(os.sep) + os.sep)
                                       for link in self.outside):
            return None
        roots = [r for r in self.roots if file == r or file.startswith(r.rstrip(os.sep) + os.sep)]
        if not roots:
            return "from a file outside the sources given"
        if any(r in self.missing_roots for r in roots):
            return "its source folder is missing"
        if file in self.troubled_files:
            return "its source file could not be read in full"
        if any(file.startswith(folder) for folder in self.troubled_folders):
            return "its folder could not be read"
        if not os.path.exists(file):
            return None
        if file not in self.read_files:
            return "its source file is no longer read as articles"
        if kind_of(Path(file)) == "feed":
            return "older feed items stay when they leave the feed"
        return None


@dataclass(frozen=True)
class RemovalLimit:
    """How many live articles a run may remove: a share of them, a number, or any number.

    A source that comes back empty (an unmounted disk, a folder emptied by mistake) looks like
    every article gone; past the limit the run refuses and the live generation stays.
    """

    share: float | None = 0.10
    count: int | None = None

    @classmethod
    def parse(cls, text: str) -> "RemovalLimit":
        """``10%``, ``250`` (articles) or ``all``; ValueError for anything else."""
        text = text.strip().lower()
        if text in ("all", "any", "100%"):
            return cls(share=None)
        if text.endswith("%"):
            share = float(text[:-1]) / 100
            if not 0 <= share <= 1:
                raise ValueError(f"{text!r}: a share between 0% and 100%")
            return cls(share=share)
        count = int(text)
        if count < 0:
            raise ValueError(f"{text!r}: a number of articles, at least 0")
        return cls(share=None, count=count)

    @property
    def unlimited(self) -> bool:
        return self.share is None and self.count is None

    def __str__(self) -> str:
        if self.unlimited:
            return "all"
        return f"{self.share:.0%}" if self.share is not None else str(self.count)

    def refusal(self, live: int, removed: int, left: int) -> str | None:
        """Why a generation with ``left`` articles, ``removed`` of the ``live`` ones gone, must
        not be published; None when it may."""
        if self.unlimited or live == 0:
            return None
        if left == 0:
            return (f"the new index would be empty, where {live} articles are live (an empty or "
                    "unmounted source?); --max-remove all publishes it")
        allowed = int(self.share * live) if self.share is not None else self.count
        if removed > allowed:
            return (f"it would remove {removed} of the {live} live articles, more than the "
                    f"limit of {self} (--max-remove); the live index is kept")
        return None

"""Writing segments: the articles a process writes, the live generation an update starts from,
and the table of contents (Whoosh's TOC) that lists a new generation's segments.

Whoosh's own writer makes one segment per writer and merges at commit; here each worker process
writes a segment of its own with Whoosh's SegmentWriter, and the run lists them all in one TOC,
the layout Whoosh's multi-segment writer produces, with no merging pass. Every use of Whoosh's
writing internals is in this module.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from . import postings
from . import whoosh_internals as internals
from .article import Skip
from .documents import prepare
from .schema import make_schema

INDEX_NAME = "MAIN"  # Whoosh's default index name: files MAIN_<segment>.seg, _MAIN_<n>.toc
WORKER_LIMIT_MB = 128  # postings a worker holds in memory before spilling to its temp folder
MAX_SEGMENTS = 8  # past this many, an update merges the small segments


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


class SegmentWorker:
    """Writes articles into one new segment of a generation (in a worker or in the parent)."""

    def __init__(self, generation: Path, number: int, limitmb: int = WORKER_LIMIT_MB,
                 fast: bool = True):
        self.number = number
        ix = whoosh_index.open_dir(str(generation), indexname=INDEX_NAME)
        self.generation = generation
        self.writer = internals.segment_writer(ix, INDEX_NAME, number, limitmb, fast)
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
        """Close the segment and write its posting arrays; return it (None when nothing was
        written)."""
        arrays = postings.SegmentArrays(self.writer.schema, postings.segment_folder(
            self.generation, internals.segment_id(self.writer)))
        segment = internals.finish_segment(self.writer, bool(self.added), arrays.add)
        if segment is not None:
            arrays.finish()
        return segment


def create_empty(generation: Path) -> None:
    """An empty index in a new generation folder, for the workers' segments to join."""
    whoosh_index.create_in(str(generation), make_schema(), indexname=INDEX_NAME).close()


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
        toc = internals.read_toc(storage, INDEX_NAME)
        by_key, by_id, files = {}, {}, {}
        for number, segment in enumerate(toc.segments):
            reader = internals.segment_reader(storage, toc.schema, segment)
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

    def link_into(self, generation: Path) -> None:
        """Hard-link its segment files into a new generation (Whoosh never changes them)."""
        for segment in self.segments:
            for path in self.segment_files(segment):
                try:
                    (generation / path.name).hardlink_to(path)
                except OSError:  # a file system without hard links
                    shutil.copy2(path, generation / path.name)


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
        reader = internals.segment_reader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


def assemble(generation: Path, new_segments: list, dropped: list[tuple[int, int]],
             base: LiveIndex | None, deleted_live: set[tuple[int, int]]) -> int:
    """Write the generation's TOC: the live segments with their deletions, then the new ones.

    ``dropped`` are (worker, docnum) of new articles that lost to an earlier one with their id,
    ``deleted_live`` (segment, docnum) of live articles changed or gone. Returns the articles.
    """
    new_segments = list(new_segments)
    for worker, docnum in dropped:
        new_segments[worker].delete_document(docnum)
    segments = []
    if base is not None:
        for number, docnum in deleted_live:
            base.segments[number].delete_document(docnum)
        for segment in base.segments:
            if segment.doc_count() > 0:
                segments.append(segment)
            else:  # every article of it changed or went: its files are not needed
                for path in base.segment_files(segment):
                    (generation / path.name).unlink(missing_ok=True)
    segments += [s for s in new_segments if s is not None and s.doc_count() > 0]
    storage = FileStorage(str(generation))
    internals.write_toc(storage, INDEX_NAME, make_schema(), segments)
    (generation / f"_{INDEX_NAME}_0.toc").unlink(missing_ok=True)
    if len(segments) > MAX_SEGMENTS:
        ix = whoosh_index.open_dir(str(generation), indexname=INDEX_NAME)
        with ix.writer() as writer:
            writer.mergetype = _merge_small
        ix.close()
        (generation / f"{INDEX_NAME}_WRITELOCK").unlink(missing_ok=True)
    for child in generation.iterdir():  # temp folders of the workers and of Whoosh
        if child.is_dir() and child.name != postings.FOLDER:
            shutil.rmtree(child, ignore_errors=True)
    return sum(s.doc_count() for s in segments)

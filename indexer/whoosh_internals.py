"""Every use of Whoosh's private internals, in one place.

Writing: the indexer's workers each write a segment of their own, and a run lists the
segments in one table of contents (TOC), which takes Whoosh's segment writer apart (its lock,
its temp folder, finishing a segment without committing).

Reading:
the search reads posting blocks and field-length columns directly, because Whoosh's public
matchers walk one posting at a time in Python (0.5–2 s per query on 180k articles). Those
reads depend on the private layout of Whoosh 3's codec (``whoosh.codec.whoosh3``): block
attributes, the length column's file. Nothing outside this module may touch them, and
tests/test_whoosh_internals.py checks on a real index that the fast paths are taken and give
Whoosh's own answers, so that an upgrade which changes them fails loudly instead of going
slow (or wrong) silently.
"""

from __future__ import annotations

import heapq
import marshal
from array import array
from itertools import islice
from pickle import dumps
from typing import Iterator

import numpy as np
from whoosh import formats
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PostingsWriter, _lenfield
from whoosh.index import TOC
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import SegmentReader
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from .analysis import SpanTokenizer

RUN_CHUNK = 2000  # postings of a spilled run marshalled at once (a run open per 128 MB)

# the field length Whoosh scores with, by the byte it stores it as
_BYTE_LENGTHS = [byte_to_length(b) for b in range(256)]
LENGTHS = np.array(_BYTE_LENGTHS, dtype=np.float32)


def length_bytes(reader, fieldname: str, size: int) -> np.ndarray:
    """The byte-coded field length of every document of one segment."""
    column = length_column(reader, fieldname)
    if column is None:
        return np.zeros(size, np.uint8)
    return length_bytes_of(column, size)


def length_bytes_of(column, size: int) -> np.ndarray:
    """The bytes of a field-length column, one per document."""
    fast = _length_bytes_at_once(column, size)
    if fast is not None:
        return fast
    return np.fromiter((column[d] for d in range(size)), dtype=np.uint8, count=size)


def length_column(reader, fieldname: str):
    """The segment's column of field lengths, or None when the field has none."""
    per_doc = getattr(reader, "_perdoc", None)
    return per_doc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if per_doc else None


def _length_bytes_at_once(column, size: int) -> np.ndarray | None:
    """One byte per document, the trailing ones left out when they are 0: read in one go."""
    try:
        if column._fixedlen != 1:
            return None
        count = min(column._count, size)
        raw = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)
    except AttributeError:
        return None
    return np.concatenate([raw, np.zeros(size - count, np.uint8)])


def reads_by_blocks(matcher) -> bool:
    """Whether a matcher reads Whoosh 3 posting blocks (delta-coded ids), which are read here
    a block at a time; other matchers (short inlined lists) go posting by posting."""
    return hasattr(matcher, "_read_data") and not getattr(matcher, "_byteids", True)


def leaf_postings(searcher, fieldname: str, text: str) -> Iterator[tuple[object, int, object]]:
    """(segment reader, its document offset, the term's matcher) for each segment holding it.

    The matchers are unfiltered: deleted documents are removed by the caller's live mask.
    """
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if (fieldname, text) in reader:
            yield reader, offset, unfiltered_postings(reader, fieldname, text)


def unfiltered_postings(reader, fieldname: str, text: str):
    """A segment's matcher of a term, deleted documents included."""
    matcher = reader.postings(fieldname, text)
    while isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    return matcher


def read_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """All (ids, weights) of a leaf matcher, a block at a time where the format allows."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    if reads_by_blocks(matcher):
        # Whoosh 3 format: each block holds delta-coded ids and its weights
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            ids.append(np.cumsum(np.asarray(matcher._data[0], dtype=np.int64)))
            weights.append(_block_weights(matcher._data[1], matcher._blocklength))
            matcher._next_block()
    else:
        found_ids, found_weights = [], []
        while matcher.is_active():
            found_ids.append(matcher.id())
            found_weights.append(matcher.weight())
            matcher.next()
        ids.append(np.asarray(found_ids, dtype=np.int64))
        weights.append(np.asarray(found_weights, dtype=np.float32))
    if not ids:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    return np.concatenate(ids), np.concatenate(weights)


def read_postings_within(matcher, offset: int, size: int,
                         wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (segment ids, weights) of a leaf matcher for the wanted documents only.

    Blocks whose id range holds no wanted document are skipped unread (their header gives
    their last id): a frequent term costs what the candidates need, not its whole list.
    """
    if not reads_by_blocks(matcher):
        ids, weights = read_postings(matcher)
        keep = wanted[ids + offset]
        return ids[keep], weights[keep]
    found_ids: list[np.ndarray] = []
    found_weights: list[np.ndarray] = []
    for ids, data in _wanted_blocks(matcher, offset, size, wanted):
        keep = wanted[ids + offset]
        found_ids.append(ids[keep])
        found_weights.append(_block_weights(data[1], len(ids))[keep])
    if not found_ids:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    return np.concatenate(found_ids), np.concatenate(found_weights)


def _wanted_blocks(matcher, offset: int, size: int, wanted: np.ndarray):
    """(segment ids, block data) of the blocks holding a wanted document; the others are
    skipped unread: a block's header gives its last id, and wanted documents are counted by a
    running sum."""
    seen = np.concatenate([[0], np.cumsum(wanted[offset:offset + size])])
    first = 0
    while matcher.is_active():
        last = matcher._maxid
        if seen[last + 1] > seen[first]:
            if matcher._data is None:
                matcher._read_data()
            yield np.cumsum(np.asarray(matcher._data[0], dtype=np.int64)), matcher._data
        first = last + 1
        matcher._next_block()


def _block_weights(weights, n: int) -> np.ndarray:
    """A block's term frequencies: Whoosh writes none when all are 1, one when all are equal."""
    if weights is None:
        return np.ones(n, np.float32)
    if isinstance(weights, float):
        return np.full(n, weights, np.float32)
    return np.asarray(weights, dtype=np.float32)


def positions_in(searcher, fieldname: str, text: str, wanted: np.ndarray, decode):
    """(document, positions) of a term in the wanted documents only.

    A block whose id range holds no wanted document is skipped unread: its header gives its
    last id, and wanted documents are counted by a running sum.
    """
    for reader, offset, matcher in leaf_postings(searcher, fieldname, text):
        if reads_by_blocks(matcher):
            for ids, data in _wanted_blocks(matcher, offset, reader.doc_count_all(), wanted):
                for i in np.flatnonzero(wanted[ids + offset]).tolist():
                    yield int(ids[i]) + offset, decode(data[2][i])
        else:
            while matcher.is_active():
                doc = matcher.id() + offset
                if wanted[doc]:
                    yield doc, decode(matcher.value())
                matcher.next()


def segment_count(ix) -> int:
    """How many segments an opened index has."""
    return len(ix._segments())


# -- writing ----------------------------------------------------------------------------------


def segment_writer(ix, indexname: str, number: int, limitmb: int,
                   fast: bool = True) -> SegmentWriter:
    """A writer of one new segment that takes no lock (the run's lock guards the folder).

    ``fast``: fields whose values come analysed ahead are indexed from their spans
    (``_span_postings``) and spilled postings go to disk in chunks (``_ChunkedPool``); without,
    Whoosh's own code does both (tests compare the two).
    """
    writer = SegmentWriter(ix, _lk=False, limitmb=limitmb)
    # Whoosh names every writer's temp folder "MAIN.tmp" and removes it when one finishes:
    # each worker gets its own, or the first to finish would delete the others' runs
    writer._tempstorage = ix.storage.temp_storage(f"{indexname}.worker{number}.tmp")
    pool = _ChunkedPool if fast else PostingPool
    writer.pool = pool(writer._tempstorage, writer.newsegment, limitmb=limitmb)
    if fast:
        for field in writer.schema:
            if isinstance(field.analyzer, SpanTokenizer) and type(field.format) in (
                    formats.Positions, formats.Frequency):
                field.index = _span_index(field)  # this writer's copy of the schema only
    return writer


class _ChunkedPool(PostingPool):
    """Whoosh's posting pool, its runs spilled to disk written and read back RUN_CHUNK
    postings at a time instead of one by one.

    A worker's postings outgrow its memory past a few thousand articles; Whoosh then marshals
    each posting on its own and merges the runs through a generator per posting: at 25k
    articles, a third of the build went there after the last article was read.
    """

    def _write_run(self, f, items):
        items = iter(items)
        while chunk := list(islice(items, RUN_CHUNK)):
            data = marshal.dumps(chunk, 2)
            f.write(len(data).to_bytes(8, "little") + data)
        f.close()

    def _read_run(self, path):
        # the run files are unbuffered: one read per chunk (marshal.load on the file read
        # each object with a system call of its own)
        f = self._open_run(path)
        try:
            while size := f.read(8):
                yield from marshal.loads(f.read(int.from_bytes(size, "little")))
        finally:
            f.close()
            self._remove_run(path)

    def _merge_runs(self, paths):
        return heapq.merge(*(self._read_run(path) for path in paths))


def _span_index(field):
    """``field.index`` for values analysed ahead: the postings straight from their spans."""
    whooshs = field.index
    kind = field.analyzer.kind
    encode = _positions if type(field.format) is formats.Positions else None
    boost = field.format.field_boost

    def index(value, **kwargs):
        spans = getattr(value, "spans", None)
        if kwargs or not spans or kind not in spans:
            return whooshs(value, **kwargs)
        return _span_postings(spans[kind], encode, boost)

    return index


def _span_postings(spans, encode, boost: float) -> list[tuple]:
    """(term bytes, frequency, weight, value) per term, in order of first appearance, as
    Whoosh's ``Positions``/``Frequency.word_values`` give them from a token stream: building a
    Token per span cost a third of adding a document."""
    positions: dict[str, list[int]] = {}
    for pos, (text, _start, _end) in enumerate(spans):
        found = positions.get(text)
        if found is None:
            positions[text] = [pos]
        else:
            found.append(pos)
    return [(text.encode("utf-8"), len(poses), len(poses) * boost,
             encode(poses) if encode is not None else pack_uint(len(poses)))
            for text, poses in positions.items()]


def _positions(poses: list[int]) -> bytes:
    """``Positions.encode``: the count, then the pickled gaps."""
    return pack_uint(len(poses)) + dumps([poses[0]] + [b - a for a, b in zip(poses, poses[1:])],
                                         2)


def segment_id(writer: SegmentWriter) -> str:
    """The id of the segment a writer writes (its files' names)."""
    return writer.newsegment.segment_id()


def finish_segment(writer: SegmentWriter, written: bool, on_term=None):
    """Close a worker's segment without committing; the segment, or None if nothing was
    written. The run lists it in the generation's TOC itself. ``on_term(field, term bytes,
    document numbers, weights)`` is told each term's postings as they are written."""
    segment = None
    if written:
        _flush_segment(writer, on_term)
        writer._close_segment()
        writer._assemble_segment()
        segment = writer.get_segment()
    else:
        writer._close_segment()
    writer._tempstorage.destroy()
    writer.is_closed = True
    return segment


def _flush_segment(writer: SegmentWriter, on_term=None) -> None:
    """Whoosh's ``SegmentWriter._flush_segment``, with the postings written a term at a time
    (``write_postings``) and the field lengths of each block's bounds read from memory."""
    writer.perdocwriter.close()
    per_doc = writer.per_document_reader() if writer.codec.length_stats else None
    lengths = _SegmentLengths(per_doc, writer.doc_count()) if per_doc is not None else None
    write_postings(writer.fieldwriter, writer.schema, lengths, writer.pool.iter_postings(),
                   on_term)
    writer.fieldwriter.close()
    if per_doc is not None:
        per_doc.close()


def write_postings(fieldwriter, schema, lengths, postings, on_term=None) -> None:
    """Whoosh's ``FieldWriter.add_postings`` over sorted (field, term bytes, document, weight,
    value) postings, each term's postings put into Whoosh 3 blocks at once.

    Whoosh adds them one by one, each through three calls with type checks: that, and reading
    each posting's field length from the column file, took most of the time of closing a
    segment. The blocks, their bounds and the term table are the same bytes.
    """
    fieldname = term = None
    field_lengths: list[int] = []
    ids: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    blocks = False

    def flush():
        fieldwriter.start_term(term)
        if blocks:
            _add_term_postings(fieldwriter._postwriter, ids, weights, values,
                               [field_lengths[d] if d < len(field_lengths) else 0 for d in ids])
        else:
            for docnum, weight, value in zip(ids, weights, values):
                fieldwriter.add(docnum, weight, value, lengths.doc_field_length(
                    docnum, fieldname) if lengths else 0)
        fieldwriter.finish_term()
        if on_term is not None:
            on_term(fieldname, term, ids, weights)

    for name, text, docnum, weight, value in postings:
        if name != fieldname:
            if term is not None:
                flush()
            if fieldname is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(name, schema[name])
            fieldname, term = name, None
            blocks = type(getattr(fieldwriter, "_postwriter", None)) is W3PostingsWriter
            field_lengths = lengths.of(name) if lengths and blocks else []
        if docnum == -1:  # Whoosh's spelling entries: not postings
            continue
        if text != term:
            if term is not None:
                flush()
            term, ids, weights, values = text, [], [], []
        ids.append(docnum)
        weights.append(weight)
        values.append(value or b"")
    if term is not None:
        flush()
    fieldwriter.is_closed = True


def _add_term_postings(writer: W3PostingsWriter, ids: list[int], weights: list[float],
                       values: list[bytes], lengths: list[int]) -> None:
    """A term's postings into a started Whoosh 3 posting list, as ``add_posting`` one at a
    time leaves it: every full block but the last written, the last one buffered (its
    ``finish_postings`` writes it)."""
    limit = writer._blocklimit
    for start in range(0, len(ids), limit):
        end = start + limit
        block_weights = weights[start:end]
        writer._ids = array("I", ids[start:end])
        writer._weights = array("f", block_weights)
        writer._values = [v for v in values[start:end] if v]
        heaviest = max(block_weights)
        writer._maxweight = heaviest if heaviest > 0 else 0
        known = [n for n in lengths[start:end] if n]
        writer._minlength = min(known) if known else None
        writer._maxlength = max(known) if known else 0
        if end < len(ids):
            writer._write_block()


class _SegmentLengths:
    """A new segment's field lengths, each field's column read in one go when first asked."""

    def __init__(self, per_doc, size: int):
        self.per_doc = per_doc
        self.size = size
        self.fields: dict[str, list[int]] = {}

    def of(self, fieldname: str) -> list[int]:
        """Every document's length of a field (0: none)."""
        lengths = self.fields.get(fieldname)
        if lengths is None:
            column = self.per_doc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            found = (length_bytes_of(column, self.size) if column is not None
                     else np.zeros(self.size, np.uint8))
            lengths = self.fields[fieldname] = [_BYTE_LENGTHS[b] for b in found.tolist()]
        return lengths

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self.of(fieldname)
        return lengths[docnum] if docnum < self.size else default


def read_toc(storage, indexname: str) -> TOC:
    """A generation's table of contents: its schema and segments."""
    return TOC.read(storage, indexname)


def write_toc(storage, indexname: str, schema, segments: list) -> None:
    """List segments (with their deletions) as a generation's table of contents."""
    TOC(schema, segments, 1).write(storage, indexname)


def segment_reader(storage, schema, segment) -> SegmentReader:
    """A reader of one segment of a table of contents."""
    return SegmentReader(storage, schema, segment)

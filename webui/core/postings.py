"""The posting arrays of one index generation, read once and shared by its searches.

The indexer writes each segment's postings as flat arrays (indexer.postings); a generation's
:class:`Postings` memory-maps them, joins the segments into global document numbers, keeps the
lists queries ask for in a bounded cache, and lists a field's terms with their counts (for the
vocabulary, the completions and the facet tables, which Whoosh's term table gives in seconds
at archive scale). An index written without the arrays is read through Whoosh instead.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from indexer import whoosh_internals as internals
from indexer.postings import SegmentPostings

from .generation import Generation, warmer
from .lru import LRU

MAX_CACHED_POSTINGS = 4_000_000  # ~32 MB of arrays per worker; the least recently used go first
MAX_CACHED_PHRASES = 256  # phrase results (the documents of a phrase, by field) kept
READ_WHOLE_BELOW = 4096  # postings: shorter lists are read whole and cached
BLOCK_POSTINGS = 128  # postings per Whoosh block: wanted documents this sparse skip blocks

# the fields webui.core.query scores, whose per-document lengths BM25F reads
SCORED_FIELDS = ("title", "summary", "body", "captions", "title_syl", "text_syl", "title_fold",
                 "text_fold", "title_alias", "text_alias")


class Postings:
    """The postings of one generation's terms as arrays, read on first use and cached.

    Document numbers are global (segment offsets added); deleted documents are left in and
    removed by the live mask, as Whoosh's statistics count them too.
    """

    def __init__(self, budget: int = MAX_CACHED_POSTINGS, path=None):
        self.budget = budget
        self.path = path  # the generation's folder, where the posting arrays are
        self._arrays: dict[str, SegmentPostings | None] = {}  # by segment id
        self.held = 0
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lengths: dict[str, np.ndarray] = {}
        self._phrases = LRU(MAX_CACHED_PHRASES)
        self._lock = threading.Lock()

    def phrase(self, key: tuple, compute) -> np.ndarray:
        """The documents of a phrase in a field, computed once per generation while kept."""
        found = self._phrases.get(key)
        if found is None:
            found = compute()
            self._phrases.put(key, found)
        return found

    def get(self, searcher, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, term frequencies) of a term; empty arrays for an unknown one."""
        key = (fieldname, text)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        ids, weights = [], []
        for leaf, offset in searcher.leaf_searchers():
            arrays = self._segment_arrays(leaf.reader())
            if arrays is not None and arrays.has(fieldname):
                leaf_ids, leaf_weights = arrays.get(fieldname, text)
            elif (fieldname, text) in leaf.reader():
                leaf_ids, leaf_weights = internals.read_postings(
                    internals.unfiltered_postings(leaf.reader(), fieldname, text))
            else:
                continue
            ids.append((leaf_ids + offset).astype(np.int32))  # 4 bytes a posting, not 8
            weights.append(leaf_weights.astype(np.float32))
        found = ((np.concatenate(ids), np.concatenate(weights)) if ids
                 else (np.zeros(0, np.int32), np.zeros(0, np.float32)))
        with self._lock:
            if key not in self._cache and len(found[0]) <= self.budget:
                self._cache[key] = found
                self.held += len(found[0])
                while self.held > self.budget:
                    _, (old, _) = self._cache.popitem(last=False)
                    self.held -= len(old)
        return found

    def _segment_arrays(self, reader) -> SegmentPostings | None:
        """The posting arrays the indexer wrote beside a segment, memory-mapped, if any."""
        if reader.segment() is None:  # an index with no segment yet
            return None
        segment_id = reader.segment().segment_id()
        if segment_id not in self._arrays:
            self._arrays[segment_id] = (SegmentPostings.open(self.path, segment_id)
                                        if self.path is not None else None)
        return self._arrays[segment_id]

    def doc_frequency(self, searcher, fieldname: str, text: str) -> int:
        """Documents holding a term, deleted ones included (Whoosh's count), from the posting
        arrays when every segment has them (a lookup in Whoosh's term table costs more)."""
        total = 0
        for leaf, _ in searcher.leaf_searchers():
            arrays = self._segment_arrays(leaf.reader())
            if arrays is None or not arrays.has(fieldname):
                return searcher.doc_frequency(fieldname, text)
            total += arrays.doc_frequency(fieldname, text)
        return total

    def terms(self, searcher, fieldname: str) -> dict[str, int]:
        """Every term of a field with the documents holding it (Whoosh's count), from the
        posting arrays where a segment has them: Whoosh decodes a term's record to count it,
        seconds for a field of an archive."""
        found: dict[str, int] = {}
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            arrays = self._segment_arrays(reader)
            if arrays is not None and arrays.has(fieldname):
                pairs = arrays.terms(fieldname)
            elif fieldname in reader.schema:
                pairs = ((term.decode("utf-8") if isinstance(term, bytes) else term,
                          info.doc_frequency()) for term, info in reader.iter_field(fieldname))
            else:
                continue
            for text, count in pairs:
                found[text] = found.get(text, 0) + count
        return found

    def field_postings(self, searcher, fieldname: str
                       ) -> list[tuple[list[str], np.ndarray, np.ndarray]] | None:
        """Per segment, every term of a field, where each one's postings start and the
        documents (global numbers, deleted ones included); None when a segment has no
        arrays for the field."""
        found = []
        for leaf, offset in searcher.leaf_searchers():
            arrays = self._segment_arrays(leaf.reader())
            if arrays is None or not arrays.has(fieldname):
                return None
            field = arrays.fields[fieldname]
            found.append(([text for text, _ in arrays.terms(fieldname)], field["starts"],
                          field["ids"].astype(np.int32) + offset))
        return found

    def get_within(self, searcher, fieldname: str, text: str,
                   wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, term frequencies) of a term in the wanted documents.

        A term already cached, or short, or wanted in most of its blocks anyway is read whole
        (and cached); a long one is read only in the blocks where wanted documents lie.
        """
        key = (fieldname, text)
        with self._lock:
            found = self._cache.get(key)
        if found is None:
            arrays = all(self._segment_arrays(leaf.reader()) is not None
                         for leaf, _ in searcher.leaf_searchers())
            df = 0 if arrays else searcher.doc_frequency(fieldname, text)
            if arrays or df <= READ_WHOLE_BELOW or int(wanted.sum()) * BLOCK_POSTINGS > df:
                found = self.get(searcher, fieldname, text)
        if found is not None:
            ids, weights = found
            keep = wanted[ids]
            return ids[keep], weights[keep]
        ids, weights = [], []
        for reader, offset, matcher in internals.leaf_postings(searcher, fieldname, text):
            leaf_ids, leaf_weights = internals.read_postings_within(
                matcher, offset, reader.doc_count_all(), wanted)
            ids.append((leaf_ids + offset).astype(np.int32))
            weights.append(leaf_weights)
        if not ids:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        return np.concatenate(ids), np.concatenate(weights)

    def lengths(self, searcher, fieldname: str) -> np.ndarray:
        """The length Whoosh scores each document's field with (byte-coded, as it stores it)."""
        with self._lock:
            found = self._lengths.get(fieldname)
        if found is not None:
            return found
        parts = []
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            size = reader.doc_count_all()
            parts.append(internals.LENGTHS[internals.length_bytes(reader, fieldname, size)])
        found = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        with self._lock:
            self._lengths[fieldname] = found
        return found


def postings(gen: Generation) -> Postings:
    """The posting arrays of a generation (filled as queries ask for terms)."""
    return gen.cached("postings", lambda: Postings(path=gen.path))


@warmer("field lengths")
def _field_lengths(gen: Generation) -> None:
    def read(searcher):
        for fieldname in SCORED_FIELDS:
            if fieldname in searcher.schema:
                postings(gen).lengths(searcher, fieldname)

    gen.with_searcher(read)

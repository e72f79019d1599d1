"""Matching and BM25F scoring with numpy over posting arrays, instead of Whoosh's matchers.

Whoosh walks a query's matcher tree one document at a time in Python: on 180k articles a
two-word query cost 0.5–2 s, nearly all of it there. Here each term's postings are read once
per index generation into arrays (document numbers, term frequencies) and kept in a bounded
cache; a query is then a few vectorised unions, intersections and sums over per-document
arrays. Scores are Whoosh's own BM25F (its idf, B=0.75, K1=1.2 and its byte-coded field
lengths), so rankings stay what bench/relevance.py measured.

Phrases still need positions: their documents come from Whoosh, and they score as the sum of
their terms.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import query as Q

from indexer import whoosh_internals as internals
from indexer.postings import SegmentPostings

from .generation import Generation, warmer
from .lru import LRU

B, K1 = 0.75, 1.2  # Whoosh's BM25F defaults, which the boosts were tuned with
MAX_CACHED_POSTINGS = 4_000_000  # ~32 MB of arrays per worker; the least recently used go first
MAX_CACHED_PHRASES = 256  # phrase results (the documents of a phrase, by field) kept
READ_WHOLE_BELOW = 4096  # postings: shorter lists are read whole and cached
BLOCK_POSTINGS = 128  # postings per Whoosh block: wanted documents this sparse skip blocks
SEARCH_SORTED_RATIO = 16  # postings per looked-at document above which they are searched

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


@dataclass
class Matches:
    """The documents a query matches, and their scores (None when not asked for)."""

    mask: np.ndarray
    score: np.ndarray | None


class Evaluator:
    """Evaluates the queries webui.query builds (terms, phrases, And, Or, AndMaybe, AndNot).

    Over the whole index, masks and scores are arrays as long as the index. Restricted to some
    documents (:meth:`restricted`), they are as long as those documents and a term's postings
    are only looked up for them: a long query then costs work in proportion to the articles
    that can match, not to the archive.
    """

    def __init__(self, searcher, postings: Postings, live: np.ndarray,
                 docs: np.ndarray | None = None):
        self.searcher = searcher
        self.postings = postings
        self.index_live = live
        self.docs = docs  # the documents looked at (sorted), or None for all of them
        self.live = live if docs is None else live[docs]
        self.size = len(self.live)
        self.doc_count = searcher.doc_count_all()
        self.within: np.ndarray | None = None  # when set, only these documents are looked at
        self._slots: np.ndarray | None = None
        if docs is not None:
            # each document's place among the looked-at ones, -1 for the others
            self._slots = np.full(len(live), -1, np.int32)
            self._slots[docs] = np.arange(len(docs), dtype=np.int32)

    def restricted(self, docs: np.ndarray) -> "Evaluator":
        """An evaluator over these documents (sorted document numbers) only."""
        return Evaluator(self.searcher, self.postings, self.index_live, docs)

    def whole(self) -> "Evaluator":
        """An evaluator over every document of the index."""
        return self if self.docs is None else Evaluator(self.searcher, self.postings,
                                                        self.index_live)

    def spread(self, values: np.ndarray) -> np.ndarray:
        """Per-document values of this evaluator as an array over the whole index."""
        if self.docs is None:
            return values
        out = np.zeros(len(self.index_live), values.dtype)
        out[self.docs] = values
        return out

    def local(self, docs: np.ndarray) -> np.ndarray:
        """Places of these document numbers among the looked-at ones (those looked at only)."""
        if self._slots is None:
            return docs
        slots = self._slots[docs]
        return slots[slots >= 0]

    def matches(self, q: Q.Query, scored: bool = True,
                within: np.ndarray | None = None) -> Matches:
        """The documents matching a query, and their scores; with ``within``, only among
        those documents (the postings of frequent terms are then read in part)."""
        self.within = within
        try:
            found = self._eval(q, scored)
        finally:
            self.within = None
        mask = found.mask & self.live
        if within is not None:
            mask &= within
        return Matches(mask, found.score)

    def holding(self, *queries: Q.Query) -> np.ndarray:
        """The live documents matching any of the queries, unscored. Their terms (and those
        of their Ors: a unit's forms in every field) mark one mask from their postings,
        rather than a mask each, joined."""
        mask = self._none()
        for q in queries:
            self._mark(q, mask)
        return mask & self.live

    def _mark(self, q: Q.Query, mask: np.ndarray) -> None:
        if isinstance(q, Q.Term):
            ids, _ = self.postings.get(self.searcher, q.fieldname, q.text)
            mask[self.local(ids)] = True
        elif isinstance(q, Q.Or):
            for sub in q.subqueries:
                self._mark(sub, mask)
        else:
            mask |= self._eval(q, False).mask

    def _eval(self, q: Q.Query, scored: bool) -> Matches:
        if isinstance(q, Q.Term):
            found = self._term(q.fieldname, q.text, scored, q.boost)
        elif isinstance(q, Q.Phrase):
            found = self._phrase(q, scored)
        elif isinstance(q, Q.AndMaybe):
            required, optional = self._eval(q.a, scored), self._eval(q.b, scored)
            found = Matches(required.mask, _sum(required.score, optional.score))
        elif isinstance(q, Q.AndNot):
            positive = self._eval(q.a, scored)
            negative = self._eval(q.b, False)
            found = Matches(positive.mask & ~negative.mask, positive.score)
        elif isinstance(q, Q.And):
            parts = [self._eval(sub, scored) for sub in q.subqueries]
            mask = np.logical_and.reduce([p.mask for p in parts]) if parts else self._none()
            found = Matches(mask, _sum(*(p.score for p in parts)))
        elif isinstance(q, Q.Or):
            parts = [self._eval(sub, scored) for sub in q.subqueries]
            mask = np.logical_or.reduce([p.mask for p in parts]) if parts else self._none()
            found = Matches(mask, _sum(*(p.score for p in parts)))
        elif isinstance(q, Q.Every):
            found = Matches(np.ones(self.size, bool), self._zeros() if scored else None)
        elif isinstance(q, type(Q.NullQuery)):
            found = Matches(self._none(), self._zeros() if scored else None)
        else:
            found = self._by_whoosh(q, scored)
        boost = getattr(q, "boost", 1.0)
        if scored and found.score is not None and boost != 1.0 and not isinstance(
                q, (Q.Term, Q.Phrase)):
            found.score *= boost
        return found

    def _term(self, fieldname: str, text: str, scored: bool, boost: float = 1.0) -> Matches:
        if self.within is None or self.docs is not None:
            ids, weights = self.postings.get(self.searcher, fieldname, text)
        else:
            ids, weights = self.postings.get_within(self.searcher, fieldname, text, self.within)
        places = ids
        if self.docs is not None:
            ids, weights, places = self._looked_at(ids, weights)
        mask = self._none()
        mask[places] = True
        if not scored:
            return Matches(mask, None)
        score = self._zeros()
        if len(ids):
            # Whoosh's idf, over every document written (deleted ones too)
            df = self.postings.doc_frequency(self.searcher, fieldname, text)
            idf = np.log(self.doc_count / (df + 1)) + 1
            avgfl = (self.searcher.avg_field_length(fieldname) or 1)
            lengths = self.postings.lengths(self.searcher, fieldname)[ids]
            score[places] = boost * idf * (weights * (K1 + 1)) / (
                weights + K1 * ((1 - B) + B * lengths / avgfl))
        return Matches(mask, score)

    def _looked_at(self, ids: np.ndarray, weights: np.ndarray):
        """The postings of the looked-at documents: (ids, weights, places among them)."""
        docs = self.docs
        if len(ids) > SEARCH_SORTED_RATIO * len(docs):
            # a long list and few documents: find the documents in it (both are sorted)
            at = np.searchsorted(ids, docs)
            at[at == len(ids)] = 0
            found = ids[at] == docs if len(ids) else np.zeros(len(docs), bool)
            places = np.flatnonzero(found).astype(np.int32)
            at = at[found]
            return ids[at], weights[at], places
        places = self._slots[ids]
        keep = places >= 0
        return ids[keep], weights[keep], places[keep]

    def _phrase(self, q: Q.Phrase, scored: bool) -> Matches:
        words = list(q.words)
        terms = [self._term(q.fieldname, w, scored) for w in dict.fromkeys(words)]
        candidates = np.logical_and.reduce([t.mask for t in terms]) & self.live
        if q.slop == 1 and len(words) > 1:
            # the cached documents are every live one with the phrase, whatever the candidates
            # (and whatever documents this evaluation is restricted to)
            def every() -> np.ndarray:
                whole = self.whole()
                within, whole.within = whole.within, None
                try:
                    holding = np.logical_and.reduce([
                        whole._term(q.fieldname, w, False).mask for w in dict.fromkeys(words)])
                finally:
                    whole.within = within
                return np.flatnonzero(whole._adjacent(q.fieldname, words,
                                                      holding & whole.live))

            docs = self.postings.phrase((q.fieldname, tuple(words)), every)
            mask = _mask_of(self.local(docs), self.size) & candidates
        else:
            mask = candidates & self._by_whoosh(q, False).mask
        score = None
        if scored:  # a phrase scores as the sum of its words where it stands
            score = _sum(*(t.score for t in terms)) * mask * q.boost
        return Matches(mask, score)

    def _adjacent(self, fieldname: str, words: list[str], candidates: np.ndarray) -> np.ndarray:
        """The candidates where the words stand side by side, from their positions.

        Only the candidates' positions are decoded, the rarest word first; Whoosh's own phrase
        matcher spent about a millisecond per candidate on its span machinery.
        """
        decode = self.searcher.schema[fieldname].format.decode_positions
        order = sorted(range(len(words)),
                       key=lambda i: self.searcher.doc_frequency(fieldname, words[i]))
        starts: dict[int, set[int]] | None = None  # document -> possible phrase starts
        for i in order:
            wanted = candidates if starts is None else _mask_of(starts, len(candidates))
            found: dict[int, set[int]] = {}
            for doc, positions in internals.positions_in(self.searcher, fieldname, words[i],
                                                        wanted, decode):
                shifted = {p - i for p in positions}
                found[doc] = shifted if starts is None else shifted & starts[doc]
            starts = {doc: s for doc, s in found.items() if s}
            if not starts:
                break
        return _mask_of(starts or {}, len(candidates))

    def _by_whoosh(self, q: Q.Query, scored: bool) -> Matches:
        mask = self._none()
        for leaf, offset in self.searcher.leaf_searchers():
            docs = np.fromiter(q.docs(leaf), dtype=np.int64)
            mask[self.local(docs + offset)] = True
        return Matches(mask, self._zeros() if scored else None)

    def _none(self) -> np.ndarray:
        return np.zeros(self.size, bool)

    def _zeros(self) -> np.ndarray:
        return np.zeros(self.size, np.float32)


def _mask_of(docs, size: int) -> np.ndarray:
    mask = np.zeros(size, bool)
    if not isinstance(docs, np.ndarray):
        docs = np.fromiter(docs, dtype=np.int64, count=len(docs))
    mask[docs] = True
    return mask


def _sum(*scores):
    present = [s for s in scores if s is not None]
    if not present:
        return None
    total = present[0].copy()
    for s in present[1:]:
        total += s
    return total


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

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
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

B, K1 = 0.75, 1.2  # Whoosh's BM25F defaults, which the boosts were tuned with
MAX_CACHED_POSTINGS = 4_000_000  # ~32 MB of arrays per worker; the least recently used go first
MAX_CACHED_PHRASES = 256  # phrase results (the documents of a phrase, by field) kept

_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


class Recent:
    """The last ``size`` values put, by key (an LRU shared by threads; size 0 keeps none)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key, value) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class Postings:
    """The postings of one generation's terms as arrays, read on first use and cached.

    Document numbers are global (segment offsets added); deleted documents are left in and
    removed by the live mask, as Whoosh's statistics count them too.
    """

    def __init__(self, budget: int = MAX_CACHED_POSTINGS):
        self.budget = budget
        self.held = 0
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lengths: dict[str, np.ndarray] = {}
        self._phrases = Recent(MAX_CACHED_PHRASES)
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
        for reader, offset, matcher in _leaf_postings(searcher, fieldname, text):
            leaf_ids, leaf_weights = _read_postings(matcher)
            ids.append((leaf_ids + offset).astype(np.int32))  # 4 bytes a posting, not 8
            weights.append(leaf_weights)
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
            parts.append(_LENGTHS[_length_bytes(reader, fieldname, size)])
        found = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        with self._lock:
            self._lengths[fieldname] = found
        return found


def _length_bytes(reader, fieldname: str, size: int) -> np.ndarray:
    """The byte-coded field length of every document of one segment."""
    per_doc = getattr(reader, "_perdoc", None)
    column = per_doc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if per_doc else None
    if column is None:
        return np.zeros(size, np.uint8)
    try:
        # one byte per document, the trailing ones left out when they are 0: read at once
        count = min(column._count, size)
        if column._fixedlen == 1:
            raw = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)
            return np.concatenate([raw, np.zeros(size - count, np.uint8)])
    except AttributeError:
        pass
    return np.fromiter((column[d] for d in range(size)), dtype=np.uint8, count=size)


def _by_blocks(matcher) -> bool:
    """Whether a matcher reads Whoosh 3 posting blocks (delta-coded ids), which are read here
    a block at a time; other matchers (short inlined lists) go posting by posting."""
    return hasattr(matcher, "_read_data") and not getattr(matcher, "_byteids", True)


def _read_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """All (ids, weights) of a leaf matcher, a block at a time where the format allows."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    if _by_blocks(matcher):
        # Whoosh 3 format: each block holds delta-coded ids and its weights
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            block_ids, block_weights = matcher._data[0], matcher._data[1]
            n = matcher._blocklength
            ids.append(np.cumsum(np.asarray(block_ids, dtype=np.int64)))
            if block_weights is None:
                weights.append(np.ones(n, np.float32))
            elif isinstance(block_weights, float):
                weights.append(np.full(n, block_weights, np.float32))
            else:
                weights.append(np.asarray(block_weights, dtype=np.float32))
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


@dataclass
class Matches:
    """The documents a query matches, and their scores (None when not asked for)."""

    mask: np.ndarray
    score: np.ndarray | None


class Evaluator:
    """Evaluates the queries webui.query builds (terms, phrases, And, Or, AndMaybe, AndNot)."""

    def __init__(self, searcher, postings: Postings, live: np.ndarray):
        self.searcher = searcher
        self.postings = postings
        self.live = live
        self.size = len(live)
        self.doc_count = searcher.doc_count_all()

    def matches(self, q: Q.Query, scored: bool = True) -> Matches:
        found = self._eval(q, scored)
        return Matches(found.mask & self.live, found.score)

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
        ids, weights = self.postings.get(self.searcher, fieldname, text)
        mask = self._none()
        mask[ids] = True
        if not scored:
            return Matches(mask, None)
        score = self._zeros()
        if len(ids):
            # Whoosh's idf, over every document written (deleted ones too)
            df = self.searcher.doc_frequency(fieldname, text)
            idf = np.log(self.doc_count / (df + 1)) + 1
            avgfl = (self.searcher.avg_field_length(fieldname) or 1)
            lengths = self.postings.lengths(self.searcher, fieldname)[ids]
            score[ids] = boost * idf * (weights * (K1 + 1)) / (
                weights + K1 * ((1 - B) + B * lengths / avgfl))
        return Matches(mask, score)

    def _phrase(self, q: Q.Phrase, scored: bool) -> Matches:
        words = list(q.words)
        terms = [self._term(q.fieldname, w, scored) for w in dict.fromkeys(words)]
        candidates = np.logical_and.reduce([t.mask for t in terms]) & self.live
        if q.slop == 1 and len(words) > 1:
            # the cached documents are every live one with the phrase, whatever the candidates
            docs = self.postings.phrase((q.fieldname, tuple(words)), lambda: np.flatnonzero(
                self._adjacent(q.fieldname, words, candidates)))
            mask = _mask_of(docs, self.size)
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
            for doc, positions in _positions(self.searcher, fieldname, words[i], wanted,
                                             decode):
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
            mask[docs + offset] = True
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


def _leaf_postings(searcher, fieldname: str, text: str):
    """(segment reader, its document offset, the term's matcher) for each segment holding it.

    The matchers are unfiltered: deleted documents are removed by the live mask.
    """
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if (fieldname, text) not in reader:
            continue
        matcher = reader.postings(fieldname, text)
        while isinstance(matcher, FilterMatcher):
            matcher = matcher.child
        yield reader, offset, matcher


def _positions(searcher, fieldname: str, text: str, wanted: np.ndarray, decode):
    """(document, positions) of a term in the wanted documents only."""
    for reader, offset, matcher in _leaf_postings(searcher, fieldname, text):
        if _by_blocks(matcher):
            # a block whose id range holds no wanted document is skipped unread: its header
            # gives its last id, and wanted documents are counted by a running sum
            seen = np.concatenate([[0], np.cumsum(wanted[offset:offset + reader.doc_count_all()])])
            first = 0
            while matcher.is_active():
                last = matcher._maxid
                if seen[last + 1] > seen[first]:
                    if matcher._data is None:
                        matcher._read_data()
                    ids = np.cumsum(np.asarray(matcher._data[0], dtype=np.int64)) + offset
                    hits = np.flatnonzero(wanted[ids])
                    values = matcher._data[2]
                    for i in hits.tolist():
                        yield int(ids[i]), decode(values[i])
                first = last + 1
                matcher._next_block()
        else:
            while matcher.is_active():
                doc = matcher.id() + offset
                if wanted[doc]:
                    yield doc, decode(matcher.value())
                matcher.next()


def _sum(*scores):
    present = [s for s in scores if s is not None]
    if not present:
        return None
    total = present[0].copy()
    for s in present[1:]:
        total += s
    return total

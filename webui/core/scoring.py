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

from dataclasses import dataclass

import numpy as np
from whoosh import query as Q

from indexer import whoosh_internals as internals

from .postings import Postings

B, K1 = 0.75, 1.2  # Whoosh's BM25F defaults, which the boosts were tuned with
SEARCH_SORTED_RATIO = 16  # postings per looked-at document above which they are searched


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

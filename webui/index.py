"""The live index as the web app sees it: searchers and caches kept per generation.

The searcher is taken lazily on ``g``, like the database handle of Flask's tutorial, but not
closed at teardown: it belongs to its generation and serves the next requests too. Each
request checks where the index folder's ``current`` link points; when
a build has switched it, the next request opens the new generation — no restart needed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from flask import current_app, g
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from indexer import store

from .scoring import Postings

FACET_FIELDS = ("ministries", "persons", "month")
# the fields webui.query scores, whose per-document lengths BM25F reads
SCORED_FIELDS = ("title", "summary", "body", "captions", "title_syl", "text_syl", "title_fold",
                 "text_fold", "title_alias", "text_alias")


@dataclass
class FacetTable:
    """Every (document, value) pair of one facet field, for counting with numpy.

    Built once per index generation: counting the values of any set of matching documents is
    then one mask lookup and one bincount, with no per-document Python work.
    """

    values: list[str]
    doc_ids: np.ndarray  # int32, one entry per (document, value) pair
    value_ids: np.ndarray  # int32, parallel to doc_ids

    @classmethod
    def build(cls, reader, fieldname: str) -> "FacetTable":
        values, docs, ids = [], [], []
        for vid, value in enumerate(reader.field_terms(fieldname)):
            values.append(value)
            posting = np.fromiter(reader.postings(fieldname, value).all_ids(), dtype=np.int32)
            docs.append(posting)
            ids.append(np.full(len(posting), vid, dtype=np.int32))
        if not values:
            empty = np.zeros(0, dtype=np.int32)
            return cls([], empty, empty)
        return cls(values, np.concatenate(docs), np.concatenate(ids))

    def count(self, mask: np.ndarray) -> list[tuple[str, int]]:
        """(value, count) for the documents where mask is true, most frequent first."""
        if not self.values:
            return []
        counts = np.bincount(self.value_ids[mask[self.doc_ids]], minlength=len(self.values))
        nonzero = np.nonzero(counts)[0]
        order = sorted(nonzero, key=lambda i: (-counts[i], self.values[i]))
        return [(self.values[i], int(counts[i])) for i in order]

    def mask_for(self, wanted: set[str], size: int) -> np.ndarray:
        """The documents holding any of the wanted values."""
        mask = np.zeros(size, dtype=bool)
        ids = [i for i, v in enumerate(self.values) if v in wanted]
        if ids:
            mask[self.doc_ids[np.isin(self.value_ids, ids)]] = True
        return mask


class Generation:
    """One opened index generation and what is computed once for it."""

    def __init__(self, path: Path):
        self.path = path
        # read with plain file reads: through mmap, Whoosh copies each segment file it opens
        # into memory (a BytesIO over the map), about the index's size per worker
        storage = FileStorage(str(path), supports_mmap=False, readonly=True)
        self.index = whoosh_index.FileIndex(storage)
        self.meta = store.read_meta(path)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._facets: dict[str, FacetTable] = {}
        self._days: np.ndarray | None = None
        self._vocabulary = None
        self._live: np.ndarray | None = None
        self.postings = Postings()  # term postings as arrays, for webui.scoring

    def facet(self, searcher, fieldname: str) -> FacetTable:
        with self._lock:
            table = self._facets.get(fieldname)
            if table is None:
                table = self._facets[fieldname] = FacetTable.build(searcher.reader(), fieldname)
            return table

    def searcher(self):
        """This thread's searcher on the generation (Whoosh searchers are not thread-safe)."""
        found = getattr(self._local, "searcher", None)
        if found is None:
            found = self._local.searcher = self.index.searcher()
        return found

    def release_searcher(self) -> None:
        """Close this thread's searcher (it is opened again when next needed)."""
        found = getattr(self._local, "searcher", None)
        if found is not None:
            del self._local.searcher
            found.close()

    def live(self, searcher) -> np.ndarray:
        """A mask of the documents not deleted (an update deletes what it replaces)."""
        with self._lock:
            if self._live is None:
                reader = searcher.reader()
                mask = np.zeros(reader.doc_count_all(), dtype=bool)
                mask[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
                self._live = mask
            return self._live

    def vocabulary(self, searcher):
        """The syllables of this generation by folded form (see vocabulary.py)."""
        from .vocabulary import Vocabulary

        with self._lock:
            if self._vocabulary is None:
                self._vocabulary = Vocabulary(searcher.reader())
            return self._vocabulary

    def days(self, searcher) -> np.ndarray:
        """YYYYMMDD per document number (0 for undated)."""
        with self._lock:
            if self._days is None:
                reader = searcher.reader()
                column = reader.column_reader("day")
                self._days = np.fromiter(
                    (column[d] for d in range(reader.doc_count_all())),
                    dtype=np.int64, count=reader.doc_count_all(),
                )
            return self._days


_generations: dict[str, Generation] = {}
_generations_lock = threading.Lock()


def generation() -> Generation:
    """The live generation for this request (cached per worker until the link moves)."""
    if "generation" not in g:
        root = Path(current_app.config["INDEX_DIR"])
        path = store.live_generation(root)
        key = str(path)
        with _generations_lock:
            gen = _generations.get(key)
            if gen is None:
                # a new generation went live: forget the old ones; a request still using one
                # keeps its open files (readable even once pruned) until it ends
                _generations.clear()
                gen = _generations[key] = Generation(path)
        g.generation = gen
    return g.generation


def warm_up(app) -> None:
    """Open the live generation and compute what is computed once for it: facet tables, dates,
    field lengths, the vocabulary, the completions.

    Under ``gunicorn --preload`` this runs in the master before it forks, so every worker
    starts ready (the first search no longer pays seconds for it) and the arrays are shared
    copy-on-write instead of built once per worker. The searcher is closed afterwards: a
    worker must not share the master's open files.
    """
    from . import suggest

    with app.app_context():
        try:
            gen = generation()
        except store.NoIndex:
            return  # the app answers 503 until an index is built
        s = gen.searcher()
        g.searcher = s
        try:
            for fieldname in FACET_FIELDS:
                gen.facet(s, fieldname)
            gen.days(s)
            gen.live(s)
            gen.vocabulary(s)
            for fieldname in SCORED_FIELDS:
                if fieldname in s.schema:
                    gen.postings.lengths(s, fieldname)
            suggest.completions()
            suggest.facet_values()
        finally:
            gen.release_searcher()


def searcher():
    """A searcher on the live index: one per worker thread, kept until the generation changes.

    Opening a searcher reads every segment's tables (tens of milliseconds on a real index);
    a generation never changes once written, so its searcher stays valid for its lifetime.
    """
    if "searcher" not in g:
        g.searcher = generation().searcher()
    return g.searcher


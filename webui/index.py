"""The live index as the web app sees it: searchers and caches kept per generation.

The searcher is taken lazily on ``g``, like the database handle of Flask's tutorial, from a
small pool of its generation, and given back at teardown to serve the next requests: opening
one reads every segment's tables. Each
request checks where the index folder's ``current`` link points; when
a build has switched it, the next request opens the new generation — no restart needed.
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from flask import current_app, g
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from indexer import store

from .scoring import Postings, Recent

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

    def __init__(self, path: Path, results: int = 0):
        self.path = path
        # read with plain file reads: through mmap, Whoosh copies each segment file it opens
        # into memory (a BytesIO over the map), about the index's size per worker
        storage = FileStorage(str(path), supports_mmap=False, readonly=True)
        self.index = whoosh_index.FileIndex(storage)
        self.meta = store.read_meta(path)
        self._lock = threading.Lock()
        self._idle: list = []  # open searchers no request is using
        self.retired = False
        self._facets: dict[str, FacetTable] = {}
        self._days: np.ndarray | None = None
        self._vocabulary = None
        self._live: np.ndarray | None = None
        self.postings = Postings()  # term postings as arrays, for webui.scoring
        # the last searches and their results, keyed by the parsed request (so spellings of
        # the same URL share an entry); a new generation starts empty
        self.results = Recent(results)

    def facet(self, searcher, fieldname: str) -> FacetTable:
        with self._lock:
            table = self._facets.get(fieldname)
            if table is None:
                table = self._facets[fieldname] = FacetTable.build(searcher.reader(), fieldname)
            return table

    def acquire(self):
        """A searcher of this generation for one request (Whoosh searchers are not
        thread-safe: each request has its own while it runs)."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self.index.searcher()

    def give_back(self, searcher) -> None:
        """Keep a searcher for the next request, or close it if the generation is retired."""
        with self._lock:
            if not self.retired:
                self._idle.append(searcher)
                return
        searcher.close()

    def retire(self) -> None:
        """No longer live: close the idle searchers; those in use close when given back."""
        with self._lock:
            self.retired = True
            idle, self._idle = self._idle, []
        for searcher in idle:
            searcher.close()

    def close_idle(self) -> None:
        """Close the idle searchers (before a fork: processes must not share open files)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for searcher in idle:
            searcher.close()

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


_generations: dict[tuple[str, int], Generation] = {}
_generations_lock = threading.Lock()


@atexit.register
def _close_all() -> None:
    for gen in list(_generations.values()):
        gen.retire()


def generation() -> Generation:
    """The live generation for this request (cached per worker until the link moves)."""
    if "generation" not in g:
        root = Path(current_app.config["INDEX_DIR"])
        path = store.live_generation(root)
        size = current_app.config["RESULT_CACHE"]
        key = (str(path), size)
        with _generations_lock:
            gen = _generations.get(key)
            if gen is None:
                # a new generation went live: forget the old ones; a request still using one
                # keeps its open files (readable even once pruned) until it ends
                for old in _generations.values():
                    old.retire()
                _generations.clear()
                gen = _generations[key] = Generation(path, size)
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
        s = searcher()
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
            release_searcher()
            gen.close_idle()


def searcher():
    """The request's searcher on the live index, from its generation's pool.

    Opening a searcher reads every segment's tables (tens of milliseconds on a real index);
    a generation never changes once written, so its searchers stay valid for its lifetime.
    """
    if "searcher" not in g:
        g.searcher = generation().acquire()
    return g.searcher


def release_searcher(exc=None) -> None:
    """Give the request's searcher back to its generation (at teardown)."""
    found = g.pop("searcher", None)
    if found is not None:
        g.generation.give_back(found)


def init_app(app) -> None:
    app.teardown_appcontext(release_searcher)


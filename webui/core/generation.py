"""An index generation as searches see it: its searchers, and what is computed once for it.

A generation never changes once written, so everything derived from it — facet tables, dates,
field lengths, posting arrays, the vocabulary, completions, recent results — is computed once
and kept with it, through one mechanism: :meth:`Generation.cached`. Modules that keep such
things register a warmer (:func:`warmer`); :func:`warm_up` runs them all, so a generation can
be made ready before it serves (under ``gunicorn --preload``, before the workers fork).

Nothing here knows about Flask: the web app holds a :class:`LiveIndex` and asks it for the
live generation per request; benchmarks and tests can do the same without an app.
"""

from __future__ import annotations

import threading
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from indexer import store

# name -> function(generation) computing something the generation keeps; see warm_up
_WARMERS: dict[str, Callable[["Generation"], object]] = {}


def warmer(name: str):
    """Register a function of a generation whose result ``warm_up`` computes in advance."""

    def register(function):
        _WARMERS[name] = function
        return function

    return register


class Generation:
    """One opened index generation: a pool of searchers and a cache of what derives from it."""

    def __init__(self, path: Path, results: int = 0):
        self.path = path
        # read with plain file reads: through mmap, Whoosh copies each segment file it opens
        # into memory (a BytesIO over the map), about the index's size per worker
        storage = FileStorage(str(path), supports_mmap=False, readonly=True)
        self.index = whoosh_index.FileIndex(storage)
        self.meta = store.read_meta(path)
        self.results_size = results  # searches whose results are kept (RESULT_CACHE)
        self.retired = False
        self._idle: list = []  # open searchers no search is using
        self._pool_lock = threading.Lock()
        self._cached: dict = {}
        self._cache_lock = threading.RLock()  # a factory may ask for other cached values
        # idle searchers hold open files: close them when the generation is dropped, or at exit
        weakref.finalize(self, _close_searchers, self._idle)

    # -- searchers ---------------------------------------------------------------------------

    @contextmanager
    def searcher(self) -> Iterator:
        """A searcher of this generation, for one search (Whoosh searchers are not
        thread-safe: each search has its own while it runs, then gives it back)."""
        with self._pool_lock:
            found = self._idle.pop() if self._idle else None
        if found is None:
            found = self.index.searcher()
        try:
            yield found
        finally:
            with self._pool_lock:
                if not self.retired:
                    self._idle.append(found)
                    found = None
            if found is not None:
                found.close()

    def retire(self) -> None:
        """No longer live: close the idle searchers; those in use close when given back."""
        with self._pool_lock:
            self.retired = True
        self.close_idle()

    def close_idle(self) -> None:
        """Close the idle searchers (before a fork: processes must not share open files)."""
        with self._pool_lock:
            idle = list(self._idle)
            self._idle.clear()  # the same list: the finalizer holds it
        _close_searchers(idle)

    # -- what is computed once ---------------------------------------------------------------

    def cached(self, key, factory: Callable[[], object]):
        """The value kept under ``key``, computed by ``factory()`` the first time."""
        with self._cache_lock:
            if key not in self._cached:
                self._cached[key] = factory()
            return self._cached[key]

    def with_searcher(self, compute: Callable):
        """``compute(searcher)`` on a searcher of this generation, for cache factories."""
        with self.searcher() as searcher:
            return compute(searcher)

    @property
    def doc_count(self) -> int:
        """Articles in this generation (deleted ones left out)."""
        return self.cached("doc_count", lambda: self.with_searcher(lambda s: s.doc_count()))

    @property
    def size(self) -> int:
        """Document numbers in this generation, deleted ones included."""
        return self.cached("size", lambda: self.with_searcher(lambda s: s.doc_count_all()))


@warmer("live")
def live_mask(gen: Generation) -> np.ndarray:
    """A mask of the documents not deleted (an update deletes what it replaces)."""

    def build(searcher):
        reader = searcher.reader()
        mask = np.zeros(reader.doc_count_all(), dtype=bool)
        mask[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        return mask

    return gen.cached("live", lambda: gen.with_searcher(build))


@warmer("days")
def days(gen: Generation) -> np.ndarray:
    """YYYYMMDD per document number (0 for undated)."""

    def build(searcher):
        reader = searcher.reader()
        column = reader.column_reader("day")
        return np.fromiter((column[d] for d in range(reader.doc_count_all())),
                           dtype=np.int64, count=reader.doc_count_all())

    return gen.cached("days", lambda: gen.with_searcher(build))


def warm_up(gen: Generation) -> None:
    """Compute everything registered for a generation, then close its idle searchers.

    Modules register their warmers when imported; the web app imports them all before it
    warms the live generation.
    """
    for function in list(_WARMERS.values()):
        function(gen)
    gen.close_idle()


class LiveIndex:
    """The generation an index folder's ``current`` link names, opened once per process.

    Each call to :meth:`generation` checks the link; when a build has switched it, the new
    generation is opened (no restart needed) and the old one retired: searches still using
    it keep their open files, readable even once pruned, until they end.
    """

    def __init__(self, root: Path | str, results: int = 0):
        self.root = Path(root)
        self.results = results
        self._current: Generation | None = None
        self._lock = threading.Lock()

    def generation(self) -> Generation:
        path = store.live_generation(self.root)  # NoIndex while none was built
        with self._lock:
            current = self._current
            if current is None or current.path != path:
                if current is not None:
                    current.retire()
                current = self._current = Generation(path, self.results)
            return current

    def __enter__(self) -> "LiveIndex":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Retire the open generation (its searchers close once no search uses them)."""
        with self._lock:
            if self._current is not None:
                self._current.retire()
                self._current = None


def _close_searchers(searchers: list) -> None:
    for searcher in searchers:
        searcher.close()

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

import gc
import logging
import threading
import time
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from indexer import store

LOG = logging.getLogger(__name__)
RETRY_SECONDS = 30  # before opening again a generation that could not be opened

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
        self.warmed = False  # warm_up has run: every registered table is computed
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


def settle() -> None:
    """Take what is alive now out of the garbage collector's sight (``gc.freeze``).

    A warmed generation's tables are hundreds of thousands of objects that live as long as it
    does. A full collection walks every object: 200 ms at 180k articles, during which no thread
    of the worker runs; it fell on whichever request allocated next after the tables grew,
    often the first after a switch. Frozen, they are walked no more. Dropping a generation
    leaves no reference cycles (tests/test_live_index.py), so its objects are still freed by
    their reference counts, frozen or not.
    """
    gc.collect(1)  # the young objects' cycles first: only what is meant to stay is frozen
    gc.freeze()


def warm_up(gen: Generation, close: bool = True) -> None:
    """Compute everything registered for a generation, then (``close``) close its idle
    searchers, as a process about to fork must.

    Modules register their warmers when imported; the web app imports them all before it
    warms the live generation.
    """
    for function in list(_WARMERS.values()):
        function(gen)
    if close:
        gen.close_idle()
    gen.warmed = True


class LiveIndex:
    """The generation an index folder's ``current`` link names, opened once per process.

    Each call to :meth:`generation` checks the link. When a build, an update or a rollback has
    switched it, the new generation is opened (no restart needed) and the old one retired:
    searches still using it keep their open files, readable even once pruned, until they end.

    ``warm``: a generation is warmed (:func:`warm_up`) before it serves, and then given to
    ``follow`` with the generation it replaces (the web app runs its recent searches again), and
    (``freeze``) kept out of full garbage collections (:func:`settle`). ``background``: the
    switch is made by a thread of its own, which opens and warms the new generation while
    searches go on with the old one, then switches; so no search waits for the new
    generation's tables (seconds for a large index). Otherwise the search that sees the switch
    makes it, and waits for the warming.
    """

    def __init__(self, root: Path | str, results: int = 0, *, warm: bool = False,
                 background: bool = False,
                 follow: Callable[[Generation, Generation], None] | None = None,
                 freeze: bool = False):
        self.root = Path(root)
        self.results = results
        self.warm = warm
        self.background = background
        self.follow = follow  # follow(old, new): more to prepare, once warm, before a switch
        self.freeze = freeze  # settle() once a new generation is warm
        self._current: Generation | None = None
        self._lock = threading.Lock()  # guards _current, held for no longer than a look
        self._switch_lock = threading.Lock()
        self._switching: threading.Thread | None = None
        self._failed: tuple[Path, float] | None = None  # a generation that failed to open

    def generation(self) -> Generation:
        path = store.live_generation(self.root)  # NoIndex while none was built
        with self._lock:
            current = self._current
            if current is not None and current.path == path:
                return current
            if current is not None and self.background:
                self._switch_in_background(path)
                return current
        # opened outside the lock: searches of the old generation go on meanwhile
        return self._switch(path)

    def _open(self, path: Path, old: Generation | None) -> Generation:
        gen = Generation(path, self.results)
        if self.warm:
            # the first generation may be opened before gunicorn forks (--preload): no open
            # files then; a later one is opened by a worker, and keeps its searchers ready
            warm_up(gen, close=old is None)
            if old is not None and self.follow is not None:
                self.follow(old, gen)
            if self.freeze:
                settle()
        return gen

    def _switch(self, path: Path) -> Generation:
        with self._switch_lock:  # one opening at a time: searches arriving together wait for it
            if self._current is not None and self._current.path == path:
                return self._current
            gen = self._open(path, self._current)
            with self._lock:
                old, self._current = self._current, gen
            if old is not None:
                old.retire()
            return gen

    def _switch_in_background(self, path: Path) -> None:
        # called with the lock held: one switch at a time; a generation that failed to open
        # is tried again after a pause, not on every search
        if self._switching is not None and self._switching.is_alive():
            return
        if (self._failed and self._failed[0] == path
                and time.monotonic() - self._failed[1] < RETRY_SECONDS):
            return
        self._switching = threading.Thread(target=self._switch_logged, args=(path,),
                                           name=f"warm {path.name}", daemon=True)
        self._switching.start()

    def _switch_logged(self, path: Path) -> None:
        try:
            self._switch(path)
        except Exception:  # noqa: BLE001 -- a thread's failure must be logged, not lost
            LOG.exception("could not open and warm index generation %s; still serving %s", path,
                          self._current.path if self._current else None)
            with self._lock:
                self._failed = (path, time.monotonic())

    def wait_for_switch(self, timeout: float | None = None) -> None:
        """Wait until a switch being made in the background is done (for tests, benchmarks)."""
        switching = self._switching
        if switching is not None:
            switching.join(timeout)

    def __enter__(self) -> "LiveIndex":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Retire the open generation (its searchers close once no search uses them)."""
        self.wait_for_switch()
        with self._lock:
            if self._current is not None:
                self._current.retire()
                self._current = None


def _close_searchers(searchers: list) -> None:
    for searcher in searchers:
        searcher.close()

"""Posting arrays beside each segment, for the search to read without decoding Whoosh blocks.

Whoosh stores postings as a pickled, compressed block per 128 documents: reading the list of
a frequent syllable on 180k articles costs tens of milliseconds, and a reader's query of ten
syllables touches several such lists in several fields. Each segment gets its postings for the
fields the search reads as flat numpy arrays, which the web workers memory-map and share
through the page cache: a term's postings are then a slice. A worker gathers them as it writes
its segment (``SegmentArrays``); a segment without them (merged by Whoosh, or written by an
older version) has them read back from its blocks (``write_segment``) once the generation is
written.

Per segment and field, in ``postings/<segment id>/<field>.*.npy``:

* ``terms``: the field's terms, UTF-8, one after the other (sorted, as Whoosh sorts them),
  ``term_starts`` where each begins (one more entry for the end), ``keys`` each term's first
  eight bytes as a number (sorted too: a lookup is a ``searchsorted``, then a few compares);
* ``starts``: where each term's postings begin in ``ids`` and ``freqs`` (one more for the end);
* ``ids``: segment document numbers (deleted ones included: the live mask removes them);
* ``freqs``: the term's frequency in each document.

A segment never changes once written, so an update links the arrays of the segments it keeps
from the generation before, and writes arrays only for its new segments.
"""

from __future__ import annotations

import bisect
import multiprocessing
import os
import shutil
import signal
from array import array
from pathlib import Path

import numpy as np

from . import whoosh_internals as internals

FOLDER = "postings"
# the fields the search scores (webui.core.postings.SCORED_FIELDS), and the facets' fields
# (webui.core.facets: a new generation's facet tables are read from them, not from Whoosh)
FIELDS = ("title", "summary", "body", "captions", "title_syl", "text_syl", "title_fold",
          "text_fold", "title_alias", "text_alias",
          "ministries", "persons", "category", "source", "month")
ARRAYS = ("terms", "term_starts", "keys", "starts", "ids", "freqs")
MAX_REMEMBERED_TERMS = 100_000  # term numbers looked up, kept per segment (a few MB)
KEY_BYTES = 8  # a term's first bytes as one big-endian number, for a vectorised lookup


def segment_folder(generation: Path, segment_id: str) -> Path:
    return Path(generation) / FOLDER / segment_id


def write_segment(reader, folder: Path) -> None:
    """The posting arrays of one segment's fields, read back from Whoosh's blocks."""
    arrays = SegmentArrays(reader.schema, folder)
    for fieldname in arrays.names:
        for term in reader.lexicon(fieldname):
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            term_ids, term_freqs = internals.read_postings(
                internals.unfiltered_postings(reader, fieldname, text))
            arrays.add(fieldname, text.encode("utf-8"), term_ids, term_freqs)
    arrays.finish()


class FieldArrays:
    """One field's posting arrays as they are gathered, a term at a time in sorted order, in
    flat typed arrays (4 bytes a document number, 4 a frequency until written)."""

    def __init__(self):
        self.blob: list[bytes] = []
        self.term_starts = array("q", [0])
        self.starts = array("q", [0])
        self.ids = array("i")
        self.freqs = array("f")

    def add_term(self, term: bytes, ids, freqs) -> None:
        self.blob.append(term)
        self.term_starts.append(self.term_starts[-1] + len(term))
        if isinstance(ids, np.ndarray):
            self.ids.frombytes(ids.astype(np.int32).tobytes())
            self.freqs.frombytes(np.asarray(freqs, dtype=np.float32).tobytes())
        else:
            self.ids.extend(ids)
            self.freqs.extend(freqs)
        self.starts.append(len(self.ids))

    def arrays(self) -> dict[str, np.ndarray]:
        freqs = np.frombuffer(self.freqs, dtype=np.float32)
        return {
            "keys": np.asarray([_key(t) for t in self.blob], dtype=np.uint64),
            "terms": np.frombuffer(b"".join(self.blob), dtype=np.uint8),
            "term_starts": np.frombuffer(self.term_starts, dtype=np.int64),
            "starts": np.frombuffer(self.starts, dtype=np.int64),
            "ids": np.frombuffer(self.ids, dtype=np.int32),
            "freqs": np.minimum(freqs, 65535).astype(np.uint16),
        }


class SegmentArrays:
    """The posting arrays of a segment's FIELDS (those of its schema), written into ``folder``
    whole or not at all.

    Postings come sorted by field: each field is written as soon as the next one starts, so
    a worker holds one field's arrays at a time (holding all of them took a gigabyte a worker
    at 179k articles).
    """

    def __init__(self, schema, folder: Path):
        self.names = [name for name in FIELDS if name in schema]
        self.folder = Path(folder)
        self.partial = self.folder.with_name(self.folder.name + ".partial")
        self.written: set[str] = set()
        self.current: str | None = None
        self.field: FieldArrays | None = None

    def add(self, fieldname: str, term: bytes, ids, weights) -> None:
        """A term's postings, terms in sorted order, fields one after the other (indexer.segments
        hands them over as Whoosh writes them: a fraction of the cost of decoding the written
        blocks again)."""
        if fieldname not in self.names:
            return
        if fieldname != self.current:
            self._write_field()
            self.current, self.field = fieldname, FieldArrays()
        self.field.add_term(term, ids, weights)

    def finish(self) -> None:
        """Write what is left (a field with no postings gets empty arrays) and publish."""
        self._write_field()
        for name in self.names:
            if name not in self.written:
                self.current, self.field = name, FieldArrays()
                self._write_field()
        self.partial.mkdir(parents=True, exist_ok=True)
        os.replace(self.partial, self.folder)

    def _write_field(self) -> None:
        if self.current is None or self.field is None:
            return
        self.partial.mkdir(parents=True, exist_ok=True)
        for name, values in self.field.arrays().items():
            np.save(self.partial / f"{self.current}.{name}.npy", values)
        self.written.add(self.current)
        self.current = self.field = None


def write_generation(generation: Path, previous: Path | None = None, workers: int = 1) -> int:
    """Posting arrays for every segment of a generation; those of ``previous`` are linked.

    Segments are written by up to ``workers`` processes side by side. Returns how many
    segments had theirs written (not linked).
    """
    missing = []
    segment_ids = _segment_ids(generation)
    _drop_unlisted(generation, set(segment_ids))
    for segment_id in segment_ids:
        folder = segment_folder(generation, segment_id)
        if folder.exists():
            continue
        old = segment_folder(previous, segment_id) if previous else None
        if old is not None and old.is_dir() and _link(old, folder):
            continue
        missing.append(segment_id)
    if len(missing) > 1 and workers > 1:
        context = multiprocessing.get_context("fork")
        # the workers take the default SIGTERM (the run's handler raises, which a worker
        # would print as a traceback), and are joined, not terminated, once done
        with context.Pool(min(workers, len(missing)), initializer=_default_signals) as pool:
            pool.starmap(_write_one, [(generation, s) for s in missing])
            pool.close()
            pool.join()
    else:
        for segment_id in missing:
            _write_one(generation, segment_id)
    return len(missing)


def _drop_unlisted(generation: Path, segment_ids: set[str]) -> None:
    """Remove the arrays a worker wrote for a segment the TOC does not list (merged away, or
    every article of it lost to another with its id)."""
    folder = Path(generation) / FOLDER
    if folder.is_dir():
        for child in folder.iterdir():
            if child.name not in segment_ids:
                shutil.rmtree(child, ignore_errors=True)


def _default_signals() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _segment_ids(generation: Path) -> list[str]:
    with _reader(generation) as reader:
        return [leaf.segment().segment_id() for leaf, _ in reader.leaf_readers()
                if leaf.segment() is not None]  # None: an index with no segment yet


def _write_one(generation: Path, segment_id: str) -> None:
    with _reader(generation) as reader:
        for leaf, _ in reader.leaf_readers():
            if leaf.segment() is not None and leaf.segment().segment_id() == segment_id:
                write_segment(leaf, segment_folder(generation, segment_id))


def _reader(generation: Path):
    from whoosh import index as whoosh_index

    return whoosh_index.open_dir(str(generation), indexname="MAIN").reader()


def _link(old: Path, folder: Path) -> bool:
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    try:
        for path in old.iterdir():
            os.link(path, partial / path.name)
    except OSError:
        return False
    os.replace(partial, folder)
    return True


def _key(term: bytes) -> int:
    return int.from_bytes(term[:KEY_BYTES].ljust(KEY_BYTES, b"\0"), "big")


class SegmentPostings:
    """The memory-mapped posting arrays of one segment, by field."""

    def __init__(self, folder: Path):
        self.fields: dict[str, dict[str, np.ndarray]] = {}
        for fieldname in FIELDS:
            paths = {name: folder / f"{fieldname}.{name}.npy" for name in ARRAYS}
            if all(p.exists() for p in paths.values()):
                # plain views of the maps: numpy's memmap subclass costs on every slice
                self.fields[fieldname] = {name: np.load(p, mmap_mode="r").view(np.ndarray)
                                          for name, p in paths.items()}
        self._found: dict[tuple[str, str], int | None] = {}  # terms looked up, by field

    @classmethod
    def open(cls, generation: Path, segment_id: str) -> "SegmentPostings | None":
        folder = segment_folder(generation, segment_id)
        return cls(folder) if folder.is_dir() else None

    def has(self, fieldname: str) -> bool:
        return fieldname in self.fields

    def get(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(segment ids, frequencies) of a term; empty arrays for an unknown one."""
        n = self.find(fieldname, text)
        if n is None:
            return np.zeros(0, np.int32), np.zeros(0, np.uint16)
        arrays = self.fields[fieldname]
        start, end = arrays["starts"][n], arrays["starts"][n + 1]
        return arrays["ids"][start:end], arrays["freqs"][start:end]

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Documents holding a term in this segment, deleted ones included (as Whoosh counts)."""
        n = self.find(fieldname, text)
        if n is None:
            return 0
        starts = self.fields[fieldname]["starts"]
        return int(starts[n + 1] - starts[n])

    def terms(self, fieldname: str) -> list[tuple[str, int]]:
        """Every term of the field with the documents holding it (deleted ones included)."""
        arrays = self.fields[fieldname]
        blob = arrays["terms"].tobytes()
        bounds = arrays["term_starts"].tolist()
        counts = np.diff(arrays["starts"]).tolist()
        return [(blob[start:end].decode("utf-8"), count)
                for start, end, count in zip(bounds, bounds[1:], counts)]

    def find(self, fieldname: str, text: str) -> int | None:
        """The number of a term in the field, or None."""
        found = self._found.get((fieldname, text), -1)
        if found != -1:
            return found
        if len(self._found) >= MAX_REMEMBERED_TERMS:
            self._found.clear()
        found = self._found[fieldname, text] = self._find(fieldname, text)
        return found

    def _find(self, fieldname: str, text: str) -> int | None:
        arrays = self.fields[fieldname]
        wanted = text.encode("utf-8")
        key = np.uint64(_key(wanted))
        keys, terms, term_starts = arrays["keys"], arrays["terms"], arrays["term_starts"]
        low = int(np.searchsorted(keys, key, "left"))
        high = int(np.searchsorted(keys, key, "right"))
        n = bisect.bisect_left(range(low, high), wanted, key=lambda i: terms[
            term_starts[i]:term_starts[i + 1]].tobytes()) + low
        if n == high or terms[term_starts[n]:term_starts[n + 1]].tobytes() != wanted:
            return None
        return n

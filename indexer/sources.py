"""Read stage: find article files and yield their records, reporting what cannot be read.

Kinds of input, told by the file name:

- ``.txt``: one article in the plain-text layout of ministry sites;
- ``.jsonl``, ``.jsonl.gz``, ``.ndjson(.gz)``: one article per line;
- ``.html``, ``.htm``: one article page saved from a news or ministry site (see html.py);
- ``.rss``, ``.atom``, and ``.xml`` files that are RSS or Atom feeds: one article per item.

Every record carries a digest of its raw input (record.py), so an update can tell a changed
article from an unchanged one without parsing or segmenting it.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from pathlib import Path
from typing import Callable, Iterator

from .article import Skip
from .encoding import Undecodable, declared_charset, decode
from .feeds import read_feed
from .record import Notice, Record, digest

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
HTML_SUFFIXES = (".html", ".htm")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
KNOWN = ".txt, .jsonl, .jsonl.gz, .html, .rss, .atom, .xml feeds"

# No article is this long: such a file is an export gone wrong, and reading it whole would
# hold the run up (or run it out of memory).
MAX_ARTICLE_BYTES = 8 * 2**20  # one text or HTML file, one JSON line
MAX_FEED_BYTES = 64 * 2**20

Progress = Callable[[int], None]  # told how many more bytes of input were read


def kind_of(path: Path) -> str | None:
    """The input kind a file name announces, or None for files that are not articles."""
    name = path.name.lower()
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(HTML_SUFFIXES):
        return "html"
    if name.endswith(FEED_SUFFIXES):
        return "feed"
    return None


def _is_feed(path: Path) -> bool:
    """Whether an .xml file found in a folder is a feed (sitemaps and the like are not)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(2048).lower()
    except OSError:
        return True  # let reading report why it cannot be read
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def find_files(sources: list[str]) -> Iterator[Path | Skip]:
    """Files named or found under folders, in a stable order; a missing source is a Skip.

    Inside folders, files of other kinds (READMEs, images, the gazetteer) are passed over
    quietly; a file named explicitly must be of a known kind.
    """
    for source in sources:
        path = Path(source)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    child = Path(root) / name
                    kind = kind_of(child)
                    if name.startswith(".") or not kind:
                        continue
                    if kind == "feed" and name.lower().endswith(".xml") and not _is_feed(child):
                        continue
                    yield child
        elif path.is_file():
            if kind_of(path):
                yield path
            else:
                yield Skip(str(path), None, f"not an article file ({KNOWN})")
        else:
            yield Skip(str(path), None, "no such file or folder")


def read_records(path: Path, progress: Progress | None = None) -> Iterator[Record | Skip | Notice]:
    """The records of one file; unreadable parts become Skips and reading goes on."""
    kind = kind_of(path)
    if kind == "jsonl":
        yield from _read_jsonl(path, progress)
        return
    limit = MAX_FEED_BYTES if kind == "feed" else MAX_ARTICLE_BYTES
    raw = yield from _read_whole(path, limit)
    if progress:
        progress(len(raw or b""))
    if raw is None:
        return
    if kind == "feed":
        yield from read_feed(path, raw)
        return
    try:
        text, note = decode(raw, declared_charset(raw) if kind == "html" else None)
    except Undecodable as exc:
        yield Skip(str(path), exc.line, str(exc))
        return
    if note:
        yield Notice(str(path), None, note)
    yield Record(kind, str(path), None, text, digest(raw))


def _read_whole(path: Path, limit: int):
    """The bytes of a file, or None after yielding the Skip that says why not."""
    try:
        size = path.stat().st_size
        if size == 0:
            yield Skip(str(path), None, "empty file")
            return None
        if size > limit:
            yield Skip(str(path), None, f"file of {size / 2**20:.1f} MB: more than the "
                       f"{limit // 2**20} MB an input may be")
            return None
        return path.read_bytes()
    except OSError as exc:
        yield Skip(str(path), None, f"cannot read: {exc.strerror or exc}")
        return None


def _read_jsonl(path: Path, progress: Progress | None) -> Iterator[Record | Skip | Notice]:
    lineno = 0
    legacy: list[int] = []
    records = 0
    try:
        raw_file = open(path, "rb")
    except OSError as exc:
        yield Skip(str(path), None, f"cannot read: {exc.strerror or exc}")
        return
    with raw_file:
        handle = gzip.GzipFile(fileobj=raw_file) if path.name.lower().endswith(".gz") else raw_file
        position = 0
        try:
            while True:
                raw = handle.readline(MAX_ARTICLE_BYTES + 1)
                if not raw:
                    break
                lineno += 1
                if len(raw) > MAX_ARTICLE_BYTES and not raw.endswith(b"\n"):
                    while raw and not raw.endswith(b"\n"):  # pass over the rest of the line
                        raw = handle.readline(MAX_ARTICLE_BYTES)
                    yield Skip(str(path), lineno, f"line longer than {MAX_ARTICLE_BYTES // 2**20}"
                               " MB: not an article")
                    continue
                if progress:
                    now = raw_file.tell()
                    progress(now - position)
                    position = now
                raw = raw.strip()
                if not raw:
                    continue
                try:
                    text, note = decode(raw)
                except Undecodable:
                    yield Skip(str(path), lineno, "not UTF-8 text")
                    continue
                if note:
                    legacy.append(lineno)
                try:
                    data = json.loads(text)
                except json.JSONDecodeError as exc:
                    yield Skip(str(path), lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")
                    continue
                if not isinstance(data, dict):
                    yield Skip(str(path), lineno, "a JSON line must be an object")
                    continue
                records += 1
                yield Record("json", str(path), lineno, data, digest(raw))
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            # a truncated or corrupt gzip stream: what was read so far is kept
            yield Skip(str(path), lineno + 1, f"cannot read: {exc}")
            return
    if legacy:
        yield Notice(str(path), legacy[0], f"{len(legacy)} line(s) not UTF-8: read as "
                     "Windows-1258 (legacy Vietnamese)")
    if lineno == 0:
        yield Skip(str(path), None, "empty file")

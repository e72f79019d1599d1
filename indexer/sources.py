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

import codecs
import gzip
import io
import json
import os
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

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
# What a compressed file may expand to: text compresses about 5 to 10 times, so a file that
# expands more is a bomb or an export gone wrong.
EXPANSION = 50
MIN_EXPANDED_BYTES = 64 * 2**20

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


@dataclass(frozen=True)
class Outside(Skip):
    """A link out of the sources: never read, and nothing indexed from it is kept."""


class NotRegular(OSError):
    """A path that is not a regular file: a FIFO, a device or a socket is never read."""


def _file_type(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def open_regular(path: Path) -> BinaryIO:
    """A regular file opened for reading; NotRegular (an OSError) for anything else.

    Opened without blocking and checked on the open file, so a FIFO put in a file's place
    between listing and reading cannot hold the run up.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(f"{_file_type(mode)}, not a file: not read")
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _reason(exc: OSError) -> str:
    return str(exc) if isinstance(exc, NotRegular) else f"cannot read: {exc.strerror or exc}"


def _is_feed(path: Path) -> bool:
    """Whether an .xml file found in a folder is a feed (sitemaps and the like are not)."""
    try:
        with open_regular(path) as handle:
            head = handle.read(2048).lower()
    except OSError:
        return True  # let reading report why it cannot be read
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def _inside(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _walk(folder: Path, roots: list[str]) -> Iterator[Path | Skip]:
    """The article files under a folder: its files in name order, then its folders'.

    A link is followed only to a file inside the sources (a link to a folder never: what is
    inside the sources is walked anyway); a folder that cannot be listed is a Skip.
    """
    try:
        with os.scandir(folder) as scan:
            entries = sorted((e for e in scan if not e.name.startswith(".")),
                             key=lambda e: e.name)
    except OSError as exc:
        yield Skip(str(folder), None, f"cannot list the folder: {exc.strerror or exc}; "
                   "its articles are kept")
        return
    folders = []
    for entry in entries:
        path = Path(entry.path)
        kind = kind_of(path)
        try:
            is_link = entry.is_symlink()
            if not is_link and entry.is_dir(follow_symlinks=False):
                folders.append(path)
                continue
        except OSError as exc:
            yield Skip(entry.path, None, _reason(exc))
            continue
        if is_link:
            target = os.path.realpath(entry.path)
            if not os.path.exists(target):
                if kind:
                    yield path  # a broken link: reading it says so
                continue
            if not _inside(target, roots):
                if kind or os.path.isdir(target):
                    yield Outside(entry.path, None, f"a link to {target}, outside the sources: "
                                  "not followed")
                continue
            if os.path.isdir(target):
                continue
        if not kind:
            continue
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            yield Skip(entry.path, None, _reason(exc))
            continue
        if not stat.S_ISREG(mode):
            yield Skip(entry.path, None, f"{_file_type(mode)}, not a file: not read")
            continue
        if kind == "feed" and entry.name.lower().endswith(".xml") and not _is_feed(path):
            continue
        yield path
    for child in folders:
        yield from _walk(child, roots)


def find_files(sources: list[str]) -> Iterator[Path | Skip]:
    """Files named or found under folders, in a stable order; a missing source is a Skip.

    Inside folders, files of other kinds (READMEs, images, the gazetteer) are passed over
    quietly; a file named explicitly must be of a known kind. Links out of the sources,
    FIFOs, devices and sockets are reported and never read.
    """
    roots = [os.path.realpath(s) for s in sources]
    for source in sources:
        path = Path(source)
        if path.is_dir():
            yield from _walk(path, roots)
        elif path.is_file():
            if kind_of(path):
                yield path
            else:
                yield Skip(str(path), None, f"not an article file ({KNOWN})")
        elif path.exists():
            yield Skip(str(path), None, f"{_file_type(path.stat().st_mode)}, not a file: "
                       "not read")
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
    declared, passed_over = declared_charset(raw) if kind == "html" else (None, None)
    if passed_over:
        yield Notice(str(path), None, passed_over)
    try:
        text, note = decode(raw, declared)
    except Undecodable as exc:
        yield Skip(str(path), exc.line, str(exc))
        return
    if note:
        yield Notice(str(path), None, note)
    yield Record(kind, str(path), None, text, digest(raw))


def _read_whole(path: Path, limit: int):
    """The bytes of a file, or None after yielding the Skip that says why not."""
    try:
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size == 0:
                yield Skip(str(path), None, "empty file")
                return None
            if size > limit:
                yield Skip(str(path), None, f"file of {size / 2**20:.1f} MB: more than the "
                           f"{limit // 2**20} MB an input may be")
                return None
            return handle.read(limit + 1)
    except OSError as exc:
        yield Skip(str(path), None, _reason(exc))
        return None


class _Expanded(Exception):
    """A compressed file expanded past what it may."""


def _lines(readline: Callable, budget: float, newline: bytes | str = b"\n"
           ) -> Iterator[bytes | str | None]:
    """The lines ``readline(limit)`` gives, each at most MAX_ARTICLE_BYTES (None for a longer
    one); _Expanded once they add up to more than ``budget``."""
    read = 0
    while True:
        raw = readline(MAX_ARTICLE_BYTES + 1)
        read += len(raw)
        if not raw:
            return
        if len(raw) > MAX_ARTICLE_BYTES and not raw.endswith(newline):
            while raw and not raw.endswith(newline):  # pass over the rest of the line
                raw = readline(MAX_ARTICLE_BYTES)
                read += len(raw)
                if read > budget:
                    raise _Expanded
            raw = None
        if read > budget:
            raise _Expanded
        yield raw


def _utf16_lines(handle, budget: float) -> Iterator[bytes | None]:
    """The lines of a UTF-16 stream (with its byte-order mark), as UTF-8; two bytes a
    character in the limits."""
    text = io.TextIOWrapper(handle, encoding="utf-16", newline="")
    try:
        for line in _lines(lambda limit: text.readline(limit // 2), budget / 2, "\n"):
            yield None if line is None else line.encode("utf-8")
    finally:
        text.detach()  # the file is closed by its opener


def _read_jsonl(path: Path, progress: Progress | None) -> Iterator[Record | Skip | Notice]:
    file = str(path)
    lineno = 0
    legacy: list[int] = []
    try:
        raw_file = open_regular(path)
        size = os.fstat(raw_file.fileno()).st_size
    except OSError as exc:
        yield Skip(file, None, _reason(exc))
        return
    with raw_file:
        compressed = path.name.lower().endswith(".gz")
        handle = gzip.GzipFile(fileobj=raw_file) if compressed else raw_file
        # a few kilobytes of gzip can expand to gigabytes: read no more than real text gives
        budget = max(MIN_EXPANDED_BYTES, EXPANSION * size) if compressed else float("inf")
        position = 0
        try:
            utf16 = handle.peek(2)[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
            if utf16:
                yield Notice(file, None, "UTF-16 text (byte-order mark): read as such")
            lines = (_utf16_lines(handle, budget) if utf16
                     else _lines(handle.readline, budget))
            for raw in lines:
                lineno += 1
                if raw is None:
                    yield Skip(file, lineno, f"line longer than {MAX_ARTICLE_BYTES // 2**20}"
                               " MB: not an article")
                    continue
                if progress:
                    now = raw_file.tell()
                    progress(now - position)
                    position = now
                yield from _json_line(file, lineno, raw.strip(), legacy)
        except _Expanded:
            yield Skip(file, lineno + 1, f"expands to more than {int(budget) // 2**20} MB "
                       f"({EXPANSION}× its {size} bytes): the rest is not read")
            return
        except UnicodeDecodeError as exc:
            yield Skip(file, lineno + 1, f"invalid UTF-16 text: {exc.reason}")
            return
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            # a truncated or corrupt gzip stream: what was read so far is kept
            yield Skip(file, lineno + 1, f"cannot read: {exc}")
            return
    if legacy:
        yield Notice(file, legacy[0], f"{len(legacy)} line(s) not UTF-8: read as "
                     "Windows-1258 (legacy Vietnamese)")
    if lineno == 0:
        yield Skip(file, None, "empty file")


def _json_line(file: str, lineno: int, raw: bytes, legacy: list[int]
               ) -> Iterator[Record | Skip]:
    """The record of one JSON line (nothing for a blank one), or the Skip that says why not."""
    if not raw:
        return
    try:
        text, note = decode(raw)
    except Undecodable as exc:
        yield Skip(file, lineno, str(exc) if "NUL" in str(exc) else "not UTF-8 text")
        return
    if note:
        legacy.append(lineno)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Skip(file, lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")
        return
    except RecursionError:
        yield Skip(file, lineno, "invalid JSON: nested too deeply")
        return
    except ValueError as exc:  # a number of thousands of digits
        yield Skip(file, lineno, f"invalid JSON: {exc}")
        return
    if not isinstance(data, dict):
        yield Skip(file, lineno, "a JSON line must be an object")
        return
    yield Record("json", file, lineno, data, digest(raw))

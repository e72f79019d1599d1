"""Read stage: find article files and yield their records, reporting what cannot be read."""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .article import Skip

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")


@dataclass(frozen=True)
class Record:
    """One raw input: a whole text file, or one JSON Lines object."""

    kind: str  # "text" or "json"
    file: str
    line: int | None
    data: object  # str for text, dict for json


def kind_of(path: Path) -> str | None:
    """The input kind a file name announces, or None for files that are not articles."""
    name = path.name.lower()
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    return None


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
                    if not name.startswith(".") and kind_of(child):
                        yield child
        elif path.is_file():
            if kind_of(path):
                yield path
            else:
                yield Skip(str(path), None, "not an article file (.txt, .jsonl, .jsonl.gz)")
        else:
            yield Skip(str(path), None, "no such file or folder")


def read_records(path: Path) -> Iterator[Record | Skip]:
    """The records of one file; unreadable parts become Skips and reading goes on."""
    kind = kind_of(path)
    if kind == "text":
        try:
            raw = path.read_bytes()
        except OSError as exc:
            yield Skip(str(path), None, f"cannot read: {exc.strerror or exc}")
            return
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            yield Skip(str(path), line, f"not UTF-8 text (byte {exc.start})")
            return
        yield Record("text", str(path), None, text)
    elif kind == "jsonl":
        yield from _read_jsonl(path)


def _read_jsonl(path: Path) -> Iterator[Record | Skip]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    lineno = 0
    try:
        with opener(path, "rb") as handle:
            for lineno, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                try:
                    data = json.loads(raw.decode("utf-8-sig"))
                except UnicodeDecodeError:
                    yield Skip(str(path), lineno, "not UTF-8 text")
                    continue
                except json.JSONDecodeError as exc:
                    yield Skip(str(path), lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")
                    continue
                if not isinstance(data, dict):
                    yield Skip(str(path), lineno, "a JSON line must be an object")
                    continue
                yield Record("json", str(path), lineno, data)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        # a truncated or corrupt gzip stream: what was read so far is kept
        yield Skip(str(path), lineno + 1 if lineno else None, f"cannot read: {exc}")

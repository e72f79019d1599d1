"""Where indexes live: one folder per generation, and a ``current`` link naming the live one.

    INDEX_DIR/
      current -> generations/20261127-101500-123456   (a symlink, replaced atomically)
      generations/20261127-101500-123456/              (a complete Whoosh index + generation.json)
      .indexer.lock                                    (the writer's lock, see lock.py)
      indexer.log                                      (what each run did)

A build writes a new generation beside the live one and only then moves ``current``, so a
reader never sees a half-written index and a failed build leaves the live index as it was.
``generation.json`` is written last: a folder without it is unfinished (a run was killed) and
is removed by the next run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

from whoosh import index as whoosh_index

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_INDEX_DIR = PROJECT_DIR / "var" / "index"
CURRENT = "current"
GENERATIONS = "generations"
META = "generation.json"
KEEP_GENERATIONS = 3


class NoIndex(LookupError):
    """There is no live index in the index folder yet."""


def index_dir(value: str | os.PathLike | None = None) -> Path:
    """The index folder: the value given, else $INDEX_DIR, else var/index in the project."""
    chosen = value or os.environ.get("INDEX_DIR") or DEFAULT_INDEX_DIR
    return Path(chosen).expanduser().resolve()


def new_generation(root: Path) -> Path:
    """A fresh, empty folder for the next generation (incomplete until it has its metadata)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = root / GENERATIONS / stamp
    path.mkdir(parents=True)
    return path


def sync_tree(folder: Path) -> None:
    """Flush a folder's files and the folder itself to disk, so a crash cannot undo them."""
    for child in folder.iterdir():
        if child.is_file() and not child.is_symlink():
            fd = os.open(child, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _sync_dir(folder)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_meta(generation: Path, meta: dict) -> None:
    """Write a generation's metadata: the mark that the generation is complete."""
    tmp = generation / f".{META}.tmp"
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, generation / META)
    _sync_dir(generation)


def switch(root: Path, generation: Path) -> None:
    """Make a complete generation the live index in one atomic step."""
    link = root / CURRENT
    tmp = root / f".{CURRENT}.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(generation.relative_to(root), tmp)
    os.replace(tmp, link)  # rename(2) over the old link: readers see old or new, never none
    _sync_dir(root)


def publish(root: Path, generation: Path, meta: dict) -> None:
    """Write the generation's metadata and make it the live index in one atomic step."""
    try:
        previous = live_generation(root)
    except NoIndex:
        previous = None
    if previous is not None and previous.parent == root / GENERATIONS:
        meta = {**meta, "previous": previous.name}
    write_meta(generation, meta)
    switch(root, generation)


def live_generation(root: Path) -> Path:
    """The folder of the live index; raises NoIndex when there is none."""
    link = root / CURRENT
    if link.exists():
        return link.resolve()
    if whoosh_index.exists_in(str(root)):  # a plain Whoosh index folder works too
        return root
    raise NoIndex(f"no index in {root}: build one with `python -m indexer build data/`")


def read_meta(generation: Path) -> dict:
    """The metadata a build left in a generation ({} for a plain index folder)."""
    try:
        meta = json.loads((generation / META).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def generations(root: Path) -> list[Path]:
    """The complete generations, oldest first."""
    folder = root / GENERATIONS
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and (p / META).is_file())


def _live_or_none(root: Path) -> Path | None:
    try:
        return live_generation(root)
    except NoIndex:
        return None


def clear_unfinished(root: Path) -> list[Path]:
    """Remove generation folders a killed run left without metadata (never the live one).

    Call only while holding the index lock: a running build's folder is unfinished too.
    """
    folder = root / GENERATIONS
    if not folder.is_dir():
        return []
    live = _live_or_none(root)
    removed = []
    for path in sorted(folder.iterdir()):
        if path.is_dir() and not (path / META).is_file() and path != live:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    for path in root.glob(f".{CURRENT}.*"):  # a link made but not yet moved into place
        if path.is_symlink():
            path.unlink()
    return removed


def previous_generation(root: Path) -> Path | None:
    """The generation that was live before the live one, if it is still there and complete."""
    live = _live_or_none(root)
    if live is None:
        return None
    complete = generations(root)
    name = read_meta(live).get("previous")
    if name and (root / GENERATIONS / name) in complete:
        return root / GENERATIONS / name
    older = [p for p in complete if p.name < live.name]
    return older[-1] if older else None


def prune(root: Path, keep: int = KEEP_GENERATIONS) -> list[Path]:
    """Remove the oldest generations beyond ``keep``; never the live one nor the one before it.

    The metadata goes first: a prune cut short leaves an incomplete folder, which no rollback
    picks and the next run clears.
    """
    folder = root / GENERATIONS
    if not folder.is_dir():
        return []
    live = _live_or_none(root)
    protected = {live, previous_generation(root)}
    candidates = generations(root)
    removed = []
    for path in candidates[:-keep] if keep > 0 else candidates:
        if path not in protected:
            (path / META).unlink(missing_ok=True)
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed

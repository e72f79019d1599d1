"""Where indexes live: one folder per generation, and a ``current`` link naming the live one.

    INDEX_DIR/
      current -> generations/20261127-101500-123456   (a symlink, replaced atomically)
      generations/20261127-101500-123456/              (a complete Whoosh index + generation.json)

A build writes a new generation beside the live one and only then moves ``current``, so a
reader never sees a half-written index and a failed build leaves the live index as it was.
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
    """A fresh, empty folder for the next generation."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = root / GENERATIONS / stamp
    path.mkdir(parents=True)
    return path


def publish(root: Path, generation: Path, meta: dict) -> None:
    """Write the generation's metadata and make it the live index in one atomic step."""
    (generation / META).write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
    link = root / CURRENT
    tmp = root / f".{CURRENT}.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(generation.relative_to(root), tmp)
    os.replace(tmp, link)  # rename(2) over the old link: readers see old or new, never none


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
        return json.loads((generation / META).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def prune(root: Path, keep: int = KEEP_GENERATIONS) -> list[Path]:
    """Remove the oldest generations beyond ``keep``, never the live one; return what went."""
    folder = root / GENERATIONS
    if not folder.is_dir():
        return []
    try:
        live = live_generation(root)
    except NoIndex:
        live = None
    generations = sorted(p for p in folder.iterdir() if p.is_dir())
    removed = []
    for path in generations[:-keep] if keep > 0 else generations:
        if path != live:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed

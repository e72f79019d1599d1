"""Reader queries: validation and the fixed tune/test split.

Reads every ``queries-*.jsonl`` next to this file, checks each line and
returns the queries of one half.  The split is by target and never changes:
the last hex digit of ``sha1(target)`` even -> "tune", odd -> "test".

    import sys; sys.path.insert(0, "bench/readers")
    import split
    tune = split.load("tune")      # or "test", or None for all

Standard library only.  ``python bench/readers/split.py`` prints counts per
style and half.
"""

from __future__ import annotations

import collections
import glob
import gzip
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.environ.get(
    "READERS_CORPUS", os.path.join(HERE, os.pardir, os.pardir, os.pardir, "shared", "corpus"))

STYLES = (
    "accented", "unaccented", "mixed_accents", "typo", "latin_names",
    "question", "paraphrase", "entity_time", "quote", "abbreviation",
)
KEYS = {"query", "style", "target", "file", "note"}
HALVES = ("tune", "test")

_cache: dict[str, list[dict]] = {}
_ids: dict[str, set[str]] = {}


def half_of(target: str) -> str:
    """'tune' when the last hex digit of sha1(target) is even, else 'test'."""
    digit = int(hashlib.sha1(target.encode("utf-8")).hexdigest()[-1], 16)
    return "tune" if digit % 2 == 0 else "test"


def _corpus_ids(name: str) -> set[str]:
    if name not in _ids:
        path = os.path.join(CORPUS, name)
        if not os.path.exists(path):
            raise ValueError(f"unknown corpus file {name!r} (looked in {CORPUS})")
        ids = set()
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                ids.add(json.loads(line)["id"])
        _ids[name] = ids
    return _ids[name]


def _read_all() -> list[dict]:
    rows: list[dict] = []
    seen: dict[str, str] = {}
    problems: list[str] = []
    for path in sorted(glob.glob(os.path.join(HERE, "queries-*.jsonl"))):
        base = os.path.basename(path)
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{base}:{n}"
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as e:
                    problems.append(f"{where}: bad JSON ({e})")
                    continue
                if not isinstance(row, dict) or set(row) != KEYS:
                    problems.append(f"{where}: keys must be {sorted(KEYS)}")
                    continue
                if not all(isinstance(row[k], str) and row[k].strip() for k in KEYS):
                    problems.append(f"{where}: every value must be a non-empty string")
                    continue
                if row["style"] not in STYLES:
                    problems.append(f"{where}: unknown style {row['style']!r}")
                try:
                    if row["target"] not in _corpus_ids(row["file"]):
                        problems.append(f"{where}: {row['target']} not in {row['file']}")
                except ValueError as e:
                    problems.append(f"{where}: {e}")
                if row["target"] in seen:
                    problems.append(f"{where}: target {row['target']} already used at {seen[row['target']]}")
                else:
                    seen[row["target"]] = where
                row = dict(row, half=half_of(row["target"]), source=base)
                rows.append(row)
    if problems:
        raise ValueError("invalid reader queries:\n  " + "\n  ".join(problems))
    return rows


def load(half: str | None = None) -> list[dict]:
    """Validated queries of one half ("tune" or "test"), or all when None.

    Each dict has the file's keys plus ``half`` and ``source`` (file name).
    """
    if half not in (None, *HALVES):
        raise ValueError(f"half must be 'tune', 'test' or None, not {half!r}")
    if "all" not in _cache:
        _cache["all"] = _read_all()
    rows = _cache["all"]
    return [dict(r) for r in rows if half is None or r["half"] == half]


def main() -> int:
    try:
        rows = load(None)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 1
    counts = collections.Counter((r["style"], r["half"]) for r in rows)
    print(f"{'style':<15}{'tune':>6}{'test':>6}{'all':>6}")
    for style in STYLES:
        t, s = counts[(style, "tune")], counts[(style, "test")]
        if t or s:
            print(f"{style:<15}{t:>6}{s:>6}{t + s:>6}")
    t = sum(1 for r in rows if r["half"] == "tune")
    print(f"{'total':<15}{t:>6}{len(rows) - t:>6}{len(rows):>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

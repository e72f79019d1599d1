"""Command line: ``python -m indexer build SOURCE... [--index DIR] [--json]``."""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import store
from .write import build

EXIT_OK, EXIT_SKIPS, EXIT_FAILED = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m indexer",
        description="Index Vietnamese news articles for search.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser(
        "build",
        help="index files and folders into a new index generation and make it live",
        description="Read plain-text articles (.txt) and JSON Lines (.jsonl, .jsonl.gz) from "
        "the files and folders given, index them, and switch the live index to the result.",
    )
    b.add_argument("sources", nargs="+", metavar="SOURCE", help="file or folder of articles")
    b.add_argument(
        "--index", metavar="DIR",
        help=f"index folder (default: $INDEX_DIR, else {store.DEFAULT_INDEX_DIR})",
    )
    b.add_argument("--keep", type=int, default=store.KEEP_GENERATIONS, metavar="N",
                   help="index generations to keep, the live one included (default: %(default)s)")
    b.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="processes that segment and analyse text (default: %(default)s, "
                   "the number of cores)")
    b.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)

    root = store.index_dir(args.index)
    try:
        report = build(args.sources, root, keep=max(1, args.keep), workers=max(1, args.workers))
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"indexed {report.indexed} articles from {report.files} files "
              f"in {report.seconds:.1f} s into {root} (generation {report.generation})")
        if report.skipped:
            print(f"skipped {len(report.skipped)}:")
            for skip in report.skipped:
                print(f"  {skip}")
    return EXIT_SKIPS if report.skipped else EXIT_OK

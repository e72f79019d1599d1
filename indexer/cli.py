"""Command line: ``python -m indexer build|update|rollback|status``.

Exit status: 0 all indexed, 1 indexed with skips, 2 failed or refused (the live index is
untouched), 3 not run because another build or update holds the index.
"""

from __future__ import annotations

import argparse
import json
import logging
import logging.handlers
import os
import signal
import sys
import traceback
from pathlib import Path

from . import store
from . import whoosh_internals as internals
from .changes import RemovalLimit
from .lock import Busy, holder
from .progress import Progress
from .report import BuildReport, Refused

EXIT_OK, EXIT_SKIPS, EXIT_FAILED, EXIT_BUSY = 0, 1, 2, 3
LOG_FILE = "indexer.log"

log = logging.getLogger("indexer")


def _removal_limit(text: str) -> RemovalLimit:
    try:
        return RemovalLimit.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (e.g. 10%, 250 or all)") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m indexer",
        description="Index Vietnamese news articles for search.",
        epilog="Exit status: 0 all indexed, 1 indexed with skips, 2 failed or refused (the live "
        "index is untouched), 3 another build or update is running.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def common(p, writes=True):
        p.add_argument("--index", metavar="DIR",
                       help=f"index folder (default: $INDEX_DIR, else {store.DEFAULT_INDEX_DIR})")
        p.add_argument("--json", action="store_true", help="print the summary as JSON")
        if writes:
            p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                           help="wait this long for another run to finish (default: exit at once)")
            p.add_argument("--log", metavar="FILE",
                           help=f"log file (default: {LOG_FILE} in the index folder)")

    def indexing(p):
        p.add_argument("sources", nargs="+", metavar="SOURCE", help="file or folder of articles")
        common(p)
        p.add_argument("--keep", type=int, default=store.KEEP_GENERATIONS, metavar="N",
                       help="generations to keep, the live one included, at least 2 "
                       "(default: %(default)s)")
        p.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                       help="processes that parse, analyse and write articles (default: "
                       "%(default)s, the number of cores)")
        p.add_argument("--progress", choices=("auto", "bar", "lines", "none"), default="auto",
                       help="a bar on a terminal, log lines otherwise (default: %(default)s)")
        p.add_argument("--max-remove", type=_removal_limit, default=RemovalLimit(),
                       metavar="LIMIT", help="refuse (exit 2, the live index kept) to remove "
                       "more live articles than this, or to replace them with an empty index: "
                       "a share (10%%), a number of articles, or 'all' (default: %(default)s)")

    indexing(commands.add_parser(
        "build", help="index every article of the sources into a new generation and make it live",
        description="Read plain-text articles (.txt), JSON Lines (.jsonl, .jsonl.gz), saved HTML "
        "article pages (.html) and RSS/Atom feeds (.rss, .atom, .xml) from the files and folders "
        "given, index them into a new generation beside the live one, and switch to it."))
    up = commands.add_parser(
        "update", help="bring the live index up to date with the sources",
        description="Like build, but starting from the live generation: new and changed "
        "articles (by content) are indexed, articles whose source is gone are removed, "
        "unchanged articles are kept as they are. Builds in full when there is no live index "
        "or the schema, the indexer or the gazetteer changed.")
    indexing(up)
    up.add_argument("--keep-missing", action="store_true",
                    help="keep articles whose source is gone instead of removing them")
    common(commands.add_parser(
        "rollback", help="make the generation that was live before the live one live again"))
    common(commands.add_parser(
        "status", help="the live generation: articles, when and from what it was built"),
        writes=False)
    return parser


def _setup_logging(root: Path, path: str | None) -> Path:
    log_path = Path(path) if path else root / LOG_FILE
    log_path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(log_path, maxBytes=10 * 2**20,
                                                   backupCount=5, encoding="utf-8",
                                                   errors="backslashreplace")
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return log_path


class Stopped(BaseException):
    """SIGTERM: a scheduler or a person stopped the run (a BaseException, like Ctrl-C, so that
    no ``except Exception`` on the way swallows it)."""


def _stop_on_sigterm() -> None:
    # unwind like Ctrl-C, so the unfinished generation is removed and the workers ended
    def stop(signum, frame):
        raise Stopped(f"stopped by signal {signal.Signals(signum).name}")

    signal.signal(signal.SIGTERM, stop)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root = store.index_dir(args.index)
    if args.command == "status":
        return _status(root, args.json)
    if args.command in ("build", "update") and args.keep < 2:
        print("error: --keep must be at least 2 (the previous generation is kept for "
              "rollback)", file=sys.stderr)
        return EXIT_FAILED
    try:
        log_path = _setup_logging(root, args.log)
    except OSError as exc:
        print(f"error: cannot write the log: {exc}", file=sys.stderr)
        return EXIT_FAILED
    _stop_on_sigterm()
    from .write import BuildFailed, rollback, run

    report = BuildReport(command=args.command)
    try:
        if args.command == "rollback":
            before, after = rollback(root, wait=args.wait)
            result = {"index": str(root), "from": before.name, "to": after.name}
            print(json.dumps(result) if args.json else
                  f"rolled back {root}: {before.name} -> {after.name} (now live)")
            return EXIT_OK
        progress = Progress(args.command, args.progress)
        run(args.command, args.sources, root, keep=args.keep, workers=max(1, args.workers),
            keep_missing=getattr(args, "keep_missing", False), wait=max(0.0, args.wait),
            progress=progress, max_remove=args.max_remove, report=report)
    except Busy as exc:
        log.warning("not run: %s", exc)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except Refused as exc:  # a decision, not a fault: no traceback
        log.error("%s", exc)
        return _failed(args, report, root, log_path, str(exc), None)
    except (BuildFailed, store.NoIndex, OSError, Stopped, KeyboardInterrupt) as exc:
        log.exception("%s failed", args.command)
        return _failed(args, report, root, log_path, str(exc) or type(exc).__name__, None)
    except Exception as exc:  # noqa: BLE001 - a fault of the indexer itself: say so, exit 2
        log.exception("%s failed unexpectedly", args.command)
        return _failed(args, report, root, log_path, f"{type(exc).__name__}: {exc}",
                       traceback.format_exc())
    if args.json:
        print(json.dumps({**report.as_dict(), "log": str(log_path)}, ensure_ascii=False, indent=2))
    else:
        _print_summary(report, root, log_path)
    return EXIT_SKIPS if report.skipped else EXIT_OK


def _failed(args, report: BuildReport, root: Path, log_path: Path, error: str,
            trace: str | None) -> int:
    """Tell why a run failed (the summary so far, as JSON with --json): exit status 2."""
    report.error = error
    if args.json and args.command != "rollback":
        print(json.dumps({**report.as_dict(), "traceback": trace, "log": str(log_path)},
                         ensure_ascii=False, indent=2))
    print(f"error: {error}\nthe live index is unchanged; details in {log_path}", file=sys.stderr)
    return EXIT_FAILED


def _print_summary(report, root: Path, log_path: Path) -> None:
    print(f"indexed {report.indexed} articles from {report.files} files in {report.seconds:.1f} s "
          f"into {root} (generation {report.generation})")
    if report.command == "update":
        if report.full_build_because:
            print(f"built in full: {report.full_build_because}")
        print(f"added {report.added}, updated {report.updated}, removed {report.removed}, "
              f"unchanged {report.unchanged}, kept {sum(report.kept.values())}, "
              f"skipped {len(report.skipped)}; {report.articles} articles live")
        for reason, count in report.kept.items():
            print(f"  kept {count}: {reason}")
    if report.cleared:
        print(f"cleared {len(report.cleared)} unfinished generation(s) of an earlier run")
    if report.notes:
        print(f"notes {len(report.notes)}:")
        for note in report.notes:
            print(f"  {note}")
    if report.skipped:
        print(f"skipped {len(report.skipped)}:")
        for skip in report.skipped:
            print(f"  {skip}")
    print(f"log: {log_path}")


def _status(root: Path, as_json: bool) -> int:
    try:
        live = store.live_generation(root)
    except store.NoIndex as exc:
        print(json.dumps({"index": str(root), "live": None}) if as_json else f"error: {exc}",
              file=sys.stdout if as_json else sys.stderr)
        return EXIT_FAILED
    from whoosh import index as whoosh_index

    meta = store.read_meta(live)
    try:
        ix = whoosh_index.open_dir(str(live))
        articles, segments = ix.doc_count(), internals.segment_count(ix)
        ix.close()
    except Exception as exc:  # noqa: BLE001 - status reports damage, it does not fail on it
        articles, segments = None, f"cannot be opened: {exc}"
    previous = store.previous_generation(root)
    writer = holder(root)
    info = {
        "index": str(root),
        "live": str(live.relative_to(root)) if live != root else ".",
        "articles": articles,
        "segments": segments,
        "command": meta.get("command"),
        "built_at": meta.get("built_at"),
        "seconds": meta.get("seconds"),
        "sources": meta.get("sources", []),
        "skipped": meta.get("skipped"),
        "schema_version": meta.get("schema_version"),
        "previous": previous.name if previous else None,
        "generations": [p.name for p in store.generations(root)],
        "writer": writer,
    }
    if as_json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"index        {root}")
    print(f"live         {info['live']}: {articles} articles, {segments} segment(s)")
    print(f"built        {meta.get('built_at', '?')} by `{meta.get('command', '?')}` "
          f"in {meta.get('seconds', '?')} s, {meta.get('skipped', '?')} input(s) skipped")
    print(f"from         {', '.join(info['sources']) or '?'}")
    print(f"schema       version {meta.get('schema_version', '?')}")
    print(f"rollback to  {info['previous'] or 'nothing (no earlier generation)'}")
    print(f"generations  {len(info['generations'])}: {', '.join(info['generations'])}")
    if writer is None:
        print("writer       none running")
    elif writer["alive"]:
        print(f"writer       `{writer.get('command')}` running, pid {writer.get('pid')}, "
              f"since {writer.get('started')}")
    else:
        print(f"writer       none; a `{writer.get('command')}` (pid {writer.get('pid')}) was "
              "killed: the next run clears what it left")
    return EXIT_OK

"""Entity benchmark: ministries, persons and dates against the hand-annotated gold set.

    .venv/bin/python bench/entities.py                  # scores, every error, extraction cost
    .venv/bin/python bench/entities.py --no-cost        # scores and errors only
    .venv/bin/python bench/entities.py --cost-articles 0  # the cost over the whole Dân Trí file

Reads tests/gold/entities.jsonl and the articles it names from ../shared/corpus in place.
Ministries and persons are scored as (article, entity) pairs, micro-averaged; person names are
compared after indexer.analysis.normalize, lowercased. Dates are scored over the articles whose
gold ``date_in_text`` is set; a date found where the gold has none is counted apart.

The cost is the share of indexing time spent in extraction (target: at most 25%): parse and
extract over the first articles of the Dân Trí file, against the whole build
(indexer.write.build) of the same articles.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from indexer import dates  # noqa: E402
from indexer.analysis import normalize  # noqa: E402
from indexer.extract import extract  # noqa: E402
from indexer.parse import parse_json  # noqa: E402

GOLD = PROJECT / "tests" / "gold" / "entities.jsonl"
CORPUS = PROJECT.parent / "shared" / "corpus"
COST_FILE = "dantri-2019-2021.jsonl.gz"
COST_ARTICLES = 600  # the first articles of COST_FILE; 0 for all of them
COST_LIMIT = 0.25

# The targets; tests/test_entities.py fails below them.
TARGETS = {
    "ministries": {"precision": 0.98, "recall": 0.97},
    "persons": {"precision": 0.95, "recall": 0.93},
    "dates": {"accuracy": 0.97},
}


def read_gold(path: Path = GOLD) -> list[dict]:
    """The gold articles, one dict per line of the gold file."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def read_articles(gold: list[dict], corpus: Path = CORPUS) -> dict[str, dict]:
    """The corpus records the gold set names, by id, read in place from ``corpus``."""
    wanted: dict[str, set[str]] = {}
    for item in gold:
        wanted.setdefault(item["file"], set()).add(item["id"])
    records = {}
    for name, ids in wanted.items():
        with gzip.open(corpus / name, "rt", encoding="utf-8") as lines:
            for line in lines:
                # every line starts with {"id": "...": check it before parsing the whole line
                head = line[:120]
                if not any(f'"{i}"' in head for i in ids):
                    continue
                record = json.loads(line)
                if record["id"] in ids:
                    records[record["id"]] = record
                    if len(records) == sum(len(s) for s in wanted.values()):
                        break
    missing = [i for ids in wanted.values() for i in ids if i not in records]
    if missing:
        raise SystemExit(f"gold articles not found in {corpus}: {', '.join(sorted(missing))}")
    return records


def person_key(name: str) -> str:
    """One spelling of a name for comparison: NFC, one tone placement, lowercase."""
    return " ".join(normalize(name).lower().split())


@dataclass
class Score:
    """Counts of one entity kind and the errors behind them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, article_id: str, expected: list[str], got: list[str], key=lambda s: s):
        want = {key(e): e for e in expected}
        have = {key(g): g for g in got}
        self.tp += len(want.keys() & have.keys())
        missed = [want[k] for k in want if k not in have]
        extra = [have[k] for k in have if k not in want]
        self.fn += len(missed)
        self.fp += len(extra)
        if missed or extra:
            self.errors.append(f"{article_id}: missed {missed} extra {extra} "
                               f"(expected {expected}, got {got})")


@dataclass
class DateScore:
    """Dates stated in the text: right, wrong, and found where the gold has none."""

    right: int = 0
    wrong: int = 0
    spurious: int = 0  # a date produced where the gold says the opening states none
    errors: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        total = self.right + self.wrong
        return self.right / total if total else 1.0


def stated_date(record: dict):
    """The date the article's opening states, as the indexer reads it when the data has none."""
    return dates.date_from_opening(record.get("summary") or "", record.get("body") or "")


def evaluate(gold: list[dict], records: dict[str, dict]) -> tuple[Score, Score, DateScore]:
    """Scores of the extractor over the gold articles."""
    ministries, persons, when = Score(), Score(), DateScore()
    for item in gold:
        record = records[item["id"]]
        article = extract(parse_json(record, item["file"], None))
        ministries.add(item["id"], item["ministries"], article.ministries)
        persons.add(item["id"], item["persons"], article.persons, key=person_key)
        got = stated_date(record)
        got_text = got.isoformat() if got else None
        expected = item["date_in_text"]
        if expected is not None:
            if got_text == expected:
                when.right += 1
            else:
                when.wrong += 1
                when.errors.append(f"{item['id']}: expected {expected} got {got_text}")
        elif got_text is not None:
            when.spurious += 1
            when.errors.append(f"{item['id']}: expected none got {got_text}")
    return ministries, persons, when


def extraction_cost(corpus: Path = CORPUS, name: str = COST_FILE,
                    limit: int = COST_ARTICLES) -> dict:
    """Seconds spent parsing and extracting the first ``limit`` articles of a corpus file, and
    seconds to index the same articles in full (indexer.write.build, one process).

    Both are measured as wall-clock and as CPU time of this process: on a shared machine the
    wall clock also counts waiting for other programs, the CPU time does not.
    """
    from indexer.sources import read_records
    from indexer.write import build

    with gzip.open(corpus / name, "rt", encoding="utf-8") as lines:
        sample = [line for line, _ in zip(lines, range(limit or 10**9))]
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "sample.jsonl"
        source.write_text("".join(sample), encoding="utf-8")
        records = [r for r in read_records(source) if not hasattr(r, "reason")]
        wall, cpu = time.perf_counter(), time.process_time()
        parsed = [parse_json(r.data, r.file, r.line) for r in records]
        parse_wall, parse_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall, cpu = time.perf_counter(), time.process_time()
        for article in parsed:
            extract(article)
        extract_wall, extract_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall, cpu = time.perf_counter(), time.process_time()
        report = build([str(source)], Path(folder) / "index")
        build_wall, build_cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "file": name, "articles": report.indexed,
        "chars": sum(len(a.title) + len(a.summary) + len(a.body) for a in parsed),
        "parse": (parse_wall, parse_cpu), "extract": (extract_wall, extract_cpu),
        "build": (build_wall, build_cpu),
    }


def print_report(ministries: Score, persons: Score, when: DateScore) -> None:
    print(f"{'':12}{'precision':>10}{'recall':>8}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}   target")
    for label, score in (("ministries", ministries), ("persons", persons)):
        target = TARGETS[label]
        print(f"{label:12}{score.precision:10.3f}{score.recall:8.3f}{score.f1:7.3f}"
              f"{score.tp:6}{score.fp:5}{score.fn:5}   "
              f"P≥{target['precision']} R≥{target['recall']}")
    print(f"{'dates':12}accuracy {when.accuracy:.3f} ({when.right}/{when.right + when.wrong} "
          f"stated dates right), {when.spurious} date(s) produced where the gold has none   "
          f"target ≥{TARGETS['dates']['accuracy']}")
    for label, errors in (("ministries", ministries.errors), ("persons", persons.errors),
                          ("dates", when.errors)):
        print(f"\n{label} errors ({len(errors)}):")
        for line in errors:
            print("  " + line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-cost", action="store_true", help="skip the extraction cost")
    parser.add_argument("--cost-articles", type=int, default=COST_ARTICLES, metavar="N",
                        help=f"articles of {COST_FILE} the cost is measured on (0: all)")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"{CORPUS} is absent: this benchmark reads the shared corpus in place",
              file=sys.stderr)
        return 2
    print(f"machine: {platform.platform()}, Python {platform.python_version()}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    gold = read_gold()
    records = read_articles(gold)
    print(f"gold set: {len(gold)} articles from {GOLD.relative_to(PROJECT)}\n")
    ministries, persons, when = evaluate(gold, records)
    print_report(ministries, persons, when)
    if not args.no_cost:
        cost = extraction_cost(limit=args.cost_articles)
        print(f"\ncost over {cost['articles']} articles of {cost['file']} "
              f"({cost['chars'] / 1e6:.1f} M characters), seconds as wall clock / CPU time:")
        for label, key in (("parse", "parse"), ("extract (ministries, persons)", "extract"),
                           ("whole build (indexer.write.build)", "build")):
            wall, cpu = cost[key]
            print(f"  {label:36}{wall:8.2f} /{cpu:7.2f}")
        for label, keys in (("extract", ("extract",)), ("parse + extract", ("parse", "extract"))):
            wall = sum(cost[k][0] for k in keys) / cost["build"][0]
            cpu = sum(cost[k][1] for k in keys) / cost["build"][1]
            print(f"  {label} is {wall:.1%} (wall) / {cpu:.1%} (CPU) of indexing time "
                  f"(target ≤ {COST_LIMIT:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

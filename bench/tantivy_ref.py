"""What the hardware allows: our build and our query mix on tantivy, over the same analysis.

    .venv/bin/pip install -r bench/requirements-bench.txt
    .venv/bin/python bench/tantivy_ref.py CORPUS.jsonl.gz [CORPUS ...]
        [--mix bench/query_mix.jsonl] [--index DIR] [--cache FILE.jsonl.gz]
        [--workers 2] [--repeat 5] [--match syllables|words] [--out FILE.json]

Build, in two timed steps:
1. analysis: every record through ``indexer.documents.prepare`` (parsing, entity extraction, pyvi
   word segmentation, syllables), as ``python -m indexer build`` does, on --workers processes.
   With --cache the analysed articles are kept (gzip JSON Lines) and a later run on the same
   files and the same pipeline code loads them instead;
2. tantivy: our terms handed over space-separated, so tantivy indexes exactly them (pyvi words
   of title, summary, body and captions; title words apart; accented and folded syllables with
   positions; alias group keys), ministries, persons and month as string fast fields, the day
   as an integer fast field (YYYYMMDD, 0 when undated); id, title and body stored (title and
   body in our tone placement, for the snippets); --workers indexing threads.

Search: each query of the mix as our engine runs it (webui/core/search.py), parsed and analysed by
our code: accented text must hold every accented syllable (--match words: every pyvi word), then,
when no article does, every folded syllable, then any of them (relaxed); unaccented text every
folded syllable; a known alias as its group's key; "quoted phrases" as phrase queries; the pyvi
words, title words counting extra, rank with BM25, or newest first; one page at an offset;
ministry, person and date filters; the ministry, person and month facets counted over every
match (a facet's own filter left out, as ours does); a highlighted title and snippet for every
hit shown. Latency: p50/p95/p99 per kind of query and overall, over --repeat runs of each after
a warm-up pass. Every figure, and per query the total and the ids shown, go to --out in the
shape bench/queries.py writes, to compare the two.
"""

from __future__ import annotations

import argparse
import gzip
import html
import importlib.metadata
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
SHARED = PROJECT.parent / "shared"
MIX = PROJECT / "bench" / "query_mix.jsonl"
DEFAULT_CORPUS = SHARED / "corpus" / "dantri-2019-2021.jsonl.gz"

try:
    from tantivy import (Document, FieldType, Filter, Index, Occur, Order, Query,
                         SchemaBuilder, SnippetGenerator, TextAnalyzerBuilder, Tokenizer)
except ImportError:
    raise SystemExit("tantivy is not installed: .venv/bin/pip install -r "
                     "bench/requirements-bench.txt") from None
VERSION = importlib.metadata.version("tantivy")

from bench.reindex import batches, load, machine  # noqa: E402
from bench.soak import percentile  # noqa: E402
from indexer import analysis  # noqa: E402
from indexer.aliases import find_aliases, group_key  # noqa: E402
from indexer.article import Skip  # noqa: E402
from indexer.documents import prepare  # noqa: E402
from indexer.record import Notice  # noqa: E402
from indexer.schema import NO_DATE  # noqa: E402
from indexer.sources import read_records  # noqa: E402
from indexer.write import pipeline_fingerprint  # noqa: E402
from webui.query import parse  # noqa: E402

CACHE_FORMAT = 3
BATCH = 16  # records per task handed to an analysis worker, as the indexer does
HEAP_PER_THREAD = 128_000_000  # bytes; the indexer's workers spill at 128 MB each too
TITLE_BOOST = 2.0  # ours scores its title fields apart: a query word in the title ranks up
FACET_SIZE = 10
MONTH_BUCKETS = 1200  # ours lists every month
MAX_RESULTS_DEPTH = 10_000  # ours shows no hits past page * per_page = 10,000
SNIPPET_CHARS = 240
TITLE_CHARS = 1000  # a title is highlighted whole
ORDINALS = 10**8  # articles an index can hold, for the sort key day * ORDINALS + ordinal

# Our terms never hold a space, so tantivy splits them back as they were. The syllable fields
# split on what our syllables are made of (Python's letters and digits: runs of \p{L}\p{N},
# not the regex crate's \w), so the snippet generator finds our terms in the stored text too.
SYLLABLE = r"[\p{L}\p{N}]+"


# -- analysis (ours) ---------------------------------------------------------------------------


def analysed_article(record) -> dict | Skip:
    """One record as prepare() makes it for Whoosh, reduced to what tantivy indexes."""
    doc = prepare(record)
    if isinstance(doc, Skip):
        return doc

    def joined(value, kind: str) -> str:
        return " ".join(span.text for span in value.spans[kind])

    title, text = doc["title"], doc["text_syl"]
    return {
        "id": doc["id"],
        # stored in our tone placement, which the syllables tokenizer needs to find our terms
        # when it makes a snippet: the same length, one pass here rather than one per hit shown
        "title": analysis.normalize(doc["_stored_title"]),
        "body": analysis.normalize(doc["_stored_body"] or doc["_stored_summary"]),
        "words": " ".join(filter(None, (joined(doc[f], "words")
                                        for f in ("title", "summary", "body", "captions")))),
        "title_words": joined(title, "words"),
        "syllables": [joined(title, "syllables"), joined(text, "syllables")],
        "folded": [joined(title, "folded"), joined(text, "folded")],
        # the keys of the alias groups the article writes in any form
        "aliases": " ".join(filter(None, (doc["title_alias"], doc["text_alias"]))),
        "ministries": list(doc["ministries"]),
        "persons": list(doc["persons"]),
        "month": doc["month"],
        "day": doc["day"],
    }


def _records(paths: list[Path], counts: dict):
    for path in paths:
        for record in read_records(path):
            if isinstance(record, Skip):
                counts["skipped"] += 1
            elif not isinstance(record, Notice):  # a remark on records read all the same
                yield record


def _analyse_batch(batch: list) -> list:
    return [analysed_article(record) for record in batch]


def analyse(paths: list[Path], workers: int) -> tuple[list[dict], dict]:
    """Every article of the files, analysed; the first article with an id wins, as in ours."""
    counts = {"skipped": 0, "duplicates": 0}
    analysis.words("khởi động")  # load pyvi once, before forking: the workers share it
    records = _records(paths, counts)
    if workers > 1:
        pool = multiprocessing.get_context("fork").Pool(workers)
        outcomes = (a for batch in pool.imap(_analyse_batch, batches(records, BATCH))
                    for a in batch)
    else:
        pool = None
        outcomes = (analysed_article(record) for record in records)
    docs, seen = [], set()
    try:
        for outcome in outcomes:
            if isinstance(outcome, Skip):
                counts["skipped"] += 1
            elif outcome["id"] in seen:
                counts["duplicates"] += 1
            else:
                seen.add(outcome["id"])
                docs.append(outcome)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return docs, counts


def cache_key(paths: list[Path]) -> dict:
    files = [{"path": str(p.resolve()), "size": p.stat().st_size,
              "mtime_ns": p.stat().st_mtime_ns} for p in paths]
    return {"format": CACHE_FORMAT, "files": files, "pipeline": pipeline_fingerprint()}


def read_cache(cache: Path, key: dict) -> tuple[dict, list[dict]] | None:
    """The cached header and articles, or None when the cache is of other files or code."""
    if not cache.exists():
        return None
    with gzip.open(cache, "rt", encoding="utf-8") as lines:
        header = json.loads(next(lines))
        if header.get("key") != key:
            return None
        return header, [json.loads(line) for line in lines]


def write_cache(cache: Path, header: dict, docs: list[dict]) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_name(cache.name + ".partial")
    with gzip.open(partial, "wt", encoding="utf-8", compresslevel=3) as out:
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for doc in docs:
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    partial.replace(cache)


# -- tantivy index -----------------------------------------------------------------------------


def analyzers() -> dict:
    def build(tokenizer, *filters):
        builder = TextAnalyzerBuilder(tokenizer)
        for f in filters:
            builder = builder.filter(f)
        return builder.build()

    return {
        "terms": build(Tokenizer.whitespace(), Filter.lowercase()),
        "syllables": build(Tokenizer.regex(SYLLABLE), Filter.lowercase()),
        # our folded syllables are already folded; ascii_fold is for the snippets, which
        # tokenize the stored text, accents and all (it also folds what ours keeps: ð, ⁰)
        "folded": build(Tokenizer.regex(SYLLABLE), Filter.lowercase(), Filter.ascii_fold()),
    }


def make_schema():
    sb = SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_bytes_field("title", stored=True)  # stored only: shown and highlighted
    sb.add_bytes_field("body", stored=True)
    # no positions on words, as ours (phrases go to the syllables)
    sb.add_text_field("words", tokenizer_name="terms", index_option="freq")
    sb.add_text_field("title_words", tokenizer_name="terms", index_option="freq")
    sb.add_text_field("syllables", tokenizer_name="syllables", index_option="position")
    sb.add_text_field("folded", tokenizer_name="folded", index_option="position")
    sb.add_text_field("aliases", tokenizer_name="terms", index_option="freq")
    for name in ("ministries", "persons", "month"):
        sb.add_text_field(name, fast=True, tokenizer_name="raw")
    sb.add_integer_field("day", indexed=True, fast=True)
    sb.add_integer_field("newest", fast=True)  # the sort key of "newest first"
    return sb.build()


def open_index(schema, path: Path):
    ix = Index(schema, path=str(path))
    for name, analyzer in analyzers().items():
        ix.register_tokenizer(name, analyzer)
    return ix


def index_articles(ix, schema, docs: list[dict], threads: int) -> float:
    """Seconds to add, commit and merge every article."""
    started = time.perf_counter()
    writer = ix.writer(heap_size=HEAP_PER_THREAD * threads, num_threads=threads)
    for n, doc in enumerate(docs):
        writer.add_document(Document.from_dict({
            **doc, "title": doc["title"].encode("utf-8"), "body": doc["body"].encode("utf-8"),
            # on the same day the later article comes first, as ours orders them
            "newest": doc["day"] * ORDINALS + n,
        }, schema))
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - started
    ix.reload()
    return seconds


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def prepare_folder(path: Path) -> None:
    """An empty folder for the index; an earlier tantivy index there is replaced."""
    if path.exists() and any(path.iterdir()):
        if not (path / "meta.json").exists():
            raise SystemExit(f"{path}: not empty and not a tantivy index; give a new folder")
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)


# -- search as ours does it ----------------------------------------------------------------------


def all_of(queries: list) -> object:
    return queries[0] if len(queries) == 1 else Query.boolean_query(
        [(Occur.Must, q) for q in queries])


def any_of(queries: list) -> object:
    return queries[0] if len(queries) == 1 else Query.boolean_query(
        [(Occur.Should, q) for q in queries])


def _period(value: str) -> tuple[int, int]:
    """YYYYMMDD bounds of "2017", "2017-03" or "none"."""
    if value == NO_DATE:
        return 0, 0
    if len(value) == 4:
        return int(value) * 10000 + 101, int(value) * 10000 + 1231
    year, month = value.split("-")
    return int(year) * 10000 + int(month) * 100 + 1, int(year) * 10000 + int(month) * 100 + 31


class Reference:
    """The query mix's searches on one tantivy index.

    ``match`` is how accented text must match first: "syllables", every accented syllable
    anywhere (ours); or "words", every pyvi word of the query.
    """

    def __init__(self, ix, match: str = "syllables"):
        self.schema = ix.schema
        self.analyzers = analyzers()
        self.searcher = ix.searcher()
        self.first_mode = "exact" if match == "syllables" else "words"

    # terms, analysed as at indexing: ours, then the field's own tokenizer (a no-op on them)
    def _terms(self, field: str, tokens: list[str]) -> list[str]:
        return self.analyzers[field].analyze(" ".join(tokens)) if tokens else []

    def _term(self, field: str, text: str):
        return Query.term_query(self.schema, field, text, index_option="freq")

    def _sequence(self, field: str, terms: list[str]):
        if len(terms) == 1:
            return self._term(field, terms[0])
        return Query.phrase_query(self.schema, field, terms)

    def _unit(self, field: str, syllable: str):
        terms = self._terms(field, [syllable])
        return all_of([self._term(field, t) for t in terms]) if terms else None

    def clause_query(self, clause, mode: str) -> tuple[object | None, list]:
        """What a clause requires in a matching mode, and what only ranks (webui.query)."""
        text = clause.text
        accented = analysis.has_accents(text)
        syllables = analysis.syllables(text)
        folded = [analysis.fold(s) for s in syllables]
        words = analysis.words(text) if accented or mode == "words" else []
        field, forms = (("folded", folded) if mode in ("all", "any")
                        else ("syllables", syllables))
        if clause.phrase and len(forms) > 1:
            terms = self._terms(field, forms)
            required = self._sequence(field, terms) if terms else None
        elif mode == "words":
            required = (all_of([self._term("words", w) for w in dict.fromkeys(words)])
                        if words else None)
        else:
            units, i = [], 0
            for start, end, group in find_aliases(folded):
                units += [self._unit(field, f) for f in forms[i:start]]
                units.append(self._term("aliases", group_key(group)))
                i = end
            units += [self._unit(field, f) for f in forms[i:]]
            units = [u for u in units if u is not None]
            required = None if not units else any_of(units) if mode == "any" else all_of(units)
        extras = []
        if accented:
            if mode in ("all", "any"):  # exact forms rank first among the folded matches
                extras += [self._term("syllables", t)
                           for t in dict.fromkeys(self._terms("syllables", syllables))]
            if mode != "words":
                extras += [self._term("words", w) for w in dict.fromkeys(words)]
            extras += [Query.boost_query(self._term("title_words", w), TITLE_BOOST)
                       for w in dict.fromkeys(words)]
        return required, extras

    def excluded(self, clause):
        """A negated clause: its accented syllables when typed with accents, else folded."""
        field = "syllables" if analysis.has_accents(clause.text) else "folded"
        tokens = (analysis.syllables(clause.text) if field == "syllables"
                  else analysis.folded(clause.text))
        terms = self._terms(field, tokens)
        if not terms:
            return None
        if clause.phrase:
            return self._sequence(field, terms)
        return all_of([self._term(field, t) for t in dict.fromkeys(terms)])

    def text_query(self, parsed, mode: str) -> tuple[object, object]:
        """(matching only, with the ranking parts) for the whole query."""
        groups, extras = [], []
        for group in parsed.groups:
            alternatives = []
            for clause in group:
                if clause.field not in (None, "title"):
                    continue  # ministry: and person: clauses; the mix has none
                required, more = self.clause_query(clause, mode)
                if required is not None:
                    alternatives.append(required)
                    extras += more
            if alternatives:
                groups.append(any_of(alternatives))
        negated = [q for c in parsed.negated if c.field in (None, "title")
                   if (q := self.excluded(c)) is not None]
        if not groups:
            groups = [Query.all_query()]
        clauses = [(Occur.Must, g) for g in groups] + [(Occur.MustNot, n) for n in negated]
        matching = groups[0] if len(clauses) == 1 else Query.boolean_query(clauses)
        if not extras:
            return matching, matching
        return matching, Query.boolean_query(clauses + [(Occur.Should, e) for e in extras])

    def filters(self, entry: dict) -> dict:
        """One filter per facet: values of a facet OR-ed; scored 0, so ranking is unchanged."""
        out = {}
        for name, key in (("ministries", "ministry"), ("persons", "person")):
            if entry.get(key):
                out[name] = Query.term_set_query(self.schema, name, list(entry[key]))
        if entry.get("date"):
            out["month"] = any_of([
                Query.range_query(self.schema, "day", FieldType.Integer, *_period(v))
                for v in entry["date"]])
        return {name: Query.const_score_query(q, 0.0) for name, q in out.items()}

    def facets(self, matching, filters: dict) -> dict:
        """Counts over every match; a facet's own filter does not narrow its counts."""
        sizes = {"ministries": FACET_SIZE, "persons": FACET_SIZE, "month": MONTH_BUCKETS}
        by_query: dict[tuple, list[str]] = {}
        for name in sizes:
            others = tuple(f for f in filters if f != name)
            by_query.setdefault(others, []).append(name)
        counts = {}
        for others, names in by_query.items():
            query = all_of([matching] + [filters[f] for f in others])
            found = self.searcher.aggregate(query, {
                name: {"terms": {"field": name, "size": sizes[name]}} for name in names})
            for name in names:
                counts[name] = [(b["key"], b["doc_count"]) for b in found[name]["buckets"]]
        months = sorted(counts["month"], key=lambda vc: (vc[0] != NO_DATE, vc[0]), reverse=True)
        years: dict[str, int] = {}
        for value, count in months:
            key = value[:4] if value != NO_DATE else NO_DATE
            years[key] = years.get(key, 0) + count
        return {"ministry": counts["ministries"], "person": counts["persons"],
                "date": months, "year": list(years.items())}

    def highlighters(self, parsed, chars: int) -> list[tuple[str, object]]:
        """Snippet generators: accented syllables marked as typed, unaccented ones in any
        accents, as ours marks them."""
        exact, loose = [], []
        for clause in parsed.clauses:
            if clause.field not in (None, "title"):
                continue
            folded = analysis.folded(clause.text)
            if analysis.has_accents(clause.text):
                exact += self._terms("syllables", analysis.syllables(clause.text))
            else:
                loose += self._terms("folded", folded)
            for _, _, group in find_aliases(folded):  # every form of a name marks
                loose += self._terms("folded", [s for form in group for s in form])
        out = []
        for field, terms in (("syllables", exact), ("folded", loose)):
            if terms:
                query = any_of([self._term(field, t) for t in dict.fromkeys(terms)])
                generator = SnippetGenerator.create(self.searcher, query, self.schema, field)
                generator.set_max_num_chars(chars)
                out.append((field, generator))
        return out

    @staticmethod
    def mark(highlighters, text: str, chars: int) -> str:
        """The best fragment of the text with the query's syllables in <b>."""
        for field, generator in highlighters:
            snippet = generator.snippet_from_doc(Document(**{field: [text]}))
            if snippet.highlighted():
                return snippet.to_html()
        return html.escape(text[:chars])

    def search(self, entry: dict) -> dict:
        parsed = parse(entry.get("q") or "")
        text_clauses = [c for c in parsed.clauses if c.field in (None, "title")]
        filters = self.filters(entry)
        page, per_page = int(entry.get("page", 1)), int(entry.get("per_page", 10))
        by_date = entry.get("sort") == "newest" or not text_clauses
        depth = page * per_page
        shown = depth <= MAX_RESULTS_DEPTH

        def top(matching, ranked):
            if not shown:
                return self.searcher.search(matching, 1)
            if by_date:
                return self.searcher.search(matching, per_page, offset=depth - per_page,
                                            order_by_field="newest", order=Order.Desc)
            return self.searcher.search(ranked, per_page, offset=depth - per_page)

        # the most precise matching that finds anything, judged on the text alone
        modes = ["all"]
        if any(analysis.has_accents(c.text) for c in text_clauses):
            modes.insert(0, self.first_mode)
        if len(parsed.groups) > 1 or any(not c.phrase and len(analysis.syllables(c.text)) > 1
                                         for c in text_clauses):
            modes.append("any")
        for mode in modes:
            matching, ranked = self.text_query(parsed, mode)
            if filters:
                found = bool(self.searcher.search(matching, 1, count=False).hits)
            else:
                result = top(matching, ranked)
                found = bool(result.count)
            if found:
                break
        if filters:
            values = list(filters.values())
            result = top(all_of([matching] + values), all_of([ranked] + values))
        total = result.count
        hits = []
        started = time.perf_counter()
        if shown and total:
            titles = self.highlighters(parsed, TITLE_CHARS)
            texts = self.highlighters(parsed, SNIPPET_CHARS)
            for _, address in result.hits:
                doc = self.searcher.doc(address)
                title = doc["title"][0].decode("utf-8")
                body = doc["body"][0].decode("utf-8")
                hits.append({"id": doc["id"][0],
                             "title_html": self.mark(titles, title, TITLE_CHARS),
                             "snippet": self.mark(texts, body, SNIPPET_CHARS)})
        snippet_ms = (time.perf_counter() - started) * 1000
        return {"total": total, "relaxed": mode == "any" and found, "mode": mode,
                "hits": hits, "facets": self.facets(matching, filters),
                "snippet_ms": snippet_ms}


# -- the run -----------------------------------------------------------------------------------


def figures(ms: list[float]) -> dict:
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95),
            "p99": percentile(ms, 99), "max": max(ms) if ms else float("nan")}


HEADER = (f"  {'kind':<12} {'runs':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
          f"  {'of which hits shown, p50':>24}")


def row(label: str, f: dict, snippets: dict | None = None) -> str:
    line = (f"  {label:<12} {f['n']:>6} {f['p50']:>8.2f} {f['p95']:>8.2f} {f['p99']:>8.2f} "
            f"{f['max']:>8.2f}")
    return line + (f"  {snippets['p50']:>24.2f}" if snippets else "")


def run_mix(ref: Reference, mix: list[dict], repeat: int) -> dict:
    def run(entry):
        started = time.perf_counter()
        found = ref.search(entry)
        return (time.perf_counter() - started) * 1000, found

    results, first = [], {}
    for entry in mix:  # the warm-up pass: each query's first run
        took, found = run(entry)
        first.setdefault(entry["kind"], []).append(took)
        results.append({**entry, "total": found["total"], "relaxed": found["relaxed"],
                        "mode": found["mode"], "ids": [h["id"] for h in found["hits"]],
                        "facets": found["facets"], "first_ms": round(took, 2)})
    by_kind: dict[str, list[float]] = {}
    snippets: dict[str, list[float]] = {}  # reading and marking the hits shown
    for _ in range(repeat):
        for entry, result in zip(mix, results):
            took, found = run(entry)
            by_kind.setdefault(entry["kind"], []).append(took)
            snippets.setdefault(entry["kind"], []).append(found["snippet_ms"])
            result.setdefault("runs_ms", []).append(round(took, 2))
    every = [ms for values in by_kind.values() for ms in values]
    return {"kinds": {k: figures(v) for k, v in by_kind.items()},
            "snippets": {k: figures(v) for k, v in snippets.items()},
            "first": {k: figures(v) for k, v in first.items()},
            "all": figures(every), "all_first": figures([m for v in first.values() for m in v]),
            "all_snippets": figures([m for v in snippets.values() for m in v]),
            "queries": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path, default=[DEFAULT_CORPUS],
                        help=f"JSON Lines article files (default: {DEFAULT_CORPUS})")
    parser.add_argument("--mix", type=Path, default=MIX)
    parser.add_argument("--index", type=Path, help="where the tantivy index goes "
                        "(default: a temporary folder, removed afterwards)")
    parser.add_argument("--cache", type=Path, help="analysed articles (gzip JSON Lines): "
                        "written by a run, loaded by the next one on the same files and code")
    parser.add_argument("--workers", type=int, default=2,
                        help="analysis processes, and tantivy's indexing threads")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query measured")
    parser.add_argument("--match", choices=("syllables", "words"), default="syllables",
                        help="accented text matches first on every syllable anywhere, as "
                        "ours (default), or on every pyvi word")
    parser.add_argument("--out", type=Path, help="write every figure and result here (JSON)")
    args = parser.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"{SHARED} is absent: this benchmark runs on the shared corpus "
                         f"(../shared/corpus/*.jsonl.gz beside the project), not on test data.")
    missing = [str(p) for p in args.corpus if not p.is_file()]
    if missing:
        raise SystemExit(f"no such corpus file: {', '.join(missing)}")
    workers = max(1, args.workers)
    with open(args.mix, encoding="utf-8") as lines:
        mix = [json.loads(line) for line in lines if line.strip()]

    temporary = None if args.index else tempfile.TemporaryDirectory(prefix="tantivy-ref-")
    folder = args.index or Path(temporary.name)
    prepare_folder(folder)

    print(machine())
    print(f"tantivy {VERSION}; start: {load()}")
    print(f"corpus: {', '.join(str(p) for p in args.corpus)}")

    key = cache_key(args.corpus)
    started = time.perf_counter()
    cached = read_cache(args.cache, key) if args.cache else None
    if cached:
        header, docs = cached
        build = {**header["build"], "analysis_from_cache": str(args.cache),
                 "cache_load_seconds": round(time.perf_counter() - started, 2)}
    else:
        started = time.perf_counter()
        docs, counts = analyse(args.corpus, workers)
        build = {**counts, "analysis_seconds": round(time.perf_counter() - started, 2),
                 "analysis_workers": workers}
        if args.cache:
            write_cache(args.cache, {"key": key, "build": build}, docs)
    build["documents"] = len(docs)
    build["with_alias_keys"] = sum(1 for d in docs if d["aliases"])

    try:
        schema = make_schema()
        ix = open_index(schema, folder)
        build["tantivy_seconds"] = round(index_articles(ix, schema, docs, workers), 2)
        build["tantivy_threads"] = workers
        build["index_mb"] = round(folder_mb(folder), 1)
        build["segments"] = ix.searcher().num_segments
        del docs  # the search part runs with the index alone in memory

        print(f"build: {build['documents']:,} articles ({build['skipped']} skipped, "
              f"{build['duplicates']} duplicate ids)")
        if "analysis_from_cache" in build:
            print(f"  analysis: loaded from {args.cache} in {build['cache_load_seconds']} s; "
                  f"measured when made: {build['analysis_seconds']} s with "
                  f"{build['analysis_workers']} worker(s)")
        else:
            print(f"  analysis (prepare: parse, extract, pyvi), {workers} worker(s): "
                  f"{build['analysis_seconds']} s")
        print(f"  tantivy indexing, {workers} thread(s): {build['tantivy_seconds']} s "
              f"({build['documents'] / max(build['tantivy_seconds'], 1e-9):,.0f} articles/s); "
              f"index {build['index_mb']} MB in {build['segments']} segment(s) at {folder}"
              + (" (temporary)" if temporary else ""))

        ref = Reference(ix, args.match)
        ref.search({"q": "khởi động"})  # loads the query-side word segmenter
        local = run_mix(ref, mix, args.repeat)
    finally:
        if temporary:
            temporary.cleanup()

    print(f"search: {len(mix)} queries from {args.mix}, accented text matched on {args.match} "
          f"first; {args.repeat} runs of each after a warm-up pass, one thread:")
    print(HEADER)
    for kind, f in local["kinds"].items():
        print(row(kind, f, local["snippets"][kind]))
    print(row("all", local["all"], local["all_snippets"]))
    print(row("all, 1st run", local["all_first"]))
    slowest = sorted(local["queries"], key=lambda r: -statistics.median(r["runs_ms"]))[:5]
    print("  slowest: " + "; ".join(f"{r['kind']} {r['q']!r} {statistics.median(r['runs_ms']):.1f}"
                                    f" ms" for r in slowest))
    print(f"end: {load()}")
    if args.out:
        report = {"machine": machine(), "python": platform.python_version(),
                  "cpus": os.cpu_count(), "tantivy": VERSION,
                  "corpus": [str(p) for p in args.corpus], "mix": str(args.mix),
                  "repeat": args.repeat, "match": args.match, "build": build,
                  "in_process": local}
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
        print(f"written: {args.out}")


if __name__ == "__main__":
    main()

"""The search: a request and an index generation in, plain data out.

``search(request, generation) -> SearchResult`` needs no web app: the HTML page and the JSON
API call it and only render what it returns, and benchmarks and tests call it directly.
"""

from __future__ import annotations

import time
from dataclasses import replace


from .facets import clause_mask, counts, filter_masks
from .generation import Generation, days, live_mask
from .hits import StoredFields, highlight_terms, hit
from .lru import LRU
from .postings import postings
from .query import parse
from .ranking import by_date, rank_restored_accents, ranked
from .request import MAX_RESULTS_DEPTH, SearchRequest, SearchResult
from .retrieval import retrieve
from .scoring import Evaluator
from .spelling import did_you_mean, vocabulary


def recent_results(gen: Generation) -> LRU:
    """The generation's last searches and their results, keyed by the parsed request (so
    spellings of the same URL share an entry); a new generation starts empty."""
    return gen.cached("results", lambda: LRU(gen.results_size))


def search(req: SearchRequest, gen: Generation) -> SearchResult:
    """Run a search on a generation, or answer it from the generation's recent results."""
    started = time.perf_counter()
    recent = recent_results(gen)
    cached = recent.get(req)
    if cached is not None:
        return replace(cached, took_ms=round((time.perf_counter() - started) * 1000, 1),
                       cached=True)
    with gen.searcher() as searcher:
        result = _search(req, gen, searcher, started)
    recent.put(req, result)
    return replace(result)  # the caller's copy: what it changes stays out of the cache


def _search(req: SearchRequest, gen: Generation, searcher, started: float) -> SearchResult:
    reader = searcher.reader()
    parsed = parse(req.q)

    evaluator = Evaluator(searcher, postings(gen), live_mask(gen))
    by_relevance = bool(parsed.text_terms()) and req.sort not in ("newest", "oldest")
    found = retrieve(parsed, evaluator, reader, vocabulary(gen), scored=by_relevance,
                     days=days(gen))
    text_mask = found.mask.copy()
    relaxed = found.relaxed
    fields_of = StoredFields(searcher)
    usage = None
    if by_relevance:
        usage = rank_restored_accents(parsed, found, evaluator, gen, fields_of)

    # entity clauses of the query (ministry:, person:) filter like the facets do
    for clause in parsed.clauses:
        if clause.field in ("ministry", "person"):
            text_mask &= clause_mask(gen, clause.field, clause.text, req.predecessors)

    filters = filter_masks(req, gen)
    matched = text_mask
    for mask in filters.values():
        matched = matched & mask
    total = int(matched.sum())

    hits = []
    order: list[int] = []
    depth = req.page * req.per_page
    if total and depth <= MAX_RESULTS_DEPTH:
        if not by_relevance:
            # by date alone (an empty query lists the newest): no scoring needed
            order = by_date(matched, days(gen), req.sort == "oldest", depth)
        else:
            order = ranked(found.score, matched, depth, days(gen), parsed,
                           recent=req.sort == "recent", fields_of=fields_of,
                           units=found.units, vocabulary=vocabulary(gen))
        terms = highlight_terms(parsed)
        hits = [hit(fields_of(docnum), terms)
                for docnum in order[(req.page - 1) * req.per_page:depth]]

    suggestion = did_you_mean(parsed, req.q, total, relaxed, evaluator, gen, order, fields_of,
                              usage)
    return SearchResult(
        request=req, total=total, hits=hits, facets=counts(req, gen, text_mask, filters),
        relaxed=relaxed, suggestion=suggestion,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
    )

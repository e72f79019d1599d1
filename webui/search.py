"""The search itself — query, filters, facets, ranking, snippets — as plain data.

The HTML page and the JSON API both call :func:`search` and only render what it returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
from markupsafe import Markup, escape
from whoosh import highlight
from whoosh import query as Q
from whoosh import sorting

from indexer import analysis
from indexer.extract import gazetteer
from indexer.schema import NO_DATE

from . import index
from .query import ParsedQuery, parse, text_query

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
MAX_RESULTS_DEPTH = 10_000  # page * per_page: deep paging costs a full sort
FACET_SIZE = 10
SNIPPET_CHARS = 240

_FOLDED = analysis.analyzer("folded")


@dataclass(frozen=True)
class SearchRequest:
    """A search as typed and clicked, validated (see params.py)."""

    q: str = ""
    ministries: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()  # "2017", "2017-03" or "none"; any of them
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    facet_size: int = FACET_SIZE

    def with_(self, **changes) -> "SearchRequest":
        return replace(self, **changes)


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[dict]
    facets: dict[str, list[dict]]
    relaxed: bool = False  # no article had every word: showing those with some of them
    took_ms: float = 0.0
    terms: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


def search(req: SearchRequest) -> SearchResult:
    """Run a search on the live index."""
    import time

    started = time.perf_counter()
    searcher = index.searcher()
    gen = index.generation()
    reader = searcher.reader()
    size = reader.doc_count_all()
    parsed = parse(req.q)

    text_q = _text_query(parsed, reader, match_all=True)
    text_mask = _mask(text_q, searcher, size)
    relaxed = False
    if not text_mask.any() and _can_relax(parsed):
        relaxed_q = _text_query(parsed, reader, match_all=False)
        relaxed_mask = _mask(relaxed_q, searcher, size)
        if relaxed_mask.any():
            text_q, text_mask, relaxed = relaxed_q, relaxed_mask, True

    # entity clauses of the query (ministry:, person:) filter like the facets do
    for clause in parsed.clauses:
        if clause.field in ("ministry", "person"):
            table = gen.facet(searcher, "ministries" if clause.field == "ministry" else "persons")
            text_mask &= table.mask_for(_resolve_values(table.values, clause.text, clause.field), size)

    filters = _filter_masks(req, searcher, gen, size)
    matched = text_mask.copy()
    for mask in filters.values():
        matched &= mask
    total = int(matched.sum())

    hits = []
    depth = req.page * req.per_page
    if total and depth <= MAX_RESULTS_DEPTH:
        allowed = set(np.flatnonzero(matched).tolist())
        results = searcher.search(
            text_q, filter=allowed, limit=depth, sortedby=_sort_facet(req.sort),
        )
        terms = _highlight_terms(parsed)
        for hit in results[(req.page - 1) * req.per_page:depth]:
            hits.append(_hit(hit.fields(), terms))

    facets = _facets(req, searcher, gen, text_mask, filters)
    return SearchResult(
        request=req, total=total, hits=hits, facets=facets, relaxed=relaxed,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
        terms=_highlight_terms(parsed),
    )


def _text_query(parsed: ParsedQuery, reader, match_all: bool) -> Q.Query:
    groups = []
    for group in parsed.groups:
        alternatives = [
            q for c in group if c.field in (None, "title")
            if (q := text_query(c, reader, match_all)) is not None
        ]
        if alternatives:
            groups.append(alternatives[0] if len(alternatives) == 1 else Q.Or(alternatives))
    positive: Q.Query = Q.And(groups) if groups else Q.Every()
    negatives = [q for c in parsed.negated if c.field in (None, "title")
                 if (q := text_query(c, reader)) is not None]
    if negatives:
        positive = Q.AndNot(positive, Q.Or(negatives))
    return positive


def _can_relax(parsed: ParsedQuery) -> bool:
    clauses = [c for c in parsed.clauses if c.field in (None, "title") and not c.phrase]
    return len(parsed.groups) > 1 or any(len(analysis.syllables(c.text)) > 1 for c in clauses)


def _mask(q: Q.Query, searcher, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    if isinstance(q, Q.Every):
        reader = searcher.reader()
        mask[:] = True
        if reader.has_deletions():
            mask[list(reader.deleted_docs())] = False
        return mask
    docs = np.fromiter(q.docs(searcher), dtype=np.int64)
    mask[docs] = True
    return mask


def _resolve_values(values: list[str], typed: str, kind: str) -> set[str]:
    """Facet values a typed ministry or person means: an alias, or accent-insensitive text."""
    wanted = set()
    if kind == "ministry":
        wanted.update(gazetteer().find(typed) or gazetteer().find("Bộ " + typed))
    folded = analysis.fold(typed).strip()
    wanted.update(v for v in values if analysis.fold(v) == folded)
    if not wanted:
        wanted.update(v for v in values if folded and folded in analysis.fold(v))
    return wanted


def _filter_masks(req, searcher, gen, size) -> dict[str, np.ndarray]:
    """One mask per filtered facet: values of one facet are OR-ed, facets are AND-ed."""
    masks = {}
    if req.ministries:
        masks["ministries"] = gen.facet(searcher, "ministries").mask_for(set(req.ministries), size)
    if req.persons:
        masks["persons"] = gen.facet(searcher, "persons").mask_for(set(req.persons), size)
    if req.dates or req.date_from or req.date_to:
        days = gen.days(searcher)
        mask = np.ones(size, dtype=bool)
        if req.dates:
            mask = np.zeros(size, dtype=bool)
            for value in req.dates:
                if value == NO_DATE:
                    mask |= days == 0
                else:
                    low, high = _period(value)
                    mask |= (days >= low) & (days <= high)
        if req.date_from:
            mask &= days >= _day(req.date_from)
        if req.date_to:
            mask &= (days <= _day(req.date_to)) & (days > 0)
        masks["date"] = mask
    return masks


def _period(value: str) -> tuple[int, int]:
    """YYYYMMDD bounds of "2017" or "2017-03"."""
    if len(value) == 4:
        return int(value) * 10000 + 101, int(value) * 10000 + 1231
    year, month = value.split("-")
    return int(year) * 10000 + int(month) * 100 + 1, int(year) * 10000 + int(month) * 100 + 31


def _day(date: dt.date) -> int:
    return date.year * 10000 + date.month * 100 + date.day


def _facets(req, searcher, gen, text_mask, filters) -> dict[str, list[dict]]:
    """Facet counts over every match; a facet's own selection does not narrow its counts."""

    def others(name):
        mask = text_mask.copy()
        for other, m in filters.items():
            if other != name:
                mask &= m
        return mask

    out = {}
    for name, fieldname, selected in (
        ("ministry", "ministries", req.ministries),
        ("person", "persons", req.persons),
    ):
        counts = gen.facet(searcher, fieldname).count(others(fieldname))
        out[name] = _facet_values(counts, set(selected), req.facet_size)
    months = gen.facet(searcher, "month").count(others("date"))
    months = sorted(months, key=lambda vc: (vc[0] != NO_DATE, vc[0]), reverse=True)
    out["date"] = [
        {"value": value, "count": count, "selected": value in req.dates}
        for value, count in months
    ]
    years: dict[str, int] = {}
    for value, count in months:
        key = value[:4] if value != NO_DATE else NO_DATE
        years[key] = years.get(key, 0) + count
    out["year"] = [
        {"value": value, "count": count, "selected": value in req.dates}
        for value, count in years.items()
    ]
    return out


def _facet_values(counts, selected: set[str], size: int) -> list[dict]:
    shown = counts[:size]
    names = {v for v, _ in shown}
    # a selected value always shows, even when it is not among the most frequent
    shown += [(v, c) for v, c in counts[size:] if v in selected and v not in names]
    return [{"value": v, "count": c, "selected": v in selected} for v, c in shown]


def _sort_facet(sort: str):
    if sort == "newest":
        return sorting.FieldFacet("day", reverse=True)
    if sort == "oldest":
        # undated articles (day 0) last, then by day
        return sorting.MultiFacet([
            sorting.TranslateFacet(lambda d: 0 if d else 1, sorting.FieldFacet("day")),
            sorting.FieldFacet("day"),
        ])
    # relevance, ties broken by the newer article
    return sorting.MultiFacet([sorting.ScoreFacet(), sorting.FieldFacet("day", reverse=True)])


def _highlight_terms(parsed: ParsedQuery) -> list[str]:
    terms: list[str] = []
    for text in parsed.text_terms():
        terms += analysis.folded(text)
    return list(dict.fromkeys(terms))


def highlight_text(text: str, terms, whole: bool = False) -> Markup:
    """Escaped text with the query's syllables in <mark>; a snippet unless ``whole``."""
    if not text:
        return Markup("")
    if terms:
        fragmenter = (highlight.WholeFragmenter(charlimit=None) if whole
                      else highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70))
        formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")  # one per call
        marked = highlight.highlight(text, frozenset(terms), _FOLDED, fragmenter, formatter,
                                     top=2, order=highlight.FIRST)
        if marked:
            return Markup(marked)
    if whole or len(text) <= SNIPPET_CHARS:
        return escape(text)
    cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return escape(cut) + Markup(" …")


def _hit(fields: dict, terms: list[str]) -> dict:
    snippet = Markup("")
    for name in ("body", "summary", "captions"):
        snippet = highlight_text(fields.get(name, ""), terms)
        if "<mark" in snippet:
            break
    else:
        snippet = highlight_text(fields.get("summary") or fields.get("body", ""), [])
    return {
        **article_fields(fields),
        "title_html": highlight_text(fields.get("title", ""), terms, whole=True),
        "snippet": snippet,
    }


def article_fields(fields: dict) -> dict:
    """The public fields of a stored article."""
    split = lambda s: [v for v in (s or "").split(",") if v]  # noqa: E731
    return {
        "id": fields["id"],
        "title": fields.get("title", ""),
        "date": fields.get("date") or None,
        "source": fields.get("source") or None,
        "url": fields.get("url") or None,
        "author": fields.get("author") or None,
        "category": fields.get("category") or None,
        "ministries": split(fields.get("ministries")),
        "persons": split(fields.get("persons")),
    }


def get_article(article_id: str) -> dict | None:
    """One article with all its fields, or None."""
    fields = index.searcher().document(id=article_id)
    if fields is None:
        return None
    return {
        **article_fields(fields),
        "summary": fields.get("summary") or "",
        "body": fields.get("body") or "",
        "captions": [c for c in (fields.get("captions") or "").split("\n") if c],
        "images": list(fields.get("images") or []),
    }

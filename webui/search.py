"""The search itself — query, filters, facets, ranking, snippets — as plain data.

The HTML page and the JSON API both call :func:`search` and only render what it returns.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, replace

import numpy as np
from whoosh import query as Q

from indexer import analysis
from indexer.aliases import find_aliases
from indexer.extract import gazetteer
from indexer.schema import NO_DATE

from . import index
from .highlight import fold_chars, highlight
from .query import BOOSTS, AnyOf, ParsedQuery, excluded_query, parse, text_query
from .scoring import Evaluator, Matches
from .vocabulary import Usage

SORTS = ("relevance", "newest", "oldest", "recent")  # recent: relevance, newer first
RECENT_HALF_LIFE_DAYS = 365
RECENT_WEIGHT = 0.5  # a fresh article scores up to 1.5x one of the same relevance long ago
RECENT_POOL = 200  # top hits by relevance that the recency boost reorders
RERANK_POOL = 50  # top hits by term scores that proximity reorders
PAIR_BONUS = 0.6  # all query syllable pairs side by side in the text: score x 1.6
PHRASE_BONUS = 0.3  # the whole clause as written: another x 1.3
MAX_PHRASE_SYLLABLES = 8  # longer clauses are questions: no whole-phrase bonus
PROXIMITY_CHARS = 5000  # of an article's text searched for the query's phrases
FEW_RESULTS = 5  # below this a better spelling is worth suggesting
FEW_EXACT = 10  # below this many matches of the accents as typed, accent-insensitive ones follow
USAGE_DOCS = 20  # best matches whose text tells how the query's syllables are written
RESTORED_WEIGHT = 0.5  # weight of the likely accented form of a query typed without accents
MAX_PER_PAGE = 100
MAX_RESULTS_DEPTH = 10_000  # page * per_page: deep paging costs a full sort
FACET_SIZE = 10



@dataclass(frozen=True)
class SearchRequest:
    """A search as typed and clicked, validated (see params.py)."""

    q: str = ""
    ministries: tuple[str, ...] = ()
    predecessors: bool = False  # a ministry filter also takes the ministries merged into it
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

    def query_args(self) -> dict:
        """The query-string arguments that reproduce this search (defaults left out)."""
        args: dict = {}
        if self.q:
            args["q"] = self.q
        if self.ministries:
            args["ministry"] = list(self.ministries)
        if self.predecessors:
            args["predecessors"] = 1
        if self.persons:
            args["person"] = list(self.persons)
        if self.dates:
            args["date"] = list(self.dates)
        if self.date_from:
            args["from"] = self.date_from.isoformat()
        if self.date_to:
            args["to"] = self.date_to.isoformat()
        if self.sort != "relevance":
            args["sort"] = self.sort
        if self.page != 1:
            args["page"] = self.page
        if self.per_page != 10:
            args["per_page"] = self.per_page
        return args


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[dict]
    facets: dict[str, list[dict]]
    relaxed: bool = False  # no article had every word: showing those with some of them
    suggestion: str | None = None  # a better spelling of the query, never applied silently
    took_ms: float = 0.0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


def search(req: SearchRequest) -> SearchResult:
    """Run a search on the live index, or answer it from the generation's recent results."""
    started = time.perf_counter()
    gen = index.generation()
    cached = gen.results.get(req)
    if cached is not None:
        return replace(cached, took_ms=round((time.perf_counter() - started) * 1000, 1))
    result = _search(req, gen, started)
    gen.results.put(req, result)
    return replace(result)  # the caller's copy: what it changes stays out of the cache


def _search(req: SearchRequest, gen, started: float) -> SearchResult:
    searcher = index.searcher()
    reader = searcher.reader()
    size = reader.doc_count_all()
    parsed = parse(req.q)

    # the most precise way of matching that finds anything: the accents as typed, then any
    # accents, then any of the words (relaxed, with a notice)
    evaluator = Evaluator(searcher, gen.postings, gen.live(searcher))
    by_relevance = bool(parsed.text_terms()) and req.sort not in ("newest", "oldest")
    modes = _modes(parsed)
    for mode in modes:
        found = evaluator.matches(_text_query(parsed, reader, mode, ranked=by_relevance),
                                  scored=by_relevance)
        if found.mask.any():
            break
    if mode == "exact" and found.mask.sum() < FEW_EXACT:
        # the accents as typed are rare ("thăm" where articles write "tham quan"): the
        # accent-insensitive matches follow, after every exact one
        loose = evaluator.matches(_text_query(parsed, reader, "all", ranked=by_relevance),
                                  scored=by_relevance)
        if by_relevance:
            top = float(loose.score[found.mask].max()) if found.mask.any() else 0.0
            loose.score[found.mask] += top + 1.0
        found = Matches(found.mask | loose.mask, loose.score)
    text_mask = found.mask
    relaxed = mode == "any" and bool(text_mask.any())
    # stored fields read once per search, whichever step asks first
    fields_of = _StoredFields(searcher)
    usage = None
    if by_relevance and mode != "exact" and RESTORED_WEIGHT:
        usage = _rank_restored_accents(parsed, found, evaluator, gen, searcher, fields_of)

    # entity clauses of the query (ministry:, person:) filter like the facets do
    entity_clauses = [c for c in parsed.clauses if c.field in ("ministry", "person")]
    for clause in entity_clauses:
        table = gen.facet(searcher, "ministries" if clause.field == "ministry" else "persons")
        wanted = _resolve_values(table.values, clause.text, clause.field)
        if clause.field == "ministry" and req.predecessors:
            wanted = {n for name in wanted for n in gazetteer().with_predecessors(name)}
        text_mask &= table.mask_for(wanted, size)

    filters = _filter_masks(req, searcher, gen, size)
    matched = text_mask
    for mask in filters.values():
        matched = matched & mask
    total = int(matched.sum())

    hits = []
    ranked: list[int] = []
    depth = req.page * req.per_page
    if total and depth <= MAX_RESULTS_DEPTH:
        if not by_relevance:
            # by date alone (an empty query lists the newest): no scoring needed
            ranked = _by_date(matched, gen.days(searcher), req.sort == "oldest", depth)
        else:
            ranked = _ranked(found.score, matched, depth, gen.days(searcher), parsed,
                             recent=req.sort == "recent", fields_of=fields_of)
        terms = _highlight_terms(parsed)
        for docnum in ranked[(req.page - 1) * req.per_page:depth]:
            hits.append(_hit(fields_of(docnum), terms))

    facets = _facets(req, searcher, gen, text_mask, filters)
    suggestion = _suggest(parsed, req.q, total, relaxed, evaluator, gen, ranked, fields_of,
                          usage)
    return SearchResult(
        request=req, total=total, hits=hits, facets=facets, relaxed=relaxed,
        suggestion=suggestion,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
    )


def _by_date(matched: np.ndarray, days: np.ndarray, oldest: bool, depth: int) -> list[int]:
    """The first ``depth`` matches by date, undated last; newer document first on a tie."""
    docs = np.flatnonzero(matched)
    keys = days[docs]
    if oldest:
        keys = np.where(keys == 0, np.iinfo(np.int64).max, keys)
        order = np.lexsort((docs, keys))
    else:
        order = np.lexsort((-docs, -keys))
    return docs[order[:depth]].tolist()


class _StoredFields:
    """Stored fields by document number, each read once per search."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.read: dict[int, dict] = {}

    def __call__(self, docnum: int) -> dict:
        fields = self.read.get(docnum)
        if fields is None:
            fields = self.read[docnum] = self.searcher.stored_fields(docnum)
        return fields


def _ranked(scores: np.ndarray, matched: np.ndarray, depth: int, days: np.ndarray,
            parsed: ParsedQuery, recent: bool, fields_of) -> list[int]:
    """Document numbers by relevance; ties go to the newer article.

    The BM25F scores of the terms (webui.scoring) pick the best RERANK_POOL matches, which are
    then reordered with what term scores miss: the query's syllables side by side and the
    whole query as a phrase, found with one regular expression over each candidate's text
    (reading positions for every pair cost more than the rest of the search), and, when
    asked, the age.
    """
    rerank = RERANK_POOL if not recent else RECENT_POOL
    docs = np.flatnonzero(matched)
    wanted = max(depth, rerank)
    if len(docs) > wanted:
        docs = docs[np.argpartition(-scores[docs], wanted - 1)[:wanted]]
    # best first by term scores, the newer article first on a tie
    docs = docs[np.lexsort((-days[docs], -scores[docs]))]
    head, tail = docs[:rerank], docs[rerank:]
    proximity = ProximityBonus(parsed)
    today = dt.date.today()

    def final(docnum: int) -> float:
        score = float(scores[docnum])
        if proximity:
            score *= 1 + proximity(fields_of(docnum))
        day = int(days[docnum])
        if recent and day:
            age = (today - dt.date(day // 10000, day // 100 % 100, day % 100)).days
            score *= 1 + RECENT_WEIGHT * 0.5 ** (max(age, 0) / RECENT_HALF_LIFE_DAYS)
        return score

    ordered = sorted(head.tolist(), key=lambda d: (-round(final(d), 9), -int(days[d])))
    # deep pages beyond the reordered best follow the term scores
    return ordered + tail.tolist()


class ProximityBonus:
    """How much of the query an article holds as written: syllable pairs and whole phrases.

    Returns a fraction to add to the score: up to PAIR_BONUS when every pair of adjacent query
    syllables stands side by side in the text (twice that in the title), and PHRASE_BONUS more
    when the whole clause does.
    """

    def __init__(self, parsed: ParsedQuery):
        self.exact: list[re.Pattern] = []  # matched on the text as written (accented clauses)
        self.loose: list[re.Pattern] = []  # matched on the letter-folded text
        self.pairs = self.phrases = 0
        for text in parsed.text_terms():
            accented = analysis.has_accents(text)
            seq = analysis.syllables(text) if accented else analysis.folded(text)
            target = self.exact if accented else self.loose
            for a, b in dict.fromkeys(zip(seq, seq[1:])):
                target.append(("pair", _sequence_pattern((a, b))))
                self.pairs += 1
            if 2 < len(seq) <= MAX_PHRASE_SYLLABLES:
                target.append(("phrase", _sequence_pattern(seq)))
                self.phrases += 1

    def __bool__(self) -> bool:
        return bool(self.exact or self.loose)

    def __call__(self, fields: dict) -> float:
        bonus = 0.0
        for name, weight in (("title", 2.0), ("text", 1.0)):
            text = fields.get("title") or "" if name == "title" else _article_text(fields)
            for view, patterns in (("exact", self.exact), ("loose", self.loose)):
                if not patterns:
                    continue
                seen = analysis.normalize(text).lower() if view == "exact" else fold_chars(text)
                for kind, pattern in patterns:
                    if pattern.search(seen):
                        if kind == "pair":
                            bonus += weight * PAIR_BONUS / self.pairs
                        else:
                            bonus += weight * PHRASE_BONUS / self.phrases
        return bonus


def _article_text(fields: dict) -> str:
    """The beginning of an article's text after its title, where its phrases are looked for."""
    text = "\n".join(filter(None, (fields.get("summary"), fields.get("body"),
                                   fields.get("captions"))))
    return text[:PROXIMITY_CHARS]


def _sequence_pattern(syllables) -> re.Pattern:
    """Syllables side by side, with only spaces or punctuation between them."""
    body = r"[\W_]+".join(re.escape(s) for s in syllables)
    return re.compile(r"(?<![^\W_])" + body + r"(?![^\W_])")


def _rank_restored_accents(parsed: ParsedQuery, found: Matches, evaluator: Evaluator, gen,
                           searcher, fields_of) -> Usage | None:
    """Rank higher the articles that write a query typed without accents as the best matches
    most likely mean it.

    "chuyen doi so" matches "chuyển đổi số" and "chuyên đội sơ" alike; the accents the best
    matches give those syllables (vocabulary.Usage) are the reading to prefer, so articles
    holding that accented form, its syllables and pyvi's words of it, score more: folding
    matches loosely, this ranks the likely exact form first.
    """
    clauses = [c for c in parsed.clauses
               if c.field in (None, "title") and not analysis.has_accents(c.text)]
    if not clauses or any(analysis.has_accents(c.text) for c in parsed.clauses):
        return None
    candidates = np.flatnonzero(found.mask)
    if len(candidates) > USAGE_DOCS:
        candidates = candidates[np.argpartition(-found.score[candidates],
                                                USAGE_DOCS - 1)[:USAGE_DOCS]]
    usage = Usage(text for d in candidates.tolist()
                  for text in (fields_of(d).get("title") or "", _article_text(fields_of(d))))
    vocabulary = gen.vocabulary(searcher)
    extras: list[Q.Query] = []
    for clause in clauses:
        restored = vocabulary.restore(analysis.folded(clause.text), usage)
        if not restored:
            continue
        text = " ".join(restored)
        fields = (("title_syl", "title") if clause.field == "title"
                  else ("title_syl", "text_syl", "title", "summary", "body"))
        for fieldname in fields:
            terms = restored if fieldname.endswith("_syl") else analysis.words(text)
            extras += [Q.Term(fieldname, t, boost=RESTORED_WEIGHT * BOOSTS[fieldname])
                       for t in dict.fromkeys(terms)]
    if extras:
        found.score += evaluator.matches(AnyOf(extras)).score * found.mask
    return usage


def _suggest(parsed: ParsedQuery, typed: str, total: int, relaxed: bool, evaluator: Evaluator,
             gen, ranked: list[int], fields_of, usage: Usage | None = None) -> str | None:
    """A better spelling from the index's own vocabulary, or None.

    A query typed without accents gets them restored ("bo truong bo y te" -> "bộ trưởng bộ y
    tế"); a syllable the index does not know is replaced by the most frequent one an edit
    away, when the query found little. Only plain word queries are corrected.
    """
    clauses = parsed.clauses
    if not clauses or parsed.negated or any(c.field or c.phrase or c.prefix for c in clauses):
        return None
    text = " ".join(c.text for c in clauses)
    vocabulary = gen.vocabulary(evaluator.searcher)
    folded = analysis.folded(text)
    fixed = [f if vocabulary.known(f) else vocabulary.closest(f) for f in folded]
    if None in fixed:
        return None
    typo = fixed != folded
    if typo and not (total < FEW_RESULTS or relaxed):
        return None
    if not typo and analysis.has_accents(text):
        return None
    # how the best matches write these syllables (read already when they ranked the matches);
    # with no match, the articles that have the corrected syllables
    docs = ranked[:USAGE_DOCS]
    if usage is not None and docs:
        return _suggestion(vocabulary.restore(fixed, usage), typed)
    if not docs:
        has_all = Q.And([Q.Term("text_fold", f) for f in dict.fromkeys(fixed)])
        found = evaluator.matches(has_all)
        candidates = np.flatnonzero(found.mask)
        docs = candidates[np.argsort(-found.score[candidates], kind="stable")[:USAGE_DOCS]]
        docs = docs.tolist()
    usage = Usage(text for d in docs
                  for text in (fields_of(d).get("title") or "", _article_text(fields_of(d))))
    return _suggestion(vocabulary.restore(fixed, usage), typed)


def _suggestion(restored: list[str] | None, typed: str) -> str | None:
    if restored is None:
        return None
    suggestion = " ".join(restored)
    if analysis.syllables(suggestion) == analysis.syllables(typed):
        return None
    return suggestion


def _modes(parsed: ParsedQuery) -> list[str]:
    """The matching modes to try, most precise first."""
    clauses = [c for c in parsed.clauses if c.field in (None, "title")]
    modes = ["all"]
    if any(analysis.has_accents(c.text) for c in clauses):
        modes.insert(0, "exact")
    if _can_relax(parsed):
        modes.append("any")
    return modes


def _text_query(parsed: ParsedQuery, reader, mode: str, ranked: bool) -> Q.Query:
    groups = []
    for group in parsed.groups:
        alternatives = [
            q for c in group if c.field in (None, "title")
            if (q := text_query(c, reader, mode, ranked)) is not None
        ]
        if alternatives:
            groups.append(alternatives[0] if len(alternatives) == 1 else AnyOf(alternatives))
    positive: Q.Query = Q.And(groups) if groups else Q.Every()
    negatives = [q for c in parsed.negated if c.field in (None, "title")
                 if (q := excluded_query(c)) is not None]
    if negatives:
        positive = Q.AndNot(positive, AnyOf(negatives))
    return positive


def _can_relax(parsed: ParsedQuery) -> bool:
    clauses = [c for c in parsed.clauses if c.field in (None, "title") and not c.phrase]
    return len(parsed.groups) > 1 or any(len(analysis.syllables(c.text)) > 1 for c in clauses)


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


def ministry_filter(req: SearchRequest) -> list[str]:
    """The ministries a search filters by: those chosen, and with ``predecessors`` the ministries
    merged into them (Bộ Xây dựng with Bộ Giao thông vận tải since March 2025)."""
    if not req.predecessors:
        return list(req.ministries)
    names: list[str] = []
    for name in req.ministries:
        names.extend(n for n in gazetteer().with_predecessors(name) if n not in names)
    return names


def _filter_masks(req, searcher, gen, size) -> dict[str, np.ndarray]:
    """One mask per filtered facet: values of one facet are OR-ed, facets are AND-ed."""
    masks = {}
    if req.ministries:
        masks["ministries"] = gen.facet(searcher, "ministries").mask_for(
            set(ministry_filter(req)), size)
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


def _highlight_terms(parsed: ParsedQuery) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(exact, folded) syllables to mark: accented words exactly, unaccented ones loosely, and
    every form of a name the query abbreviates or spells out ("Bộ GTVT" marks "Bộ Giao thông
    vận tải")."""
    exact: list[str] = []
    loose: list[str] = []
    for text in parsed.text_terms():
        if analysis.has_accents(text):
            exact += analysis.syllables(text)
        else:
            loose += analysis.folded(text)
        for _, _, group in find_aliases(analysis.folded(text)):
            loose += [" ".join(form) for form in group]
    return tuple(dict.fromkeys(exact)), tuple(dict.fromkeys(loose))


def _hit(fields: dict, terms) -> dict:
    for name in ("body", "summary", "captions"):
        snippet = highlight(fields.get(name, ""), terms)
        if "<mark" in snippet:
            break
    else:
        snippet = highlight(fields.get("summary") or fields.get("body", ""))
    return {
        **article_fields(fields),
        "title_html": highlight(fields.get("title", ""), terms, whole=True),
        "snippet": snippet,
    }


def article_fields(fields: dict) -> dict:
    """The public fields of a stored article."""
    return {
        "id": fields["id"],
        "title": fields.get("title", ""),
        "date": fields.get("date") or None,
        "source": fields.get("source") or None,
        "url": fields.get("url") or None,
        "author": fields.get("author") or None,
        "category": fields.get("category") or None,
        "ministries": list(fields.get("ministries") or ()),  # stored as lists of names
        "persons": list(fields.get("persons") or ()),
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

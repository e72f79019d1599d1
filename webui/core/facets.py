"""Facets in one place: the per-generation tables, the filter masks, the counts of a search,
and the search of a facet's values by prefix, all in one order.

Every (document, value) pair of a facet field is held as two numpy arrays per generation, so
counting the values of any set of matching documents is one mask lookup and one bincount, and
filtering by values is one ``isin``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from indexer import analysis
from indexer.extract import gazetteer
from indexer.schema import NO_DATE

from .generation import Generation, days, live_mask, warmer
from .postings import postings
from .prefix import Candidate, PrefixIndex
from .request import SearchRequest

# facet name (as the API and the page call it) -> the index field holding its values
FIELDS = {"ministry": "ministries", "person": "persons", "category": "category",
          "source": "source", "date": "month", "year": "month"}
NAME_FACETS = ("ministry", "person", "category", "source")  # by count, cut to facet_size
SPARSE_RATIO = 8  # matches this many times fewer than a facet's pairs: count their pairs only


@dataclass
class FacetTable:
    """Every (document, value) pair of one facet field, for counting with numpy."""

    values: list[str]
    doc_ids: np.ndarray  # int32, one entry per (document, value) pair
    value_ids: np.ndarray  # int32, parallel to doc_ids

    @classmethod
    def build(cls, reader, fieldname: str) -> "FacetTable":
        values, docs, ids = [], [], []
        # an article without a section or source is indexed with "": not a value to offer
        for vid, value in enumerate(v for v in reader.field_terms(fieldname) if v):
            values.append(value)
            posting = np.fromiter(reader.postings(fieldname, value).all_ids(), dtype=np.int32)
            docs.append(posting)
            ids.append(np.full(len(posting), vid, dtype=np.int32))
        if not values:
            empty = np.zeros(0, dtype=np.int32)
            return cls([], empty, empty)
        return cls(values, np.concatenate(docs), np.concatenate(ids))

    @classmethod
    def from_segments(cls, segments, live: np.ndarray) -> "FacetTable":
        """The table of a field from its posting arrays (Postings.field_postings): values in
        sorted order as Whoosh lists them, deleted documents left out."""
        values = sorted({v for terms, _, _ in segments for v in terms if v})
        number = {value: vid for vid, value in enumerate(values)}
        docs, ids = [np.zeros(0, np.int32)], [np.zeros(0, np.int32)]
        for terms, starts, doc_ids in segments:
            vids = np.asarray([number.get(t, -1) for t in terms], dtype=np.int32)
            value_ids = np.repeat(vids, np.diff(starts))
            keep = (value_ids >= 0) & live[doc_ids]
            docs.append(doc_ids[keep])
            ids.append(value_ids[keep])
        return cls(values, np.concatenate(docs), np.concatenate(ids))

    def count(self, mask: np.ndarray, limit: int | None = None,
              keep: set[str] = frozenset()) -> list[tuple[str, int]]:
        """(value, count) for the documents where mask is true, in the one order of name
        facets: most articles first, then alphabetically.

        With ``limit``, only the first ``limit`` values and the ``keep`` ones: a search over
        many articles names thousands of persons, and a page shows a few.
        """
        if not self.values:
            return []
        if np.count_nonzero(mask) * SPARSE_RATIO < len(self.doc_ids):
            # few matches: their own pairs, not a look at every pair of the archive
            value_ids = self.value_ids[self._pairs_of(np.flatnonzero(mask))]
        else:
            value_ids = self.value_ids[mask[self.doc_ids]]
        counts = np.bincount(value_ids, minlength=len(self.values))
        ids = np.flatnonzero(counts)
        if limit is not None and 0 < limit < len(ids):
            floor = np.partition(counts[ids], len(ids) - limit)[len(ids) - limit]
            kept = [i for v in keep if (i := self.ids.get(v)) is not None and counts[i]]
            ids = np.union1d(ids[counts[ids] >= floor], np.asarray(kept, dtype=ids.dtype))
        # values are in sorted order (Whoosh lists terms sorted): their ids break count ties
        ids = ids[np.lexsort((ids, -counts[ids]))]
        return [(self.values[i], int(counts[i])) for i in ids.tolist()]

    @cached_property
    def ids(self) -> dict[str, int]:
        """Each value's number."""
        return {value: i for i, value in enumerate(self.values)}

    def mask_for(self, wanted: set[str], size: int) -> np.ndarray:
        """The documents holding any of the wanted values."""
        mask = np.zeros(size, dtype=bool)
        order, sorted_values = self._by_value
        for value in wanted:
            vid = self.ids.get(value)
            if vid is not None:
                first, last = np.searchsorted(sorted_values, [vid, vid + 1])
                mask[self.doc_ids[order[first:last]]] = True
        return mask

    @cached_property
    def _by_value(self) -> tuple[np.ndarray, np.ndarray]:
        """The pairs' places in order of value, and their values in that order."""
        order = np.argsort(self.value_ids, kind="stable")
        return order, self.value_ids[order]

    @cached_property
    def _by_document(self) -> tuple[np.ndarray, np.ndarray]:
        """The pairs' places in order of document, and their documents in that order."""
        order = np.argsort(self.doc_ids, kind="stable")
        return order, self.doc_ids[order]

    def _pairs_of(self, docs: np.ndarray) -> np.ndarray:
        """The places of the pairs of these documents (sorted document numbers)."""
        order, sorted_docs = self._by_document
        first = np.searchsorted(sorted_docs, docs, "left")
        lengths = np.searchsorted(sorted_docs, docs, "right") - first
        total = int(lengths.sum())
        if not total:
            return np.zeros(0, np.int64)
        # the ranges first[i]..first[i] + lengths[i] one after the other
        offsets = np.repeat(first - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        return order[np.arange(total) + offsets]


def newest_first(pairs) -> list[tuple[str, int]]:
    """The one order of date facets: newest first, undated last."""
    return sorted(pairs, key=lambda vc: (vc[0] != NO_DATE, vc[0]), reverse=True)


def table(gen: Generation, fieldname: str) -> FacetTable:
    """The facet table of a field in a generation, built on first use."""
    def build(searcher):
        segments = postings(gen).field_postings(searcher, fieldname)
        if segments is None:  # an index written before the facets had posting arrays
            return FacetTable.build(searcher.reader(), fieldname)
        return FacetTable.from_segments(segments, live_mask(gen))

    return gen.cached(("facet", fieldname), lambda: gen.with_searcher(build))


@warmer("facet tables")
def _tables(gen: Generation) -> None:
    for fieldname in set(FIELDS.values()):
        table(gen, fieldname)


# -- filters -------------------------------------------------------------------------------------


def selected(req: SearchRequest, name: str) -> tuple[str, ...]:
    """The values of a name facet a search filters by."""
    return {"ministry": req.ministries, "person": req.persons, "category": req.categories,
            "source": req.sources}[name]


def ministry_filter(req: SearchRequest) -> list[str]:
    """The ministries a search filters by: those chosen, and with ``predecessors`` the ministries
    merged into them (Bộ Xây dựng with Bộ Giao thông vận tải since March 2025)."""
    if not req.predecessors:
        return list(req.ministries)
    names: list[str] = []
    for name in req.ministries:
        names.extend(n for n in gazetteer().with_predecessors(name) if n not in names)
    return names


def resolve_values(values: list[str], typed: str, kind: str) -> set[str]:
    """Facet values a typed ministry or person means: an alias, or accent-insensitive text."""
    wanted = set()
    if kind == "ministry":
        wanted.update(gazetteer().find(typed) or gazetteer().find("Bộ " + typed))
    folded = analysis.fold(typed).strip()
    wanted.update(v for v in values if analysis.fold(v) == folded)
    if not wanted:
        wanted.update(v for v in values if folded and folded in analysis.fold(v))
    return wanted


def clause_mask(gen: Generation, field: str, typed: str, predecessors: bool) -> np.ndarray:
    """The documents a ``ministry:`` or ``person:`` clause of the query keeps."""
    found = table(gen, FIELDS[field])
    wanted = resolve_values(found.values, typed, field)
    if field == "ministry" and predecessors:
        wanted = {n for name in wanted for n in gazetteer().with_predecessors(name)}
    return found.mask_for(wanted, gen.size)


def filter_masks(req: SearchRequest, gen: Generation) -> dict[str, np.ndarray]:
    """One mask per filtered facet: values of one facet are OR-ed, facets are AND-ed."""
    size = gen.size
    masks = {}
    if req.ministries:
        masks["ministry"] = table(gen, "ministries").mask_for(set(ministry_filter(req)), size)
    for name in ("person", "category", "source"):
        if selected(req, name):
            masks[name] = table(gen, FIELDS[name]).mask_for(set(selected(req, name)), size)
    if req.dates or req.date_from or req.date_to:
        day = days(gen)
        mask = np.ones(size, dtype=bool)
        if req.dates:
            mask = np.zeros(size, dtype=bool)
            for value in req.dates:
                if value == NO_DATE:
                    mask |= day == 0
                else:
                    low, high = _period(value)
                    mask |= (day >= low) & (day <= high)
        if req.date_from:
            mask &= day >= _day(req.date_from)
        if req.date_to:
            mask &= (day <= _day(req.date_to)) & (day > 0)
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


# -- counts of a search ---------------------------------------------------------------------------


def counts(req: SearchRequest, gen: Generation, text_mask: np.ndarray,
           filters: dict[str, np.ndarray]) -> dict[str, list[dict]]:
    """Facet counts over every match; a facet's own selection does not narrow its counts.

    Name facets list ``req.facet_size`` values and every selected one (a selection is never
    hidden, even with no match left); dates list every month and year.
    """

    def others(name):
        mask = text_mask.copy()
        for other, m in filters.items():
            if other != name:
                mask &= m
        return mask

    out = {}
    for name in NAME_FACETS:
        chosen = set(selected(req, name))
        found = table(gen, FIELDS[name]).count(others(name), req.facet_size, chosen)
        out[name] = _listed(found, chosen, req.facet_size)
    months = newest_first(table(gen, "month").count(others("date")))
    out["date"] = [{"value": v, "count": c, "selected": v in req.dates} for v, c in months]
    out["year"] = [{"value": v, "count": c, "selected": v in req.dates}
                   for v, c in _years(months)]
    return out


def _listed(found: list[tuple[str, int]], selected: set[str], size: int) -> list[dict]:
    shown = found[:size]
    names = {v for v, _ in shown}
    shown += [(v, c) for v, c in found[size:] if v in selected and v not in names]
    names |= {v for v, _ in shown}
    # a selected value with no match left still shows, with 0: it is still applied
    shown += [(v, 0) for v in sorted(selected - names)]
    return [{"value": v, "count": c, "selected": v in selected} for v, c in shown]


def _years(months: list[tuple[str, int]]) -> list[tuple[str, int]]:
    years: dict[str, int] = {}
    for value, count in months:
        key = value[:4] if value != NO_DATE else NO_DATE
        years[key] = years.get(key, 0) + count
    return list(years.items())


# -- values by prefix -----------------------------------------------------------------------------


class FacetValues:
    """The values of every facet of one generation with their article counts, searchable."""

    def __init__(self, gen: Generation):
        live = live_mask(gen)
        self.by_facet: dict[str, PrefixIndex] = {}
        for name in NAME_FACETS:
            values = table(gen, FIELDS[name]).count(live)
            candidates = [Candidate(v, name, c) for v, c in values]
            self.by_facet[name] = PrefixIndex(candidates, ministry_aliases(candidates))
        months = newest_first(table(gen, "month").count(live))
        self.periods = {"date": months, "year": newest_first(_years(months))}

    def search(self, facet: str, prefix: str) -> list[tuple[str, int]]:
        """(value, count) of the facet's values matching the prefix, best first.

        Names match at the start of any of their words or of a ministry's other names,
        accent-insensitively; dates ("2017", "2017-03", "none") match from their start.
        """
        if facet in self.periods:
            return [(v, c) for v, c in self.periods[facet] if v.startswith(prefix.strip())]
        return [(c.text, c.count) for c, _ in self.by_facet[facet].find(prefix)]


def ministry_aliases(candidates: list[Candidate]) -> dict[int, list[str]]:
    """Other names of the ministries among candidates, by candidate number: "GTVT", "TT&TT" and
    "y tế" find the canonical name (readers type "gtvt", not "bộ gtvt")."""
    found = {}
    for number, candidate in enumerate(candidates):
        ministry = gazetteer().by_name.get(candidate.text)
        if candidate.kind == "ministry" and ministry is not None:
            forms = [*ministry.aliases, *ministry.domain]
            forms += [form[3:] for form in ministry.aliases if form.startswith("Bộ ")]
            found[number] = list(dict.fromkeys(forms))
    return found


@warmer("facet values")
def values(gen: Generation) -> FacetValues:
    """The searchable facet values of a generation."""
    return gen.cached("facet values", lambda: FacetValues(gen))

"""Autocomplete and facet-value search: accent-insensitive prefix matching over names and words.

Both are built once per index generation from what the index already holds: the words pyvi
found in titles (``thi_đua`` is offered as "thi đua", with the number of titles it is in) and
the values of the ministry and person facets (with the number of articles naming them, and
the ministries' other names from the gazetteer). Every word typed must start a word of a
candidate, accents ignored, so "ngu", "Ngu" and "ngũ" all find "Nguyễn Văn A", "tam" finds
"Phan Tâm" and "gtvt" finds "Bộ Giao thông vận tải".
"""

from __future__ import annotations

import bisect
import threading
import weakref
from dataclasses import dataclass

import numpy as np

from indexer import analysis
from indexer.extract import gazetteer
from indexer.schema import NO_DATE

from . import index

FACETS = {"ministry": "ministries", "person": "persons", "date": "month", "year": "month"}
MAX_SUGGEST_CHARS = 100
SUGGEST_LIMIT = 8
MAX_SUGGEST_LIMIT = 20
# Title words too common or too small to be worth offering on their own.
STOPWORDS = frozenset(
    "và của các cho khi với là được có trong những này đã sẽ về từ tại theo để năm một "
    "nhiều không ra vào trên dưới đến bị do như thì mà hay hoặc cùng sau trước".split()
)


@dataclass(frozen=True)
class Candidate:
    """Something worth completing to: a title word, a ministry or a person."""

    text: str
    kind: str  # "term", "ministry" or "person"
    count: int  # titles holding the word; articles naming the ministry or person


class PrefixIndex:
    """Candidates found by the words typed: each must start a word of the candidate, accents
    ignored, in any order ("tam" and "tam phan" find "Phan Tâm")."""

    def __init__(self, candidates: list[Candidate], aliases: dict[int, list[str]] | None = None):
        self.candidates = candidates
        self._forms: list[tuple[int, tuple[str, ...], tuple[str, ...]]] = []  # n, folded, accented
        rows = []  # (folded word, form number): every word of every written form
        for number, candidate in enumerate(candidates):
            for form in [candidate.text, *(aliases or {}).get(number, ())]:
                folded = tuple(analysis.folded(form))
                rows += [(word, len(self._forms)) for word in set(folded)]
                self._forms.append((number, folded, tuple(analysis.syllables(form))))
        rows.sort()
        self._words = [word for word, _ in rows]
        self._rows = rows

    def find(self, typed: str) -> list[tuple[Candidate, bool]]:
        """Matching candidates, best first, each with whether it starts with what was typed.

        Best: typed accents kept (a search for "bảo" puts "bảo hiểm" before "bao"), then
        starting with what was typed, then the most frequent, then the shortest.
        """
        folded = analysis.folded(typed)
        accented = analysis.syllables(typed)
        if not folded:
            return [(c, True) for c in sorted(self.candidates, key=lambda c: -c.count)]
        low = bisect.bisect_left(self._words, folded[0])
        high = bisect.bisect_right(self._words, folded[0] + "\U0010ffff")
        found: dict[int, tuple[bool, bool]] = {}  # candidate number -> (accents kept, at start)
        for form in {form for _, form in self._rows[low:high]}:
            number, words, spelled = self._forms[form]
            if not all(any(w.startswith(t) for w in words) for t in folded[1:]):
                continue
            quality = (
                all(any(w.startswith(t) for w in spelled) for t in accented),
                " ".join(words).startswith(" ".join(folded)),
            )
            found[number] = max(found.get(number, quality), quality)
        ranked = sorted(found.items(), key=lambda item: (
            not item[1][0], not item[1][1], -self.candidates[item[0]].count,
            len(self.candidates[item[0]].text), self.candidates[item[0]].text,
        ))
        return [(self.candidates[number], at_start) for number, (_, at_start) in ranked]


class Completions:
    """What one index generation can complete a prefix to."""

    def __init__(self, searcher, gen: index.Generation):
        reader = searcher.reader()
        candidates: list[Candidate] = []
        aliases: dict[int, list[str]] = {}
        for kind, fieldname in (("ministry", "ministries"), ("person", "persons")):
            for value, count in value_counts(searcher, gen, fieldname):
                if kind == "ministry" and value in gazetteer().by_name:
                    # "GTVT", "TT&TT", "y tế" complete to the ministry's canonical name
                    aliases[len(candidates)] = _ministry_forms(gazetteer().by_name[value])
                candidates.append(Candidate(value, kind, count))
        names = {" ".join(analysis.folded(c.text)) for c in candidates}
        for term in reader.field_terms("title"):
            text = term.replace("_", " ")
            if _worth_offering(text) and " ".join(analysis.folded(text)) not in names:
                candidates.append(Candidate(text, "term", reader.doc_frequency("title", term)))
        self.index = PrefixIndex(candidates, aliases)

    def complete(self, typed: str, limit: int) -> list[Candidate]:
        """The best completions of what a reader has typed so far."""
        found = [c for c, _ in self.index.find(typed)][:limit]
        words = typed.split()
        if len(found) < limit and len(words) > 1:
            # "tiêm chủng mở" -> "tiêm chủng mở rộng": complete the last word, keep the others
            head = " ".join(words[:-1])
            seen = {c.text for c in found}
            for candidate, at_start in self.index.find(words[-1]):
                if candidate.kind == "term" and at_start:
                    text = f"{head} {candidate.text}"
                    if text not in seen:
                        found.append(Candidate(text, "term", candidate.count))
                        seen.add(text)
                if len(found) >= limit:
                    break
        return found


def _ministry_forms(ministry) -> list[str]:
    """Other names of a ministry, also without their "Bộ": readers type "gtvt", not "bộ gtvt"."""
    forms = [*ministry.aliases, *ministry.domain]
    forms += [form[3:] for form in ministry.aliases if form.startswith("Bộ ")]
    return list(dict.fromkeys(forms))


def _worth_offering(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 2 and text not in STOPWORDS


def value_counts(searcher, gen: index.Generation, fieldname: str) -> list[tuple[str, int]]:
    """Every value of a facet field with its number of articles, most frequent first."""
    table = gen.facet(searcher, fieldname)
    reader = searcher.reader()
    live = np.zeros(reader.doc_count_all(), dtype=bool)
    live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True  # leaves out deleted ones
    return table.count(live)


class FacetValues:
    """The values of the name facets of one generation, searchable by prefix."""

    def __init__(self, searcher, gen: index.Generation):
        self.by_facet = {
            name: PrefixIndex([Candidate(v, name, c) for v, c in value_counts(searcher, gen, field)])
            for name, field in (("ministry", "ministries"), ("person", "persons"))
        }
        months = value_counts(searcher, gen, "month")
        years: dict[str, int] = {}
        for value, count in months:
            key = value[:4] if value != NO_DATE else NO_DATE
            years[key] = years.get(key, 0) + count
        newest_first = lambda pairs: sorted(pairs, key=lambda vc: (vc[0] != NO_DATE, vc[0]),  # noqa: E731
                                            reverse=True)
        self.periods = {"date": newest_first(months), "year": newest_first(years.items())}

    def search(self, facet: str, prefix: str) -> list[tuple[str, int]]:
        """(value, count) of the facet's values matching the prefix, best first.

        Names match at the start of any of their words, accent-insensitively; dates ("2017",
        "2017-03", "none") match from their start.
        """
        if facet in self.periods:
            return [(v, c) for v, c in self.periods[facet] if v.startswith(prefix.strip())]
        return [(c.text, c.count) for c, _ in self.by_facet[facet].find(prefix)]


# Built lazily per generation; a generation that is no longer live takes its entry with it.
_built: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _for_generation(kind: type):
    gen = index.generation()
    with _lock:
        entry = _built.setdefault(gen, {})
        if kind not in entry:
            entry[kind] = kind(index.searcher(), gen)
        return entry[kind]


def completions() -> Completions:
    """The completions of the live generation."""
    return _for_generation(Completions)


def facet_values() -> FacetValues:
    """The searchable facet values of the live generation."""
    return _for_generation(FacetValues)

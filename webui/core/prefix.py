"""One prefix lookup for names and words: every word typed must start a word of a candidate,
accents ignored, in any order ("ngu", "Ngu" and "ngũ" find "Nguyễn Văn A"; "tam" and "tam phan"
find "Phan Tâm"; "gtvt" finds "Bộ Giao thông vận tải" through its other names).

Autocomplete (webui.api.autocomplete) and the search of facet values (webui.core.facets) both
use it, so they find and order values alike.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from indexer import analysis


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

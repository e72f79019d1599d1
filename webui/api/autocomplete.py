"""Autocomplete for the search box: what a reader has typed so far, completed.

Built once per index generation from what the index already holds: the words pyvi found in
titles (``thi_đua`` is offered as "thi đua", with the number of titles it is in) and the
values of the ministry and person facets (with the number of articles naming them, and the
ministries' other names from the gazetteer), found by the core's one prefix lookup
(webui.core.prefix): "ngu", "Ngu" and "ngũ" all find "Nguyễn Văn A", "gtvt" finds "Bộ Giao
thông vận tải".
"""

from __future__ import annotations

from indexer import analysis

from ..core import facets
from ..core.generation import Generation, live_mask, warmer
from ..core.postings import postings
from ..core.prefix import Candidate, PrefixIndex

MAX_SUGGEST_CHARS = 100
SUGGEST_LIMIT = 8
MAX_SUGGEST_LIMIT = 20
# The facets whose values complete what a reader types: the names an article is about (its
# section and source are offered as filters, not as something to search for).
KINDS = ("ministry", "person")
# Title words too common or too small to be worth offering on their own.
STOPWORDS = frozenset(
    "và của các cho khi với là được có trong những này đã sẽ về từ tại theo để năm một "
    "nhiều không ra vào trên dưới đến bị do như thì mà hay hoặc cùng sau trước".split()
)


class Completions:
    """What one index generation can complete a prefix to."""

    def __init__(self, gen: Generation):
        live = live_mask(gen)
        candidates = [Candidate(value, kind, count)
                      for kind in KINDS
                      for value, count in facets.table(gen, facets.FIELDS[kind]).count(live)]
        # "GTVT", "TT&TT", "y tế" complete to the ministry's canonical name
        aliases = facets.ministry_aliases(candidates)
        names = {" ".join(analysis.folded(c.text)) for c in candidates}

        def title_words(searcher):
            # the terms with their counts in one pass over the posting arrays: a count from
            # Whoosh's term table per term took seconds at archive scale
            for term, count in sorted(postings(gen).terms(searcher, "title").items()):
                text = term.replace("_", " ")
                if _worth_offering(text) and " ".join(analysis.folded(text)) not in names:
                    yield Candidate(text, "term", count)

        candidates += gen.with_searcher(lambda searcher: list(title_words(searcher)))
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


def _worth_offering(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 2 and text not in STOPWORDS


@warmer("completions")
def completions(gen: Generation) -> Completions:
    """The completions of a generation."""
    return gen.cached("completions", lambda: Completions(gen))

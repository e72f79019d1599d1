"""What the index's own words tell a query: accented forms, aliases, spelling suggestions.

Built once per index generation (see index.Generation.vocabulary):

* every folded syllable with the accented syllables of the index that fold to it and their
  document frequencies ("hoa" -> hoá 900, hoà 700, hoa 650, hoạ 80, ...), to restore the
  accents of a query typed without them;
* alias groups (``data/gazetteer/aliases.list`` plus every ministry alias of the gazetteer), as
  folded syllable sequences, so "bo gtvt" and "Bộ Giao thông vận tải" find each other.
"""

from __future__ import annotations

import math
from itertools import islice
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from whoosh import query as Q

from indexer import analysis
from indexer.extract import GAZETTEER_DIR, gazetteer

ALIASES_FILE = GAZETTEER_DIR / "aliases.list"
MAX_VARIANTS = 4  # accented candidates kept per folded syllable when restoring accents
MAX_RESTORE_SYLLABLES = 12


def _read_alias_groups(path: Path) -> list[list[str]]:
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            groups.append([form.strip() for form in line.split("|") if form.strip()])
    for ministry in gazetteer().ministries:
        groups.append([ministry.name, *ministry.aliases])
    return groups


@lru_cache(maxsize=1)
def alias_groups() -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Alias groups as tuples of folded syllable sequences, each form once."""
    out = []
    for group in _read_alias_groups(ALIASES_FILE):
        forms = tuple(dict.fromkeys(tuple(analysis.folded(f)) for f in group))
        forms = tuple(f for f in forms if f)
        if len(forms) > 1:
            out.append(forms)
    return tuple(out)


@lru_cache(maxsize=1)
def alias_index() -> dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]]:
    """First folded syllable -> [(form, its whole group)], longest forms first."""
    index: dict[str, list] = defaultdict(list)
    for group in alias_groups():
        for form in group:
            index[form[0]].append((form, group))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return dict(index)


def find_aliases(folded: list[str]) -> list[tuple[int, int, tuple[tuple[str, ...], ...]]]:
    """Non-overlapping (start, end, group) spans of ``folded`` that are a known alias form."""
    found = []
    i = 0
    index = alias_index()
    while i < len(folded):
        for form, group in index.get(folded[i], ()):
            if tuple(folded[i:i + len(form)]) == form:
                found.append((i, i + len(form), group))
                i += len(form)
                break
        else:
            i += 1
    return found


class Vocabulary:
    """The syllables of one index generation, by folded form."""

    FIELDS = ("title_syl", "text_syl")

    def __init__(self, reader):
        variants: dict[str, dict[str, int]] = defaultdict(dict)
        for fieldname in self.FIELDS:
            for term, info in reader.iter_field(fieldname):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                counts = variants[analysis.fold(text)]
                counts[text] = counts.get(text, 0) + info.doc_frequency()
        self.variants = {
            folded: sorted(counts.items(), key=lambda kv: -kv[1])
            for folded, counts in variants.items()
        }

    def accented(self, folded: str) -> list[tuple[str, int]]:
        """Accented syllables of the index for a folded one, most frequent first."""
        return self.variants.get(folded, [])

    def known(self, folded: str) -> bool:
        return folded in self.variants

    def closest(self, folded: str) -> str | None:
        """A known folded syllable one edit away (the most frequent), for a typo."""
        best, best_df = None, 0
        for candidate in _edits1(folded):
            forms = self.variants.get(candidate)
            if forms:
                df = sum(count for _, count in forms)
                if df > best_df:
                    best, best_df = candidate, df
        return best

    def restore(self, folded: list[str], searcher=None) -> list[str] | None:
        """The most likely accented spelling of folded syllables, or None.

        Each syllable's candidates are the index's accented forms; with a searcher, adjacent
        candidates are scored by how many articles hold them side by side (a Viterbi pass over
        syllable bigrams), which tells "bộ y tế" from "bố ý tệ".
        """
        if not folded or len(folded) > MAX_RESTORE_SYLLABLES:
            return None
        candidates = []
        for f in folded:
            forms = self.accented(f)[:MAX_VARIANTS]
            if not forms:
                return None
            candidates.append(forms)
        # best[i][v] = (score, path) for paths ending in candidate v of syllable i
        best = [{v: (math.log(df + 1), [v]) for v, df in candidates[0]}]
        for i in range(1, len(candidates)):
            layer = {}
            for v, df in candidates[i]:
                options = []
                for u, (score, path) in best[-1].items():
                    pair = _pair_count(searcher, u, v) if searcher is not None else 0
                    options.append((score + math.log(df + 1) + 3.0 * math.log(pair + 1), path))
                score, path = max(options, key=lambda o: o[0])
                layer[v] = (score, path + [v])
            best.append(layer)
        return max(best[-1].values(), key=lambda sp: sp[0])[1]


PAIR_COUNT_CAP = 500  # enough to rank candidates; counting further only costs time


def _pair_count(searcher, first: str, second: str) -> int:
    query = Q.Phrase("text_syl", [first, second])
    return sum(1 for _ in islice(query.docs(searcher), PAIR_COUNT_CAP))


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + replaces + inserts) - {word}

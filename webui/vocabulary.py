"""What the index's own words tell a query: accented forms and spelling suggestions.

* :class:`Vocabulary`, built once per index generation (see index.Generation.vocabulary):
  every folded syllable with the accented syllables of the index that fold to it and their
  document frequencies ("hoa" -> hoá 900, hoà 700, hoa 650, hoạ 80, ...), to restore the
  accents of a query typed without them;
* :class:`Usage`: how the best matches of one query write its syllables, to choose among them.

Alias groups ("bo gtvt" = "Bộ Giao thông vận tải") are in :mod:`indexer.aliases`.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

from indexer import analysis

MAX_VARIANTS = 4  # accented candidates kept per folded syllable when restoring accents
MAX_RESTORE_SYLLABLES = 32


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

    def restore(self, folded: list[str], usage: "Usage | None" = None) -> list[str] | None:
        """The most likely accented spelling of folded syllables, or None.

        The whole sequence as the matching articles write it wins ("pham minh chinh" -> "phạm
        minh chính"). Otherwise each syllable's candidates are the index's accented forms,
        scored by document frequency and by how often those articles hold adjacent candidates
        side by side (a Viterbi pass over syllable bigrams), which tells "bộ y tế" from "bố ý
        tệ".
        """
        if not folded or len(folded) > MAX_RESTORE_SYLLABLES:
            return None
        if usage is not None and (written := usage.phrase(folded)):
            return written
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
                    pair = usage.pair(u, v) if usage is not None else 0
                    options.append((score + math.log(df + 1) + 3.0 * math.log(pair + 1), path))
                score, path = max(options, key=lambda o: o[0])
                layer[v] = (score, path + [v])
            best.append(layer)
        return max(best[-1].values(), key=lambda sp: sp[0])[1]


class Usage:
    """How a few articles write their syllables: adjacent pairs, and runs by folded form.

    Read from the best matches of the query itself, which is both cheaper and more telling
    than counting pairs over the whole index (a phrase query per candidate pair cost over a
    second on 180k articles).
    """

    def __init__(self, texts):
        self.docs: list[list[str]] = []
        self.pairs: Counter = Counter()
        self._fold: dict[str, str] = {}
        self._keys: list[list[str]] | None = None  # each doc's syllables folded, once
        for text in texts:
            syllables = _SYLLABLE.findall(analysis.normalize(text).lower())
            self.docs.append(syllables)
            self.pairs.update(zip(syllables, syllables[1:]))

    def pair(self, first: str, second: str) -> int:
        return self.pairs[(first, second)]

    def phrase(self, folded: list[str]) -> list[str] | None:
        """The most frequent accented run of syllables that folds to ``folded``."""
        n = len(folded)
        if self._keys is None:
            self._keys = [[self._folded(s) for s in syllables] for syllables in self.docs]
        runs: Counter = Counter()
        for syllables, keys in zip(self.docs, self._keys):
            for i in range(len(keys) - n + 1):
                if keys[i] == folded[0] and keys[i:i + n] == folded:
                    runs[tuple(syllables[i:i + n])] += 1
        return list(runs.most_common(1)[0][0]) if runs else None

    def _folded(self, syllable: str) -> str:
        key = self._fold.get(syllable)
        if key is None:
            key = self._fold[syllable] = analysis.fold(syllable)
        return key


_SYLLABLE = re.compile(r"[^\W_]+")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + replaces + inserts) - {word}

"""Spelling: what the index's own words tell a query, and the "did you mean" built on it.

* :class:`Vocabulary`, built once per index generation (:func:`vocabulary`):
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

import numpy as np
from whoosh import query as Q

from indexer import analysis

from .generation import Generation, warmer
from .hits import texts
from .postings import postings
from .query import ParsedQuery
from .scoring import Evaluator

MAX_VARIANTS = 4  # accented candidates kept per folded syllable when restoring accents
MAX_RESTORE_SYLLABLES = 32
MAX_JOINED_SYLLABLES = 4  # longest word recognised when written without its spaces
FEW_RESULTS = 5  # below this a better spelling is worth suggesting
USAGE_DOCS = 20  # best matches whose text tells how the query's syllables are written


class Vocabulary:
    """The syllables of one index generation, by folded form."""

    FIELDS = ("title_syl", "text_syl")

    def __init__(self, field_terms):
        """``field_terms(fieldname)``: the field's terms with the documents holding each."""
        variants: dict[str, dict[str, int]] = defaultdict(dict)
        for fieldname in self.FIELDS:
            for text, count in field_terms(fieldname).items():
                counts = variants[analysis.fold(text)]
                counts[text] = counts.get(text, 0) + count
        self.variants = {
            folded: sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))  # ties: A-Z
            for folded, counts in variants.items()
        }
        # pyvi's words of titles written without their spaces: "hanoi" -> ["ha", "noi"]
        joined: dict[str, tuple[int, list[str]]] = {}
        # two-syllable words of titles: the context that tells a slip's likely word
        self.words: set[tuple[str, str]] = set()
        for text, count in sorted(field_terms("title").items()):  # ties: the first A-Z
            parts = analysis.fold(text).split("_")
            if len(parts) == 2:
                self.words.add((parts[0], parts[1]))
            if 1 < len(parts) <= MAX_JOINED_SYLLABLES and all(p.isalnum() for p in parts):
                key = "".join(parts)
                if key not in self.variants and count > joined.get(key, (0,))[0]:
                    joined[key] = (count, parts)
        self.joined = {key: parts for key, (_, parts) in joined.items()}

    def accented(self, folded: str) -> list[tuple[str, int]]:
        """Accented syllables of the index for a folded one, most frequent first."""
        return self.variants.get(folded, [])

    def known(self, folded: str) -> bool:
        return folded in self.variants

    def split_joined(self, folded: str) -> list[str] | None:
        """The syllables of a word written without its spaces ("vietnam"), or None."""
        return self.joined.get(folded)

    def closest(self, folded: str, neighbours: tuple[str, ...] = ()) -> str | None:
        """A known folded syllable one edit away, for a typo: one that makes a word with a
        neighbouring syllable first ("costa rika" is "costa rica"), then the likeliest slip
        (a doubled letter, then a letter left out or swapped, then one replaced or added),
        the most frequent syllable among equally likely ones ("ducc" is "duc", not "duoc")."""
        best, best_rank = None, None
        for candidate, cost in _edits1(folded).items():
            forms = self.variants.get(candidate)
            if forms:
                in_word = any((n, candidate) in self.words or (candidate, n) in self.words
                              for n in neighbours)
                rank = (not in_word, cost, -sum(count for _, count in forms))
                if best_rank is None or rank < best_rank:
                    best, best_rank = candidate, rank
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


@warmer("vocabulary")
def vocabulary(gen: Generation) -> Vocabulary:
    """The syllables of a generation by folded form."""
    return gen.cached("vocabulary", lambda: gen.with_searcher(lambda searcher: Vocabulary(
        lambda fieldname: postings(gen).terms(searcher, fieldname))))


def did_you_mean(parsed: ParsedQuery, typed: str, total: int, relaxed: bool,
                 evaluator: Evaluator, gen: Generation, ranked: list[int], fields_of,
                 usage: Usage | None = None) -> str | None:
    """A better spelling from the index's own vocabulary, or None.

    A query typed without accents gets them restored ("bo truong bo y te" -> "bộ trưởng bộ y
    tế"); a syllable the index does not know is replaced by the most frequent one an edit
    away, when the query found little. Only plain word queries are corrected.
    """
    clauses = parsed.clauses
    if not clauses or parsed.negated or any(c.field or c.phrase or c.prefix for c in clauses):
        return None
    text = " ".join(c.text for c in clauses)
    vocab = vocabulary(gen)
    folded = analysis.folded(text)
    fixed = [f if vocab.known(f) else vocab.closest(f, tuple(folded[max(0, i - 1):i]
                                                            + folded[i + 1:i + 2]))
             for i, f in enumerate(folded)]
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
        return _suggestion(vocab.restore(fixed, usage), typed, parsed)
    if not docs:
        has_all = Q.And([Q.Term("text_fold", f) for f in dict.fromkeys(fixed)])
        found = evaluator.matches(has_all)
        candidates = np.flatnonzero(found.mask)
        docs = candidates[np.argsort(-found.score[candidates], kind="stable")[:USAGE_DOCS]]
        docs = docs.tolist()
    usage = Usage(text for d in docs for text in texts(fields_of(d)))
    return _suggestion(vocab.restore(fixed, usage), typed, parsed)


def _suggestion(restored: list[str] | None, typed: str, parsed: ParsedQuery) -> str | None:
    """The corrected syllables written back as the query was: its groups, and ``OR`` between
    alternatives (never dropped)."""
    if restored is None:
        return None
    groups, n = [], 0
    for group in parsed.groups:
        alternatives = []
        for clause in group:
            size = len(analysis.syllables(clause.text))
            alternatives.append(" ".join(restored[n:n + size]))
            n += size
        groups.append(" OR ".join(alternatives))
    suggestion = " ".join(groups)
    if analysis.syllables(suggestion) == analysis.syllables(typed):
        return None
    return suggestion


_SYLLABLE = re.compile(r"[^\W_]+")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits1(word: str) -> dict[str, int]:
    """Every string one edit away, with how unlikely the slip is (0: a doubled letter)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found: dict[str, int] = {}
    edits = [
        (2, [a + c + b for a, b in splits for c in _LETTERS]),  # a letter added
        (2, [a + c + b[1:] for a, b in splits if b for c in _LETTERS]),  # one replaced
        (1, [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]),  # two swapped
        (1, [a + b[1:] for a, b in splits if b]),  # one left out
        (0, [a + b[1:] for a, b in splits if len(b) > 1 and b[0] == b[1]]),  # typed twice
    ]
    for cost, candidates in edits:
        found.update((c, cost) for c in candidates)
    found.pop(word, None)
    return found

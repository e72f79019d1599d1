"""Ranking the matches: term scores first, then what they miss on the best few.

The BM25F scores of the terms (webui.core.scoring) pick the best RERANK_POOL matches, which
are then reordered by the query's syllables side by side, the whole query as a phrase, most of
the query within one passage, and, when asked, the age. A query typed without accents first
ranks higher the articles that write it as its best matches most likely mean it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from whoosh import query as Q

from indexer import analysis

from .generation import Generation
from .highlight import fold_chars
from .hits import lead_syllables, texts
from .query import BOOSTS, AnyOf, ParsedQuery
from .retrieval import dates_named
from .scoring import Evaluator, Matches
from .spelling import USAGE_DOCS, Usage, vocabulary

RECENT_HALF_LIFE_DAYS = 365
RECENT_WEIGHT = 0.5  # a fresh article scores up to 1.5x one of the same relevance long ago
RECENT_POOL = 200  # top hits by relevance that the recency boost reorders
RERANK_POOL = 50  # top hits by term scores that proximity reorders
PAIR_BONUS = 0.6  # all query syllable pairs side by side in the text: score x 1.6
PHRASE_BONUS = 0.3  # the whole clause as written: another x 1.3
MAX_PHRASE_SYLLABLES = 8  # longer clauses are questions: no whole-phrase bonus
RESTORED_WEIGHT = 0.5  # weight of the likely accented form of a query typed without accents
WINDOW_BONUS = 1.0  # most of the query's weight in one passage: up to score x (1 + this)
WINDOW_SYLLABLES = 22  # a passage: a sentence or two clauses (about 100 characters)
WINDOW_POWER = 2.0  # how fast the bonus grows with the share of the query in one passage
WINDOW_MIN_SHARE = 0.02  # lighter syllables ("của", "và") are left out of the passages
PASSAGE_CHARS = 2500  # of the stored syllables: where the passage is looked for
MIN_PASSAGE_UNITS = 2  # two words are side by side or not: the pair bonus tells
DATE_WORDS = frozenset("ngay thang nam dau cuoi giua sang trua chieu toi dem".split())


def by_date(matched: np.ndarray, days: np.ndarray, oldest: bool, depth: int) -> list[int]:
    """The first ``depth`` matches by date, undated last; newer document first on a tie."""
    docs = np.flatnonzero(matched)
    keys = days[docs]
    if oldest:
        keys = np.where(keys == 0, np.iinfo(np.int64).max, keys)
        order = np.lexsort((docs, keys))
    else:
        order = np.lexsort((-docs, -keys))
    return docs[order[:depth]].tolist()


def ranked(scores: np.ndarray, matched: np.ndarray, depth: int, days: np.ndarray,
            parsed: ParsedQuery, recent: bool, fields_of, units=(), vocabulary=None
            ) -> list[int]:
    """Document numbers by relevance; ties go to the newer article.

    The BM25F scores of the terms (webui.core.scoring) pick the best RERANK_POOL matches, which are
    then reordered with what term scores miss: the query's syllables side by side, the whole
    query as a phrase, and most of its weight within one passage (PassageBonus), found among
    the syllables the indexer stored in order for each candidate (decoding Whoosh's positions
    for every pair cost more than the rest of the search), and, when asked, the age.
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
    window = (PassageBonus(units, vocabulary, bool(dates_named(" ".join(parsed.text_terms()))))
              if WINDOW_BONUS and vocabulary is not None else None)
    today = dt.date.today()

    def final(docnum: int) -> float:
        score = float(scores[docnum])
        if proximity:
            score *= 1 + proximity(fields_of(docnum))
        if window:
            score *= 1 + window(fields_of(docnum))
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
    when the whole clause does. The article's syllables are those the indexer stored in order
    (hits.lead_syllables), so a pair is a substring test: no text is read or analysed again.
    """

    def __init__(self, parsed: ParsedQuery):
        # (bonus, " syllables "): looked for among the syllables as written or folded
        self.exact: list[tuple[float, str]] = []
        self.loose: list[tuple[float, str]] = []
        clauses = []
        for text in parsed.text_terms():
            accented = analysis.has_accents(text)
            seq = tuple(analysis.syllables(text) if accented else analysis.folded(text))
            clauses.append((accented, list(dict.fromkeys(zip(seq, seq[1:]))),
                            seq if 2 < len(seq) <= MAX_PHRASE_SYLLABLES else None))
        pairs = sum(len(p) for _, p, _ in clauses)
        phrases = sum(phrase is not None for _, _, phrase in clauses)
        for accented, clause_pairs, phrase in clauses:
            target = self.exact if accented else self.loose
            target += [(PAIR_BONUS / pairs, _spaced(pair)) for pair in clause_pairs]
            if phrase:
                target.append((PHRASE_BONUS / phrases, _spaced(phrase)))

    def __bool__(self) -> bool:
        return bool(self.exact or self.loose)

    def __call__(self, fields: dict) -> float:
        bonus = 0.0
        for syllables, weight in zip(lead_syllables(fields), (2.0, 1.0)):
            if self.exact:
                bonus += weight * sum(b for b, seq in self.exact if seq in syllables)
            if self.loose:
                folded = fold_chars(syllables)
                bonus += weight * sum(b for b, seq in self.loose if seq in folded)
        return bonus


class PassageBonus:
    """How much of the query's weight one passage of an article holds: a reader remembers a
    sentence, and a question restates one, so an article whose words gather in one place
    ranks above one that has them scattered over its length."""

    def __init__(self, units, vocabulary, dated: bool = False):
        # a date the query names ranks by the article's date (retrieval's date bonus): the
        # article need not write it beside the rest
        units = [u for u in units if not (dated and all(s.isdigit() or s in DATE_WORDS
                                                          for s in u.syllables))]
        total = sum(u.weight for u in units) or 1.0
        self.units = [(u.weight / total, u.syllables) for u in units
                      if u.syllables and u.weight / total >= WINDOW_MIN_SHARE]
        self.of_syllable: dict[str, list[int]] = {}
        for n, (_, syllables) in enumerate(self.units):
            for syllable in dict.fromkeys(syllables):
                self.of_syllable.setdefault(syllable, []).append(n)
        # a unit of one syllable is held when that syllable is: its weight, added at once;
        # units of several (a phrase, a name) are checked when one of theirs comes or goes
        self.single = {s: sum(self.units[n][0] for n in ns if len(self.units[n][1]) == 1)
                       for s, ns in self.of_syllable.items()}
        self.several = {s: multi for s, ns in self.of_syllable.items()
                        if (multi := [n for n in ns if len(self.units[n][1]) > 1])}
        # the syllables in every accented form the index has of them: the article's text is
        # searched as stored (folding it costs ten times the search)
        self.folded_of = {form: folded for folded in self.of_syllable
                          for form, _ in vocabulary.accented(folded)}
        self.wanted = len(self.units) > MIN_PASSAGE_UNITS and bool(self.folded_of)

    def __bool__(self) -> bool:
        return self.wanted

    def __call__(self, fields: dict) -> float:
        best = 0.0
        folded_of = self.folded_of
        for syllables in lead_syllables(fields):
            # split and looked up, the query's syllables among the text's: a regular expression
            # of their hundred accented forms took twice as long
            found = [(n, folded_of[s]) for n, s in enumerate(syllables[:PASSAGE_CHARS].split())
                     if s in folded_of]
            best = max(best, self._best(found))
            if best > 0.999:  # the title holds all of it: no passage holds more
                break
        return WINDOW_BONUS * best ** WINDOW_POWER

    def _best(self, found: list[tuple[int, str]]) -> float:
        """The most of the query's weight any WINDOW_SYLLABLES of the text hold."""
        counts: dict[str, int] = {}
        held = [False] * len(self.units)
        single, several = self.single, self.several
        present = sum(single[s] for s in {s for _, s in found})  # at most this, anywhere
        covered = best = 0.0
        left = 0

        def changed(syllable: str) -> float:
            delta = 0.0
            for n in several[syllable]:
                weight, syllables = self.units[n]
                now = all(counts.get(s, 0) for s in syllables)
                if now != held[n]:
                    held[n] = now
                    delta += weight if now else -weight
            return delta

        for at, syllable in found:  # at: the syllable's place in the text
            count = counts[syllable] = counts.get(syllable, 0) + 1
            if count == 1:
                covered += single[syllable] + (changed(syllable) if syllable in several else 0)
            while at - found[left][0] >= WINDOW_SYLLABLES:
                gone = found[left][1]
                counts[gone] -= 1
                if not counts[gone]:
                    covered -= single[gone]
                    if gone in several:
                        covered += changed(gone)
                left += 1
            if covered > best:
                best = covered
                if not several and best >= present - 1e-9:
                    break  # every unit the text holds is in this passage
        return best


def _spaced(syllables) -> str:
    return f" {' '.join(syllables)} "


def rank_restored_accents(parsed: ParsedQuery, found: Matches, evaluator: Evaluator,
                          gen: Generation, fields_of) -> Usage | None:
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
    usage = Usage(text for d in candidates.tolist() for text in texts(fields_of(d)))
    vocab = vocabulary(gen)
    extras: list[Q.Query] = []
    for clause in clauses:
        restored = vocab.restore(analysis.folded(clause.text), usage)
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
        matched = np.flatnonzero(found.mask)
        found.score[matched] += evaluator.restricted(matched).matches(AnyOf(extras)).score
    return usage

"""Retrieval that scores instead of filtering: every word of the query optional, weighed.

A reader looking for an article they remember types words it has and words it has not: a
question word, a synonym, a slip. Requiring every word drops the article; so each query word
becomes a *unit* — a syllable in the accents typed (or any, when typed bare), an alias group,
a quoted phrase — weighed by its rarity (its idf, lowered for question words and particles),
and an article matches when it holds most of the query's weight:

* short queries (one or two units) need every unit, as readers expect of a name;
* longer ones need ``MIN_SHARE`` of the weight, so "vì sao giá vàng tăng" finds the article
  that never says "vì sao";
* quoted phrases, ``-word`` and ``field:`` stay strict.

An accented unit matches its accents as typed; when few articles hold the query that way
(a tone slip, another placement), articles holding it in any accents match too. Scores are
BM25F over the fields of each unit, exact accents worth more than folded ones, multiplied by
the share of the query's weight the article holds (coordination), so an article with every
word ranks above one with most of them. Joined Latin forms ("Hanoi", "Covid19") and syllables
the index does not know (a typo) also match what the vocabulary says they stand for.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as Q

from indexer import analysis
from indexer.aliases import find_aliases, group_key

from .query import BOOSTS, AnyOf, Clause, ParsedQuery, excluded_query, text_query
from .scoring import Evaluator

MIN_SHARE = 0.5  # of the query's weight an article must hold (queries of 3+ units)
MIN_MATCHES = 50  # fewer articles hold that much: the ones holding most of the query join
FEW_EXACT = 10  # below this many matches of the accents as typed, any accents match too
COORDINATION = 0.5  # score x share ** COORDINATION: holding more of the query ranks higher
QUESTION_WEIGHT = 0.2  # weight of question words and particles, relative to their idf
TYPO_WEIGHT = 0.7  # a syllable the index does not know, matched as the word it likely is
# Syllables that ask or connect rather than say what the article is about (folded).
QUESTION_WORDS = frozenset(
    "vi sao tai sao bao nhieu may ai gi nao dau khong co phai duoc bi da nhung la the nao "
    "nhu khi o bao gio hay chua nhi vay a u ra sao lam the nhu nao chinh xac".split()
)
_LETTERS_DIGITS = re.compile(r"[^\W\d_]+|\d+")
DATE_BONUS = 0.3  # an article of the day, month or year the query names: score x 1.3
_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*((?:19|20)\d\d)(?!\d)")
_MONTH = re.compile(r"(?<![\d/.-])(\d{1,2})\s*[/.-]\s*((?:19|20)\d\d)(?!\d)")
_YEAR = re.compile(r"(?<![\d/.-])((?:19|20)\d\d)(?!\d)")


@dataclass
class Unit:
    """One thing the query asks for, with what matches it and what only ranks it."""

    weight: float  # rarity: an article holding rarer units holds more of the query
    exact: Q.Query  # holding the unit as typed
    loose: Q.Query | None = None  # holding it in any accents (accented units only)
    required: bool = False  # quoted phrases: an article without them does not match
    syllables: tuple[str, ...] = ()  # folded, as they stand in an article that holds the unit


@dataclass
class Retrieved:
    """What retrieval found: the matching articles, their scores, and how it matched."""

    mask: np.ndarray
    score: np.ndarray | None
    relaxed: bool = False  # no article held enough of the query: those with any of it
    accents_loose: bool = False  # the accents as typed were rare: any accents matched
    units: list[Unit] = field(default_factory=list)


def units_of(parsed: ParsedQuery, reader, vocabulary, frequency=None) -> list[Unit]:
    """The units of every positive clause over article text."""
    units: list[Unit] = []
    if not _typos_allowed(parsed):
        vocabulary = None
    doc_count = max(reader.doc_count_all(), 1)

    frequency = frequency or reader.doc_frequency

    def idf(fieldname: str, term: str) -> float:
        return math.log(1 + doc_count / (frequency(fieldname, term) + 1))

    for group in parsed.groups:
        clauses = [c for c in group if c.field in (None, "title")]
        if not clauses:
            continue
        if len(clauses) > 1:  # "a OR b": one unit, held when any alternative is held whole
            alternatives = [q for c in clauses if (q := text_query(c, reader, "all", False))]
            if alternatives:
                weight = max(sum(idf("text_fold", f) for f in analysis.folded(c.text))
                             for c in clauses)
                units.append(Unit(weight, AnyOf(alternatives)))
            continue
        clause = clauses[0]
        if clause.phrase or clause.prefix:
            accented = analysis.has_accents(clause.text)
            exact = text_query(clause, reader, "exact" if accented else "all", False)
            loose = text_query(clause, reader, "all", False) if accented else None
            if exact is not None:
                weight = sum(idf("text_fold", f) for f in analysis.folded(clause.text))
                units.append(Unit(weight, exact, loose, required=clause.phrase,
                                  syllables=tuple(analysis.folded(clause.text))))
            continue
        units += _word_units(clause, idf, vocabulary)
    return units


def _typos_allowed(parsed: ParsedQuery) -> bool:
    """A lone word the index does not know is offered a correction (did you mean), not
    silently matched as another word; in a longer query it is read as its likely word."""
    return sum(len(analysis.syllables(c.text)) for c in parsed.clauses) > 1


def _word_units(clause: Clause, idf, vocabulary) -> list[Unit]:
    """A unit per syllable of a run of plain words, and per alias form it names."""
    title_only = clause.field == "title"
    syl_fields = ("title_syl",) if title_only else ("title_syl", "text_syl")
    fold_fields = ("title_fold",) if title_only else ("title_fold", "text_fold")
    alias_fields = ("title_alias",) if title_only else ("title_alias", "text_alias")
    syllables = analysis.syllables(clause.text)
    folded = [analysis.fold(s) for s in syllables]
    out: list[Unit] = []
    i = 0
    for start, end, group in find_aliases(folded) + [(len(folded), len(folded), None)]:
        for n in range(i, start):
            neighbours = tuple(folded[max(0, n - 1):n] + folded[n + 1:n + 2])
            out.append(_syllable_unit(syllables[n], folded[n], syl_fields, fold_fields, idf,
                                      vocabulary, neighbours))
        if group is not None:
            key = group_key(group)
            # the group's key, or the form's syllables as typed all there (a form the list
            # does not know yet, an article indexed before the list had the group)
            typed = Q.And([AnyOf([Q.Term(f, s, boost=BOOSTS[f] * TYPO_WEIGHT)
                                  for f in fold_fields]) for s in dict.fromkeys(folded[start:end])])
            # one thing the article names, as rare as its key: a long full name ("Cơ quan Hàng
            # không Vũ trụ Mỹ") is not seven rare words (its syllables' idf summed outweighed
            # the rest of the query); the syllables' idf when the key is rarer than they are
            # (articles indexed before the list had the group)
            weight = min(idf(alias_fields[-1], key),
                         sum(idf("text_fold", s) for s in folded[start:end]))
            out.append(Unit(weight, AnyOf([
                *(Q.Term(f, key, boost=BOOSTS[f]) for f in alias_fields), typed]),
                syllables=tuple(folded[start:end])))
        i = end
    return out


def _syllable_unit(syllable: str, folded: str, syl_fields, fold_fields, idf,
                   vocabulary, neighbours: tuple[str, ...] = ()) -> Unit:
    weight = idf("text_fold", folded)
    if folded in QUESTION_WORDS:
        weight *= QUESTION_WEIGHT
    fold_terms = [Q.Term(f, folded, boost=BOOSTS[f]) for f in fold_fields]
    stands_for = _stands_for(folded, vocabulary, neighbours)
    if stands_for:
        # "hanoi" -> "ha noi", "covid19" -> "covid 19", "giaos" -> "giao": what it likely is
        weight = max(weight, sum(idf("text_fold", s) for s in stands_for))
        fold_terms.append(Q.And([AnyOf([Q.Term(f, s, boost=BOOSTS[f] * TYPO_WEIGHT)
                                        for f in fold_fields]) for s in stands_for]))
    loose = AnyOf(fold_terms)
    said = (folded,) if not stands_for or vocabulary.known(folded) else tuple(stands_for)
    if syllable == folded:  # typed bare: any accents are the reader's
        return Unit(weight, loose, syllables=said)
    exact = AnyOf([Q.Term(f, syllable, boost=BOOSTS[f]) for f in syl_fields])
    return Unit(weight, exact, loose, syllables=said)


def _stands_for(folded: str, vocabulary, neighbours: tuple[str, ...] = ()) -> list[str] | None:
    """The syllables a folded syllable likely stands for besides itself, or None."""
    if vocabulary is None:
        return None
    parts = _LETTERS_DIGITS.findall(folded)
    if len(parts) > 1 and all(vocabulary.known(p) for p in parts):
        return parts  # letters and digits written together: "covid19", "u23" ("U.23")
    if vocabulary.known(folded):
        return None
    split = vocabulary.split_joined(folded)
    if split:
        return split  # a word written without its spaces: "hanoi", "vietnam", "vacxin"
    closest = vocabulary.closest(folded, neighbours)
    return [closest] if closest else None


def retrieve(parsed: ParsedQuery, evaluator: Evaluator, reader, vocabulary,
             scored: bool, days: np.ndarray | None = None, prune: bool = True) -> Retrieved:
    """The articles that hold enough of the query, scored when asked.

    ``prune=False`` scores every article of the index instead of those holding an essential
    unit: the same answer, slower (tests and benchmarks compare the two).
    """
    units = units_of(parsed, reader, vocabulary, lambda fieldname, text:
                     evaluator.postings.doc_frequency(evaluator.searcher, fieldname, text))
    if not units:
        found = evaluator.matches(Q.Every(), scored=scored)
        return Retrieved(_without_negated(parsed, evaluator, found.mask), found.score)
    total = sum(u.weight for u in units) or 1.0
    needed = total if len(units) <= 2 else MIN_SHARE * total
    slack = 1e-4 * total  # float sums of the same weights
    essential, optional = _split_by_weight(units, needed - slack)
    # an article holding none of the essential units cannot hold enough of the query: the
    # query is scored over the articles holding one (MaxScore's pruning, on weights), arrays
    # as long as they are rather than the archive
    space = evaluator.whole()
    if prune:
        candidates = evaluator.holding(*(unit.loose if unit.loose is not None else unit.exact
                                         for unit in essential))
        space = evaluator.restricted(np.flatnonzero(candidates))
    held = _held(units, space, scored, essential)
    mask, accents_loose = _holding_enough(held, units, needed - slack)
    relaxed = False
    if not mask.any() and len(units) > 1:
        # no article holds enough of the query: those holding any of it, with a notice
        space = evaluator.whole()
        held = _held(units, space, scored)
        mask = (held.any > 0) & held.required_any
        relaxed = bool(mask.any())
    elif mask.sum() < MIN_MATCHES and len(units) > 2:
        # a long question over a small archive: few hold half of it; the articles holding
        # most of it join (as Typesense drops words until enough match), ranked after
        # by their coordination
        # (of the articles holding an essential unit: one holding only the light, common
        # units is not about the query; measured, letting them in ranked worse)
        mask |= _most_held(held, MIN_MATCHES)
    mask = _without_negated(parsed, space, mask)
    score = held.score
    if scored:
        bonus = _word_bonus(parsed)
        if bonus is not None and mask.any():
            score += space.matches(bonus, within=mask).score
        score *= (held.any / total) ** COORDINATION
        dated = _date_bonus(parsed, days if space.docs is None or days is None
                            else days[space.docs])
        if dated is not None:
            score *= dated
        score += 1e-3 * held.exact / total  # ties: the accents as typed first
        score = space.spread(score)
    return Retrieved(space.spread(mask), score, relaxed, accents_loose, units)


def _holding_enough(held: "_Held", units: list[Unit], needed: float) -> tuple[np.ndarray, bool]:
    """The articles holding enough of the query in the accents typed, or in any accents when
    few do, and whether any accents were needed."""
    mask = (held.exact >= needed) & held.required_exact
    if mask.sum() < FEW_EXACT and any(u.loose is not None for u in units):
        wider = (held.any >= needed) & held.required_any
        return mask | wider, bool((wider & ~mask).any())
    return mask, False


def _most_held(held: "_Held", count: int) -> np.ndarray:
    """The ``count`` articles (and ties) holding most of the query among those holding an
    essential unit."""
    holding = np.flatnonzero(held.essential & held.required_any)
    if len(holding) > count:
        floor = np.partition(held.any[holding], len(holding) - count)[len(holding) - count]
        holding = holding[held.any[holding] >= floor]
    mask = np.zeros(len(held.any), bool)
    mask[holding] = True
    return mask


def _split_by_weight(units: list[Unit], needed: float) -> tuple[list[Unit], list[Unit]]:
    """(essential, optional): the lightest units whose weights together fall short of what an
    article must hold are optional; every matching article holds an essential one."""
    optional: list[Unit] = []
    light = 0.0
    for unit in sorted(units, key=lambda u: u.weight):
        if unit.required or light + unit.weight >= needed:
            break
        optional.append(unit)
        light += unit.weight
    essential = [u for u in units if not any(u is o for o in optional)]
    return essential, optional


@dataclass
class _Held:
    """How much of the query each article holds: as typed, in any accents; and its score."""

    exact: np.ndarray
    any: np.ndarray
    required_exact: np.ndarray
    required_any: np.ndarray
    score: np.ndarray | None
    essential: np.ndarray  # holding an essential unit, in any accents


def _held(units: list[Unit], evaluator: Evaluator, scored: bool,
          essential: list[Unit] | None = None) -> _Held:
    size = evaluator.size
    held = _Held(np.zeros(size, np.float32), np.zeros(size, np.float32), np.ones(size, bool),
                 np.ones(size, bool), np.zeros(size, np.float32) if scored else None,
                 np.zeros(size, bool))
    essential = units if essential is None else essential
    for unit in units:
        exact = evaluator.matches(unit.exact, scored=scored)
        loose = (evaluator.matches(unit.loose, scored=scored)
                 if unit.loose is not None else None)
        any_form = exact.mask | loose.mask if loose is not None else exact.mask
        held.exact += unit.weight * exact.mask
        held.any += unit.weight * any_form
        if any(unit is e for e in essential):
            held.essential |= any_form
        if unit.required:
            held.required_exact &= exact.mask
            held.required_any &= any_form
        if scored:
            held.score += exact.score
            if loose is not None:
                held.score += BOOSTS["fold_accented"] * loose.score
    return held


def dates_named(text: str) -> list[tuple[int, int]]:
    """(first, last) YYYYMMDD of the days, months and years a query names: "23/3/2017",
    "tháng 4/2021", "năm 2025". A day takes the next two too (news of it comes after)."""
    found = []
    for m in _DAY.finditer(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if 1 <= month <= 12 and 1 <= day <= 31:
            start = year * 10000 + month * 100 + day
            found.append((start, start + 2))
    rest = _DAY.sub(" ", text)
    for m in _MONTH.finditer(rest):
        month, year = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            found.append((year * 10000 + month * 100 + 1, year * 10000 + month * 100 + 31))
    for m in _YEAR.finditer(_MONTH.sub(" ", rest)):
        year = int(m[1])
        found.append((year * 10000 + 101, year * 10000 + 1231))
    return found


def _date_bonus(parsed: ParsedQuery, days: np.ndarray | None) -> np.ndarray | None:
    """A factor per article: more for one published when the query says."""
    if days is None:
        return None
    ranges = [r for c in parsed.clauses if c.field in (None, "title")
              for r in dates_named(c.text)]
    if not ranges:
        return None
    named = np.zeros(len(days), bool)
    for first, last in ranges:
        named |= (days >= first) & (days <= last)
    return 1 + DATE_BONUS * named


def _word_bonus(parsed: ParsedQuery) -> Q.Query | None:
    """pyvi's words of the accented clauses: an article writing the query's words as words
    (not syllables that happen to be there) ranks higher."""
    terms: list[Q.Query] = []
    for clause in parsed.clauses:
        if clause.field not in (None, "title") or not analysis.has_accents(clause.text):
            continue
        fields = ("title",) if clause.field == "title" else ("title", "summary", "body",
                                                             "captions")
        words = list(dict.fromkeys(analysis.words(clause.text)))
        terms += [Q.Term(f, w, boost=BOOSTS[f]) for f in fields for w in words]
    return AnyOf(terms) if terms else None


def _without_negated(parsed: ParsedQuery, evaluator: Evaluator, mask: np.ndarray) -> np.ndarray:
    negatives = [q for c in parsed.negated if c.field in (None, "title")
                 if (q := excluded_query(c)) is not None]
    if negatives:
        mask = mask & ~evaluator.matches(AnyOf(negatives), scored=False).mask
    return mask

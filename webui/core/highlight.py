"""Highlighted snippets: article text escaped, the query's syllables in <mark>.

A hit is matched on folded syllables, so highlighting works on a folded copy of the text. The
copy is made character by character (each NFC letter folds to one letter: "Đặng" -> "dang"),
so an offset in the copy is the same offset in the original: one regular-expression pass finds
every match without analysing the text again. Escaping happens here and only here, before the
marks go in.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from markupsafe import Markup, escape

from indexer import analysis

SNIPPET_CHARS = 240
CONTEXT_CHARS = 60  # text shown before the first match of a fragment
MAX_FRAGMENTS = 2
ELLIPSIS = " … "


def _fold_table() -> dict[int, str]:
    table = {}
    for start, end in ((0x41, 0x5B), (0xC0, 0x250), (0x1E00, 0x1F00)):
        for cp in range(start, end):
            char = chr(cp)
            folded = analysis.fold(char)
            if len(folded) == 1 and folded != char:
                table[cp] = folded
    return table


_FOLD = _fold_table()


def fold_chars(text: str) -> str:
    """The text folded letter by letter, with the same length: offsets carry over."""
    return text.translate(_FOLD)


@lru_cache(maxsize=256)
def _pattern(terms: frozenset[str]) -> re.Pattern:
    # a term of several syllables ("bo giao thong van tai") takes any separators between them
    alternatives = "|".join(re.escape(t).replace(r"\ ", r"[\W_]+")
                            for t in sorted(terms, key=len, reverse=True))
    return re.compile(r"(?<![^\W_])(?:" + alternatives + r")(?![^\W_])")


def _matches(text: str, terms) -> list[tuple[int, int]]:
    """Match spans, with neighbours separated only by spaces joined ("thi đua" is one).

    ``terms`` is (exact, folded): syllables of accented query words match their own accented
    form only (any tone placement), those typed without accents match any accents.
    """
    exact, folded = terms
    found: list[tuple[int, int]] = []
    if folded:
        found += [m.span() for m in _pattern(frozenset(folded)).finditer(fold_chars(text))]
    if exact:
        canon = analysis.normalize(text).lower()
        if len(canon) == len(text):  # lower() keeps the length of Vietnamese text
            wanted = frozenset(analysis.normalize(t).lower() for t in exact)
            found += [m.span() for m in _pattern(wanted).finditer(canon)]
    spans: list[tuple[int, int]] = []
    for m_start, m_end in sorted(set(found)):
        if spans and m_start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(m_end, spans[-1][1]))
            continue
        gap = text[spans[-1][1]:m_start] if spans else ""
        if spans and gap.isspace() and len(gap) <= 2:
            spans[-1] = (spans[-1][0], m_end)
        else:
            spans.append((m_start, m_end))
    return spans


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> Markup:
    out = Markup("")
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out += escape(text[pos:s]) + Markup("<mark>") + escape(text[s:e]) + Markup("</mark>")
        pos = e
    return out + escape(text[pos:end])


def _word_start(text: str, pos: int) -> int:
    """Move back to the start of the word at pos, so a fragment never opens mid-word."""
    while pos > 0 and not text[pos - 1].isspace():
        pos -= 1
    return pos


def _word_end(text: str, pos: int) -> int:
    while pos < len(text) and not text[pos].isspace():
        pos += 1
    return pos


def highlight(text: str, terms=((), ()), whole: bool = False) -> Markup:
    """Escaped text with the query's ``terms`` (exact, folded) marked: all, or fragments."""
    if not text:
        return Markup("")
    text = unicodedata.normalize("NFC", text)
    spans = _matches(text, terms) if any(terms) else []
    if whole:
        return _marked(text, spans, 0, len(text))
    if not spans:
        if len(text) <= SNIPPET_CHARS:
            return escape(text)
        return escape(text[:_word_start(text, SNIPPET_CHARS)].rstrip()) + Markup(" …")
    budget = SNIPPET_CHARS // min(MAX_FRAGMENTS, len(spans))
    fragments: list[tuple[int, int]] = []
    # fragments around the matches richest in distinct terms, in text order
    scored = sorted(
        range(len(spans)),
        key=lambda i: -len({fold_chars(text[s:e]).lower() for s, e in spans[i:i + 4]
                            if s < spans[i][0] + budget}),
    )
    for i in scored:
        s, _ = spans[i]
        start = _word_start(text, max(0, s - CONTEXT_CHARS))
        end = _word_end(text, min(len(text), start + budget))
        if any(start < fe and fs < end for fs, fe in fragments):
            continue
        fragments.append((start, end))
        if len(fragments) == MAX_FRAGMENTS:
            break
    fragments.sort()
    out = Markup("")
    for n, (start, end) in enumerate(fragments):
        piece = _marked(text, spans, start, end)
        lead = Markup("… ") if n == 0 and start > 0 else Markup("")
        out += (Markup(ELLIPSIS) if n else lead) + piece
    if fragments[-1][1] < len(text):
        out += Markup(" …")
    return out

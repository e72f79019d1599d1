"""Vietnamese text analysis shared by the indexer and the web app.

Documents and queries go through the same functions, so "hà nội" typed in the search box
produces the same terms as "Hà Nội" in an article.

Three views of a text are produced, each a list of :class:`Span` with exact character offsets
into the text as given (NFD input included):

* words (:func:`word_spans`): pyvi's word segmentation, "Hà Nội" -> ``hà_nội``;
* syllables (:func:`syllable_spans`): every run of letters and digits, ``hà``, ``nội``;
* folded syllables: syllables with every accent removed and ``đ`` -> ``d``, ``ha``, ``noi``.

Before anything else a text is put in NFC and its tone marks are moved to the old ("hoà",
"thuỷ", "khoẻ") placement: pyvi's dictionary is written that way, so "hòa bình" only becomes
the word ``hoà_bình`` after this step. The step never changes the length of an NFC text, which
keeps offsets computed on the normalised text valid for the original.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Iterator, NamedTuple

from whoosh.analysis import Token, Tokenizer

from . import segmenter

# -- character-level normalisation ------------------------------------------------------------

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng

# Characters that readers and publishers use interchangeably; each maps to one character, so the
# text keeps its length.
_PUNCTUATION = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u200b": " ", "\ufeff": " ",
})

_SYLLABLE = re.compile(r"[^\W_]+")


def _tone_pairs() -> dict[str, str]:
    """New-placement endings and their old-placement spelling: "òa" -> "oà", "úy" -> "uý"."""
    pairs = {}
    for first, second in ("oa", "oe", "uy"):
        for tone in _TONE_MARKS:
            for a, b in ((first, second), (first.upper(), second.upper()),
                         (first.upper(), second)):
                new = unicodedata.normalize("NFC", a + tone) + b
                pairs[new] = a + unicodedata.normalize("NFC", b + tone)
    return pairs


_PAIRS = _tone_pairs()
_CONSONANTS = frozenset("bcdđghklmnpqrstvxfjwz" + "bcdđghklmnpqrstvxfjwz".upper())
# An open syllable whose nucleus is oa/oe/uy with the tone on the first vowel. The onset has no
# vowel ("ngoài", "khuya" are other cases); with a final consonant ("hoàng", "thuyết") both
# conventions agree, hence the look-ahead. "qúy" is the same case: "qu" is the onset. The
# onset is checked by hand after a match: a pattern starting with it (a look-behind and a
# repeated class) is tried at every character and cost six times as much on an article.
_NEW_PLACEMENT = re.compile("(?:" + "|".join(sorted(_PAIRS)) + r")(?![^\W\d_])")
_LETTER = re.compile(r"[^\W\d_]")
_REPLACED = re.compile("[" + "".join(map(chr, _PUNCTUATION)) + "]")


def normalize(text: str) -> str:
    """NFC, one tone placement, plain apostrophes and dashes; length of NFC text is kept.

    >>> normalize("Hòa bình, thủy lợi – khỏe, Qúy, hoàng, ngoài")
    'Hoà bình, thuỷ lợi - khoẻ, Quý, hoàng, ngoài'
    """
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _REPLACED.search(text):
        text = text.translate(_PUNCTUATION)
    parts: list[str] = []
    done = 0
    for match in _NEW_PLACEMENT.finditer(text):
        onset = match.start()
        while onset > 0 and text[onset - 1] in _CONSONANTS:
            onset -= 1
        if onset > 0 and _LETTER.match(text, onset - 1):
            continue  # inside a longer syllable ("ngoài"): not an open oa/oe/uy syllable
        parts += (text[done:match.start()], _PAIRS[match.group()])
        done = match.end()
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


@lru_cache(maxsize=200_000)  # called per syllable: the vocabulary is small
def fold(text: str) -> str:
    """Lowercase and remove every accent; ``đ`` becomes ``d``.

    >>> fold("Đặng Thị Ngọc Thịnh")
    'dang thi ngoc thinh'
    """
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("đ", "d")


def _nfc_with_map(text: str) -> tuple[str, list[int]]:
    """NFC text and, for each of its characters (plus one past the end), the original index."""
    if unicodedata.is_normalized("NFC", text):
        return text, list(range(len(text) + 1))
    out: list[str] = []
    starts: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        for c in unicodedata.normalize("NFC", text[i:j]):
            out.append(c)
            starts.append(i)
        i = j
    starts.append(n)
    return "".join(out), starts


# -- spans ------------------------------------------------------------------------------------


class Span(NamedTuple):
    """A term and where it stands in the original text."""

    text: str
    start: int
    end: int


class Analysed(str):
    """A text that carries its spans, computed ahead of time (in a worker process).

    The Whoosh tokenizer below uses them instead of analysing the text again, so the one
    index writer only writes postings while the word segmentation runs on every core.
    """

    spans: dict[str, list[Span]]


def analysed(text: str, kinds=("words", "syllables", "folded")) -> Analysed:
    """The text with the spans of the given kinds attached."""
    value = Analysed(text)
    value.spans = {kind: _KINDS[kind](text) for kind in kinds}
    return value


def _pyvi_tokens(text: str) -> list[str]:
    """pyvi's tokens of the text: ``ViTokenizer.tokenize(text).split()`` in about half the time.

    :mod:`indexer.segmenter` builds each syllable's features once and leaves out the False ones
    (the same labels); it follows pyvi 0.1.1 and falls back to ``ViTokenizer.tokenize``.
    """
    with _PYVI_LOCK:
        return segmenter.segment(text).split()


_PYVI_LOCK = threading.Lock()  # the CRF tagger is not documented as thread-safe


def _align(text: str, tokens: list[str]) -> Iterator[tuple[int, int]]:
    """Find pyvi's tokens back in the text they came from.

    pyvi adds spaces around punctuation and joins the syllables of a word with ``_``; a ``_``
    may also be a real underscore ("snake_case"). A token that cannot be found is skipped and
    the search resumes at the next one, so one surprise never shifts every later offset.
    """
    pos = 0
    n = len(text)
    for token in tokens:
        while pos < n and text[pos].isspace():
            pos += 1
        start = pos
        # most tokens stand in the text as they are, a space where pyvi put "_"
        plain = token.replace("_", " ")
        if text.startswith(plain, pos):
            pos += len(plain)
            yield start, pos
            continue
        i = pos
        ok = True
        for ch in token:
            if i < n and text[i] == ch:
                i += 1
            elif ch == "_" and i < n and text[i].isspace():
                while i < n and text[i].isspace():
                    i += 1
            else:
                ok = False
                break
        if ok:
            pos = i
            yield start, i
            continue
        found = text.find(token.replace("_", " "), pos)
        if found < 0:
            found = text.find(token.split("_")[0], pos)
            if found < 0:
                continue
            pos = found + len(token.split("_")[0])
            yield found, pos
        else:
            pos = found + len(token)
            yield found, pos


_JOINERS = set("&/.-+'")


def _merge_abbreviations(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join pieces pyvi split apart that touch in the text: TT&TT, 23/3/2017, TP.HCM, 34-CT/TW.

    Only single syllables are joined, so "Hà Nội-Sài Gòn" stays two words.
    """
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged:
            pstart, pend = merged[-1]
            if (
                pend == start
                and (text[pend - 1] in _JOINERS or text[start] in _JOINERS)
                and not _has_space(text[pstart:end])
            ):
                merged[-1] = (pstart, end)
                continue
        merged.append((start, end))
    return merged


def _has_space(s: str) -> bool:
    return any(c.isspace() for c in s)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop punctuation at the edges of a token ("NHNN." -> "NHNN")."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


_WHITESPACE = re.compile(r"\s+")


def word_spans(text: str) -> list[Span]:
    """pyvi words, lowercased, syllables joined with ``_``, with offsets into ``text``.

    >>> [(s.text, s.start, s.end) for s in word_spans("Bộ TT&TT họp tại Hà Nội.")]
    [('bộ', 0, 2), ('tt&tt', 3, 8), ('họp', 9, 12), ('tại', 13, 16), ('hà_nội', 17, 23)]
    """
    nfc, starts = _nfc_with_map(text)
    canon = normalize(nfc)
    raw = list(_align(canon, _pyvi_tokens(canon)))
    spans = []
    for start, end in _merge_abbreviations(canon, raw):
        start, end = _trim(canon, start, end)
        if start >= end:
            continue
        term = _WHITESPACE.sub("_", canon[start:end].lower())
        spans.append(_new(Span, (term, starts[start], starts[end])))
    return spans


_new = tuple.__new__  # Span(...) through the named tuple's own __new__ costs twice as much


@lru_cache(maxsize=4)  # a text is indexed as syllables and as folded syllables in a row
def _syllable_spans(text: str) -> tuple[Span, ...]:
    if unicodedata.is_normalized("NFC", text):  # offsets are the text's own
        return tuple(_new(Span, (m.group().lower(), m.start(), m.end()))
                     for m in _SYLLABLE.finditer(normalize(text)))
    nfc, starts = _nfc_with_map(text)
    return tuple(
        _new(Span, (m.group().lower(), starts[m.start()], starts[m.end()]))
        for m in _SYLLABLE.finditer(normalize(nfc))
    )


def syllable_spans(text: str) -> list[Span]:
    """Runs of letters and digits, lowercased, with offsets into ``text``.

    >>> [(s.text, s.start, s.end) for s in syllable_spans("Hòa bình!")]
    [('hoà', 0, 3), ('bình', 4, 8)]
    """
    return list(_syllable_spans(text))


def folded_spans(text: str) -> list[Span]:
    """Syllables with accents removed: what a reader typing without accents writes."""
    return [_new(Span, (fold(syllable), start, end))
            for syllable, start, end in _syllable_spans(text)]


def words(text: str) -> list[str]:
    """The word terms of a text (documents and queries alike)."""
    return [s.text for s in word_spans(text)]


def syllables(text: str) -> list[str]:
    """The syllable terms of a text."""
    return [s.text for s in syllable_spans(text)]


def folded(text: str) -> list[str]:
    """The folded syllable terms of a text."""
    return [fold(s) for s in syllables(text)]


def has_accents(text: str) -> bool:
    """True when the text carries any Vietnamese diacritic or đ."""
    return fold(text) != text.lower()


# -- Whoosh glue --------------------------------------------------------------------------------


class SpanTokenizer(Tokenizer):
    """A Whoosh tokenizer over one of the span functions above.

    Follows the contract of ``whoosh.analysis.RegexTokenizer``: honours ``positions``,
    ``chars`` (offsets into the original value), ``start_pos``/``start_char`` and
    ``tokenize=False``, and reuses one Token.
    """

    def __init__(self, kind: str):
        if kind not in _KINDS:
            raise ValueError(f"unknown span kind {kind!r}")
        self.kind = kind

    def __eq__(self, other):
        return type(self) is type(other) and self.kind == other.kind

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        ahead = getattr(value, "spans", None)
        spans = ahead[self.kind] if ahead and self.kind in ahead else _KINDS[self.kind](value)
        for pos, (text, start, end) in enumerate(spans):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


_KINDS = {"words": word_spans, "syllables": syllable_spans, "folded": folded_spans}


def analyzer(kind: str) -> SpanTokenizer:
    """The Whoosh analyzer for ``words``, ``syllables`` or ``folded`` fields."""
    return SpanTokenizer(kind)

"""pyvi's word segmentation, with each syllable's CRF features built once.

``ViTokenizer.tokenize`` builds a syllable's features again for every neighbour that looks at
it, and passes features whose value is False: the CRF reads False as 0.0, which adds nothing to
any score. :func:`segment` builds them once per syllable and leaves the False ones out: the same
labels, hence the same words, in about half the time. Features and the joining of labels into
words follow pyvi 0.1.1 (pinned in requirements.txt) line by line; with a pyvi lacking the
internals used here, :func:`segment` calls ``ViTokenizer.tokenize`` instead.
"""

from __future__ import annotations

import string
from functools import lru_cache
from typing import Callable, Collection, NamedTuple


class Internals(NamedTuple):
    """What the fast path uses of pyvi's ``ViTokenizer`` class."""

    sylabelize: Callable[[str], tuple[str, list[str]]]
    bi_grams: Collection[str]
    tri_grams: Collection[str]
    tag: Callable[[list[dict]], list[str]]  # the CRF tagger behind ``model.predict``


def internals(module) -> Internals | None:
    """The internals of a ``pyvi.ViTokenizer`` module, or None when any of them is missing."""
    tokenizer = getattr(module, "ViTokenizer", None)
    if not all(hasattr(tokenizer, name) for name in ("sylabelize", "bi_grams", "tri_grams")):
        return None
    tagger = getattr(getattr(tokenizer, "model", None), "tagger_", None)
    if not hasattr(tagger, "tag"):
        return None
    return Internals(tokenizer.sylabelize, tokenizer.bi_grams, tokenizer.tri_grams, tagger.tag)


@lru_cache(maxsize=1)
def _pyvi():
    from pyvi import ViTokenizer  # imported lazily: loading the model takes a second

    return ViTokenizer, internals(ViTokenizer)


def segment(text: str) -> str:
    """The text as ``ViTokenizer.tokenize`` gives it: words split by spaces, syllables by ``_``.

    Not thread-safe: callers hold one lock around it, as around pyvi's tagger.
    """
    module, found = _pyvi()
    if found is None:
        return module.tokenize(text)
    return fast_tokenize(found, text)


def fast_tokenize(pyvi: Internals, text: str) -> str:
    """``ViTokenizer.tokenize`` with the features of :func:`features`."""
    _, syllables = pyvi.sylabelize(text)
    if not syllables:
        return text  # pyvi gives back the text as it came, not its NFC form
    labels = pyvi.tag(features(syllables, pyvi.bi_grams, pyvi.tri_grams))
    out = [syllables[0]]
    for i in range(1, len(labels)):
        before, syllable = syllables[i - 1], syllables[i]
        # pyvi's rules: "in string.punctuation" is a substring test ("..." is not, "=>" is)
        joined = (labels[i] == "I_W"
                  and syllable not in string.punctuation and before not in string.punctuation
                  and not syllable[0].isdigit() and not before[0].isdigit()
                  and not (syllable[0].istitle() and not before[0].istitle()))
        out.append("_" if joined else " ")
        out.append(syllable)
    return "".join(out)


def features(syllables: list[str], bi_grams: Collection[str],
             tri_grams: Collection[str]) -> list[dict]:
    """pyvi's ``sent2features`` without its False features, keys in pyvi's order.

    Lowercasing each syllable alone equals lowercasing the space-joined n-gram as pyvi does:
    the one context-dependent rule of ``str.lower`` (Greek final sigma) stops at a space.
    """
    lower = [s.lower() for s in syllables]
    upper = [s.isupper() for s in syllables]
    title = [s.istitle() for s in syllables]
    last = len(syllables) - 1
    # bi[i]: syllables i-1 and i are a dictionary word; tri[i]: syllables i-2 to i are
    bi = [False] + [f"{lower[i - 1]} {lower[i]}" in bi_grams for i in range(1, last + 1)]
    tri = [False, False] + [f"{lower[i - 2]} {lower[i - 1]} {lower[i]}" in tri_grams
                            for i in range(2, last + 1)]
    found = []
    for i, syllable in enumerate(syllables):
        f = {"bias": 1.0, "word.lower()": lower[i]}
        if upper[i]:
            f["word.isupper()"] = True
        if title[i]:
            f["word.istitle()"] = True
        if syllable.isdigit():
            f["word.isdigit()"] = True
        if i > 0:
            f["-1:word.lower()"] = lower[i - 1]
            if title[i - 1]:
                f["-1:word.istitle()"] = True
            if upper[i - 1]:
                f["-1:word.isupper()"] = True
            if bi[i]:
                f["-1:word.bi_gram()"] = True
            if i > 1 and tri[i]:
                f["-2:word.tri_gram()"] = True
        if i < last:
            f["+1:word.lower()"] = lower[i + 1]
            if title[i + 1]:
                f["+1:word.istitle()"] = True
            if upper[i + 1]:
                f["+1:word.isupper()"] = True
            if bi[i + 1]:
                f["+1:word.bi_gram()"] = True
            if i < last - 1 and tri[i + 2]:
                f["+2:word.tri_gram()"] = True
        found.append(f)
    return found

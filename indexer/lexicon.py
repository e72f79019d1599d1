"""The word lists of data/gazetteer/ and the lookups over them, and the words of a text with
their offsets: what ministries and persons are recognised with.

Staff extend the lists (family names, honorifics, titles, place words, places, countries,
organisations) without touching the code; lines starting with ``#`` are comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .analysis import fold, normalize

GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"
# Words, numbers and single punctuation marks: the tokens the lists are matched on.
TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")
RUN_WORDS = re.compile(r"[^ ]+")  # the words of a run of capitalised words


def _letter_class(upper: bool) -> str:
    """The upper- or lowercase letters below U+2000 (Latin, Greek, Cyrillic), for a regex class."""
    return "".join(c for c in map(chr, range(0x41, 0x2000))
                   if c.isalpha() and (c.isupper() if upper else c.islower()))


_UPPER, _LOWER = _letter_class(True), _letter_class(False)
# A capitalised word ("Thịnh", "Yo-jong" of "Kim Yo-jong") or an initial ("F." of "Robert F.
# Kennedy"); a run of two or more of them, separated by single spaces, may be a name.
_CAPITALISED = rf"[{_UPPER}][{_LOWER}]*(?:-[{_LOWER}]+)*"
_RUN_WORD = rf"(?:[{_UPPER}]\.(?= [{_UPPER}])|{_CAPITALISED})"
RUN = re.compile(rf"(?<![^\W_]){_CAPITALISED}(?: {_RUN_WORD})+(?![^\W_])")


def read_list(path: Path) -> list[str]:
    """The entries of a list file, one a line, without blank lines and comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


_VIETNAMESE_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)


def is_vietnamese_syllable(word: str) -> bool:
    """Whether a word can be one Vietnamese syllable ("Thịnh" can, "Robert", "Castex" cannot).

    >>> [is_vietnamese_syllable(w) for w in ("Nguyễn", "Khuất", "Robert", "Kennedy", "Jean")]
    [True, True, False, False, False]
    """
    return bool(_VIETNAMESE_SYLLABLE.fullmatch(fold(word)))


def is_capitalised(word: str) -> bool:
    """A word with a capital first letter and the rest in lower case ("Robert", not "NHNN")."""
    return word[:1].isupper() and word[1:] == word[1:].lower() and word[:1].isalpha()


class Phrases:
    """A word list as lowercase token sequences, looked up by their first and last word."""

    def __init__(self, phrases):
        self.entries = frozenset(p for p in phrases if p)
        self._by_first: dict[str, list[int]] = {}  # first word -> lengths, longest first
        self._by_last: dict[str, list[int]] = {}
        for entry in self.entries:
            self._by_first.setdefault(entry[0], []).append(len(entry))
            self._by_last.setdefault(entry[-1], []).append(len(entry))
        for index in (self._by_first, self._by_last):
            for sizes in index.values():
                sizes.sort(reverse=True)

    def __contains__(self, words: tuple[str, ...]) -> bool:
        return words in self.entries

    def __or__(self, other: Phrases) -> Phrases:
        return Phrases(self.entries | other.entries)

    def begins(self, word: str) -> bool:
        """Whether an entry begins with this word."""
        return word in self._by_first

    def ending_at(self, words: list[str], end: int) -> int:
        """Length of the longest entry that is ``words[end - length:end]``, or 0."""
        if end <= 0:
            return 0
        for size in self._by_last.get(words[end - 1], ()):
            if size <= end and tuple(words[end - size:end]) in self.entries:
                return size
        return 0

    def starting_at(self, words: list[str], start: int, stop: int | None = None) -> int:
        """Length of the longest entry that is ``words[start:start + length]`` within stop."""
        stop = len(words) if stop is None else stop
        for size in self._by_first.get(words[start], ()) if start < stop else ():
            if start + size <= stop and tuple(words[start:start + size]) in self.entries:
                return size
        return 0


def phrase_of(text: str) -> tuple[str, ...]:
    """A phrase as the lowercase tokens the lists are matched on."""
    return tuple(t.lower() for t in TOKEN.findall(normalize(text)))


@dataclass(frozen=True)
class Lexicon:
    """The word lists person extraction works from (data/gazetteer/*.list)."""

    family_names: frozenset[str]
    honorifics: Phrases
    titles: Phrases
    place_words: Phrases
    places: Phrases  # places and countries
    organisations: Phrases  # clubs, leagues and bodies named like persons
    administrative_units: Phrases


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The person lists of data/gazetteer, loaded once per process."""
    def phrases(name: str) -> Phrases:
        return Phrases(phrase_of(e) for e in read_list(GAZETTEER_DIR / name))

    return Lexicon(
        family_names=frozenset(map(normalize, read_list(GAZETTEER_DIR / "family-names.list"))),
        honorifics=phrases("honorifics.list"),
        titles=phrases("titles.list"),
        place_words=phrases("place-words.list"),
        places=phrases("places.list") | phrases("countries.list"),
        organisations=phrases("organisations.list"),
        # the officials of a unit are named right after the unit's name ("Chủ tịch UBND tỉnh Gia
        # Lai Võ Ngọc Thành")
        administrative_units=Phrases(map(phrase_of, (
            "tỉnh", "huyện", "xã", "quận", "phường", "thị xã", "thị trấn", "thành phố", "tp",
            "tp.", "bang", "tiểu bang"))),
    )


class Words:
    """Words of a text with their offsets, in the lists ``text``, ``low``, ``start``, ``end``."""

    def __init__(self, canon: str, text: list[str], start: list[int], end: list[int]):
        self.canon = canon
        self.text, self.start, self.end = text, start, end
        self.low = [t.lower() for t in text]

    @classmethod
    def of_run(cls, canon: str, run: re.Match) -> Words:
        """The words of a run; an initial ("F.") is the word F."""
        spans = [m.span() for m in RUN_WORDS.finditer(canon, run.start(), run.end())]
        return cls(canon, [canon[s:e].rstrip(".") for s, e in spans],
                   [s for s, _ in spans], [e for _, e in spans])

    @classmethod
    def before(cls, canon: str, position: int, chars: int) -> Words:
        """The tokens of the ``chars`` characters before ``position``, words and punctuation."""
        begin = max(0, position - chars)
        matches = list(TOKEN.finditer(canon, begin, position))
        if matches and begin and canon[begin - 1].isalnum():
            matches = matches[1:]  # a word cut in two by the window
        return cls(canon, [m.group() for m in matches], [m.start() for m in matches],
                   [m.end() for m in matches])

    @classmethod
    def after(cls, canon: str, position: int, chars: int) -> Words:
        """The tokens of the ``chars`` characters from ``position`` on."""
        end = min(len(canon), position + chars)
        matches = list(TOKEN.finditer(canon, position, end))
        if matches and end < len(canon) and canon[end].isalnum():
            matches = matches[:-1]  # a word cut in two by the window
        return cls(canon, [m.group() for m in matches], [m.start() for m in matches],
                   [m.end() for m in matches])

    def __len__(self) -> int:
        return len(self.text)

    def __add__(self, other: Words) -> Words:
        return Words(self.canon, self.text + other.text, self.start + other.start,
                      self.end + other.end)

    def head(self, count: int) -> Words:
        return Words(self.canon, self.text[:count], self.start[:count], self.end[:count])

    def gap(self, i: int) -> str:
        """What stands between word i and word i + 1."""
        return self.canon[self.end[i]:self.start[i + 1]]

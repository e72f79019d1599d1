"""Persons an article names, from the mentions of names in it (indexer.mentions).

A mention is a person's name when it starts with a Vietnamese family name and has three
syllables or more, or when, somewhere in the article, a title or an honorific introduces it;
a foreign name listed beside a person's is one too ("Mesut Özil, Arsène Wenger và Sir Alex
Ferguson"). It is not one when the text uses it as a place ("Trường THCS Chu Văn An"), when it
is a known place ("TP Hồ Chí Minh"), or when it is the byline. The word lists live in
data/gazetteer/ (indexer.lexicon), for staff to extend. pyvi's part-of-speech tags are not
used: these rules meet the gold set's targets, and tagging every article would by itself cost
about 30% of indexing time, over the 25% extraction may take.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from .analysis import fold, normalize
from .lexicon import Lexicon, is_vietnamese_syllable, lexicon
from .mentions import LIST_GLUE, Mention, MentionFinder

# Letters only Vietnamese writes: a name listed with them is no foreign person's ("Mẹ Sumo").
_VIETNAMESE_LETTERS = re.compile("[ăâđêôơư\u1ea0-\u1ef9]")
_NOT_FIRST_NAMES = {"the", "mr", "mrs", "ms", "miss", "fan"}  # "The Hobbit", "Miss Earth"
# Two spellings of one foreign name: "Aleksander Ceferin" and "Alexander Ceferin".
SPELLING_SIMILARITY = 0.8


def find_persons(text: str, author: str = "") -> list[str]:
    """Full names of the persons a text names, titles stripped, in order of first mention.

    Names come out as the text writes them; two spellings of one name (tone placement,
    Unicode form) count once, and a shorter form of a name found in full ("ông Tâm",
    "Trúc Lê" after "Nguyễn Trúc Lê") is the same person.
    """
    text = unicodedata.normalize("NFC", text)
    lex = lexicon()
    finder = MentionFinder(text, lex)
    written: dict[str, str] = {}
    accepted: set[str] = set()
    mentions = list(finder.mentions())  # all of them first: a later one may make a name a place
    for mention in mentions:
        written.setdefault(mention.key, mention.written)
        key_tokens = tuple(mention.key.split())
        long_name = mention.words >= 3
        if key_tokens in lex.places:
            # "Chủ tịch Hồ Chí Minh" is the person, "TP Hồ Chí Minh" the city, "Chủ tịch Hà Nội"
            # the mayor
            if mention.cue == "title" and mention.immediate and mention.family and long_name:
                accepted.add(mention.key)
        elif mention.cue and (mention.family or not all(map(is_vietnamese_syllable, key_tokens))):
            accepted.add(mention.key)  # "Thứ trưởng Phan Tâm", "ông Pierre Flamen"
        elif mention.cue == "title" and long_name and not _ends_with_place(key_tokens, lex):
            accepted.add(mention.key)  # "Chủ tịch Trung Quốc Tập Cận Bình"; not "Chủ tịch Hội An"
        elif (mention.family and long_name and not _ends_with_place(key_tokens, lex)
              and mention.key not in finder.places):
            accepted.add(mention.key)  # "Thào Xuân Sùng"; not "Hoàng Anh Gia Lai"
    _accept_listed(mentions, accepted, finder)
    author_key = " ".join(normalize(unicodedata.normalize("NFC", author)).lower().split())
    accepted.discard(author_key)
    names = [key for key in written if key in accepted]
    names = [key for i, key in enumerate(names)
             if not any(_other_spelling(key, earlier) for earlier in names[:i])]
    return [written[key] for key in names if not _shorter_form(key, names)]


def _accept_listed(mentions: list[Mention], accepted: set[str], finder: MentionFinder) -> None:
    """Foreign names listed beside a person are persons: "Mesut Özil, Arsène Wenger và Sir Alex
    Ferguson", "các cầu thủ Andre Herreira, James Milner"."""
    candidates = [m for m in mentions if m.key not in accepted and m.words <= 3
                  and not _VIETNAMESE_LETTERS.search(m.key) and m.key not in finder.places
                  and m.key.split()[0] not in _NOT_FIRST_NAMES
                  and tuple(m.key.split()) not in finder.lex.places
                  and not all(map(is_vietnamese_syllable, m.key.split()))]
    while candidates:
        runs = [m.run for m in mentions if m.key in accepted]
        listed = [m for m in candidates if any(
            LIST_GLUE.fullmatch(finder.canon[m.run[1]:start])
            or LIST_GLUE.fullmatch(finder.canon[end:m.run[0]]) for start, end in runs)]
        if not listed:
            return
        accepted.update(m.key for m in listed)
        candidates = [m for m in candidates if m.key not in accepted]


def _other_spelling(key: str, earlier: str) -> bool:
    """Whether a foreign name is another spelling of an earlier one: "Alexander Ceferin" of
    "Aleksander Ceferin", "Warren Buffet" of "Warren Buffett". Vietnamese names that differ by a
    letter are different persons."""
    words, others = key.split(), earlier.split()
    if len(words) != len(others) or words == others:
        return False
    if all(map(is_vietnamese_syllable, words)):
        return False
    return all(a[0] == b[0] and SequenceMatcher(None, fold(a), fold(b)).ratio()
               >= SPELLING_SIMILARITY for a, b in zip(words, others))


def _ends_with_place(words: tuple[str, ...], lex: Lexicon) -> bool:
    return any(words[-size:] in lex.places for size in range(2, len(words)))


def _shorter_form(key: str, keys: list[str]) -> bool:
    """"Ngọc Thịnh", "Bùi Cẩm" are shorter forms of "Đặng Thị Ngọc Thịnh", "Bùi Ngọc Cẩm"."""
    words = key.split()
    for other in keys:
        longer = other.split()
        if len(longer) <= len(words):
            continue
        if longer[-len(words):] == words:
            return True
        if len(words) == 2 and longer[0] == words[0] and longer[-1] == words[-1]:
            return True
    return False

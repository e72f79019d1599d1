"""Persons an article names, from runs of capitalised syllables.

A run is a person's name when it starts with a Vietnamese family name and has three syllables
or more, or when, somewhere in the article, a title or an honorific stands before it ("Thứ
trưởng Bộ TT&TT Phan Tâm", "ông Pierre Flamen") or a title after it ("Jamie Carragher, bình
luận viên"); it is not one after a word that makes it a place ("đường Lê Lợi", "trường THPT
Nguyễn Du"), when it is a known place ("TP Hồ Chí Minh"), or when it is the byline. The word
lists live in data/gazetteer/ (indexer.lexicon), for staff to extend. pyvi's part-of-speech
tags are not used: these rules meet the gold set's targets, and tagging every article would by
itself cost about 30% of indexing time, over the 25% extraction may take.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from .analysis import normalize
from .lexicon import TOKEN, Lexicon, is_capitalised, is_vietnamese_syllable, lexicon


def _letter_class(upper: bool) -> str:
    """The upper- or lowercase letters below U+2000 (Latin, Greek, Cyrillic), for a regex class."""
    return "".join(c for c in map(chr, range(0x41, 0x2000))
                   if c.isalpha() and (c.isupper() if upper else c.islower()))


_UPPER, _LOWER = _letter_class(True), _letter_class(False)
# A capitalised word ("Thịnh", "Yo-jong" of "Kim Yo-jong") or an initial ("F." of "Robert F.
# Kennedy"); a run of two or more of them, separated by single spaces, may be a name.
_CAPITALISED = rf"[{_UPPER}][{_LOWER}]*(?:-[{_LOWER}]+)*"
_RUN_WORD = rf"(?:[{_UPPER}]\.(?= [{_UPPER}])|{_CAPITALISED})"
_RUN = re.compile(rf"(?<![^\W_]){_CAPITALISED}(?: {_RUN_WORD})+(?![^\W_])")
_RUN_WORDS = re.compile(r"[^ ]+")
CONTEXT_CHARS = 160  # how far before a name its title is looked for

# Punctuation an organisation's name may contain between a title and a name ("Bộ TT&TT",
# "Bộ LĐ - TB & XH", "Sở GD-ĐT").
_PHRASE_PUNCTUATION = {"&", "-", "/"}
# Lowercase words that join the parts of an organisation's name.
_PHRASE_JOINERS = {"và"}
# Lowercase words that begin a clause, never part of an organisation's name: a title before them
# is not the title of the name after them ("chủ tịch của European Super League", "đại sứ đến từ
# Tel Aviv").
_CLAUSE_WORDS = set(
    """của là ở tại từ đến tới với cho về theo khi đã sẽ đang được bị có mang tên gặp thăm tiếp
    trong trên dưới sau trước cùng như thì mà nhưng vì do để nên nói hỏi gửi bằng""".split()
)
# Capitalised words that begin the name of an organisation or a document: what follows them
# in a run is that name ("Cục Thuế Bắc Ninh", "Sở Giao Thông"), and a name ends before them
# ("Nguyễn Văn An Bộ trưởng ...").
_ORGANISATION_HEADS = set(
    """bộ sở uỷ ủy ban cục tổng viện toà tòa đảng tỉnh khối phòng bệnh báo đài hãng quỹ vụ luật
    ubnd hđnd tand vksnd""".split()
)
# Capitalised words that start a sentence before a name ("Theo Nguyễn Văn An", "Sáng Phan Tâm").
_LEADING_WORDS = set("""sáng chiều tối trưa đêm ngày tháng theo tại trong khi sau trước với các
    những về""".split())
_NOT_GIVEN_NAMES = _ORGANISATION_HEADS | _LEADING_WORDS
# After a name, a title in apposition: "Ông Nguyễn Hưng - Tổng giám đốc", "Florentino Perez,
# chủ tịch CLB Real Madrid", "(nguyên Bộ trưởng ...)".
_APPOSITION = re.compile(r"\s*(?:,|-|\()\s*")
_TITLE_MODIFIERS = {"nguyên", "cựu", "tân", "phó", "quyền", "đương", "kim"}
# Honorifics that begin a new clause after a comma rather than describe the name before it.
_KINSHIP = {"ông", "bà", "anh", "chị", "em", "cháu", "bé", "cô", "chú", "bác", "cụ", "cậu", "bạn",
            "ngài", "đồng", "cố", "vua", "mẹ", "bố", "cha", "vợ", "chồng"}
# Words that end with an honorific's syllable but are no honorific ("tuyên bố" is "declare",
# not "father").
_COMPOUNDS = {tuple(w.split()) for w in (
    "tuyên bố", "công bố", "phân bố", "công cụ", "dụng cụ", "phản bác", "ghi chú", "chăm chú",
    "trẻ em", "anh em", "chị em", "ông bà", "đàn bà", "cha mẹ", "bố mẹ", "vợ chồng", "con cháu",
    "nhỏ bé", "anh chị", "cô chú", "chú bác")}
# Last words of the names of companies and clubs, never of persons.
_COMPANY_WORDS = set("""inc ltd corp corporation co company group holdings jsc plc llc gmbh ag bank
    fc cf united city""".split())
# The middle names of most Vietnamese women and many men: places are not named this way.
_MIDDLE_NAMES = {"Thị", "Văn"}
MAX_NAME = 4  # syllables of a name: "Nguyễn Ngọc Bảo Trân", "Robert F. Kennedy Jr."
MAX_PHRASE = 12  # words between a title and the name it introduces
_SUFFIXES = {"jr", "sr"}  # "Robert F. Kennedy Jr."


class _Mention(NamedTuple):
    key: str  # lowercase, one tone placement
    written: str  # as the text writes it
    words: int
    family: bool  # starts with a Vietnamese family name
    cue: str | None  # "title", "honorific" or None
    immediate: bool  # the title or honorific stands right before the name


class _Words:
    """Words of a text with their offsets, in the lists ``text``, ``low``, ``start``, ``end``."""

    def __init__(self, canon: str, text: list[str], start: list[int], end: list[int]):
        self.canon = canon
        self.text, self.start, self.end = text, start, end
        self.low = [t.lower() for t in text]

    @classmethod
    def of_run(cls, canon: str, run: re.Match) -> _Words:
        """The words of a run; an initial ("F.") is the word F."""
        spans = [m.span() for m in _RUN_WORDS.finditer(canon, run.start(), run.end())]
        return cls(canon, [canon[s:e].rstrip(".") for s, e in spans],
                   [s for s, _ in spans], [e for _, e in spans])

    @classmethod
    def before(cls, canon: str, position: int, chars: int) -> _Words:
        """The tokens of the ``chars`` characters before ``position``, words and punctuation."""
        begin = max(0, position - chars)
        matches = list(TOKEN.finditer(canon, begin, position))
        if matches and begin and canon[begin - 1].isalnum():
            matches = matches[1:]  # a word cut in two by the window
        return cls(canon, [m.group() for m in matches], [m.start() for m in matches],
                   [m.end() for m in matches])

    @classmethod
    def after(cls, canon: str, position: int, chars: int) -> _Words:
        """The tokens of the ``chars`` characters from ``position`` on."""
        end = min(len(canon), position + chars)
        matches = list(TOKEN.finditer(canon, position, end))
        if matches and end < len(canon) and canon[end].isalnum():
            matches = matches[:-1]  # a word cut in two by the window
        return cls(canon, [m.group() for m in matches], [m.start() for m in matches],
                   [m.end() for m in matches])

    def __len__(self) -> int:
        return len(self.text)

    def __add__(self, other: _Words) -> _Words:
        return _Words(self.canon, self.text + other.text, self.start + other.start,
                      self.end + other.end)

    def head(self, count: int) -> _Words:
        return _Words(self.canon, self.text[:count], self.start[:count], self.end[:count])

    def gap(self, i: int) -> str:
        """What stands between word i and word i + 1."""
        return self.canon[self.end[i]:self.start[i + 1]]


class _PersonFinder:
    """The mentions of persons in one text: its capitalised runs and the words before them."""

    def __init__(self, text: str, lex: Lexicon):
        self.text = text
        self.canon = normalize(text)  # same length as text: offsets carry over
        self.lex = lex

    def mentions(self):
        for run in _RUN.finditer(self.canon):
            mention = self._mention(_Words.of_run(self.canon, run))
            if mention:
                yield mention

    def _mention(self, words: _Words) -> _Mention | None:
        """The name a run holds, if any, and what stands around it."""
        after = self.canon[words.end[-1]:words.end[-1] + 2]
        if after[:1] == "." and after[1:].isalpha():
            return None  # the run goes on as one token: "Saigon Co.op", "Dân Trí.vn"
        context = _Words.before(self.canon, words.start[0], CONTEXT_CHARS)
        start = self._name_start(words, context)
        if start is None:
            return None
        family = words.text[start] in self.lex.family_names
        whole_place = self.lex.places.starting_at(words.low, start) == len(words) - start
        if not whole_place and (not family or len(words) - start > MAX_NAME):
            # "Đắk Lắk Nguyễn Văn A": an unlisted place before the name
            split = self._family_split(words, start, prefer=2)
            if split is not None:
                start, family = split, True
        stop = self._name_end(words, start)
        if stop is None:
            return None
        cue, immediate = self._cue(context + words.head(start))
        if cue and not family and self.canon[words.end[stop - 1]:].startswith(")"):
            cue = None  # "(Phó chủ tịch Man Utd)": the title of someone at an organisation
        if cue is None and stop == len(words) and self._title_after(words.end[-1]):
            cue = "title"  # "Jamie Carragher, bình luận viên của kênh Sky Sport"
        end_char = words.end[stop - 1]
        if words.low[stop - 1] in _SUFFIXES and self.canon[end_char:end_char + 1] == ".":
            end_char += 1
        first_char = words.start[start]
        written = " ".join(self.text[first_char:end_char].split())
        key = " ".join(self.canon[first_char:end_char].lower().split())
        return _Mention(key, written, stop - start, family, cue, immediate)

    def _name_start(self, words: _Words, context: _Words) -> int | None:
        """The first word of the name in a run, or None when the run names a place or a body."""
        lex, low, n = self.lex, words.low, len(words)
        start = 0
        place_before = False
        if lex.places.ending_at(context.low + low[:1], len(context) + 1) > 1:
            # the run begins inside a place's name: "Uỷ ban châu Âu Ursula von der Leyen"
            if n < 3:
                return None
            start, place_before = 1, True
        # what the run begins with that is not the name: "Ông", "Theo", "Hà Nội", "Mỹ" ("Tổng
        # thống Mỹ Joe Biden"), as long as two words are left for a name
        while start < n - 1:
            if low[start] in _ORGANISATION_HEADS:
                return None
            if low[start] in _LEADING_WORDS:
                start += 1
                continue
            size = lex.places.starting_at(low, start, n)
            if size and n - start - size == 1:
                return None  # "Tổng thống Mỹ Trump": a country and one word
            if size and n - start - size >= 2:
                start += size
                place_before = True
                continue
            size = lex.honorifics.starting_at(low, start, n)
            if size and n - start - size >= 2:
                start += size
                continue
            break
        if not place_before and self._after_place_word(context, len(context)):
            # "đường Lê Lợi": a place, unless an official follows the name of a unit
            # ("UBND tỉnh Gia Lai Võ Ngọc Thành", "Phó Chủ tịch UBND tỉnh Vi Thị Lan")
            if not lex.administrative_units.ending_at(context.low, len(context)):
                return None
            split = self._family_split(words, start, prefer=2)
            if split is None and not self._full_vietnamese_name(words, start):
                return None
            start = start if split is None else split
        # "Trường Đại học", "Đường Lê Lợi": a place word, unless it is a family name before a
        # given name ("Hồ Chí Minh")
        if (low[start],) in lex.place_words and (
                words.text[start] not in lex.family_names
                or (start + 1 < n and words.text[start + 1] in lex.family_names)):
            return None
        return start

    def _name_end(self, words: _Words, start: int) -> int | None:
        """The end of the name that begins at ``start``, or None when it is no name."""
        stop = start + 1
        while stop < min(len(words), start + MAX_NAME):
            if words.low[stop] in _NOT_GIVEN_NAMES or self._title_starts(words, stop):
                break  # "Hồ Chủ tịch", "Nguyễn Văn A Bộ trưởng"
            stop += 1
        last = words.text[stop - 1]
        if stop - start < 2 or len(words.text[start]) < 2 or len(last) < 2:
            return None  # one syllable ("ông Tư"), an initial ("Nguyễn Văn H.", "P. Hải Châu")
        if last in _MIDDLE_NAMES:
            return None  # a name cut short: "Nguyễn Thị" of "Nguyễn Thị Quyết Tâm"
        if last.lower() in _COMPANY_WORDS:
            return None  # "Semiconductor Manufacturing Inc", "Man City"
        return stop

    def _title_after(self, end: int) -> bool:
        """A title or a role in apposition after a name: "Nguyễn Hưng - Tổng giám đốc TPBank"."""
        glue = _APPOSITION.match(self.canon, end)
        if not glue:
            return False
        after = _Words.after(self.canon, glue.end(), CONTEXT_CHARS // 2)
        i = 0
        while i < len(after) and after.low[i] in _TITLE_MODIFIERS:
            i += 1
        if i == len(after) or after.low[i] in _KINSHIP:
            return False  # "Tại Lâm Thao, ông ...": a new clause, not an apposition
        size = self.lex.titles.starting_at(after.low, i) or self.lex.honorifics.starting_at(
            after.low, i)
        if not size:
            return False
        if glue.group().strip() == "(":
            return True  # "Ed Woodward (Phó chủ tịch Man Utd)"
        following = i + size
        while following < len(after) and (after.text[following] == "." or (
                (after.low[following],) in self.lex.honorifics)):
            following += 1  # "GS.TSKH. Nguyễn Ngọc Lung"
        # "Real Madrid, chủ tịch Florentino Perez": the title is the next name's
        return not (following < len(after) and is_capitalised(after.text[following])
                    and after.low[following] not in _ORGANISATION_HEADS)

    def _full_vietnamese_name(self, words: _Words, start: int) -> bool:
        """A family name, then "Thị" or "Văn", then a given name: "Vi Thị Lan"."""
        return (len(words) - start >= 3 and words.text[start] in self.lex.family_names
                and words.text[start + 1] in _MIDDLE_NAMES)

    def _title_starts(self, words: _Words, i: int) -> bool:
        """A title of two words or more begins at run word i ("Chủ" of "Hồ Chủ tịch")."""
        if not self.lex.titles.begins(words.low[i]):
            return False
        following = words.low[i:] + [t.lower() for t in TOKEN.findall(
            self.canon, words.end[-1], words.end[-1] + 30)]
        return self.lex.titles.starting_at(following, 0) > 1

    def _after_place_word(self, context: _Words, end: int, address: bool = True) -> bool:
        """Whether the words before ``end`` make what follows a place or an institution."""
        if end == 0:
            return False
        if address and context.text[end - 1].isdigit():
            return True  # an address: "số 5 Trần Thánh Tông", "128 Hai Bà Trưng"
        return bool(self.lex.place_words.ending_at(context.low, end))

    def _family_split(self, words: _Words, start: int, prefer: int) -> int | None:
        """Where a name of two to four syllables, starting with a family name, ends the run."""
        n = len(words)
        splits = [s for s in range(start + 1, n - 1)
                  if words.text[s] in self.lex.family_names and 2 <= n - s <= MAX_NAME]
        preferred = [s for s in splits if s - start >= prefer]
        return (preferred or splits or [None])[0]

    def _cue(self, context: _Words) -> tuple[str | None, bool]:
        """A title or honorific at the end of the context, or before an organisation's name."""
        lex = self.lex
        p = len(context)  # the words before p are examined
        words = 0
        lowercase_run = 0
        while p > 0 and words <= MAX_PHRASE:
            size = lex.titles.ending_at(context.low, p)
            if size:
                if self._after_place_word(context, p - size, address=False):
                    return None, False  # "tượng đài Chủ tịch Hồ Chí Minh"
                return "title", words == 0
            if words == 0 and lex.honorifics.ending_at(context.low, p):
                if tuple(context.low[max(0, p - 2):p]) in _COMPOUNDS:
                    break  # "tuyên bố European Super League" is not "bố European ..."
                return "honorific", True
            token = context.text[p - 1]
            if p > 1 and "\n" in context.gap(p - 2):
                break
            if token == ")" and p > 2 and context.text[p - 3] == "(" and (
                    context.text[p - 2].isupper()):
                p -= 3  # an abbreviation in brackets: "Giám đốc Điều hành (GĐĐH) Richard Masters"
                continue
            if token.isdigit():
                break
            if not token[0].isalnum():
                abbreviation = token == "." and p > 1 and context.text[p - 2].isupper()
                if token not in _PHRASE_PUNCTUATION and not abbreviation:  # "TP. HCM"
                    break
            elif token.islower() and token not in _PHRASE_JOINERS:
                if token in _CLAUSE_WORDS:
                    break
                lowercase_run += 1
                if lowercase_run > 2:
                    break  # a clause, not a name: "... cùng đoàn công tác đến thăm"
            else:
                lowercase_run = 0
            words += 1
            p -= 1
        return None, False


def find_persons(text: str, author: str = "") -> list[str]:
    """Full names of the persons a text names, titles stripped, in order of first mention.

    Names come out as the text writes them; two spellings of one name (tone placement,
    Unicode form) count once, and a shorter form of a name found in full ("ông Tâm",
    "Trúc Lê" after "Nguyễn Trúc Lê") is the same person.
    """
    text = unicodedata.normalize("NFC", text)
    lex = lexicon()
    finder = _PersonFinder(text, lex)
    written: dict[str, str] = {}
    accepted: set[str] = set()
    for mention in finder.mentions():
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
        elif mention.family and long_name and not _ends_with_place(key_tokens, lex):
            accepted.add(mention.key)  # "Thào Xuân Sùng"; not "Hoàng Anh Gia Lai"
    author_key = " ".join(normalize(unicodedata.normalize("NFC", author)).lower().split())
    accepted.discard(author_key)
    names = [key for key in written if key in accepted]
    return [written[key] for key in names if not _shorter_form(key, names)]


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

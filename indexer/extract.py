"""Extract stage: the ministries and persons an article names.

Ministries come from the gazetteer ``data/gazetteer/ministries.json``: full names, abbreviations,
spelling variants and titles ("Bộ trưởng Y tế"), minus foreign ministries ("Bộ Ngoại giao Mỹ").

Persons come from runs of capitalised syllables. A run is a person's name when it starts with a
Vietnamese family name and has three syllables or more, or when, somewhere in the article, a
title or an honorific stands before it ("Thứ trưởng Bộ TT&TT Phan Tâm", "ông Pierre Flamen") or
a title after it ("Jamie Carragher, bình luận viên"); it is not one after a word that makes it a
place ("đường Lê Lợi", "trường THPT Nguyễn Du"), when it is a known place ("TP Hồ Chí Minh"), or
when it is the byline. The word lists live in data/gazetteer/, for staff to extend. pyvi's
part-of-speech tags are not used: these rules meet the gold set's targets, and tagging every
article would by itself cost about 30% of indexing time, over the 25% extraction may take.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .analysis import fold, normalize
from .article import Article

GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"


def _read_list(path: Path) -> list[str]:
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


# -- ministries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ministry:
    """One entry of the gazetteer."""

    name: str
    aliases: tuple[str, ...]
    domain: tuple[str, ...]
    since: str | None
    until: str | None
    successors: tuple[str, ...]
    kind: str


# The words that introduce a minister's ministry ("Bộ trưởng Bộ Y tế", "Thứ trưởng Y tế").
_MINISTER = r"(?:bộ|thứ)\s+trưởng"
# Heads that may be written in lower case before a capitalised name ("bộ Công an", "thanh tra
# Chính phủ"). "ngân hàng Nhà nước" is not among them: lower case, it means any state bank.
_LOWERCASE_HEADS = ("bộ", "thanh tra", "văn phòng")
# Between the parts of a name: "Thông tin và Truyền thông", "Thông tin - Truyền thông",
# "Thông tin Truyền thông", "LĐ-TB&XH", "LĐ - TB & XH", "LĐTBXH" are the same name.
_SEPARATOR = re.compile(r"\s*(?:[-&,]|\bvà\b)\s*|\s+")
_ABBREVIATION = re.compile(r"[A-ZĐ]{2,}")
# An elliptical list after a ministry: "Bộ Công Thương, Tài chính và Ngân hàng Nhà nước".
_LIST_GLUE = re.compile(r"\s*,\s*|\s+và\s+")
# "Bộ Y tế, Công an tỉnh": the police of a province, not a second ministry
_LOCAL = re.compile(r"\s+(?:tỉnh|thành phố|tp|huyện|quận|thị xã|xã|phường)(?!\w)", re.IGNORECASE)


class Gazetteer:
    """The ministries of the gazetteer file and a matcher over all their written forms."""

    def __init__(self, path: Path, countries_path: Path):
        data = json.loads(path.read_text(encoding="utf-8"))
        self.ministries = [
            Ministry(
                name=m["name"],
                aliases=tuple(m.get("aliases", ())),
                domain=tuple(m.get("domain", ())),
                since=m.get("since"),
                until=m.get("until"),
                successors=tuple(m.get("successors", ())),
                kind=m.get("kind", "ministry"),
            )
            for m in data["ministries"]
        ]
        self.by_name = {m.name: m for m in self.ministries}
        names: dict[str, str] = {}  # key of a full written form -> canonical name
        domains: dict[str, str] = {}  # key of what follows "Bộ trưởng"/"Bộ" -> canonical name
        exact: dict[str, str] = {}  # abbreviations standing alone (NHNN) must keep their case
        for m in self.ministries:
            for form in (m.name, *m.aliases):
                names[_key(form)] = m.name
                head, _, rest = normalize(form).partition(" ")
                if head.lower() == "bộ" and rest:
                    domains[_key(rest)] = m.name
                if _is_abbreviation(form):
                    exact[_key(form)] = _squash(normalize(form))
            for form in m.domain:
                domains[_key(form)] = m.name
        self._names, self._domains, self._exact = names, domains, exact
        name_forms = _alternation({normalize(f) for f in self._all_forms()})
        domain_forms = _alternation(
            {normalize(f) for m in self.ministries for f in m.domain}
            | {normalize(f).partition(" ")[2] for m in self.ministries
               for f in (m.name, *m.aliases) if f.lower().startswith("bộ ")}
        )
        self._pattern = re.compile(
            rf"(?P<title>{_MINISTER}\s+(?:bộ\s+)?)(?P<domain>{domain_forms})(?!\w)"
            rf"|(?P<name>{name_forms})(?!\w)",
            re.IGNORECASE,
        )
        self._list_item = re.compile(
            rf"(?:bộ\s+)?(?P<domain>{domain_forms})(?!\w)|(?P<name>{name_forms})(?!\w)",
            re.IGNORECASE,
        )
        # every form starts with one of these words: matching is only tried where one stands
        starts = {normalize(f).split()[0].lower() for f in self._all_forms()} | {"bộ", "thứ"}
        self._anchor = re.compile(
            r"(?<!\w)(?:" + "|".join(sorted(map(re.escape, starts), key=len, reverse=True))
            + r")(?!\w)",
            re.IGNORECASE,
        )
        countries = sorted({normalize(c) for c in _read_list(countries_path)},
                           key=len, reverse=True)
        self._foreign = re.compile(
            r"\s*(?:của\s+|tại\s+|ở\s+)?(?i:liên\s+bang\s+)?(?:"
            + "|".join(map(re.escape, countries)) + r")(?!\w)"
        )
        self._following_name = re.compile(r"\s+([^\W\d_]+)")

    def _all_forms(self):
        for m in self.ministries:
            yield from (m.name, *m.aliases)

    def find(self, text: str) -> list[str]:
        """Canonical names of the ministries a text names, in order of first mention."""
        text = normalize(text)
        found: list[str] = []
        pos = 0
        for anchor in self._anchor.finditer(text):
            if anchor.start() < pos:
                continue
            match = self._pattern.match(text, anchor.start())
            if not match:
                continue
            pos = match.end()
            name = self._ministry(match)
            if name is None or self._is_foreign(text, match):
                continue
            names = [name]
            # "Bộ Công Thương, Tài chính và Ngân hàng Nhà nước": each item names a ministry
            while True:
                glue = _LIST_GLUE.match(text, pos)
                item = glue and self._list_item.match(text, glue.end())
                listed = item and self._listed(item)
                if not listed or self._is_foreign(text, item) or _LOCAL.match(text, item.end()):
                    break
                names.append(listed)
                pos = item.end()
            found.extend(n for n in names if n not in found)
        return found

    def _ministry(self, match: re.Match) -> str | None:
        """The canonical name a match stands for, if it is written as a ministry is."""
        if match["title"] is not None:
            domain = match["domain"]
            if not domain[:1].isupper():  # "bộ trưởng y tế" is not written of a ministry
                return None
            return self._domains.get(_key(domain))
        written = match["name"]
        key = _key(written)
        if key in self._exact:
            return self._names[key] if _squash(written) == self._exact[key] else None
        lowered = written.lower()
        for head in _LOWERCASE_HEADS:
            # "bộ Công an" is a ministry, "cán bộ tài chính" is a finance officer
            if lowered.startswith(head + " "):
                rest = written[len(head):].lstrip()
                return self._names.get(key) if rest[:1].isupper() else None
        return self._names.get(key) if written[:1].isupper() else None

    def _listed(self, item: re.Match) -> str | None:
        if item["domain"] is not None:
            domain = item["domain"]
            return self._domains.get(_key(domain)) if domain[:1].isupper() else None
        written = item["name"]
        key = _key(written)
        if key in self._exact and _squash(written) != self._exact[key]:
            return None
        return self._names.get(key) if written[:1].isupper() else None

    def _is_foreign(self, text: str, match: re.Match) -> bool:
        """A ministry of another country: "Bộ Ngoại giao Mỹ", "Bộ trưởng Y tế Robert F. Kennedy"."""
        if self._foreign.match(text, match.end()):
            return True
        # a person named right after it ("Bộ trưởng Y tế Robert F. Kennedy Jr.", "phát ngôn viên
        # Bộ Quốc phòng Jens Flosdorff"): Vietnamese officials have Vietnamese names
        following = self._following_name.match(text, match.end())
        if following and _is_capitalised(following[1]):
            return not is_vietnamese_syllable(following[1])
        return False

    def with_predecessors(self, name: str) -> list[str]:
        """A ministry and every ministry merged into it, for "include predecessors" filters."""
        result = [name]
        for m in self.ministries:
            if name in m.successors and m.name not in result:
                result.extend(n for n in self.with_predecessors(m.name) if n not in result)
        return result


def _key(form: str) -> str:
    """One key for every spelling of a name: case, separators and "và" do not count."""
    return _SEPARATOR.sub("", normalize(form)).lower()


def _squash(form: str) -> str:
    return re.sub(r"\s+", "", form)


def _is_abbreviation(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _form_regex(form: str) -> str:
    """A written form as a regex that accepts every separator between its parts."""
    parts = [p for p in _SEPARATOR.split(form) if p]
    out = re.escape(parts[0])
    for before, after in zip(parts, parts[1:]):
        glued = _ABBREVIATION.fullmatch(before) and _ABBREVIATION.fullmatch(after)
        # abbreviations may also be written together: "TT&TT", "TTTT"
        out += (r"(?:\s*[-&,]\s*|\s+và\s+|\s*)" if glued else r"(?:\s*[-&,]\s*|\s+và\s+|\s+)")
        out += re.escape(after)
    return out


def _alternation(forms: set[str]) -> str:
    """Longest forms first, so "Bộ Giao thông vận tải" wins over "Bộ Giao thông"."""
    regexes = {_form_regex(f) for f in forms if f}
    return "|".join(sorted(regexes, key=len, reverse=True))


# -- persons -----------------------------------------------------------------------------------


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
_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")
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
# A byline: the author's name alone on the last line ("Xuân Lộc", "H.Long", "Q. S.").
_BYLINE = re.compile(r"(?:[^\W\d_]+\.?\s?){1,5}")
_AUTHOR = re.compile(r"[^\W\d_]+(?: [^\W\d_]+){1,4}")
_CREDIT = re.compile(r"(?:theo|nguồn|ảnh)\b", re.IGNORECASE)  # "Theo Sputnik" names a source


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
    return tuple(t.lower() for t in _TOKEN.findall(normalize(text)))


@dataclass(frozen=True)
class Lexicon:
    """The word lists person extraction works from (data/gazetteer/*.list)."""

    family_names: frozenset[str]
    honorifics: Phrases
    titles: Phrases
    place_words: Phrases
    places: Phrases  # places and countries
    administrative_units: Phrases


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The person lists of data/gazetteer, loaded once per process."""
    def phrases(name: str) -> Phrases:
        return Phrases(phrase_of(e) for e in _read_list(GAZETTEER_DIR / name))

    return Lexicon(
        family_names=frozenset(map(normalize, _read_list(GAZETTEER_DIR / "family-names.list"))),
        honorifics=phrases("honorifics.list"),
        titles=phrases("titles.list"),
        place_words=phrases("place-words.list"),
        places=phrases("places.list") | phrases("countries.list"),
        # the officials of a unit are named right after the unit's name ("Chủ tịch UBND tỉnh Gia
        # Lai Võ Ngọc Thành")
        administrative_units=Phrases(map(phrase_of, (
            "tỉnh", "huyện", "xã", "quận", "phường", "thị xã", "thị trấn", "thành phố", "tp",
            "tp.", "bang", "tiểu bang"))),
    )


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and word[1:] == word[1:].lower() and word[:1].isalpha()


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
        matches = list(_TOKEN.finditer(canon, begin, position))
        if matches and begin and canon[begin - 1].isalnum():
            matches = matches[1:]  # a word cut in two by the window
        return cls(canon, [m.group() for m in matches], [m.start() for m in matches],
                   [m.end() for m in matches])

    @classmethod
    def after(cls, canon: str, position: int, chars: int) -> _Words:
        """The tokens of the ``chars`` characters from ``position`` on."""
        end = min(len(canon), position + chars)
        matches = list(_TOKEN.finditer(canon, position, end))
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
        return not (following < len(after) and _is_capitalised(after.text[following])
                    and after.low[following] not in _ORGANISATION_HEADS)

    def _full_vietnamese_name(self, words: _Words, start: int) -> bool:
        """A family name, then "Thị" or "Văn", then a given name: "Vi Thị Lan"."""
        return (len(words) - start >= 3 and words.text[start] in self.lex.family_names
                and words.text[start + 1] in _MIDDLE_NAMES)

    def _title_starts(self, words: _Words, i: int) -> bool:
        """A title of two words or more begins at run word i ("Chủ" of "Hồ Chủ tịch")."""
        if not self.lex.titles.begins(words.low[i]):
            return False
        following = words.low[i:] + [t.lower() for t in _TOKEN.findall(
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


def byline(body: str) -> str:
    """The author's name when the body's last line is nothing else ("Nhật Hồng"), else ""."""
    rest, _, last = body.strip().rpartition("\n")
    last = last.strip()
    if not rest or not last or len(last) > 40 or not _BYLINE.fullmatch(last):
        return ""
    if not all(word[:1].isupper() for word in re.findall(r"[^\W\d_]+", last)):
        return ""
    return last


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer of data/, loaded once per process."""
    return Gazetteer(GAZETTEER_DIR / "ministries.json", GAZETTEER_DIR / "countries.list")


def extract(article: Article) -> Article:
    """Fill in the article's ministries and persons from its title, summary, body and captions.

    A byline left at the end of the body (JSON sources) is no person; it becomes the article's
    author when the source gave none.
    """
    body = article.body
    signed = byline(body)
    if signed:
        body = body.rstrip()[: -len(signed)]
        if not article.author and _AUTHOR.fullmatch(signed) and not _CREDIT.match(signed):
            article.author = signed
    text = "\n".join([article.title, article.summary, body, *article.captions])
    article.ministries = gazetteer().find(text)
    article.persons = find_persons(text, article.author or signed)
    return article

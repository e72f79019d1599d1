"""Where names stand in a text and what stands around them: the mentions person extraction
decides on (indexer.persons).

A mention is a run of capitalised words with what makes it a name or not: the titles and
honorifics before it ("Thứ trưởng Bộ TT&TT Phan Tâm", "ông Pierre Flamen") or a title after it
("Jamie Carragher, bình luận viên"), the places and organisations it starts with ("Tổng thống
Mỹ Joe Biden", "Phó chủ tịch Man Utd Ed Woodward"), the place words before it ("đường Lê Lợi",
"trường THPT Nguyễn Du"). A finder also notes the names the text uses as places.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .analysis import fold, normalize
from .lexicon import RUN, TOKEN, Lexicon, Words, is_capitalised

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
    những về ngoài nếu""".split())
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
    fc cf united city utd league cup limited band online restaurant""".split())
# The middle names of most Vietnamese women and many men: places are not named this way.
_MIDDLE_NAMES = {"Thị", "Văn"}
MAX_NAME = 4  # syllables of a name: "Nguyễn Ngọc Bảo Trân", "Robert F. Kennedy Jr."
MAX_PHRASE = 12  # words between a title and the name it introduces
_SUFFIXES = {"jr", "sr"}  # "Robert F. Kennedy Jr."
_VOWEL = re.compile(r"[aeiouy]")
# The chambers of a parliament end with "viện" like an institute, but their officials are persons:
# "Chủ tịch Hạ viện Nancy Pelosi" (not "Viện Pasteur").
_CHAMBERS = {("hạ", "viện"), ("thượng", "viện")}
# After a name, the district of a school or an institution: "Chu Văn An (quận Tây Hồ)".
_LOCATED = re.compile(r"\s*\((?:quận|huyện|tỉnh|thành phố|tp\.?|thị xã|xã|phường)\s", re.IGNORECASE)
# Between the items of a list: "Chu Văn An, Cầu Giấy, Nghĩa Tân".
LIST_GLUE = re.compile(r"\s*,\s*|\s+và\s+")
# The place words of places and institutions named after persons: a name the text writes after
# one of them ("Trường THCS Chu Văn An") is that place all through the text unless a title or an
# honorific introduces it. Not "ảnh" (a photo credit), "trung tâm" ("tiền vệ trung tâm" is a
# midfielder) and the other words of place-words.list that also make a name no person.
_NAMED_AFTER = {tuple(w.split()) for w in (
    "đường", "phố", "đại lộ", "quốc lộ", "ngõ", "hẻm", "xã", "phường", "thị trấn", "quận",
    "huyện", "trường", "thpt", "thcs", "tiểu học", "mầm non", "đại học", "đh", "học viện",
    "bệnh viện", "bv", "bảo tàng", "công viên", "quảng trường", "tượng đài", "sân bay",
    "sân vận động", "thư viện", "nhà văn hóa", "nhà văn hoá")}
# Words that end like one of them and are no place: "thị trường" (market), "môi trường".
_NOT_NAMED_AFTER = {tuple(w.split()) for w in (
    "thị trường", "môi trường", "chiến trường", "hiện trường", "lập trường", "ra trường",
    "hợp tác xã", "xã hội", "tiểu đường")}


class Mention(NamedTuple):
    """One run of capitalised words read as a name, and what stands around it."""

    key: str  # lowercase, one tone placement
    written: str  # as the text writes it
    words: int
    family: bool  # starts with a Vietnamese family name
    cue: str | None  # "title", "honorific" or None
    immediate: bool  # the title or honorific stands right before the name
    run: tuple[int, int]  # where the run of capitalised words stands in the text


class MentionFinder:
    """The mentions of names in one text: its capitalised runs and the words around them."""

    def __init__(self, text: str, lex: Lexicon):
        self.text = text
        self.canon = normalize(text)  # same length as text: offsets carry over
        self.lex = lex
        # keys of names the text also uses as a place or an institution ("Trường THCS Chu Văn
        # An", "Chu Văn An (quận Tây Hồ)"): without a title or honorific they are no person
        self.places: set[str] = set()

    def mentions(self):
        for run in RUN.finditer(self.canon):
            mention = self._mention(Words.of_run(self.canon, run))
            if mention:
                yield mention

    def _mention(self, words: Words) -> Mention | None:
        """The name a run holds, if any, and what stands around it."""
        after = self.canon[words.end[-1]:words.end[-1] + 2]
        if after[:1] == "." and after[1:].isalpha():
            return None  # the run goes on as one token: "Saigon Co.op", "Dân Trí.vn"
        context = Words.before(self.canon, words.start[0], CONTEXT_CHARS)
        start = self._name_start(words, context)
        if start is None:
            return None
        if self._located(words, start, context):
            self.places.add(" ".join(words.low[start:]))
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
        return Mention(key, written, stop - start, family, cue, immediate,
                        (words.start[0], words.end[-1]))

    def _name_start(self, words: Words, context: Words) -> int | None:
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
            size = lex.organisations.starting_at(low, start, n)
            if size:
                if n - start - size < 2:
                    return None  # "Real Madrid", "Man Utd", "European Super League"
                start += size  # "Phó chủ tịch Man Utd Ed Woodward": the club's official
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
                self._named_after(context.low, low[start:])
                return None
            split = self._family_split(words, start, prefer=2)
            if split is None and not (self._full_vietnamese_name(words, start)
                                      or self._council_official(words, start, context)):
                return None
            start = start if split is None else split
        # "Trường Đại học", "Đường Lê Lợi": a place word, unless it is a family name before a
        # given name ("Hồ Chí Minh")
        if (low[start],) in lex.place_words and (
                words.text[start] not in lex.family_names
                or (start + 1 < n and words.text[start + 1] in lex.family_names)):
            self._named_after(low[:start + 1], low[start + 1:])
            return None
        return start

    def _named_after(self, before: list[str], name: list[str]) -> None:
        """Note a name written after the place word of a place named after a person."""
        ending = tuple(before[-3:])
        if any(ending[len(ending) - len(w):] == w for w in _NAMED_AFTER) and not any(
                ending[len(ending) - len(w):] == w for w in _NOT_NAMED_AFTER):
            self.places.add(" ".join(name))

    def _name_end(self, words: Words, start: int) -> int | None:
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
        end = words.end[stop - 1]
        if (self.canon[end:end + 1] == "." and not _VOWEL.search(fold(last))
                and last.lower() not in _SUFFIXES):
            return None  # a name cut short to hide it: "Lê Quốc Th." (no vowel: no syllable)
        return stop

    def _title_after(self, end: int) -> bool:
        """A title or a role in apposition after a name: "Nguyễn Hưng - Tổng giám đốc TPBank"."""
        glue = _APPOSITION.match(self.canon, end)
        if not glue:
            return False
        after = Words.after(self.canon, glue.end(), CONTEXT_CHARS // 2)
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

    def _council_official(self, words: Words, start: int, context: Words) -> bool:
        """A full name right after the province or city of a people's committee or council:
        "Chủ tịch Ủy ban nhân dân tỉnh Phạm Thiện Nghĩa". Wards and communes are often named
        after persons ("UBND phường Lê Hồng Phong"), provinces and cities not."""
        lex = self.lex
        unit = lex.administrative_units.ending_at(context.low, len(context))
        before = context.low[max(0, len(context) - unit - 2):len(context) - unit]
        council = bool(before) and (before[-1] in ("ubnd", "hđnd") or before == ["nhân", "dân"])
        council = council and context.low[-unit:] in (["tỉnh"], ["thành", "phố"], ["tp"])
        return (council and len(words) - start >= 3 and words.text[start] in lex.family_names
                and not lex.places.starting_at(words.low, start))

    def _located(self, words: Words, start: int, context: Words) -> bool:
        """Whether the run is written as a school or an institution is: followed by its district
        ("Chu Văn An (quận Tây Hồ)"), or in a list beside places ("Chu Văn An, Cầu Giấy")."""
        end = words.end[-1]
        # after another item: "Trưng Vương, Ngô Sĩ Liên", "cơ sở: Chu Văn An"; not a clause
        # ("Đầu tháng 9, Phạm Trọng Nghĩa")
        listed_before = len(context) > 1 and (context.text[-1] in (";", ":") or (
            context.text[-1] == "," and context.text[-2][:1].isupper()))
        if _LOCATED.match(self.canon, end) and listed_before:
            return True  # not "cử tri Hồ Quang Chính (quận 3)": a person and where he lives
        glue = LIST_GLUE.match(self.canon, end)
        if not glue:
            return False
        following = Words.after(self.canon, glue.end(), 40)
        size = self.lex.places.starting_at(following.low, 0) if len(following) else 0
        if not size or (size < len(following) and following.text[size][:1].isalpha()
                        and following.low[size] != "và"):
            return False  # the next item is no place, or only the start of a longer name
        # a list: an item before the name, or one after the place ("Chu Văn An, Cầu Giấy,
        # Nghĩa Tân"); not "Phạm Trọng Nghĩa, Quảng Ngãi, có", where the place is his home
        listed_after = following.low[size:size + 1] == ["và"] or (
            following.text[size:size + 1] == [","] and len(following) > size + 1
            and following.text[size + 1][:1].isupper())
        return listed_before or listed_after

    def _full_vietnamese_name(self, words: Words, start: int) -> bool:
        """A family name, then "Thị" or "Văn", then a given name: "Vi Thị Lan"."""
        return (len(words) - start >= 3 and words.text[start] in self.lex.family_names
                and words.text[start + 1] in _MIDDLE_NAMES)

    def _title_starts(self, words: Words, i: int) -> bool:
        """A title of two words or more begins at run word i ("Chủ" of "Hồ Chủ tịch")."""
        if not self.lex.titles.begins(words.low[i]):
            return False
        following = words.low[i:] + [t.lower() for t in TOKEN.findall(
            self.canon, words.end[-1], words.end[-1] + 30)]
        return self.lex.titles.starting_at(following, 0) > 1

    def _after_place_word(self, context: Words, end: int, address: bool = True) -> bool:
        """Whether the words before ``end`` make what follows a place or an institution."""
        if end == 0:
            return False
        if address and context.text[end - 1].isdigit():
            return True  # an address: "số 5 Trần Thánh Tông", "128 Hai Bà Trưng"
        size = self.lex.place_words.ending_at(context.low, end)
        if size == 1 and tuple(context.low[max(0, end - 2):end]) in _CHAMBERS:
            return False
        # "nhà báo Sean Ingle": a journalist, though "báo" alone is a newspaper
        return bool(size) and self.lex.honorifics.ending_at(context.low, end) <= size

    def _family_split(self, words: Words, start: int, prefer: int) -> int | None:
        """Where a name of two to four syllables, starting with a family name, ends the run."""
        n = len(words)
        splits = [s for s in range(start + 1, n - 1)
                  if words.text[s] in self.lex.family_names and 2 <= n - s <= MAX_NAME]
        preferred = [s for s in splits if s - start >= prefer]
        return (preferred or splits or [None])[0]

    def _cue(self, context: Words) -> tuple[str | None, bool]:
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
            if token == "," and words == 0:
                # "Chủ tịch Juventus, Andrea Agnelli": the head of an organisation named before
                return self._head_before_comma(context, p - 1), False
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

    def _head_before_comma(self, context: Words, comma: int) -> str | None:
        """The cue "title" when a title and an organisation's name end at the comma."""
        p = comma
        while p > 0 and comma - p < MAX_NAME and context.text[p - 1][:1].isupper():
            p -= 1
        if p == comma or not self.lex.titles.ending_at(context.low, p):
            return None
        return "title"

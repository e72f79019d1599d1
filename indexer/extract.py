"""Extract stage: the ministries and persons an article names.

Ministries come from the gazetteer ``data/gazetteer/ministries.json``; persons from capitalised runs of
syllables that start with a Vietnamese family name or follow a title ("Thứ trưởng Phan Tâm"),
minus places (``data/gazetteer/places.list``), streets and schools named after people, and the byline.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .analysis import normalize
from .article import Article

GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"

# -- ministries --------------------------------------------------------------------------------

_MINISTER_TITLES = ("Bộ trưởng", "Thứ trưởng", "Quyền Bộ trưởng", "nguyên Bộ trưởng")


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
        forms: dict[str, str] = {}  # normalised, lowercased written form -> canonical name
        for m in self.ministries:
            for alias in (m.name, *m.aliases):
                forms[_key(alias)] = m.name
            for domain in m.domain:
                for title in _MINISTER_TITLES:
                    forms[_key(f"{title} {domain}")] = m.name
        self._forms = forms
        alternatives = sorted(forms, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<!\w)(" + "|".join(_form_regex(f) for f in alternatives) + r")(?!\w)",
            re.IGNORECASE,
        )
        countries = sorted(_read_list(countries_path), key=len, reverse=True)
        self._foreign = re.compile(
            r"\s*(?:của\s+)?(?:" + "|".join(re.escape(normalize(c)) for c in countries) + r")(?!\w)"
        )
        self._written = {  # exact-case check for abbreviations such as NHNN, MIC
            _key(a): a for m in self.ministries for a in m.aliases if _is_abbreviation(a)
        }

    def find(self, text: str) -> list[str]:
        """Canonical names of the ministries a text names, in order of first mention."""
        text = normalize(text)
        found: list[str] = []
        for match in self._pattern.finditer(text):
            written = match.group(1)
            key = _key(written)
            name = self._forms.get(key)
            if name is None or not self._case_ok(written, key):
                continue
            if self._foreign.match(text, match.end()):
                continue
            if name not in found:
                found.append(name)
        return found

    def _case_ok(self, written: str, key: str) -> bool:
        if key in self._written:
            return _squash(written) == _squash(normalize(self._written[key]))
        # "bộ Công an" is a ministry, "cán bộ tài chính" is a finance officer: the part after
        # "Bộ"/the title must start with a capital letter.
        for prefix in ("bộ trưởng ", "thứ trưởng ", "quyền bộ trưởng ", "nguyên bộ trưởng ", "bộ "):
            if key.startswith(prefix):
                rest = written.split(None, len(prefix.split()))[-1]
                return rest[:1].isupper()
        return written[:1].isupper()

    def with_predecessors(self, name: str) -> list[str]:
        """A ministry and every ministry merged into it, for "include predecessors" filters."""
        result = [name]
        for m in self.ministries:
            if name in m.successors and m.name not in result:
                result.extend(n for n in self.with_predecessors(m.name) if n not in result)
        return result


def _key(form: str) -> str:
    return _squash(normalize(form)).lower()


def _squash(form: str) -> str:
    """One spelling for separators: "TT & TT" = "TT&TT", "LĐ – TB" = "LĐ-TB"."""
    form = re.sub(r"\s*([&\-,])\s*", r"\1", form)
    return re.sub(r"\s+", " ", form).strip()


def _form_regex(key: str) -> str:
    parts = []
    for ch in key:
        if ch == " ":
            parts.append(r"\s+")
        elif ch in "&-,":
            parts.append(r"\s*" + re.escape(ch) + r"\s*")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


def _is_abbreviation(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _read_list(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


# -- persons -----------------------------------------------------------------------------------

FAMILY_NAMES = set(
    """Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Trương Đinh Lâm
    Mai Tô Hà Cao Đoàn Lương Trịnh Chu Lưu Triệu Kiều Đàm Tạ Quách La Thái Tăng Vương Phùng
    Doãn Khổng Âu Lục Nông Bế Hứa Thân Tôn Văn Mạc Lại Ông Diệp Giáp Khúc Ninh Quan Trịnh Lò
    Thào Giàng Sùng Vàng Lầu Mùa Hầu Điêu Cầm Sầm Lường Quàng Vi Hà Hoàng Từ Kha Đồng Tống
    Viên Nghiêm Lã Mẫn Phó Bạch Thạch Danh Kim Lạc Ứng Âu Yên Khương Trang Thi Cù Đường Đào""".split()
)
_FAMILY = {normalize(n) for n in FAMILY_NAMES}

# Words after which a capitalised run names a person even without a family name (foreign
# names: "Tổng thống Emmanuel Macron") and which are stripped from a name.
_TITLES = (
    "ông bà anh chị cô đồng chí Tổng thống Thủ tướng Chủ tịch Bộ trưởng Thứ trưởng Ngoại trưởng "
    "Giáo sư GS PGS TS ThS Tiến sĩ Đại sứ Thống đốc Giám đốc Tổng Giám đốc Cục trưởng Vụ trưởng "
    "Viện trưởng Hiệu trưởng Phó Trưởng Chánh Thượng tướng Trung tướng Thiếu tướng Đại tướng "
    "Đại tá Thượng tá Trung tá Thiếu tá Nhà văn Nghệ sĩ Ca sĩ Tổng Bí thư Bí thư Quốc vương "
    "Hoàng tử Công chúa Nữ hoàng Ngài"
).split()
_TITLE_WORDS = {t.lower() for t in _TITLES}

# A capitalised run right after one of these is a place or an institution named after a person.
_PLACE_WORDS = {
    w.lower()
    for w in """đường phố trường TP thành thị quận huyện xã phường trấn cầu chợ sân hồ sông núi
    đảo lăng tàng đền chùa viên khu viện nhà tàu giải quỹ ty đoàn hẻm ngõ kênh lộ THPT THCS học
    cách tưởng tên thuộc cảng ga bến hầm đèo vịnh mũi rạch hội ấp bản làng thôn xóm dinh""".split()
}
# Capitalised words that begin organisations and periods of time, never a person's name
# (checked at the start of a titled run, and as the end of a name: "Nguyễn Văn A Bộ ...").
_ORG_WORDS = {
    w.lower()
    for w in """Bộ Sở Ủy Uỷ Ban Cục Tổng Viện Hội Ngân Tòa Toà Đảng Tỉnh Thành Khối Phòng
    Trường Bệnh Báo Đài Hãng Quỹ Vụ Luật Nghị Chỉ Quyết Chương Dự Lễ Giải Tuần Ngày Năm Tháng
    Sáng Chiều Tối Theo Tại Trong Khi Sau Trước Với Cùng Các Những Một Đây Đó Này""".split()
}

_CAP_SYLLABLE = re.compile(r"[^\W\d_]+")


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or word[1:].islower())


def find_persons(text: str, author: str = "") -> list[str]:
    """Full names of the persons a text names, titles stripped, in order of first mention.

    Names come out as the text writes them; two spellings of one name (tone placement,
    Unicode form) count once.
    """
    text = unicodedata.normalize("NFC", text)
    canon = normalize(text)  # same length as text: offsets carry over
    tokens = [(m.group(), m.start(), m.end()) for m in _CAP_SYLLABLE.finditer(canon)]
    places = _places()
    found: dict[str, str] = {}  # canonical form -> name as written
    i = 0
    while i < len(tokens):
        if not _is_capitalised(tokens[i][0]):
            i += 1
            continue
        # a run of capitalised syllables separated by single spaces
        j = i + 1
        while (
            j < len(tokens)
            and _is_capitalised(tokens[j][0])
            and canon[tokens[j - 1][2]:tokens[j][1]] == " "
        ):
            j += 1
        run = [t[0] for t in tokens[i:j]]
        before = tokens[i - 1][0] if i else ""
        gap = canon[max(0, tokens[i][1] - 3):tokens[i][1]]
        span = _name_in_run(run, before, gap)
        if span:
            first, last = tokens[i + span[0]], tokens[i + span[1] - 1]
            key = canon[first[1]:last[2]]
            if key not in places and key not in found:
                found[key] = text[first[1]:last[2]]
        i = j
    found.pop(normalize(unicodedata.normalize("NFC", author)).strip(), None)
    # "Ngọc Thịnh" after "Đặng Thị Ngọc Thịnh" is the same person
    return [
        name for key, name in found.items()
        if not any(other != key and other.endswith(" " + key) for other in found)
    ]


def _name_in_run(run: list[str], before: str, gap: str) -> tuple[int, int] | None:
    """Where in a capitalised run a person's name stands, as (first, end) indices."""
    # strip capitalised title words at the start of the run ("Thứ trưởng" is one capital only)
    start = 0
    while start < len(run) and run[start].lower() in _TITLE_WORDS:
        start += 1
    titled = start > 0 or before.lower() in _TITLE_WORDS
    family_at = next(
        (k for k in range(start, len(run) - 1) if run[k] in _FAMILY), None
    )
    if family_at is not None:
        first = family_at
        # "đường Lê Lợi", "trường Nguyễn Du": named after a person, not the person
        if first == 0 and before.lower() in _PLACE_WORDS and not gap.endswith(", "):
            return None
    elif titled and len(run) - start >= 2 and run[start].lower() not in _ORG_WORDS:
        first = start
    else:
        return None
    end = first + 1
    while end < len(run) and end - first < 4 and run[end].lower() not in _ORG_WORDS:
        end += 1
    if end - first < 2:
        return None
    return first, end


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    return frozenset(normalize(p) for p in _read_list(GAZETTEER_DIR / "places.list"))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer of data/, loaded once per process."""
    return Gazetteer(GAZETTEER_DIR / "ministries.json", GAZETTEER_DIR / "countries.list")


def extract(article: Article) -> Article:
    """Fill in the article's ministries and persons from its title, summary, body and captions."""
    text = "\n".join([article.title, article.summary, article.body, *article.captions])
    article.ministries = gazetteer().find(text)
    article.persons = find_persons(text, article.author)
    return article

"""Ministries an article names, from the gazetteer ``data/gazetteer/ministries.json``.

Full names, abbreviations, spelling variants and titles ("Bộ trưởng Y tế") are recognised, as
are elliptical lists ("Bộ Công Thương, Tài chính và Ngân hàng Nhà nước"); foreign ministries
("Bộ Ngoại giao Mỹ") are not Vietnamese ministries.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .analysis import normalize
from .lexicon import GAZETTEER_DIR, is_capitalised, is_vietnamese_syllable, read_list


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
        countries = sorted({normalize(c) for c in read_list(countries_path)},
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
        if following and is_capitalised(following[1]):
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


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer of data/, loaded once per process."""
    return Gazetteer(GAZETTEER_DIR / "ministries.json", GAZETTEER_DIR / "countries.list")

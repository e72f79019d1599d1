"""Names that mean the same: abbreviations and full names (Bộ GTVT = Bộ Giao thông vận tải).

The groups come from ``data/gazetteer/aliases.list`` (one group per line, forms separated by
``|``) and from every ministry's aliases in the gazetteer, so staff extend them without code.
Forms are compared as folded syllables: case, accents and separators do not count.

The indexer records, for each article, the key of every group it writes in any form (the
``*_alias`` fields), and a query naming one form matches them all with one term: matching the
forms as phrases over folded syllables cost seconds on a large archive.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from . import analysis
from .extract import GAZETTEER_DIR, gazetteer

ALIASES_FILE = GAZETTEER_DIR / "aliases.list"

Form = tuple[str, ...]  # folded syllables
Group = tuple[Form, ...]


def _read_alias_groups(path: Path) -> list[list[str]]:
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            groups.append([form.strip() for form in line.split("|") if form.strip()])
    for ministry in gazetteer().ministries:
        groups.append([ministry.name, *ministry.aliases])
    return groups


@lru_cache(maxsize=1)
def alias_groups() -> tuple[Group, ...]:
    """Alias groups as tuples of folded syllable sequences, each form once."""
    out = []
    for group in _read_alias_groups(ALIASES_FILE):
        forms = tuple(dict.fromkeys(tuple(analysis.folded(f)) for f in group))
        forms = tuple(f for f in forms if f)
        if len(forms) > 1:
            out.append(forms)
    return tuple(out)


def group_key(group: Group) -> str:
    """The term that stands for a group in the alias fields: its first form, joined.

    Adding forms to a group keeps its key; two groups that start with the same form share it.
    """
    return "_".join(group[0])


@lru_cache(maxsize=1)
def alias_index() -> dict[str, list[tuple[Form, Group]]]:
    """First folded syllable -> [(form, its whole group)], longest forms first."""
    index: dict[str, list] = defaultdict(list)
    for group in alias_groups():
        for form in group:
            index[form[0]].append((form, group))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return dict(index)


def find_aliases(folded: list[str]) -> list[tuple[int, int, Group]]:
    """Non-overlapping (start, end, group) spans of ``folded`` that are a known alias form,
    the longest form first: how a query is read."""
    found = []
    i = 0
    index = alias_index()
    while i < len(folded):
        for form, group in index.get(folded[i], ()):
            if tuple(folded[i:i + len(form)]) == form:
                found.append((i, i + len(form), group))
                i += len(form)
                break
        else:
            i += 1
    return found


def alias_keys(folded: list[str]) -> list[str]:
    """The group key of every alias form in a text's folded syllables, once per occurrence.

    Forms of different groups that overlap all count, as phrase queries would find each of
    them; a group counts once where several of its forms start ("Bộ Giao thông vận tải" and
    its short form "Bộ Giao thông").
    """
    index = alias_index()
    keys = []
    for i, syllable in enumerate(folded):
        here = []
        for form, group in index.get(syllable, ()):
            if len(form) == 1 or tuple(folded[i:i + len(form)]) == form:
                key = group_key(group)
                if key not in here:
                    here.append(key)
        keys += here
    return keys

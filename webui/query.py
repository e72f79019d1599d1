"""The query language readers type, and the Whoosh query it becomes.

Plain words are the norm; on top of them: ``"quoted phrases"``, ``-word`` and ``NOT word``,
``OR`` between alternatives (``AND`` is the default and may be written), ``title:``,
``ministry:`` and ``person:``. Anything else (a lone quote, brackets, ``*``, a field with no
value) is read as plain words: a query never fails to parse.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from whoosh import query as Q

from indexer import analysis

FIELDS = ("title", "ministry", "person")
MAX_QUERY_CHARS = 500
MAX_CLAUSES = 32
MAX_PREFIX_EXPANSIONS = 64
MIN_PREFIX_CHARS = 2

# Boosts per field and match kind; see bench/relevance.py for how they were chosen.
BOOSTS = {
    "title": 3.0, "summary": 1.5, "body": 1.0, "captions": 0.8,  # pyvi words
    "title_syl": 1.2, "text_syl": 0.6,  # accented syllables: exact forms rank first
    "title_fold": 0.6, "text_fold": 0.3,  # folded syllables: the loose match every hit has
    "phrase": 2.0,
}


@dataclass
class Clause:
    """One unit of the query: a run of plain words, a phrase, or a field filter."""

    text: str
    phrase: bool = False
    field: str | None = None  # None (all text), "title", "ministry", "person"
    negated: bool = False
    prefix: bool = False  # written with a trailing * ("chuyển*")


@dataclass
class ParsedQuery:
    """A query as groups of alternatives: every group must match, one clause of each."""

    groups: list[list[Clause]] = field(default_factory=list)
    negated: list[Clause] = field(default_factory=list)

    @property
    def clauses(self) -> list[Clause]:
        return [c for g in self.groups for c in g]

    def text_terms(self) -> list[str]:
        """The plain text of every positive clause that searches article text."""
        return [c.text for c in self.clauses if c.field in (None, "title")]


_TOKEN = re.compile(
    r'(?P<neg>-)?(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))'
)
_STRIP = re.compile(r"[()\[\]{}*?~^\\]+")


def parse(text: str) -> ParsedQuery:
    """Read a query; every input gives a ParsedQuery, possibly an empty one."""
    text = unicodedata.normalize("NFC", text or "")[:MAX_QUERY_CHARS]
    parsed = ParsedQuery()
    pending_or = False
    negate_next = False
    run: list[str] = []  # consecutive plain words, analysed together ("hà nội")
    run_prefix = False

    def flush_run():
        nonlocal run, run_prefix
        if run:
            add(Clause(" ".join(run), prefix=run_prefix))
            run, run_prefix = [], False

    def add(clause: Clause):
        nonlocal pending_or
        if not analysis.syllables(clause.text) and clause.field not in ("ministry", "person"):
            return
        if clause.negated:
            parsed.negated.append(clause)
        elif pending_or and parsed.groups:
            parsed.groups[-1].append(clause)
        else:
            parsed.groups.append([clause])
        pending_or = False

    for m in _TOKEN.finditer(text):
        word, phrase, fname = m["word"], m["phrase"], (m["field"] or "").lower()
        negated = bool(m["neg"]) or negate_next
        negate_next = False
        if word in ("AND", "&&") and not fname:
            flush_run()
            continue
        if word in ("OR", "||") and not fname:
            flush_run()
            pending_or = bool(parsed.groups)
            continue
        if word == "NOT" and not fname:
            flush_run()
            negate_next = True
            continue
        if word and word.endswith(":") and word[:-1].lower() in FIELDS:
            continue  # a field with nothing after it
        if fname and fname not in FIELDS:
            # "http://..." or "10:30": not a field, keep the whole token as words
            word = f"{m['field']}:{word}" if word is not None else m["field"]
            fname = ""
        if phrase is not None:
            flush_run()
            add(Clause(phrase, phrase=True, field=fname or None, negated=negated))
            continue
        cleaned = _STRIP.sub(" ", word or "").strip()
        if fname:
            flush_run()
            if cleaned:
                add(Clause(cleaned, field=fname, negated=negated))
            continue
        if negated:
            flush_run()
            add(Clause(cleaned, negated=True))
            continue
        if not cleaned:
            continue
        if pending_or:
            flush_run()
        run.append(cleaned)
        run_prefix = (word or "").endswith("*")
        if run_prefix:
            flush_run()
    flush_run()
    parsed.groups = parsed.groups[:MAX_CLAUSES]
    parsed.negated = parsed.negated[:MAX_CLAUSES]
    return parsed


# -- building Whoosh queries -------------------------------------------------------------------


def _terms(fieldname: str, texts, boost: float) -> list[Q.Query]:
    return [Q.Term(fieldname, t, boost=boost) for t in dict.fromkeys(texts)]


def text_query(clause: Clause, reader=None, match_all: bool = True) -> Q.Query | None:
    """The query for a clause over article text (all text, or titles only)."""
    syl = analysis.syllables(clause.text)
    if not syl:
        return None
    folded = [analysis.fold(s) for s in syl]
    title_only = clause.field == "title"
    fold_fields = ("title_fold",) if title_only else ("title_fold", "text_fold")
    syl_fields = ("title_syl",) if title_only else ("title_syl", "text_syl")
    word_fields = ("title",) if title_only else ("title", "summary", "body", "captions")

    if clause.phrase and len(syl) > 1:
        required = Q.Or([Q.Phrase(f, folded, boost=BOOSTS[f]) for f in fold_fields])
    else:
        per_syllable = []
        for i, f in enumerate(folded):
            if clause.prefix and i == len(folded) - 1:
                alternatives = _prefix(reader, fold_fields, f)
            else:
                alternatives = [Q.Term(fname, f, boost=BOOSTS[fname]) for fname in fold_fields]
            per_syllable.append(Q.Or(alternatives))
        if match_all:
            required = Q.And(per_syllable)
        else:
            required = Q.Or(per_syllable)

    extras: list[Q.Query] = []
    for fname in word_fields:
        extras += _terms(fname, analysis.words(clause.text), BOOSTS[fname])
    if analysis.has_accents(clause.text):
        for fname in syl_fields:
            extras += _terms(fname, syl, BOOSTS[fname])
    if len(syl) > 1:
        for fname in syl_fields:
            extras.append(Q.Phrase(fname, syl, boost=BOOSTS["phrase"] * BOOSTS[fname]))
        if not clause.phrase:
            for fname in fold_fields:
                extras.append(Q.Phrase(fname, folded, boost=BOOSTS["phrase"] * BOOSTS[fname]))
    return Q.AndMaybe(required, Q.Or(extras)) if extras else required


def _prefix(reader, fields, prefix: str) -> list[Q.Query]:
    """A bounded prefix search: at most MAX_PREFIX_EXPANSIONS terms per field."""
    if reader is None or len(prefix) < MIN_PREFIX_CHARS:
        return [Q.Term(f, prefix, boost=BOOSTS[f]) for f in fields]
    out: list[Q.Query] = []
    for fname in fields:
        for n, term in enumerate(reader.expand_prefix(fname, prefix)):
            if n >= MAX_PREFIX_EXPANSIONS:
                break
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            out.append(Q.Term(fname, text, boost=BOOSTS[fname]))
    return out or [Q.Term(f, prefix) for f in fields]

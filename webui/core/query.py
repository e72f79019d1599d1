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
from indexer.aliases import find_aliases, group_key

FIELDS = ("title", "ministry", "person")
MAX_QUERY_CHARS = 500
MAX_CLAUSES = 32
MAX_PREFIX_EXPANSIONS = 64
MIN_PREFIX_CHARS = 2

# Boosts per field and match kind, chosen with bench/relevance.py (see the README).
BOOSTS = {
    "title": 1.0, "summary": 1.0, "body": 1.0, "captions": 0.5,  # pyvi words
    "title_syl": 1.0, "text_syl": 1.0,  # accented syllables: exact forms rank first
    "title_fold": 1.0, "text_fold": 1.0,  # folded syllables: the match every hit has
    "title_alias": 1.0, "text_alias": 1.0,  # any form of a name the query abbreviates or spells out
    "fold_accented": 0.3,  # weight of folded matches when the query has accents
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
        run.append(cleaned)
        run_prefix = (word or "").endswith("*")
        if run_prefix:
            flush_run()
    flush_run()
    parsed.groups = parsed.groups[:MAX_CLAUSES]
    parsed.negated = parsed.negated[:MAX_CLAUSES]
    return parsed


# -- building Whoosh queries -------------------------------------------------------------------
#
# Every article that matches has each query syllable in its folded form (or an alias of it):
# that is the required part, and it is what makes "ha noi" find "Hà Nội". Ranking comes from
# optional parts on top: the accented syllables and pyvi words of an accented query (exact
# forms first: "hòa" above "hóa"), adjacent syllable pairs, and the whole clause as a phrase
# (an article holding the phrase ranks above one with the syllables scattered).


class AnyOf(Q.Or):
    """Whoosh's Or, always as a tree of union matchers.

    On indexes under 5,000 documents Whoosh otherwise preloads the matches of a large Or into
    arrays (PreloadedOr), and combined with other queries that matcher scores wrongly: on ALQAC
    an Or of two queries ranked below either of its parts.
    """

    matcher_type = Q.Or.DEFAULT_MATCHER


def _terms(fieldname: str, texts, boost: float) -> list[Q.Query]:
    return [Q.Term(fieldname, t, boost=boost) for t in dict.fromkeys(texts)]


def _sequence(fieldname: str, syllables, boost: float) -> Q.Query:
    if len(syllables) == 1:
        return Q.Term(fieldname, syllables[0], boost=boost)
    return Q.Phrase(fieldname, list(syllables), boost=boost)


def text_query(clause: Clause, reader=None, mode: str = "all",
               ranked: bool = True) -> Q.Query | None:
    """The query for a clause over article text (all text, or titles only).

    ``mode`` says what an article must hold to match: every syllable in the accented form
    typed ("exact", for queries typed with accents), every syllable in any accents ("all"), or
    any syllable ("any", when nothing holds them all). With ``ranked=False`` only that
    matching part is built: what counting and faceting need, without the ranking parts.
    """
    syl = analysis.syllables(clause.text)
    if not syl:
        return None
    folded = [analysis.fold(s) for s in syl]
    accented = analysis.has_accents(clause.text)
    exact = mode == "exact"
    title_only = clause.field == "title"
    fold_fields = ("title_fold",) if title_only else ("title_fold", "text_fold")
    alias_fields = ("title_alias",) if title_only else ("title_alias", "text_alias")
    syl_fields = ("title_syl",) if title_only else ("title_syl", "text_syl")
    word_fields = ("title",) if title_only else ("title", "summary", "body", "captions")
    # folded matches score less when the reader typed accents: they may be other words
    fold_weight = BOOSTS["fold_accented"] if accented else 1.0
    match_fields, forms = (syl_fields, syl) if exact else (fold_fields, folded)

    def unit(form, fields=match_fields) -> Q.Query:
        weight = 1.0 if fields is syl_fields else fold_weight
        return AnyOf([_sequence(f, form, BOOSTS[f] * weight) for f in fields])

    if clause.phrase and len(forms) > 1:
        required: Q.Query = unit(forms)
    else:
        units: list[Q.Query] = []
        i = 0
        for start, end, group in find_aliases(folded):
            units += [unit([f]) for f in forms[i:start]]
            units.append(AnyOf([Q.Term(f, group_key(group), boost=BOOSTS[f] * fold_weight)
                                for f in alias_fields]))
            i = end
        units += [unit([f]) for f in forms[i:]]
        if clause.prefix and reader is not None and units:
            units[-1] = AnyOf(_prefix(reader, match_fields, forms[-1]))
        required = AnyOf(units) if mode == "any" else Q.And(units)
    if not ranked:
        return required

    # syllables side by side and whole phrases are scored on the best hits afterwards
    # (search.ProximityBonus): reading positions here for every pair costs too much
    extras: list[Q.Query] = []
    if accented:
        if not exact:
            for fname in syl_fields:
                extras += _terms(fname, syl, BOOSTS[fname])
        words = analysis.words(clause.text)
        for fname in word_fields:
            extras += _terms(fname, words, BOOSTS[fname])
    return Q.AndMaybe(required, AnyOf(extras)) if extras else required


def excluded_query(clause: Clause) -> Q.Query | None:
    """What a negated clause removes: its exact accented form when typed with accents.

    "hoa -họa" keeps "hòa" and "hóa": excluding every folded "hoa" would remove all.
    """
    syl = analysis.syllables(clause.text)
    if not syl:
        return None
    accented = analysis.has_accents(clause.text)
    terms = syl if accented else [analysis.fold(s) for s in syl]
    if clause.field == "title":
        fields = ("title_syl",) if accented else ("title_fold",)
    else:
        fields = ("title_syl", "text_syl") if accented else ("title_fold", "text_fold")
    if clause.phrase:
        return AnyOf([_sequence(f, terms, 1.0) for f in fields])
    return Q.And([AnyOf([Q.Term(f, t) for f in fields]) for t in dict.fromkeys(terms)])


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

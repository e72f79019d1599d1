"""Hits as shown: the stored fields of a match, its title and snippet highlighted.

Stored fields are read once per search, whichever step asks first (ranking reads the best
matches' text, the page shows some of them).
"""

from __future__ import annotations

from indexer import analysis
from indexer.aliases import find_aliases
from indexer.schema import LEAD_CHARS

from .generation import Generation
from .highlight import highlight
from .query import ParsedQuery

ARTICLE_TEXT_CHARS = LEAD_CHARS  # of an article's text searched for phrases and spellings


class StoredFields:
    """Stored fields by document number, each read once per search."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.read: dict[int, dict] = {}

    def __call__(self, docnum: int) -> dict:
        fields = self.read.get(docnum)
        if fields is None:
            fields = self.read[docnum] = self.searcher.stored_fields(docnum)
        return fields


def article_text(fields: dict) -> str:
    """The beginning of an article's text after its title, where its phrases are looked for."""
    text = "\n".join(filter(None, (fields.get("summary"), fields.get("body"),
                                   fields.get("captions"))))
    return text[:ARTICLE_TEXT_CHARS]


def texts(fields: dict) -> tuple[str, str]:
    """An article's title and the beginning of its text."""
    return fields.get("title") or "", article_text(fields)


def lead_syllables(fields: dict) -> tuple[str, str]:
    """The syllables of an article's title and of its text's beginning, in order, separated
    by spaces with one at each end (" hà nội ", so that " hà nội " in it finds them side by
    side): as the indexer stored them, or from the text for an index written before it did."""
    stored = fields.get("syllables")
    if stored is None:
        stored = tuple(" ".join(analysis.syllables(text)) for text in texts(fields))
    title, text = stored
    return f" {title} ", f" {text} "


def highlight_terms(parsed: ParsedQuery) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(exact, folded) syllables to mark: accented words exactly, unaccented ones loosely, and
    every form of a name the query abbreviates or spells out ("Bộ GTVT" marks "Bộ Giao thông
    vận tải")."""
    exact: list[str] = []
    loose: list[str] = []
    for text in parsed.text_terms():
        if analysis.has_accents(text):
            exact += analysis.syllables(text)
        else:
            loose += analysis.folded(text)
        for _, _, group in find_aliases(analysis.folded(text)):
            loose += [" ".join(form) for form in group]
    return tuple(dict.fromkeys(exact)), tuple(dict.fromkeys(loose))


def hit(fields: dict, terms) -> dict:
    """A result as listed: its public fields, the title and a snippet with the terms marked."""
    for name in ("body", "summary", "captions"):
        snippet = highlight(fields.get(name, ""), terms)
        if "<mark" in snippet:
            break
    else:
        snippet = highlight(fields.get("summary") or fields.get("body", ""))
    return {
        **article_fields(fields),
        "title_html": highlight(fields.get("title", ""), terms, whole=True),
        "snippet": snippet,
    }


def article_fields(fields: dict) -> dict:
    """The public fields of a stored article."""
    return {
        "id": fields["id"],
        "title": fields.get("title", ""),
        "date": fields.get("date") or None,
        "source": fields.get("source") or None,
        "url": fields.get("url") or None,
        "author": fields.get("author") or None,
        "category": fields.get("category") or None,
        "ministries": list(fields.get("ministries") or ()),  # stored as lists of names
        "persons": list(fields.get("persons") or ()),
    }


def get_article(gen: Generation, article_id: str) -> dict | None:
    """One article with all its fields, or None."""
    with gen.searcher() as searcher:
        fields = searcher.document(id=article_id)
    if fields is None:
        return None
    return {
        **article_fields(fields),
        "summary": fields.get("summary") or "",
        "body": fields.get("body") or "",
        "captions": [c for c in (fields.get("captions") or "").split("\n") if c],
        "images": list(fields.get("images") or []),
    }

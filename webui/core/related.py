"""Related articles: Whoosh's more-like-this over the live index.

The key words of an article (its title, summary and body, weighed against the whole index by
Whoosh's Bo1 model) become a query on the body; the best other matches are its related articles.
"""

from __future__ import annotations

from .generation import Generation
from .hits import article_fields
from .lru import LRU

KEY_TERMS = 12
MAX_RELATED = 10
CACHE_SIZE = 2048


def related_articles(gen: Generation, article_id: str, top: int = 5) -> list[dict]:
    """Up to ``top`` (at most MAX_RELATED) articles most like the given one, best first."""
    # article id -> related article ids, per generation: analysing an article's text with the
    # word segmenter is the costly part, and its neighbours only change with the index
    known = gen.cached("related", lambda: LRU(CACHE_SIZE))
    with gen.searcher() as searcher:
        ids = known.get(article_id)
        if ids is None:
            ids = _more_like(searcher, article_id, MAX_RELATED)
            known.put(article_id, ids)
        out = []
        for related_id in ids[:top]:
            fields = searcher.document(id=related_id)
            if fields is not None:
                out.append(article_fields(fields))
    return out


def _more_like(searcher, article_id: str, top: int) -> list[str]:
    docnum = searcher.document_number(id=article_id)
    if docnum is None:
        return []
    fields = searcher.stored_fields(docnum)
    text = "\n".join(filter(None, (fields.get(name) for name in ("title", "summary", "body"))))
    if not text.strip():
        return []
    results = searcher.more_like(docnum, "body", text=text, top=top, numterms=KEY_TERMS)
    return [hit["id"] for hit in results]

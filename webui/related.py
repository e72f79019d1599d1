"""Related articles: Whoosh's more-like-this over the live index.

The key words of an article (its title, summary and body, weighed against the whole index by
Whoosh's Bo1 model) become a query on the body; the best other matches are its related articles.
"""

from __future__ import annotations

from . import index
from .scoring import Recent
from .search import article_fields

KEY_TERMS = 12
MAX_RELATED = 10
CACHE_SIZE = 2048

# (generation folder, article id) -> related article ids; analysing an article's text with the
# word segmenter is the costly part, and an article's neighbours only change with the index
_cache = Recent(CACHE_SIZE)


def related_articles(article_id: str, top: int = 5) -> list[dict]:
    """Up to ``top`` (at most MAX_RELATED) articles most like the given one, best first."""
    searcher = index.searcher()
    key = (str(index.generation().path), article_id)
    ids = _cache.get(key)
    if ids is None:
        ids = _more_like(searcher, article_id, MAX_RELATED)
        _cache.put(key, ids)
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

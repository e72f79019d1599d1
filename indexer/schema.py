"""The Whoosh schema: which fields an article becomes, and how each is analysed."""

from __future__ import annotations

from whoosh.analysis import IDTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .aliases import alias_keys
from .analysis import analysed, analyzer
from .article import Article

NO_DATE = "none"  # facet value of articles without a publication date
SCHEMA_VERSION = 6  # 2: content_hash and source_file, for incremental updates; 3: aliases;
# 4: ministries and persons as lists of whole names; 5: ids safe in a link, the source's own id
# in source_id; 6: the title's and the lead's syllables in order, stored for proximity
LEAD_CHARS = 5000  # of an article's text whose syllables are stored in order


def _names() -> KEYWORD:
    """A facet of whole names, given as a list: one term per name, stored as the list.

    No separator is involved, so a name keeps its commas ("Bộ Văn hóa, Thể thao và Du lịch");
    a single string is one whole name.
    """
    return KEYWORD(stored=True, lowercase=False, scorable=False, analyzer=IDTokenizer())


def make_schema() -> Schema:
    """Fields in three analyses: pyvi words (precise), syllables (accented) and folded syllables.

    Word fields match what pyvi segments; syllable fields match a syllable typed inside a
    compound and carry positions for phrases; folded fields match text typed without accents.
    """
    words, syllables, folded = analyzer("words"), analyzer("syllables"), analyzer("folded")
    return Schema(
        id=ID(stored=True, unique=True),
        source_id=STORED(),  # the id the source gives (a feed's URL guid), when ``id`` differs
        # the syllables of the title and of the text's first LEAD_CHARS, in order and separated
        # by spaces: a search tells which query syllables stand side by side in its best
        # matches without reading and analysing their text again
        syllables=STORED(),
        title=TEXT(analyzer=words, stored=True, phrase=False),
        summary=TEXT(analyzer=words, stored=True, phrase=False),
        body=TEXT(analyzer=words, stored=True, phrase=False),
        captions=TEXT(analyzer=words, stored=True, phrase=False),
        title_syl=TEXT(analyzer=syllables),
        text_syl=TEXT(analyzer=syllables),
        title_fold=TEXT(analyzer=folded),
        text_fold=TEXT(analyzer=folded),
        # the alias groups (indexer.aliases) written in any form, one key per occurrence
        title_alias=KEYWORD(lowercase=False, scorable=True),
        text_alias=KEYWORD(lowercase=False, scorable=True),
        ministries=_names(),
        persons=_names(),
        date=ID(stored=True),
        month=ID(),
        day=NUMERIC(int, bits=32, sortable=True, signed=False),  # YYYYMMDD, 0 when undated
        source=ID(stored=True),
        category=ID(stored=True),
        url=STORED(),
        author=STORED(),
        images=STORED(),
        # what an update compares: the digest of the raw input and the file it came from
        content_hash=STORED(),
        source_file=STORED(),
    )


def document(article: Article) -> dict:
    """The field values of one article, analysed ahead for the index writer.

    Stored fields get their plain text in ``_stored_<field>``: the spans are for indexing only.
    """
    text = "\n".join(filter(None, [article.summary, article.body, *article.captions]))
    captions = "\n".join(article.captions)
    published = article.published
    words = ("words",)
    title = analysed(article.title)
    text_syllables = analysed(text, ("syllables", "folded"))
    return {
        "id": article.id,
        "source_id": article.source_id if article.source_id != article.id else "",
        "title": title,
        "_stored_title": article.title,
        "summary": analysed(article.summary, words),
        "_stored_summary": article.summary,
        "body": analysed(article.body, words),
        "_stored_body": article.body,
        "captions": analysed(captions, words),
        "_stored_captions": captions,
        "syllables": (" ".join(s.text for s in title.spans["syllables"]),
                      " ".join(s.text for s in text_syllables.spans["syllables"]
                               if s.end <= LEAD_CHARS)),
        "title_syl": title,
        "text_syl": text_syllables,
        "title_fold": title,
        "text_fold": text_syllables,
        "title_alias": " ".join(alias_keys([s.text for s in title.spans["folded"]])),
        "text_alias": " ".join(alias_keys([s.text for s in text_syllables.spans["folded"]])),
        # lists: Whoosh indexes each item as one term and stores the list as it is
        "ministries": list(article.ministries),
        "persons": list(article.persons),
        "date": published.isoformat() if published else "",
        "month": published.strftime("%Y-%m") if published else NO_DATE,
        "day": int(published.strftime("%Y%m%d")) if published else 0,
        "source": article.source,
        "category": article.category,
        "url": article.url,
        "author": article.author,
        "images": list(article.images),
    }

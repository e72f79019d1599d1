"""Extract stage: the ministries and persons an article names (indexer.ministries,
indexer.persons over indexer.mentions, with the word lists of indexer.lexicon), and the byline
that names its author.
"""

from __future__ import annotations

import re

from .article import Article
from .lexicon import GAZETTEER_DIR, is_vietnamese_syllable
from .ministries import gazetteer
from .persons import find_persons

# what other stages and the web app import from here
__all__ = ["GAZETTEER_DIR", "byline", "extract", "find_persons", "gazetteer",
           "is_vietnamese_syllable"]

# A byline: the author's name alone on the last line ("Xuân Lộc", "H.Long", "Q. S.").
_BYLINE = re.compile(r"(?:[^\W\d_]+\.?\s?){1,5}")
_AUTHOR = re.compile(r"[^\W\d_]+(?: [^\W\d_]+){1,4}")
_CREDIT = re.compile(r"(?:theo|nguồn|ảnh)\b", re.IGNORECASE)  # "Theo Sputnik" names a source


def byline(body: str) -> str:
    """The author's name when the body's last line is nothing else ("Nhật Hồng"), else ""."""
    rest, _, last = body.strip().rpartition("\n")
    last = last.strip()
    if not rest or not last or len(last) > 40 or not _BYLINE.fullmatch(last):
        return ""
    if not all(word[:1].isupper() for word in re.findall(r"[^\W\d_]+", last)):
        return ""
    return last


def extract(article: Article) -> Article:
    """Fill in the article's ministries and persons from its title, summary, body and captions.

    A byline left at the end of the body (JSON sources) is no person; it becomes the article's
    author when the source gave none.
    """
    body = article.body
    signed = byline(body)
    if signed:
        body = body.rstrip()[: -len(signed)]
        if not article.author and _AUTHOR.fullmatch(signed) and not _CREDIT.match(signed):
            article.author = signed
    text = "\n".join([article.title, article.summary, body, *article.captions])
    article.ministries = gazetteer().find(text)
    article.persons = find_persons(text, article.author or signed)
    return article

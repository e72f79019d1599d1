"""Text cleaning shared by the parsers: one spelling of the text, ids safe in a file name."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from .analysis import fold

TITLE_MAX = 500  # characters: a longer first line or heading is not a title

_SLUG = re.compile(r"[^a-z0-9]+")


def clean(text: str) -> str:
    """NFC, no control characters, no trailing spaces."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c if c in "\n\t" or unicodedata.category(c)[0] != "C" else " " for c in text)
    return text.strip()


def slug(name: str) -> str:
    """An id-safe form of a file name: "MIC 2017-03-23.txt" -> "mic-2017-03-23"."""
    return _SLUG.sub("-", fold(name)).strip("-")


# An id that is a path segment as it is: unreserved characters (RFC 3986), not "." or "..",
# short enough for any link.
_SAFE_ID = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,127}")
ID_MAX = 128
_ID_HASH = 10  # hex digits of the source id's digest that keep derived ids apart


def article_id(source_id: str) -> str:
    """The id an article is found by on the site and in the API, made from its source's id.

    A source id that is safe in a link is the id ("mic-2017-03-23", "tn-1001"); any other (a
    feed's URL guid, "..", Vietnamese text, a kilobyte of id) becomes a readable slug of it and
    a digest of it: "https://tinnhanh.vn/gia-xang-1.html" -> "tinnhanh-vn-gia-xang-1-html-<digest>".
    """
    if _SAFE_ID.fullmatch(source_id):
        return source_id
    readable = slug(re.sub(r"^[a-z]+://(?:www\.)?", "", source_id, flags=re.IGNORECASE))
    mark = hashlib.blake2b(source_id.encode("utf-8", "surrogatepass"),
                           digest_size=_ID_HASH // 2).hexdigest()
    readable = readable[: ID_MAX - _ID_HASH - 1].rstrip("-")
    return f"{readable}-{mark}" if readable else mark

"""Text cleaning shared by the parsers: one spelling of the text, ids safe in a file name."""

from __future__ import annotations

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

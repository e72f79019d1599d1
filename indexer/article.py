"""The article as every stage of the pipeline sees it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Article:
    """One news article, parsed from its source and ready to be indexed."""

    id: str  # safe in a link (cleaning.article_id)
    title: str
    body: str
    summary: str = ""
    published: dt.date | None = None
    source: str = ""
    url: str = ""
    author: str = ""
    category: str = ""
    images: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    ministries: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    origin: str = ""  # "file" or "file:line", for messages
    source_id: str = ""  # the id the source gives, when the id had to be made from it


@dataclass(frozen=True)
class Skip:
    """An input that could not be indexed, and why."""

    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.reason}"


class BadArticle(ValueError):
    """Raised by a parser for an input that cannot become an article."""

"""What a search asks and what it answers, as plain data: the core's input and output."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

SORTS = ("relevance", "newest", "oldest", "recent")  # recent: relevance, newer first
MAX_PER_PAGE = 100
MAX_RESULTS_DEPTH = 10_000  # page * per_page: deep paging costs a full sort
# the deepest page: at most per_page results a page, paging stays within MAX_RESULTS_DEPTH
# whatever per_page is (a limit of its own, which a client can read off the description)
MAX_PAGE = MAX_RESULTS_DEPTH // MAX_PER_PAGE
FACET_SIZE = 10
DEFAULT_PER_PAGE = 10


@dataclass(frozen=True)
class SearchRequest:
    """A search as typed and clicked, validated (see params.py)."""

    q: str = ""
    ministries: tuple[str, ...] = ()
    predecessors: bool = False  # a ministry filter also takes the ministries merged into it
    persons: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # sections of the source ("Thời sự"); any of them
    sources: tuple[str, ...] = ()  # sites the articles come from ("mic.gov.vn"); any of them
    dates: tuple[str, ...] = ()  # "2017", "2017-03" or "none"; any of them
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    facet_size: int = FACET_SIZE

    def with_(self, **changes) -> "SearchRequest":
        return replace(self, **changes)

    def query_args(self) -> dict:
        """The query-string arguments that reproduce this search (defaults left out)."""
        args: dict = {}
        if self.q:
            args["q"] = self.q
        if self.ministries:
            args["ministry"] = list(self.ministries)
        if self.predecessors:
            args["predecessors"] = 1
        if self.persons:
            args["person"] = list(self.persons)
        if self.categories:
            args["category"] = list(self.categories)
        if self.sources:
            args["source"] = list(self.sources)
        if self.dates:
            args["date"] = list(self.dates)
        if self.date_from:
            args["from"] = self.date_from.isoformat()
        if self.date_to:
            args["to"] = self.date_to.isoformat()
        if self.sort != "relevance":
            args["sort"] = self.sort
        if self.page != 1:
            args["page"] = self.page
        if self.per_page != DEFAULT_PER_PAGE:
            args["per_page"] = self.per_page
        return args


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[dict]
    facets: dict[str, list[dict]]
    relaxed: bool = False  # no article had every word: showing those with some of them
    suggestion: str | None = None  # a better spelling of the query, never applied silently
    took_ms: float = 0.0
    cached: bool = False  # answered from the generation's recent results

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))

"""The search core: query, scoring, ranking, spelling, facets and highlights over an index
generation, as plain functions of plain data, with no web framework.

    from webui.core import LiveIndex, SearchRequest, search
    result = search(SearchRequest(q="thi đua"), LiveIndex("var/index").generation())
"""

from .generation import Generation, LiveIndex, warm_up
from .request import SearchRequest, SearchResult
from .search import search

__all__ = ["Generation", "LiveIndex", "SearchRequest", "SearchResult", "search", "warm_up"]

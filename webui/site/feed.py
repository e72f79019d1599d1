"""An Atom feed (RFC 4287) of a search, so readers can follow a ministry, a person or a query.

The document is built with ElementTree, which escapes every text and attribute; characters
that XML 1.0 cannot carry at all are dropped first.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from ..core import SearchResult

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
VIETNAM = dt.timezone(dt.timedelta(hours=7))  # articles carry a day; they are published here

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text) -> str:
    """Text XML 1.0 can carry."""
    return _NOT_XML.sub("", str(text or ""))


def entry_time(date: str | None, fallback: dt.datetime) -> dt.datetime:
    """The time of an article: midnight of its day in Vietnam, else the fallback."""
    if date:
        return dt.datetime.combine(dt.date.fromisoformat(date), dt.time(), VIETNAM)
    return fallback


def rfc3339(time: dt.datetime) -> str:
    return time.isoformat(timespec="seconds")


def atom_feed(
    result: SearchResult,
    *,
    title: str,
    feed_url: str,
    page_url: str,
    article_url: Callable[[str], str],
    author: str,
    built_at: dt.datetime,
) -> bytes:
    """The feed of one page of search results, as UTF-8 XML."""

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, tag, {k: clean(v) for k, v in attrs.items()})
        if text is not None:
            element.text = clean(text)
        return element

    # plain names under a default namespace written out once: what feed readers expect to see
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "vi"})
    sub(feed, "id", feed_url)
    sub(feed, "title", title, type="text")
    sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    times = [entry_time(hit["date"], built_at) for hit in result.hits]
    sub(feed, "updated", rfc3339(max(times, default=built_at)))
    sub(sub(feed, "author"), "name", author)

    for hit, updated in zip(result.hits, times):
        entry = sub(feed, "entry")
        url = article_url(hit["id"])
        sub(entry, "id", url)
        sub(entry, "title", hit["title"], type="text")
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        if hit["url"]:
            sub(entry, "link", rel="related", href=hit["url"])
        sub(entry, "updated", rfc3339(updated))
        if hit["date"]:
            sub(entry, "published", rfc3339(updated))
        if hit["author"] or hit["source"]:
            sub(sub(entry, "author"), "name", hit["author"] or hit["source"])
        for ministry in hit["ministries"]:
            sub(entry, "category", term=ministry)
        # the snippet is HTML (escaped article text and <mark>s): ElementTree escapes it again
        sub(entry, "summary", str(hit["snippet"]), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)

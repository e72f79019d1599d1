"""An Atom feed (RFC 4287) of a search, so readers can follow a ministry, a person or a query.

The document is built with ElementTree, which escapes every text and attribute; characters
that XML 1.0 cannot carry at all are dropped first. Its links are the site's paths, made
absolute with the BASE_URL setting when there is one, never from the request's Host header
(which the client chooses); ids are name-based UUID URNs of the article or the search, so they
stay the same whatever address serves the feed. Links to an article's publisher are kept only
when they are http(s) addresses.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable

from ..core import SearchResult

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
VIETNAM = dt.timezone(dt.timedelta(hours=7))  # articles carry a day; they are published here

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# the namespace of this site's feed ids (a fixed random UUID: the ids must never change)
IDS = uuid.UUID("847bb029-3bf8-4c9d-9535-c21a31851c87")


def urn(name: str) -> str:
    """A stable id for a name (an article id, a feed's path and query) as a UUID URN."""
    return uuid.uuid5(IDS, name).urn


def web_link(url: str | None) -> str | None:
    """The address when it is an http(s) one; None for javascript:, data: and the rest."""
    if url and url.strip().lower().startswith(("https://", "http://")):
        return url.strip()
    return None


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
    feed_path: str,
    feed_url: str,
    page_url: str,
    article_url: Callable[[str], str],
    author: str,
    built_at: dt.datetime,
) -> bytes:
    """The feed of one page of search results, as UTF-8 XML; ``feed_path`` (the feed's path
    and query) names it, the URLs are its links."""

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, tag, {k: clean(v) for k, v in attrs.items()})
        if text is not None:
            element.text = clean(text)
        return element

    # plain names under a default namespace written out once: what feed readers expect to see
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "vi"})
    sub(feed, "id", urn(f"feed {feed_path}"))
    sub(feed, "title", title, type="text")
    sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    times = [entry_time(hit["date"], built_at) for hit in result.hits]
    sub(feed, "updated", rfc3339(max(times, default=built_at)))
    sub(sub(feed, "author"), "name", author)

    for hit, updated in zip(result.hits, times):
        entry = sub(feed, "entry")
        sub(entry, "id", urn(f"article {hit['id']}"))
        sub(entry, "title", hit["title"], type="text")
        sub(entry, "link", rel="alternate", type="text/html", href=article_url(hit["id"]))
        if web_link(hit["url"]):
            sub(entry, "link", rel="related", href=web_link(hit["url"]))
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

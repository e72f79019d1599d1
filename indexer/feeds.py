"""RSS 2.0, RSS 1.0 (RDF) and Atom feed files: one article per item or entry.

Each item becomes a JSON-like record with the keys of the JSON Lines input, so the same parser
checks it (a title and a summary or body are required). Descriptions and contents are HTML:
their text is kept. Dates are the item's own, in the feed's time zone.
"""

from __future__ import annotations

import email.utils
import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Iterator
from xml.parsers import expat

from . import dates
from .article import Skip
from .encoding import Undecodable, declared_charset, decode
from .html import html_to_text
from .record import Notice, Record, digest

ATOM = "http://www.w3.org/2005/Atom"
RSS1 = "http://purl.org/rss/1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"


@dataclass
class Node:
    """An XML element with the line it starts on."""

    tag: str  # "{namespace}name" or "name"
    attrs: dict[str, str]
    line: int
    children: list["Node"] = field(default_factory=list)
    text: str = ""

    def find(self, *tags: str) -> "Node | None":
        for child in self.children:
            if child.tag in tags:
                return child
        return None

    def findall(self, *tags: str) -> list["Node"]:
        return [child for child in self.children if child.tag in tags]

    def value(self, *tags: str) -> str:
        node = self.find(*tags)
        return node.text.strip() if node is not None else ""


class _Refused(ValueError):
    pass


def parse_xml(text: str) -> Node:
    """A tree of Nodes; entity declarations are refused (no feed needs them: entity bombs)."""
    parser = expat.ParserCreate(namespace_separator="}")
    stack: list[Node] = []
    root: list[Node] = []

    def start(name, attrs):
        tag = "{" + name if "}" in name else name
        node = Node(tag, attrs, parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(node)
        stack.append(node)

    def end(name):
        stack.pop()

    def chars(data):
        if stack:
            stack[-1].text += data

    def entity(*args):
        raise _Refused("the feed declares entities")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.EntityDeclHandler = entity
    parser.Parse(text, True)
    return root[0]


def _date(value: str) -> str | None:
    """YYYY-MM-DD of an RFC 822 (RSS) or ISO 8601 (Atom, Dublin Core) date, else None."""
    if not value:
        return None
    iso = dates.parse_iso(value)
    if iso:
        return iso.isoformat()
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # OverflowError: year 10**12
        return None
    made = dates.make_date(when.year, when.month, when.day)
    return made.isoformat() if made else None


def _text(markup: str) -> str:
    return html_to_text(markup) if "<" in markup or "&" in markup else markup.strip()


def _rss_item(item: Node, channel_title: str) -> dict:
    link = item.value("link", "{" + RSS1 + "}link")
    guid = item.value("guid")
    raw_date = item.value("pubDate", "{" + DC + "}date")
    categories = [c.text.strip() for c in item.findall("category", "{" + DC + "}subject")]
    return {
        "id": guid or link or item.attrs.get("{" + RDF + "}about", ""),
        "title": _text(item.value("title", "{" + RSS1 + "}title")),
        "date": _date(raw_date),
        "_raw_date": raw_date,
        "source": channel_title,
        "url": link,
        "category": categories[0] if categories else "",
        "author": item.value("{" + DC + "}creator", "author"),
        "summary": _text(item.value("description", "{" + RSS1 + "}description")),
        "body": _text(item.value("{" + CONTENT + "}encoded")),
    }


def _atom_entry(entry: Node, feed_title: str) -> dict:
    a = "{" + ATOM + "}"
    link = ""
    for node in entry.findall(a + "link"):
        if node.attrs.get("rel", "alternate") == "alternate":
            link = node.attrs.get("href", "")
            break
    author = entry.find(a + "author")
    category = entry.find(a + "category")
    raw_date = entry.value(a + "published") or entry.value(a + "updated")
    return {
        "id": entry.value(a + "id") or link,
        "title": _text(entry.value(a + "title")),
        "date": _date(raw_date),
        "_raw_date": raw_date,
        "source": feed_title,
        "url": link,
        "category": category.attrs.get("term", "") if category is not None else "",
        "author": author.value(a + "name") if author is not None else "",
        "summary": _text(entry.value(a + "summary")),
        "body": _text(entry.value(a + "content")),
    }


def _items(root: Node) -> Iterator[tuple[int, Callable[[], dict]]]:
    """(line, a function making its fields) for every item or entry of a parsed feed."""
    if root.tag == "rss":
        channel = root.find("channel")
        channel = root if channel is None else channel
        title = _text(channel.value("title"))
        for item in channel.findall("item"):
            yield item.line, partial(_rss_item, item, title)
    elif root.tag == "{" + RDF + "}RDF":
        channel = root.find("{" + RSS1 + "}channel")
        title = _text(channel.value("{" + RSS1 + "}title")) if channel is not None else ""
        for item in root.findall("{" + RSS1 + "}item"):
            yield item.line, partial(_rss_item, item, title)
    elif root.tag == "{" + ATOM + "}feed":
        title = _text(root.value("{" + ATOM + "}title"))
        for entry in root.findall("{" + ATOM + "}entry"):
            yield entry.line, partial(_atom_entry, entry, title)
    else:
        raise _Refused(f"not an RSS or Atom feed (root element <{root.tag}>)")


def read_feed(path: Path, raw: bytes) -> Iterator[Record | Skip | Notice]:
    """The items of a feed file as "json" records; a bad item is a Skip, a bad feed one too."""
    file = str(path)
    declared, passed_over = declared_charset(raw)
    if passed_over:
        yield Notice(file, None, passed_over)
    try:
        text, note = decode(raw, declared)
    except Undecodable as exc:
        yield Skip(file, exc.line, str(exc))
        return
    if note:
        yield Notice(file, None, note)
    # expat reads the declaration's encoding again; the text is already decoded
    if text.lstrip().startswith("<?xml"):
        end = text.find("?>")
        if end < 0:
            yield Skip(file, 1, "invalid XML: the XML declaration does not end with '?>'")
            return
        text = text[end + 2:]
    try:
        listed = list(_items(parse_xml(text)))
    except expat.ExpatError as exc:
        yield Skip(file, exc.lineno, f"invalid XML: {expat.ErrorString(exc.code)}")
        return
    except _Refused as exc:
        yield Skip(file, None, str(exc))
        return
    if not listed:
        yield Skip(file, None, "a feed without items")
    for line, item in listed:
        try:
            fields = item()
        except Exception as exc:  # noqa: BLE001 - one odd item is reported, the others read
            yield Skip(file, line, f"cannot be read: {type(exc).__name__}: {exc}")
            continue
        raw_date = fields.pop("_raw_date")
        if raw_date and not fields["date"]:
            yield Notice(file, line, f"date {raw_date!r} not understood: the text's date is used")
        yield Record("json", file, line, fields,
                     digest(json.dumps(fields, sort_keys=True).encode("utf-8")))

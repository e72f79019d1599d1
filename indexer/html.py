"""HTML article pages saved from news and ministry sites: the article, without the page around it.

    title     og:title, else the first <h1>, else <title>
    published article:published_time (or another published-date meta or <time>), else the
              first date in the article's opening, else a YYYY-MM-DD in the file name
    body      the <article> element (else an itemprop=articleBody or content-like block, else
              <main>, else <body>) without navigation, share buttons, rating widgets, related-
              links boxes, comments, scripts and forms
    summary   the lead (sapo) block, else og:description
    images    the <img> of the article; captions from <figcaption> and caption blocks

The article id is the file name without extension, as for plain-text articles.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from . import dates
from .article import Article, BadArticle
from .cleaning import TITLE_MAX, article_id, clean, clean_title, slug, with_full_title

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
BLOCK = {"address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
         "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
         "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th",
         "thead", "tr", "ul", "br", "caption"}
# Elements that are never article text.
DROP_TAGS = {"script", "style", "noscript", "template", "nav", "footer", "aside", "form",
             "button", "iframe", "svg", "select", "input", "textarea", "object", "embed",
             "canvas", "video", "audio", "head", "menu", "dialog"}
DROP_ROLES = {"navigation", "complementary", "banner", "contentinfo", "search", "menu", "dialog"}
# Words of class and id names that mark page furniture, as whole words of the name...
FURNITURE_WORDS = {
    "share", "shares", "social", "facebook", "fb", "zalo", "twitter", "print", "rating", "rate",
    "vote", "votes", "star", "stars", "comment", "comments", "related", "relate", "breadcrumb",
    "breadcrumbs", "menu", "navbar", "sidebar", "banner", "ads", "advert", "advertisement", "qc",
    "quangcao", "tag", "tags", "keyword", "keywords", "subscribe", "newsletter", "toolbar",
    "pagination", "paging", "date", "time", "datetime", "author", "byline", "tacgia", "source",
    "sapo", "lead", "summary", "chapeau", "caption", "figcaption", "desc", "description", "cmt",
}
# ... and as parts of longer names ("box_tinlienquan", "article-sharing").
FURNITURE_PARTS = ("lienquan", "tinkhac", "xemthem", "sharing", "social", "breadcrumb",
                   "related", "comment", "rating", "advert", "quangcao", "newsletter")
# Of those, the ones that hold something of the article, taken before the rest is dropped.
SUMMARY_WORDS = {"sapo", "lead", "summary", "chapeau", "description", "excerpt", "tomtat"}
CAPTION_WORDS = {"caption", "figcaption", "desc", "chuthich", "image_desc", "imgcaption"}
AUTHOR_WORDS = {"author", "byline", "tacgia"}
CONTENT_NAME = re.compile(
    r"(article|news|post|entry|detail|story|content)[-_]?(body|content|detail|text)"
    r"|fck_detail|maincontent|main-content|noidung|noi-dung|chitiet|chi-tiet|singular-content",
    re.IGNORECASE,
)
# Headings and lines of furniture inside the article area.
FURNITURE_HEADING = re.compile(  # anchored at both ends where prose could start the same way
    r"^(?:(?:các |những )?(?:tin|bài|bài viết|tin tức)(?: liên quan| khác| cùng chuyên mục| mới)"
    r"\s*(?::|$)|(?:xem|đọc) thêm\s*(?::|$)|đánh giá bài viết|chia sẻ(?: bài viết)?\s*:?$"
    r"|bình luận\s*(?:\(\s*\d+\s*\))?\s*:?$|từ kh(?:óa|oá)\s*(?::|$)|tags?\s*:|bản in$|in bài viết$"
    r"|gửi email$|gửi bài viết$|lượt xem\b|về đầu trang$|quay lại$)",
    re.IGNORECASE,
)
FURNITURE_LINE_MAX = 80
AUTHOR_LINE = re.compile(r"^(?:[A-ZĐÂĂÊÔƠƯ][^\W\d_]*)(?:\s+[A-ZĐÂĂÊÔƠƯ][^\W\d_]*){0,4}$")
# Elements nested deeper than this join their ancestor at this depth: thousands of nested tags
# (a broken editor's output, or an attack) would otherwise exhaust the recursion of the walks.
MAX_DEPTH = 200
_SPACE = re.compile(r"\s+")
_NAME_SPLIT = re.compile(r"[\s]+")
_WORD_SPLIT = re.compile(r"[-_]+")


class Node:
    """An element of the page."""

    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag: str, attrs: dict[str, str], parent: "Node | None"):
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node | str] = []
        self.parent = parent

    def walk(self):
        """This node and every element below it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def names(self) -> str:
        return f"{self.attrs.get('class', '')} {self.attrs.get('id', '')}".lower()


class _TreeBuilder(HTMLParser):
    """A forgiving tree builder: unclosed <p>, <li>, <td> close themselves; stray ends are
    ignored."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.stack = [self.root]

    def _close(self, tag: str, within: tuple[str, ...] = ()) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            name = self.stack[i].tag
            if name == tag:
                del self.stack[i:]
                return
            if name in within:
                return

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK and tag not in ("br", "hr"):
            self._close("p", within=("div", "td", "li", "blockquote", "article", "section"))
        if tag == "li":
            self._close("li", within=("ul", "ol"))
        elif tag in ("td", "th"):
            self._close("td", within=("tr", "table"))
            self._close("th", within=("tr", "table"))
        elif tag == "tr":
            self._close("tr", within=("table",))
        node = Node(tag, {k: v or "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID and len(self.stack) < MAX_DEPTH:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack[-1].tag == tag and self.stack[-1].parent is not None \
                and self.stack[-1] is self.stack[-1].parent.children[-1] \
                and not self.stack[-1].children:
            self.stack.pop()  # <div/>: opened and closed at once (when it was opened at all)

    def handle_endtag(self, tag):
        if any(node.tag == tag for node in self.stack[1:]):
            self._close(tag)

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_tree(markup: str) -> Node:
    """The element tree of an HTML page or fragment."""
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root


def _words(node: Node) -> set[str]:
    words = set()
    for name in _NAME_SPLIT.split(node.names()):
        if name:
            words.add(name)
            words.update(w for w in _WORD_SPLIT.split(name) if w)
    return words


def _named(node: Node, wanted: set[str]) -> bool:
    return bool(_words(node) & wanted)


def _text_length(node: Node, in_link: bool = False) -> tuple[int, int]:
    """(characters of text, characters inside links) below a node."""
    total = linked = 0
    for child in node.children:
        if isinstance(child, str):
            n = len(child.strip())
            total += n
            linked += n if in_link else 0
        elif child.tag not in DROP_TAGS:
            t, l = _text_length(child, in_link or child.tag == "a")
            total += t
            linked += l
    return total, linked


def _lines(node: Node, skip: set[int]) -> list[str]:
    """The text below a node as lines (one per block), leaving out the nodes in ``skip``."""
    lines: list[str] = []
    current: list[str] = []

    def flush():
        line = _SPACE.sub(" ", "".join(current)).strip()
        if line:
            lines.append(line)
        current.clear()

    def visit(n: Node):
        for child in n.children:
            if isinstance(child, str):
                current.append(child)
            elif id(child) in skip or child.tag in DROP_TAGS:
                continue
            elif child.tag in BLOCK:
                flush()
                visit(child)
                flush()
            else:
                visit(child)

    visit(node)
    flush()
    return lines


def text_of(node: Node) -> str:
    """The text below a node, one line per block."""
    return "\n".join(_lines(node, set()))


def html_to_text(markup: str) -> str:
    """The text of an HTML fragment (a feed's description), one line per block."""
    return clean(text_of(parse_tree(markup)))


def _is_furniture(node: Node) -> bool:
    if node.tag in DROP_TAGS or node.attrs.get("role", "").lower() in DROP_ROLES:
        return True
    if node.attrs.get("aria-hidden") == "true" or "display:none" in node.attrs.get(
            "style", "").replace(" ", ""):
        return True
    names = node.names()
    if _words(node) & FURNITURE_WORDS or any(part in names for part in FURNITURE_PARTS):
        return True
    if node.tag in ("div", "section", "ul", "ol", "table", "p", "h2", "h3", "h4", "strong"):
        first = _lines(node, set())[:1]
        if first and len(first[0]) <= FURNITURE_LINE_MAX and FURNITURE_HEADING.match(first[0]):
            total, linked = _text_length(node)
            if total < 200 or linked >= 0.5 * total:
                return True
        if node.tag in ("div", "section", "ul", "ol", "table"):
            links = sum(1 for n in node.walk() if n.tag == "a")
            total, linked = _text_length(node)
            if links >= 3 and total and linked >= 0.6 * total:
                return True  # a box of links: related articles, a menu, a tag cloud
    return False


def _meta(root: Node) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in root.walk():
        if node.tag == "meta":
            key = (node.attrs.get("property") or node.attrs.get("name")
                   or node.attrs.get("itemprop") or "").lower()
            if key and key not in found and node.attrs.get("content", "").strip():
                found[key] = node.attrs["content"].strip()
        elif node.tag == "link" and "canonical" in node.attrs.get("rel", "").lower():
            found.setdefault("canonical", node.attrs.get("href", "").strip())
        elif node.tag == "title" and "title" not in found:
            found["title"] = _SPACE.sub(" ", text_of(node)).strip()
    return found


def _container(root: Node) -> Node:
    """The element that holds the article text."""

    def longest(nodes: list[Node]) -> Node | None:
        scored = [(_text_length(n)[0] - _text_length(n)[1], n) for n in nodes]
        scored = [(s, n) for s, n in scored if s > 0]
        return max(scored, key=lambda item: item[0])[1] if scored else None

    nodes = list(root.walk())
    for candidates in (
        [n for n in nodes if n.tag == "article"],
        [n for n in nodes if n.attrs.get("itemprop", "").lower() == "articlebody"],
        [n for n in nodes if n.tag in ("div", "section", "td") and CONTENT_NAME.search(n.names())],
        [n for n in nodes if n.tag == "main"],
        [n for n in nodes if n.tag == "body"],
    ):
        best = longest(candidates)
        if best is not None:
            return best
    return root


def _published(meta: dict[str, str], container: Node, lead: str, file: str):
    for key in ("article:published_time", "datepublished", "pubdate", "publishdate",
                "dc.date.issued", "dc.date", "date", "og:published_time"):
        found = dates.parse_iso(meta.get(key, ""))
        if found:
            return found
    for node in container.walk():
        if node.tag == "time":
            found = dates.parse_iso(node.attrs.get("datetime", ""))
            if found:
                return found
    return dates.date_from_text(lead) or dates.date_from_name(Path(file).name)


def parse_html(text: str, file: str) -> Article:
    """An article from a saved HTML page."""
    root = parse_tree(text)
    meta = _meta(root)
    container = _container(root)
    heading = next((n for n in container.walk() if n.tag == "h1"), None) or next(
        (n for n in root.walk() if n.tag == "h1"), None)
    title = clean(_SPACE.sub(" ", meta.get("og:title") or (text_of(heading) if heading else "")
                             or meta.get("twitter:title") or meta.get("title", "")))
    if not title:
        raise BadArticle("no title: no og:title, <h1> or <title>")
    if len(title) > TITLE_MAX:
        raise BadArticle(f"title is {len(title)} characters long: not a title")

    skip: set[int] = set()
    summary_parts: list[str] = []
    captions: list[str] = []
    images: list[str] = []
    author = ""
    date_lines: list[str] = []

    def visit(node: Node) -> None:
        nonlocal author
        for child in node.children:
            if not isinstance(child, Node):
                continue
            if child is heading:
                skip.add(id(child))
                continue
            words = _words(child)
            if child.tag == "figcaption" or words & CAPTION_WORDS:
                captions.extend(_lines(child, set()))
                skip.add(id(child))
                continue
            if words & SUMMARY_WORDS and child.tag not in ("article", "main", "body"):
                summary_parts.extend(_lines(child, set()))
                skip.add(id(child))
                continue
            if words & AUTHOR_WORDS:
                line = " ".join(_lines(child, set()))
                if not author and 0 < len(line) <= 80:
                    author = line
                skip.add(id(child))
                continue
            if child.tag == "time" or words & {"date", "time", "datetime"}:
                date_lines.extend(_lines(child, set()))
                skip.add(id(child))
                continue
            if _is_furniture(child):
                skip.add(id(child))
                continue
            if child.tag == "img" and child.attrs.get("src", "").strip():
                images.append(child.attrs["src"].strip())
            visit(child)

    visit(container)
    lines = [clean(line) for line in _lines(container, skip)]
    lines = [line for line in lines if line and not (
        len(line) <= FURNITURE_LINE_MAX and FURNITURE_HEADING.match(line))]
    if lines and lines[0] == title:
        lines.pop(0)
    if not author and len(lines) > 1 and AUTHOR_LINE.match(lines[-1]):
        author = lines.pop()
    if not author:
        named = meta.get("author") or meta.get("article:author", "")
        author = "" if "://" in named else named
    body = "\n".join(lines)
    if not body:
        raise BadArticle("no article text in the page")
    summary = clean(" ".join(summary_parts)) or clean(
        meta.get("og:description") or meta.get("description", ""))
    title, full_title = clean_title(title, summary or body)
    summary = with_full_title(full_title, summary if summary != body else "", body)
    url = meta.get("og:url") or meta.get("canonical", "")
    host = urlsplit(url).hostname or ""
    source = host.removeprefix("www.") if host else meta.get("og:site_name", "").lower()
    stem = Path(file).name.split(".")[0]
    return Article(
        id=article_id(slug(stem) or "article"),
        title=title,
        body=body,
        summary=summary,
        published=_published(meta, container, "\n".join([*date_lines, summary, body]), file),
        source=source,
        url=url,
        author=clean(author),
        category=clean(meta.get("article:section", "")),
        images=images,
        captions=[clean(c) for c in captions if clean(c)],
        origin=file,
    )

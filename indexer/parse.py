"""Parse stage: turn a raw record into an Article (without entities, see extract.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from . import dates
from .article import Article, BadArticle
from .cleaning import TITLE_MAX, article_id, clean, clean_title, slug, with_full_title
from .html import parse_html
from .record import Record

_LEAD = re.compile(r"^\(\s*([^()]{2,80}?)\s*\)\s*[-–—]\s*(.*)$")
_IMAGE = re.compile(r"^\S+\.(?:jpe?g|png|gif|webp|bmp|tiff?)$", re.IGNORECASE)
# Page furniture of ministry and newspaper sites that ends up in saved text.
_FOOTER = re.compile(
    r"^(?:đánh giá bài viết|bản in|in bài viết|gửi email|gửi bài viết|chia sẻ|lượt xem|"
    r"bình luận|tags?:|từ khóa|từ khoá|xem thêm|tin liên quan|các tin khác|về đầu trang)",
    re.IGNORECASE,
)
# An author line: two to five capitalised syllables, nothing else ("Xuân Lộc", "Thu Hà").
_AUTHOR = re.compile(r"^(?:[A-ZĐÂĂÊÔƠƯ][^\W\d_]*)(?:\s+[A-ZĐÂĂÊÔƠƯ][^\W\d_]*){0,4}$")


def parse_record(record: Record) -> Article:
    """Dispatch on the record's kind."""
    if record.kind == "text":
        return parse_text(record.data, record.file)
    if record.kind == "html":
        return parse_html(record.data, record.file)
    return parse_json(record.data, record.file, record.line)


def parse_text(text: str, file: str) -> Article:
    """An article in the plain-text layout of ministry sites (see data/samples/README.md)."""
    lines = [clean(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    # footer: drop furniture lines (and blanks) from the end
    while lines and (not lines[-1] or _FOOTER.match(lines[-1])):
        lines.pop()
    content = [line for line in lines if line]
    if not content:
        raise BadArticle("empty file")
    title = content.pop(0)
    if len(title) > TITLE_MAX:
        raise BadArticle(f"first line is {len(title)} characters long: not a title")
    source = ""
    paragraphs: list[str] = []
    if content:
        lead = _LEAD.match(content[0])
        if lead:
            content.pop(0)
            source = lead[1].lower()
            if lead[2]:
                paragraphs.append(lead[2])
    author = ""
    if content and _AUTHOR.match(content[-1]) and len(content) > 1:
        author = content.pop()
    images: list[str] = []
    captions: list[str] = []
    pending_image = False
    for line in content:
        if _IMAGE.match(line):
            images.append(line)
            pending_image = True
        elif pending_image:
            captions.append(line)
            pending_image = False
        else:
            paragraphs.append(line)
    body = "\n".join(paragraphs)
    if not body:
        raise BadArticle("no text after the title")
    title, full_title = clean_title(title, body)
    name = Path(file).name
    published = dates.date_from_text(body) or dates.date_from_name(name)
    stem = name.split(".")[0]
    return Article(
        id=article_id(slug(stem) or "article"),
        title=title,
        body=body,
        summary=with_full_title(full_title, "", body),
        published=published,
        source=source,
        author=author,
        images=images,
        captions=captions,
        origin=file,
    )


def _text_field(data: dict, key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and key == "id":
        return str(value)  # exports number their articles: 12345 is the id "12345"
    if not isinstance(value, str):
        kind = {bool: "a boolean", int: "a number", float: "a number"}.get(
            type(value), type(value).__name__)
        raise BadArticle(f"field {key!r} must be text, not {kind} ({json.dumps(value)[:40]})")
    return clean(value)


def parse_json(data: dict, file: str, line: int | None) -> Article:
    """An article from one JSON Lines object (fields of shared/corpus/README.md)."""
    source_id = _text_field(data, "id")
    if not source_id:
        raise BadArticle("missing 'id'")
    title = _text_field(data, "title")
    if not title:
        raise BadArticle("missing 'title'")
    if len(title) > TITLE_MAX:
        raise BadArticle(f"'title' is {len(title)} characters long: not a title")
    summary = _text_field(data, "summary")
    body = _text_field(data, "body")
    if not (summary or body):
        raise BadArticle("needs a 'summary' or a 'body'")
    title, full_title = clean_title(title, summary or body)
    raw_date = _text_field(data, "date")
    published = None
    if raw_date:
        published = dates.parse_iso(raw_date, whole=True)
        if published is None:
            raise BadArticle(f"'date' {raw_date[:40]!r} is not a valid YYYY-MM-DD date")
    else:
        published = dates.date_from_opening(summary, body)
    return Article(
        id=article_id(source_id),
        source_id=source_id,
        title=title,
        body=body,
        summary=with_full_title(full_title, summary, body),
        published=published,
        source=_text_field(data, "source"),
        url=_text_field(data, "url"),
        author=_text_field(data, "author"),
        category=_text_field(data, "category"),
        origin=f"{file}:{line}" if line else file,
    )

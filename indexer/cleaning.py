"""Text cleaning shared by the parsers: one spelling of the text, ids safe in a link, titles as
a reader expects them."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

from .analysis import fold

TITLE_MAX = 2000  # characters: a longer title is not one (a lead paragraph is about 850 at most)
TITLE_SHOWN = 200  # a longer title is a paragraph: it is shortened, its full text kept searchable
TITLE_SENTENCES = 120  # a title of several sentences longer than this is a lead paragraph too

_SLUG = re.compile(r"[^a-z0-9]+")


def clean(text: str) -> str:
    """NFC, no control characters, no trailing spaces."""
    text = unicodedata.normalize("NFC", text)
    # every control or format character is unprintable: lines that are all printable have none
    # (the check per character cost a tenth of preparing an article)
    if not all(line.isprintable() for line in text.replace("\t", " ").split("\n")):
        text = "".join(c if c in "\n\t" or unicodedata.category(c)[0] != "C" else " "
                       for c in text)
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


# Entities as scraped data carries them: with a semicolon, and the common ones without it
# ("lúc&nbsp11h", "&nbspTối", as browsers read them); other names without a semicolon are
# left alone ("KH&CN", "T&T").
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};"
                     r"|nbsp|(?:amp|quot|lt|gt)(?![A-Za-z]))")
_SPACES = re.compile(r"[^\S\n]+")
# A photo credit closing a caption used as a title: "... (Ảnh: AFP).", "(ảnh: AFP/Getty)",
# "(Ảnh chụp màn hình)", "(Ảnh minh họa: The New Paper)."
_CREDIT = re.compile(r"\s*\((?:ảnh|nguồn|video|clip|đồ họa|đồ hoạ|infographic)\b[^()]{0,80}\)"
                     r"\s*\.?$", re.IGNORECASE)
# A sentence ends at . ! ? or … (and a closing quote) before a capital letter...
_SENTENCE_END = re.compile(r"[.!?…][\"”']?(?=\s+[\"“']?(\w))")
# ... unless the period closes an abbreviation: "TP. Nha Trang", "Th. Hà", "Mr. Bean"
_ABBREVIATION = re.compile(r"(?:\b[A-ZĐ]{1,4}|\b(?:Tp|Th|ThS|Ts|Gs|St|Mr|Mrs|Dr|Co|Inc|Ltd|Jr|Sr))"
                           r"\.$")
_CLAUSE_END = re.compile(r"[,;:]\s|\s[-–—]\s")


def decode_entities(text: str) -> str:
    """Text with HTML entities decoded (twice-escaped ones too) and its spaces made plain."""
    for _ in range(2):  # "&amp;nbsp;" -> "&nbsp;" -> " "
        decoded = _ENTITY.sub(lambda m: html.unescape(m[0] if m[0].endswith(";")
                                                      else m[0] + ";"), text)
        if decoded == text:
            break
        text = decoded
    return _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()


def _first_sentence(text: str) -> str:
    for end in _SENTENCE_END.finditer(text):
        sentence = text[: end.end()]
        if end[1].isupper() and not _ABBREVIATION.search(sentence):
            return sentence
    return text


def _shortened(text: str) -> str:
    """A paragraph's first sentence, at most TITLE_SHOWN characters (else cut at a clause or a
    word's end); the text itself when it is a short headline."""
    if len(text) <= TITLE_SENTENCES:
        return text
    sentence = _first_sentence(text)
    if len(sentence) <= TITLE_SHOWN:
        return sentence
    cut = sentence[: TITLE_SHOWN]
    clauses = [m.start() for m in _CLAUSE_END.finditer(cut) if m.start() >= TITLE_SHOWN // 2]
    end = clauses[-1] if clauses else cut.rfind(" ")
    return cut[: end if end > 0 else TITLE_SHOWN - 1].rstrip(" ,;:-–—") + "…"


def clean_title(raw: str, text: str = "") -> tuple[str, str]:
    """The title to show, and its full text when the title had to be cut ("" when not).

    Entities decoded; a photo credit closing a caption is dropped ("(Ảnh: AFP)."); a title
    that is a paragraph (over TITLE_SHOWN characters, or several sentences over
    TITLE_SENTENCES) is cut to its first sentence or to TITLE_SHOWN characters; a single
    closing period goes, as no headline has one. A title that is nothing but a credit
    ("(Ảnh minh họa).") gives way to the opening of the article's ``text``.
    """
    full = decode_entities(clean(raw))
    title = _CREDIT.sub("", full)
    if not title and text.strip():
        full = title = text.strip().split("\n", 1)[0]
    title = _shortened(title)
    if title.endswith(".") and not title.endswith("..") and not _ABBREVIATION.search(title):
        title = title[:-1].rstrip()
    if not title:
        return full, ""
    cut = title not in (full, full[:-1].rstrip())  # more than a closing period went
    return title, full if cut else ""


def with_full_title(full_title: str, summary: str, body: str) -> str:
    """The summary, led by the full title when that was cut and the text does not hold it."""
    if not full_title or full_title in summary or full_title in body:
        return summary
    return f"{full_title}\n{summary}" if summary else full_title

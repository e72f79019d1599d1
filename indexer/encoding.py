"""Turning the bytes of an input into text: UTF-8, and the legacy encodings that can be told.

Vietnamese archives still hold pages saved in Windows-1258 (letters followed by combining tone
marks). Such bytes are not valid UTF-8, and decoded as Windows-1258 they read as Vietnamese; other
bytes (Latin-1 text, binary data, the font encodings TCVN3 and VNI, which no codec knows) are
refused rather than indexed as mojibake.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# Tone marks and the letter marks of Vietnamese (breve, circumflex, horn), combining forms.
_VIETNAMESE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0306", "\u0302", "\u031b"}
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")


class Undecodable(ValueError):
    """Bytes that are neither UTF-8 nor a legacy encoding that can be recognised."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


def _is_vietnamese_letter(char: str) -> bool:
    if char in "đĐ":
        return True
    decomposed = unicodedata.normalize("NFD", char)
    return (
        len(decomposed) > 1
        and decomposed[0].isascii()
        and decomposed[0].isalpha()
        and all(mark in _VIETNAMESE_MARKS for mark in decomposed[1:])
    )


def looks_vietnamese(text: str) -> bool:
    """True when nearly every non-ASCII character of the text is a Vietnamese letter."""
    others = [c for c in unicodedata.normalize("NFC", text) if not c.isascii() and not c.isspace()]
    if not others:
        return False
    letters = sum(1 for c in others if _is_vietnamese_letter(c))
    return letters >= 0.95 * len(others)


def declared_charset(raw: bytes) -> tuple[str | None, str | None]:
    """The charset an HTML page or XML file declares in its first bytes, if it can be used,
    and a note when a declaration is passed over.

    Only text encodings that write ASCII as ASCII can have been declared in ASCII: names Python
    does not know, codecs that are not text encodings (``rot13``, ``undefined``) and UTF-16 or
    UTF-32 without a byte-order mark are passed over, and the bytes read as if undeclared.
    """
    head = raw[:4096]
    match = _XML_DECLARED.match(head) or _DECLARED.search(head)
    if not match:
        return None, None
    name = match[1].decode("ascii").lower()
    probe = "<meta charset="
    try:
        codec = codecs.lookup(name).name
        usable = probe.encode(codec) == probe.encode("ascii")
    except (LookupError, UnicodeError, ValueError, TypeError):
        usable = False
    if not usable:
        return None, f"declares charset {name!r}, which cannot be read: passed over"
    return codec, None


def decode(raw: bytes, declared: str | None = None) -> tuple[str, str | None]:
    """The text of some bytes, and a note when they were not UTF-8.

    Order: a byte-order mark, then the declared charset (HTML, XML), then UTF-8, then
    Windows-1258 when the result reads as Vietnamese. Raises Undecodable otherwise, and for
    bytes with NUL in them (binary data, or UTF-16 without a byte-order mark).
    """
    if raw.startswith(codecs.BOM_UTF8):
        raw, declared = raw[len(codecs.BOM_UTF8):], None  # the mark outranks a declaration
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16 text (byte-order mark): read as such"
        except UnicodeDecodeError as exc:
            raise Undecodable(f"invalid UTF-16 text (byte {exc.start})", None) from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise Undecodable(f"NUL bytes (byte {nul}): binary data, or UTF-16 without a "
                          "byte-order mark, not text", raw[:nul].count(b"\n") + 1)
    if declared and declared not in ("utf-8", "ascii"):
        try:
            return raw.decode(declared), f"read as {declared}, as the file declares"
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise Undecodable(f"not valid {declared} as declared (byte {exc.start})",
                              line) from None
        except (UnicodeError, LookupError) as exc:  # a codec that refuses to decode at all
            raise Undecodable(f"cannot be read as {declared}, as declared: {exc}", None) from None
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        if _is_legacy(raw):
            text = unicodedata.normalize("NFC", raw.decode("cp1258"))  # its tone marks combine
            return text, "not UTF-8: read as Windows-1258 (legacy Vietnamese)"
        line = raw[: exc.start].count(b"\n") + 1
        raise Undecodable(f"not UTF-8 text (byte {exc.start}) and no legacy Vietnamese "
                          "encoding recognised", line) from None


def _is_legacy(raw: bytes) -> bool:
    try:
        text = raw.decode("cp1258")
    except UnicodeDecodeError:
        return False
    # C1 controls (0x80-0x9f unmapped in cp1258) never occur in real text
    if any("\x80" <= c <= "\x9f" for c in text):
        return False
    return looks_vietnamese(text)

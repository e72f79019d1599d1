"""What the read stage hands on: raw records, notices about them, and their digests.

Every record carries a digest of its raw input, so an update can tell a changed article from an
unchanged one without parsing or segmenting it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Record:
    """One raw input: a whole text or HTML file, or one JSON Lines object or feed item."""

    kind: str  # "text", "html" or "json"
    file: str
    line: int | None
    data: object  # str for text and html, dict for json
    digest: str = ""  # of the raw input: equal digests, equal articles


@dataclass(frozen=True)
class Notice:
    """An input that was indexed, with a remark worth a look (a legacy encoding)."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


def digest(raw: bytes) -> str:
    """The digest of one raw input."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()

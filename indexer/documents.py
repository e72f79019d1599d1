"""Preparing documents: parse, extract and analyse one record into the fields Whoosh writes."""

from __future__ import annotations

import os

from .article import BadArticle, Skip
from .extract import extract
from .parse import parse_record
from .record import Record
from .schema import document


def prepare(record: Record) -> dict | Skip:
    """Parse, extract and analyse one record into the field values of one document."""
    try:
        doc = document(extract(parse_record(record)))
    except BadArticle as exc:
        return Skip(record.file, record.line, str(exc))
    except Exception as exc:  # noqa: BLE001
        # one odd input must not stop the night's run, whatever it trips: it is reported
        # like any bad input
        return Skip(record.file, record.line,
                    f"could not be indexed: {type(exc).__name__}: {exc}")
    doc["content_hash"] = record.digest
    doc["source_file"] = os.path.abspath(record.file)
    return doc

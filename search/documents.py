"""What every engine indexes for a statement: one prepared document per published statement.

The fields are ``search.search_indexes.StatementIndex``'s (haystack's own preparation), plus
``fingerprint``, a hash of all of them: an engine stores it beside the document, so
``search_status`` tells a current document from a stale one without reading the index's
text back.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from haystack import connections

from archive.models import Statement

from .search_indexes import statements_for_index

__all__ = ["FINGERPRINT", "identifier", "pk_of", "prepare", "statement_index",
           "statements_for_index"]

FINGERPRINT = "fingerprint"
STATEMENT_LABEL = "archive.statement"


def identifier(pk: int) -> str:
    """The document id of statement ``pk`` (haystack's ``app.model.pk``)."""
    return f"{STATEMENT_LABEL}.{pk}"


def pk_of(document_id: str) -> int | None:
    """The statement pk of a document id, or None for anything else."""
    label, _, pk = document_id.rpartition(".")
    return int(pk) if label == STATEMENT_LABEL and pk.isdigit() else None


def statement_index():
    return connections["default"].get_unified_index().get_index(Statement)


def prepare(obj: Statement, index=None) -> dict:
    """The document of one published statement; raises whatever its preparation raises."""
    index = index or statement_index()
    document = {key: value for key, value in index.full_prepare(obj).items() if value is not None}
    document[FINGERPRINT] = fingerprint(document)
    return document


def fingerprint(document: dict) -> str:
    """A hash of a prepared document's fields (the fingerprint itself left out)."""
    content = {key: value for key, value in document.items() if key != FINGERPRINT}
    return hashlib.sha1(
        json.dumps(content, sort_keys=True, default=_plain).encode("utf-8")
    ).hexdigest()


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)

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

from archive.models import Country, Event, Speaker, Statement
from search.text import default_protected_words
from search.text import protected_words as protect

from .search_indexes import statements_for_index

__all__ = ["FINGERPRINT", "archive_names", "identifier", "pk_of", "prepare",
           "protected_words", "statement_index", "statements_for_index"]

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


def archive_names() -> list[str]:
    """The archive's names in any script: speakers (every spelling), places, countries.

    All of them, drafts' included: the list is never shown, and one that changed whenever a
    statement was published would ask for a rebuild more often.
    """
    names: list[str] = []
    for row in Speaker.objects.values_list(*SPEAKER_NAME_FIELDS):
        for value in row:
            names += [line for line in (value or "").splitlines() if line.strip()]
    names += Event.objects.exclude(city="").values_list("city", flat=True).distinct()
    names += Country.objects.values_list("name", flat=True)
    return names


# The speaker fields whose words are protected (aliases hold one spelling per line).
SPEAKER_NAME_FIELDS = ("name", "name_ar", "name_latin", "aliases")


def protected_words() -> frozenset[str]:
    """The Arabic words the stemmer leaves alone here: every State's Arabic names and the
    distinctive Arabic words of the archive's own names (``archive_names``)."""
    return default_protected_words() | protect(archive_names())

"""The Whoosh schema of the statement index, and a prepared document in Whoosh's terms.

Facet fields hold stable keys matched exactly (``ID`` for one value, ``KEYWORD`` with commas
for several): never an analyzer, so "United Kingdom" stays one value.  The body is
``BodyText`` (the one-pass analyzer); result rows render from the short stored fields.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SearchBackendError
from whoosh.fields import DATETIME, KEYWORD, STORED, TEXT, Schema
from whoosh.fields import ID as WHOOSH_ID

from ...documents import FINGERPRINT
from .analysis import BodyText, WordSet, fold_text, text_analyzer

SPELLING_FIELD = "spelling"
_SPELL_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True)
class IndexShape:
    schema: Schema
    content_field: str
    facet_fields: frozenset[str]
    multi_fields: frozenset[str]
    date_fields: frozenset[str]


def build_shape(fields, *, store_body: bool = False) -> IndexShape:
    """The schema for haystack's unified index fields."""
    schema = {
        ID: WHOOSH_ID(stored=True, unique=True),
        DJANGO_CT: WHOOSH_ID(stored=True),
        DJANGO_ID: WHOOSH_ID(stored=True),
        # search_status compares it with the database's to spot stale documents.
        FINGERPRINT: STORED(),
        # Whole (unstemmed) words for "Did you mean": Whoosh's own spelling=True field
        # made indexing several times slower (a file stat per posting on commit).
        SPELLING_FIELD: WordSet(),
    }
    content = ""
    for field in fields.values():
        name = field.index_fieldname
        if field.document:
            content = name
            schema[name] = BodyText(stored=store_body)
        elif hasattr(field, "facet_for"):
            if field.is_multivalued:
                schema[name] = KEYWORD(
                    commas=True, lowercase=False, scorable=False, stored=field.stored
                )
            else:
                schema[name] = WHOOSH_ID(stored=field.stored)
        elif field.field_type in ("date", "datetime"):
            schema[name] = DATETIME(stored=field.stored, sortable=True)
        elif not field.indexed:
            if field.stored:
                schema[name] = STORED()
        else:
            schema[name] = TEXT(analyzer=text_analyzer(), stored=field.stored)
    if not content:
        raise SearchBackendError("No document=True field in the search indexes.")
    return IndexShape(
        schema=Schema(**schema),
        content_field=content,
        facet_fields=frozenset(
            f.index_fieldname for f in fields.values() if hasattr(f, "facet_for")
        ),
        multi_fields=frozenset(f.index_fieldname for f in fields.values() if f.is_multivalued),
        date_fields=frozenset(
            f.index_fieldname for f in fields.values() if f.field_type in ("date", "datetime")
        ),
    )


def whoosh_document(shape: IndexShape, document: dict) -> dict:
    """A prepared document (``search.documents.prepare``) as Whoosh fields."""
    names = shape.schema.names()
    doc = {}
    for key, value in document.items():
        if value is None or key not in names:
            continue
        if key in shape.multi_fields:
            values = [str(v) for v in value if v not in (None, "")]
            if any("," in v for v in values):
                # Keys are slugs, which never hold one; a comma would split the value.
                raise ValueError(f"{key} value contains a comma: {values!r}")
            value = ",".join(values)
        elif key in shape.date_fields:
            value = as_datetime(value)
        elif key == FINGERPRINT:
            pass
        elif not isinstance(value, str):
            value = str(value)
        if value == "" and key in shape.facet_fields:
            continue
        doc[key] = value
    text = doc.get(shape.content_field, "")
    words = {fold_text(w) for w in _SPELL_WORD.findall(text.lower())}
    doc[SPELLING_FIELD] = " ".join(sorted(words))
    return doc


def as_datetime(value) -> datetime.datetime:
    """Dates are indexed as naive midnights (Whoosh's DATETIME; no time zone shift)."""
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        return as_datetime(datetime.date.fromisoformat(value[:10]))
    raise SearchBackendError(f"Not a date: {value!r}")

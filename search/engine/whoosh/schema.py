"""The Whoosh schema of the statement index, and a prepared document in Whoosh's terms.

Facet fields hold stable keys matched exactly (``ID`` for one value, ``KEYWORD`` with commas
for several): never an analyzer, so "United Kingdom" stays one value.  The body is
``BodyText`` (stemmed, with positions) beside ``ExactText`` (its distinctive exact forms)
and ``WordSet`` (its words, for "Did you mean"), all three analysed by ``search.text`` in one
pass; result rows render from the short stored fields.

The text fields carry the analyzer of the index generation they belong to (its protected
words), so a schema is made per analyzer: ``IndexShape.schema_for``.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SearchBackendError
from whoosh.fields import DATETIME, KEYWORD, STORED, TEXT, Schema
from whoosh.fields import ID as WHOOSH_ID

from search.text import Analyzer

from ...documents import FINGERPRINT
from .analysis import AnalysedText, BodyText, ExactText, SearchTextTokenizer, WordSet, make_analyzer

SPELLING_FIELD = "spelling"


def exact_field(content_field: str) -> str:
    """The name of the exact field beside a text field."""
    return f"{content_field}_exact"


@dataclass(frozen=True)
class IndexShape:
    schema: Schema  # with the default analyzer (every State's Arabic names protected)
    content_field: str
    facet_fields: frozenset[str]
    multi_fields: frozenset[str]
    date_fields: frozenset[str]
    text_fields: frozenset[str] = frozenset()  # indexed text besides the body
    make_schema: Callable[[Analyzer], Schema] | None = field(default=None, compare=False)
    _schemas: dict = field(default_factory=dict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @property
    def exact_field(self) -> str:
        return exact_field(self.content_field)

    def schema_for(self, analyzer: Analyzer) -> Schema:
        """The schema whose text fields analyse with ``analyzer`` (one per analyzer)."""
        with self._lock:
            found = self._schemas.get(id(analyzer))
            if found is None or found[0] is not analyzer:
                if len(self._schemas) >= 8:
                    self._schemas.clear()
                found = self._schemas[id(analyzer)] = (analyzer, self.make_schema(analyzer))
            return found[1]


def build_shape(fields, *, store_body: bool = False) -> IndexShape:
    """The schema for haystack's unified index fields."""
    content = ""
    for f in fields.values():
        if f.document:
            content = f.index_fieldname
    if not content:
        raise SearchBackendError("No document=True field in the search indexes.")

    def make_schema(analyzer: Analyzer) -> Schema:
        schema = {
            ID: WHOOSH_ID(stored=True, unique=True),
            DJANGO_CT: WHOOSH_ID(stored=True),
            DJANGO_ID: WHOOSH_ID(stored=True),
            # search_status compares it with the database's to spot stale documents.
            FINGERPRINT: STORED(),
            # Whole (unstemmed) words for "Did you mean": Whoosh's own spelling=True field
            # made indexing several times slower (a file stat per posting on commit).
            SPELLING_FIELD: WordSet(analyzer),
            exact_field(content): ExactText(analyzer),
        }
        for f in fields.values():
            name = f.index_fieldname
            if f.document:
                schema[name] = BodyText(analyzer, stored=store_body)
            elif hasattr(f, "facet_for"):
                if f.is_multivalued:
                    schema[name] = KEYWORD(
                        commas=True, lowercase=False, scorable=False, stored=f.stored
                    )
                else:
                    schema[name] = WHOOSH_ID(stored=f.stored)
            elif f.field_type in ("date", "datetime"):
                schema[name] = DATETIME(stored=f.stored, sortable=True)
            elif not f.indexed:
                if f.stored:
                    schema[name] = STORED()
            else:
                # Any other text is folded and stemmed as the body is.
                schema[name] = TEXT(analyzer=SearchTextTokenizer(analyzer), stored=f.stored)
        return Schema(**schema)

    default = make_schema(make_analyzer())
    shape = IndexShape(
        schema=default,
        content_field=content,
        facet_fields=frozenset(
            f.index_fieldname for f in fields.values() if hasattr(f, "facet_for")
        ),
        multi_fields=frozenset(f.index_fieldname for f in fields.values() if f.is_multivalued),
        date_fields=frozenset(
            f.index_fieldname for f in fields.values() if f.field_type in ("date", "datetime")
        ),
        text_fields=frozenset(
            f.index_fieldname for f in fields.values()
            if f.indexed and not f.document and not hasattr(f, "facet_for")
            and f.field_type not in ("date", "datetime")
        ),
        make_schema=make_schema,
    )
    shape._schemas[id(default[content].analysis)] = (default[content].analysis, default)
    return shape


def whoosh_document(shape: IndexShape, document: dict) -> dict:
    """A prepared document (``search.documents.prepare``) as Whoosh fields.

    The body goes to the body, exact and spelling fields as one ``AnalysedText``: whichever
    generation's schema the document is written with analyses it, once for the three.
    """
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
    text = AnalysedText(doc.get(shape.content_field, ""))
    doc[shape.content_field] = doc[shape.exact_field] = doc[SPELLING_FIELD] = text
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

"""What the Whoosh engine remembers between requests, in one small LRU type.

Two kinds of key:

* per *searcher* (``SearcherState.key``, a new one for every reopened searcher): document
  numbers are stable within one searcher, so facet counts, filter sets and composed columns
  are remembered under it;
* per *segment* (``segment_key``): a segment's documents never change once it is written
  (later deletions are recorded beside it), so what was computed for one segment stays true
  across the index worker's small commits, which only add segments and deletions.

Threads of one process share these (runserver starts one per request).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from ..lru import LRU

# Per searcher.
FACETS = LRU(2048)  # (searcher, query, filter, facet) -> [(key, count), ...]
FILTERS = LRU(512)  # (searcher, filter) -> set of document numbers
COLUMNS = LRU(64)  # (searcher, facet) -> document number -> values
FREQUENCIES = LRU(8)  # (searcher, field) -> {term: document frequency}
# Per segment.
SEGMENTS = LRU(4096)  # (segment, kind, name) -> facet column, matches, word lists
LENGTHS = LRU(64)  # (segment, field) -> every document's field length
# (segment, field, terms) -> {document: positions} of a word or phrase (research tools).  A
# common word's entry holds every position of it in a segment (about 1.5 MB for a word in
# every UN speech), so fewer are kept than of anything else.
POSITIONS = LRU(96)
PKS = LRU(16)  # searcher -> {document number: statement pk}

_ALL = (FACETS, FILTERS, COLUMNS, FREQUENCIES, SEGMENTS, LENGTHS, POSITIONS, PKS)


def clear_caches() -> None:
    """Forget everything the engine remembers about indexes in this process (a reset index,
    or a benchmark's first request)."""
    for cache in _ALL:
        cache.clear()


def forget_queries() -> None:
    """Forget what is remembered per query (facet counts, filters, a query's or phrase's
    documents per segment), keeping what is remembered per field (columns, lengths, word
    lists): what a query never seen before costs."""
    FACETS.clear()
    FILTERS.clear()
    POSITIONS.clear()
    with SEGMENTS._lock:
        for key in [k for k in SEGMENTS._data if k[1] in ("docs", "phrase")]:
            del SEGMENTS._data[key]


def segment_key(reader) -> Hashable | None:
    """What names a segment's entries; None for a reader of no single segment."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:
        return None
    # Segment ids are random and a segment never changes once written.
    return (segment.segment_id(), reader.doc_count_all())


def segment_cached(reader, kind: str, name, compute: Callable[[], Any]):
    """``compute()`` for this segment, remembered under (segment, kind, name)."""
    key = segment_key(reader)
    if key is None:
        return compute()
    return SEGMENTS.get_or_compute((key, kind, name), compute)

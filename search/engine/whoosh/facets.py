"""Facet counts from per-segment document -> values columns.

A column is read once per segment from the facet field's postings (deleted documents
included, so a later deletion never changes what is cached) and composed per searcher;
counting a facet is then a walk over the matching document numbers.
"""

from __future__ import annotations

from .caches import COLUMNS, FACETS, segment_cached
from .collectors import leaves


def segment_column(reader, name) -> list[tuple[str, ...]]:
    """One segment's document -> values of a facet field."""

    def compute():
        column = [()] * reader.doc_count_all()
        if name in reader.indexed_field_names():
            for btext in reader.lexicon(name):
                value = btext.decode("utf-8")
                for docnum in reader.postings(name, btext).all_ids():
                    column[docnum] = (*column[docnum], value)
        return column

    return segment_cached(reader, "column", name, compute)


def column(st, name) -> list[tuple[str, ...]]:
    """Per document of the searcher, the values of one facet field."""

    def compose():
        out = []
        for sub, _offset in leaves(st.searcher):
            out.extend(segment_column(sub.reader(), name))
        return out

    return COLUMNS.get_or_compute((st.key, name), compose)


def facet_counts(st, query_key, name, docs) -> list[tuple[str, int]]:
    """(value, count) over ``docs``, the matches of the query ``query_key`` stands for (its
    scoring query, filter and exclusions), most frequent first."""

    def count():
        values = column(st, name)
        counts: dict[str, int] = {}
        for docnum in docs:
            for value in values[docnum]:
                counts[value] = counts.get(value, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    return FACETS.get_or_compute((st.key, repr(query_key), name), count)

"""A search as the search page understands it, for the API, the search feed and the exports.

Everything goes through ``search.query`` (``read_request`` and ``build_queryset``), so a
query string means exactly what it means on ``/search/``: the same parameters, the same
query language, the same facet filters and the same order.  Only the presentation differs:
these callers want statements from the database (published ones, in the index's order)
rather than the page's stored result rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.http import QueryDict

from archive.models import Kind, Language, Statement
from search.query import (
    _KEY_PATTERNS,
    FACETS,
    MAX_VALUES_PER_FACET,
    SORTS,
    BadSearchRequest,
    SearchRequest,
    build_queryset,
    facet_labels,
    index_generation,
    read_request,
)

__all__ = [
    "BadSearchRequest",
    "check_known",
    "FACETS",
    "KEY_PATTERNS",
    "MAX_QUERY_LENGTH",
    "SEARCH_PARAMETERS",
    "SORTS",
    "SearchRequest",
    "facets_for",
    "iter_statements",
    "parse",
    "statements_for_page",
]

# The search page's parameters (see search/query.py).
SEARCH_PARAMETERS = ("q", *FACETS, "from", "to", "sort")
KEY_PATTERNS = dict(_KEY_PATTERNS)
MAX_QUERY_LENGTH = 1000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Parsed:
    request: SearchRequest
    # A range whose start is after its end matches nothing (the page answers 400; callers
    # that filter rather than ask may prefer an empty result).
    reversed_dates: bool = False


def parse(params: QueryDict, *, strict: bool = False, allow_reversed_dates: bool = False) -> Parsed:
    """The search page's reading of ``params``; raises ``BadSearchRequest`` (a 400).

    ``strict`` also refuses what the page quietly tidies (spaces around a value, empty
    values), as an API whose schema states exact patterns must.
    """
    if strict:
        _check_strictly(params)
    q = params.get("q", "")
    if len(q) > MAX_QUERY_LENGTH or "\x00" in q:
        raise BadSearchRequest(f"The query must be at most {MAX_QUERY_LENGTH} characters.")
    reversed_dates = False
    if allow_reversed_dates:
        start, end = params.get("from", "").strip(), params.get("to", "").strip()
        if _DATE.fullmatch(start) and _DATE.fullmatch(end) and start > end:
            params = params.copy()
            params.pop("to")
            reversed_dates = True
    return Parsed(read_request(params), reversed_dates)


def _check_strictly(params: QueryDict) -> None:
    for name, pattern in KEY_PATTERNS.items():
        values = params.getlist(name)
        if len(values) > MAX_VALUES_PER_FACET:
            raise BadSearchRequest(f"At most {MAX_VALUES_PER_FACET} {name} values at once.")
        for value in values:
            if not re.fullmatch(pattern, value):
                raise BadSearchRequest(f"“{value[:60]}” is not a valid {name} value.")
    for name, choices in (("kind", Kind.values), ("language", Language.values)):
        for value in params.getlist(name):
            if value not in choices:
                raise BadSearchRequest(f"Unknown {name} “{value[:40]}” ({', '.join(choices)}).")
    for name in ("from", "to"):
        if name in params and not _DATE.fullmatch(params[name]):
            raise BadSearchRequest(f"The “{name}” date must look like 2022-12-31.")
    if "sort" in params and params["sort"] not in SORTS:
        raise BadSearchRequest(f"Unknown sort order (one of {', '.join(SORTS)}).")
    for name in SEARCH_PARAMETERS:
        if len(params.getlist(name)) > 1 and name not in KEY_PATTERNS:
            raise BadSearchRequest(f"Give “{name}” at most once.")


def check_known(parsed: Parsed) -> None:
    """Refuse facet values no published statement has, as the search page does (a 400)."""
    for name, values in parsed.request.selected.items():
        known = facet_labels(name, values, published_only=True)
        unknown = [value for value in values if value not in known]
        if unknown:
            raise BadSearchRequest(f"There is no {name} “{unknown[0]}” in the archive.")


def queryset(parsed: Parsed):
    """The ``SearchQuerySet`` of the page for this request (nothing when dates are reversed)."""
    sqs = build_queryset(parsed.request)
    return sqs.none() if parsed.reversed_dates else sqs


def _published_in_order(pks: list[int], *, with_body: bool) -> list[Statement]:
    statements = Statement.objects.published().for_detail()
    if not with_body:
        statements = statements.defer("body", "original_text")
    found = statements.in_bulk(pks)
    # The index can be a moment behind an unpublish: such hits are dropped, as on the page.
    return [found[pk] for pk in pks if pk in found]


def statements_for_page(results, *, with_body: bool = False) -> list[Statement]:
    return _published_in_order([int(r.pk) for r in results], with_body=with_body)


def iter_statements(sqs, *, limit: int, batch: int = 200, with_body: bool = False
                    ) -> Iterator[Statement]:
    """Up to ``limit`` matching statements in the page's order, a batch at a time."""
    for start in range(0, limit, batch):
        results = sqs[start : min(start + batch, limit)]
        pks = [int(r.pk) for r in results]
        if not pks:
            return
        yield from _published_in_order(pks, with_body=with_body)
        if len(pks) < batch:
            return


def facets_for(parsed: Parsed, *, limit: int = 20) -> dict[str, list[dict]]:
    """Counts per facet value over every match; labels from the database, like the page.

    As on the page, the counts of a facet with a selection ignore that selection, so that
    they say what adding another value (OR within a facet) would bring.
    """
    if parsed.reversed_dates:
        return {name: [] for name in FACETS}
    request = parsed.request
    sqs = build_queryset(request)
    for name in FACETS:
        if name not in request.selected:
            sqs = sqs.facet(name)
    counts = dict(sqs.facet_counts().get("fields", {}))
    for name in request.selected:
        other = build_queryset(request, skip_facet=name).facet(name)
        counts[name] = other.facet_counts().get("fields", {}).get(name, [])
    out = {}
    generation = index_generation()
    for name in FACETS:
        pairs = [(key, count) for key, count in counts.get(name, []) if key and count]
        if name == "year":
            pairs.sort(key=lambda pair: pair[0], reverse=True)
        pairs = pairs[:limit] if name != "year" else pairs
        labels = facet_labels(name, [key for key, _ in pairs], generation=generation)
        out[name] = [
            {"value": key, "label": labels[key], "count": count}
            for key, count in pairs
            if key in labels  # indexed a moment ago, since unpublished or renamed
        ]
    return out

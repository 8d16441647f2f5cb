"""Counting a search's statements, words and occurrences: what every research tool starts from.

A search request (``search.request.read_request``: the query and the facets, with the search
page's own 400s) defines two sets of published statements:

* the **matches**: what the search page finds;
* the **base**: the same search without its words and phrases (facets, dates and field
  filters such as ``country:QAT`` kept), the statements the matches are a share of.

An **occurrence** is a place in a statement's body where one of the query's words or phrases
(``ParsedQuery.positive_text``) stands, matched as search matches it (``search.text``:
folded, stemmed, Arabic normalised).  The engine gives the positions from its postings
(``SearchEngine.phrase_positions``); those inside the body (``research.stats``) count, so
the title, speakers' names and topics the index also holds never do.
"""

from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass

from search.engine import get_engine
from search.parsing import AnyOf, ParsedQuery, Phrase, Word
from search.request import SearchRequest, build_queryset

from .stats import Stat, stats_for

RATE_PER = 10_000  # rates are occurrences per this many words


def _has_text(clause) -> bool:
    if isinstance(clause, AnyOf):
        return any(_has_text(item) for item in clause.items)
    return isinstance(clause, Word | Phrase)


def base_request(request: SearchRequest) -> SearchRequest:
    """The request without its words and phrases (facets, dates, field filters kept)."""
    parsed = ParsedQuery(
        clauses=[c for c in request.parsed.clauses if not _has_text(c)],
        notices=list(request.parsed.notices), text=request.parsed.text,
    )
    return dataclasses.replace(request, parsed=parsed, sort="newest")


def targets(request: SearchRequest) -> list[str]:
    """The words and phrases whose occurrences are counted."""
    return list(dict.fromkeys(request.parsed.positive_text()))


def tree_of(request: SearchRequest):
    """The engine's search tree of a request (what ``SearchQuerySet`` would run)."""
    return build_queryset(request).query.query_filter


@dataclass
class Counted:
    """One request counted: the matches, the base, and the occurrences per statement."""

    matches: set[int]
    base: frozenset[int]
    stats: dict[int, Stat]
    occurrences: dict[int, int]  # statement pk -> occurrences in its body (none: absent)
    phrases: list[str]

    def occurrence_count(self, pk: int) -> int:
        return self.occurrences.get(pk, 0)

    @property
    def total_occurrences(self) -> int:
        return sum(self.occurrences.values())


def in_body(stat: Stat, positions) -> int:
    """How many of the sorted ``positions`` (of the index's document text) are the body's."""
    return (bisect.bisect_left(positions, stat.body_start + stat.words)
            - bisect.bisect_left(positions, stat.body_start))


def count(request: SearchRequest, *, with_base: bool = True, memo: dict | None = None
          ) -> Counted:
    """Matches, base and body occurrences of a request (raises ``SearchUnavailable``).

    ``memo``: a dict shared by the series of one answer, so that a base they share is read
    once."""
    engine = get_engine()
    memo = memo if memo is not None else {}
    tree = tree_of(request)
    matches = engine.statement_ids(tree)
    base: frozenset[int] = frozenset()
    stats = None
    if with_base:
        base_tree = tree_of(base_request(request))
        key = ("base", repr(base_tree))
        if key not in memo:
            ids = frozenset(engine.statement_ids(base_tree))
            memo[key] = (ids, stats_for(ids))
        base, stats = memo[key]
        # Every match is in the base, unless the index changed between the two reads.
        if not matches <= base:
            base = base | matches
            stats = stats_for(base)
    else:
        stats = stats_for(matches)
    phrases = targets(request)
    occurrences: dict[int, int] = {}
    if phrases and matches:
        for pk, positions in engine.phrase_positions(tree, phrases).items():
            stat = stats.get(pk)
            if stat is None or pk not in matches:
                continue
            found = in_body(stat, positions)
            if found:
                occurrences[pk] = found
    # Statements without statistics are gone from the database since the index read them.
    if len(stats) < len(base if with_base else matches):
        known = stats.keys()
        matches = matches & known
        base = frozenset(base & known) if with_base else base
    return Counted(matches, base, stats, occurrences, phrases)


def rate(occurrences: int, words: int) -> float | None:
    return round(occurrences * RATE_PER / words, 3) if words else None

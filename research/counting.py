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
    base: set[int]
    stats: dict[int, Stat]
    occurrences: dict[int, list[int]]  # statement pk -> positions in its body (from 0)
    phrases: list[str]

    def occurrence_count(self, pk: int) -> int:
        return len(self.occurrences.get(pk, ()))

    @property
    def total_occurrences(self) -> int:
        return sum(len(p) for p in self.occurrences.values())


def body_positions(stat: Stat, positions: list[int]) -> list[int]:
    """The positions inside the body, as offsets from its first word."""
    low = bisect.bisect_left(positions, stat.body_start)
    high = bisect.bisect_left(positions, stat.body_start + stat.words)
    return [p - stat.body_start for p in positions[low:high]]


def count(request: SearchRequest, *, with_base: bool = True) -> Counted:
    """Matches, base and body occurrences of a request (raises ``SearchUnavailable``)."""
    engine = get_engine()
    tree = tree_of(request)
    matches = engine.statement_ids(tree)
    base = engine.statement_ids(tree_of(base_request(request))) if with_base else set()
    # Every match is in the base; a statement unpublished a moment ago is in neither.
    base |= matches
    phrases = targets(request)
    stats = stats_for(base)
    occurrences: dict[int, list[int]] = {}
    if phrases and matches:
        for pk, positions in engine.phrase_positions(tree, phrases).items():
            stat = stats.get(pk)
            if stat is None or pk not in matches:
                continue
            inside = body_positions(stat, positions)
            if inside:
                occurrences[pk] = inside
    return Counted(matches & stats.keys(), base & stats.keys(), stats, occurrences, phrases)


def rate(occurrences: int, words: int) -> float | None:
    return round(occurrences * RATE_PER / words, 3) if words else None

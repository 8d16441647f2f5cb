"""Proximity in ranking: the best-scored documents re-ordered by how close the query's words
stand, and in what order.

BM25 scores each word on its own, so a speech that holds every word of "the right of peoples
to self-determination" scattered over twenty pages can outrank the one speech where they form
that sentence.  After the BM25 pass, the ``RERANK_DEPTH`` best documents are scored again:

    score = bm25 * (1 + PROXIMITY_WEIGHT * proximity)

where ``proximity`` (0 to 1) is the mean of two measures over the query's content words
(stopwords only count as distance between them):

* the **tightest window**: the span the words take in the query divided by the shortest
  stretch of text holding one of each (1 when they stand as close as in the query);
* **ordered pairs**: the share of neighbouring query words ("self", "determination") found in
  the query's order, at most ``PAIR_SLACK`` words further apart than in the query.

Only documents already among the best by BM25 move, so a query costs at most
``RERANK_DEPTH`` position look-ups per word, whatever it matches; pages beyond that depth keep
the BM25 order, and every page of a query sees the same order (the depth does not depend on
the page asked for).  The figures behind the constants are in ``bench/relevance.py``'s
README section (tuned on the development corpus only).
"""

from __future__ import annotations

from collections.abc import Sequence

from whoosh.matching import ReadTooFar

from .collectors import leaves
from .phrase import positions

RERANK_DEPTH = 100
PROXIMITY_WEIGHT = 1.0
# Neighbouring query words count as "in order" up to this many words further apart in the
# text than they stand in the query.
PAIR_SLACK = 2
# A window this many words longer than the query's own span is no evidence of proximity.
MAX_WINDOW = 64


def proximity(word_positions: Sequence[Sequence[int]],
              query_positions: Sequence[int] | None = None) -> float:
    """0..1 for one document: ``word_positions`` holds each query word's positions in the
    document, in the query's order (empty for a word it lacks); ``query_positions`` where
    each stands in the query (function words left out of the list still count: "need to do
    to ensure" spans five words), by default side by side."""
    if query_positions is None:
        query_positions = range(len(word_positions))
    present = [(p, at) for p, at in zip(word_positions, query_positions, strict=True) if p]
    if len(present) < 2:
        return 0.0
    window = _tightest_window([p for p, _at in present])
    span = present[-1][1] - present[0][1] + 1
    window_score = min(1.0, span / window) if window <= span + MAX_WINDOW else 0.0
    pairs = found = 0
    words = list(zip(word_positions, query_positions, strict=True))
    for (first, a), (second, b) in zip(words, words[1:], strict=False):
        pairs += 1
        if first and second and _in_order(first, second, b - a + PAIR_SLACK):
            found += 1
    return 0.5 * window_score + 0.5 * (found / pairs if pairs else 0.0)


def _tightest_window(lists: list[Sequence[int]]) -> int:
    """Length of the shortest stretch of positions holding one position of every list."""
    events = sorted((p, i) for i, plist in enumerate(lists) for p in plist)
    need = len(lists)
    counts = [0] * need
    have = 0
    best = None
    left = 0
    for right_pos, right_word in events:
        if counts[right_word] == 0:
            have += 1
        counts[right_word] += 1
        while have == need:
            left_pos, left_word = events[left]
            span = right_pos - left_pos + 1
            if best is None or span < best:
                best = span
            counts[left_word] -= 1
            if counts[left_word] == 0:
                have -= 1
            left += 1
    return best or 1 << 30


def _in_order(first: Sequence[int], second: Sequence[int], most: int) -> bool:
    after = set(second)
    return any(p + gap in after for p in first for gap in range(1, most + 1))


def rerank(searcher, top_n: list[tuple[float, int]], field: str,
           words: Sequence[tuple[Sequence[bytes], int]], *, depth: int | None = None,
           weight: float | None = None) -> list[tuple[float, int]]:
    """``top_n`` ((score, docnum), best first) with its first ``depth`` entries scored again
    with proximity; ``words``: (index terms, position in the query) of each query word."""
    depth = RERANK_DEPTH if depth is None else depth
    weight = PROXIMITY_WEIGHT if weight is None else weight
    if len(words) < 2 or not top_n or weight <= 0 or depth <= 0:
        return top_n
    terms = [t for t, _at in words]
    at = [a for _t, a in words]
    head, tail = top_n[:depth], top_n[depth:]
    found = _positions_of(searcher, field, terms, [docnum for _score, docnum in head])
    rescored = [
        (score * (1.0 + weight * proximity(found[docnum], at)), docnum)
        for score, docnum in head
    ]
    # Ties keep the earlier (BM25) order, as the collector breaks them by document number.
    rescored.sort(key=lambda item: (-item[0], item[1]))
    return rescored + tail


def _positions_of(searcher, field: str, words, docnums: list[int]) -> dict[int, list[list[int]]]:
    """docnum -> each word's positions in ``field`` (one pass per term per segment)."""
    out = {d: [[] for _ in words] for d in docnums}
    for sub, offset in leaves(searcher):
        reader = sub.reader()
        local = sorted(d - offset for d in docnums if 0 <= d - offset < reader.doc_count_all())
        if not local:
            continue
        for index, terms in enumerate(words):
            for term in terms:
                if (field, term) not in reader:
                    continue
                matcher = reader.postings(field, term)
                for doc in local:
                    if not matcher.is_active():
                        break
                    if matcher.id() < doc:
                        try:
                            matcher.skip_to(doc)
                        except ReadTooFar:
                            break
                        if not matcher.is_active():
                            break
                    if matcher.id() == doc:
                        out[doc + offset][index].extend(positions(matcher.value()))
        for doc in local:
            lists = out[doc + offset]
            for plist in lists:
                if len(plist) > 1:
                    plist.sort()
    return out

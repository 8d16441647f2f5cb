"""Related statements: the statement's most characteristic terms, searched for together.

What Lucene's MoreLikeThis does: score the document's terms by tf x idf, leave out terms in
only this document or in more than a fifth of the archive (they say little about what is
similar, and the common ones only make the "any of these terms" query slow), and search for
the best of them with their scores as boosts.  Whoosh's own ``key_terms_from_text`` (Bo1)
asked every segment for every term's collection frequency, twice the cost of the search.
"""

from __future__ import annotations

import heapq
import math

from whoosh import query as wq

from .caches import FREQUENCIES

NUMTERMS = 15


def key_terms(st, field, positions_of, text: str, numterms: int = NUMTERMS):
    """[(term, weight relative to the best)] of ``text``; ``positions_of`` is the field's
    one-pass analyzer (term -> positions)."""
    reader = st.searcher.reader()
    total = reader.doc_count()
    if not total:
        return []
    frequency = _document_frequencies(st, reader, field)
    # On a small archive every shared word is informative; on a large one the common ones
    # only make the query slow.
    ceiling = total if total < 100 else total // 5
    scored, common_scored = [], []
    for term, where in positions_of(text).items():
        if len(term) < 3 or not term.isalpha():
            continue
        df = frequency(term)
        if df >= 2:
            # BM25's idf: positive even for a term in every document.
            entry = (len(where) * math.log(1 + (total - df + 0.5) / (df + 0.5)), term)
            (scored if df <= ceiling else common_scored).append(entry)
    top = heapq.nlargest(numterms, scored) or heapq.nlargest(numterms, common_scored)
    if not top:
        return []
    best = top[0][0]
    return [(term, score / best) for score, term in top]


def related_query(field, terms):
    return wq.Or([wq.Term(field, w, boost=weight) for w, weight in terms])


def _document_frequencies(st, reader, field):
    """A term -> document frequency lookup, remembered for the searcher."""
    key = (st.key, field)
    known = FREQUENCIES.get(key)
    if known is None:
        known = {}
        FREQUENCIES.put(key, known)

    def frequency(term):
        df = known.get(term)
        if df is None:
            df = known[term] = reader.doc_frequency(field, term)
        return df

    return frequency

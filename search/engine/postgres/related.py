"""Related statements: the statement's most characteristic terms, searched for together.

As the Whoosh engine (Lucene's MoreLikeThis): each term of the text scored by tf x BM25 idf,
leaving out terms in only this document or, on an archive of a hundred statements or more,
in more than a fifth of it; the best fifteen are OR-ed and the matches ranked (RUM inside
its index, GIN by ``ts_rank_cd``).  Document frequencies come from ``search_term``, which
every write keeps counted, so no scan of the vectors is needed.
"""

from __future__ import annotations

import heapq
import math

from .rows import quote, usable
from .schema import DOCUMENTS, TERMS

NUMTERMS = 15


def key_terms(cursor, analyzer, text: str, total: int, numterms: int = NUMTERMS):
    positions = analyzer.positions(text)
    candidates = [t for t in positions if len(t) >= 3 and t.isalpha() and usable(t)]
    if not candidates or not total:
        return []
    cursor.execute(f"SELECT term, df FROM {TERMS} WHERE term = ANY(%s)", [candidates])
    frequency = dict(cursor.fetchall())
    ceiling = total if total < 100 else total // 5
    scored, common = [], []
    for term in candidates:
        df = frequency.get(term, 0)
        if df >= 2:
            entry = (len(positions[term]) * math.log(1 + (total - df + 0.5) / (df + 0.5)),
                     term)
            (scored if df <= ceiling else common).append(entry)
    return [term for _score, term in (heapq.nlargest(numterms, scored)
                                      or heapq.nlargest(numterms, common))]


def related_rows(cursor, state, analyzer, identifier: str, text: str, *, limit: int):
    cursor.execute(f"SELECT count(*) FROM {DOCUMENTS}")
    total = cursor.fetchone()[0]
    terms = key_terms(cursor, analyzer, text, total)
    if not terms:
        return [], 0
    query = " | ".join(quote(t) for t in terms)
    if state.index_method == "rum":
        order = "tsv <=> %s::tsquery"
    else:
        order = "ts_rank(tsv, %s::tsquery) DESC"
    cursor.execute(
        f"""SELECT identifier, django_ct, django_id, stored, ts_rank(tsv, %s::tsquery)
              FROM {DOCUMENTS}
             WHERE tsv @@ %s::tsquery AND identifier <> %s
             ORDER BY {order}, django_id LIMIT %s""",
        [query, query, identifier, query, limit],
    )
    rows = cursor.fetchall()
    if len(rows) < limit:
        return rows, len(rows)
    cursor.execute(
        f"SELECT count(*) FROM {DOCUMENTS} WHERE tsv @@ %s::tsquery AND identifier <> %s",
        [query, identifier],
    )
    return rows, cursor.fetchone()[0]

"""Related statements: the statement's most characteristic terms, searched for together.

As the Whoosh engine (Lucene's MoreLikeThis): each term of the text scored by tf x BM25 idf,
leaving out terms in only this document or, on an archive of a hundred statements or more,
in more than a fifth of it; the best fifteen are OR-ed and the matches ranked (RUM inside
its index, GIN by ``ts_rank``); the matches are counted up to ``COUNT_CAP``.  Document
frequencies come from ``search_term``, which every write keeps counted, so no scan of the
vectors is needed.
"""

from __future__ import annotations

import heapq
import math

from .rows import quote, usable
from .schema import DOCUMENTS, TERMS
from .ties import tie_ordered

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


# Matches counted past this many are not counted: an OR of fifteen terms matches most of a
# large archive, and counting a million matches costs seconds for a figure nobody reads.
COUNT_CAP = 10_000


def archive_size(cursor) -> int:
    """The number of documents, as the planner keeps it (exact enough for idf, and no scan of
    a million rows per request); counted when the table was never analysed."""
    cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                   [DOCUMENTS])
    row = cursor.fetchone()
    if row and row[0] and row[0] > 0:
        return int(row[0])
    cursor.execute(f"SELECT count(*) FROM {DOCUMENTS}")
    return cursor.fetchone()[0]


def related_rows(cursor, state, analyzer, identifier: str, text: str, *, limit: int):
    total = archive_size(cursor)
    terms = key_terms(cursor, analyzer, text, total)
    if not terms:
        return [], 0
    query = " | ".join(quote(t) for t in terms)
    if state.index_method == "rum":
        rows = tie_ordered(
            cursor,
            f"""SELECT identifier, django_ct, django_id, stored, ts_rank(tsv, %s::tsquery),
                       tsv <=> %s::tsquery
                  FROM {DOCUMENTS}
                 WHERE tsv @@ %s::tsquery AND identifier <> %s
                 ORDER BY tsv <=> %s::tsquery LIMIT %s""",
            [query, query, query, identifier, query],
            limit,
        )
    else:
        cursor.execute(
            f"""SELECT identifier, django_ct, django_id, stored, ts_rank(tsv, %s::tsquery)
                  FROM {DOCUMENTS}
                 WHERE tsv @@ %s::tsquery AND identifier <> %s
                 ORDER BY ts_rank(tsv, %s::tsquery) DESC, django_id LIMIT %s""",
            [query, query, identifier, query, limit],
        )
        rows = cursor.fetchall()
    if len(rows) < limit:
        return rows, len(rows)
    cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {DOCUMENTS} WHERE tsv @@ %s::tsquery "
        "AND identifier <> %s LIMIT %s) AS found",
        [query, identifier, COUNT_CAP],
    )
    return rows, cursor.fetchone()[0]

""""Did you mean" from the real words of the indexed (published) documents.

A typed word is unknown when search would find nothing for it: none of its stemmed terms is
in ``search_term`` (a document frequency above zero).  Candidates come from ``search_word``:
whole words as some document writes them (never stems), with the same first letter, within
two letters of the length, nearest first by trigram distance on the accent-folded form (a
GiST index); the Damerau-Levenshtein distance (rapidfuzz) then keeps those within two edits.
Fewest edits first; among equals, the word in most documents, then the closest in length:
the Whoosh engine's order.  Only published statements are indexed, and a word's count falls
to zero (and the word goes) when its last document does, so no draft's word is offered.
"""

from __future__ import annotations

from rapidfuzz.distance import DamerauLevenshtein

from search.text import WORD_RE, Analyzer

from .rows import spelling_word
from .schema import TERMS, WORDS

MAX_WORDS = 20
MAX_DISTANCE = 2
CANDIDATES = 300


def folded(analyzer: Analyzer, word: str) -> str:
    if word.isascii():
        return word
    forms = analyzer.word(word)
    return forms.folded if forms is not None else word


def words_of(text: str, analyzer: Analyzer) -> list[tuple[str, int, int]]:
    """(the word as the words table holds it, start, end) of each word of ``text``."""
    out = []
    for match in WORD_RE.finditer(text or ""):
        forms = analyzer.word(match.group())
        if forms is not None:
            out.append((forms.spelling, match.start(), match.end()))
    return out


def suggestions(cursor, text: str, analyzer: Analyzer) -> list[tuple[str, str]]:
    """(word as typed, suggestion) for the words of ``text`` that search finds nowhere."""
    typed = []
    for word, start, end in words_of(text, analyzer)[:MAX_WORDS]:
        forms = analyzer.word(text[start:end])
        if spelling_word(word) and forms is not None:
            typed.append((word, text[start:end], forms.terms))
    if not typed:
        return []
    cursor.execute(f"SELECT term FROM {TERMS} WHERE term = ANY(%s) AND df > 0",
                   [sorted({t for _w, _s, terms in typed for t in terms})])
    known = {row[0] for row in cursor.fetchall()}
    out = []
    for word, surface, terms in typed:
        if any(t in known for t in terms):
            continue
        found = closest_word(cursor, word, analyzer)
        if found and found != word:
            out.append((surface, found))
    return out


def closest_word(cursor, word: str, analyzer: Analyzer) -> str | None:
    key = folded(analyzer, word)
    cursor.execute(
        f"""SELECT word, folded, df FROM {WORDS}
             WHERE initial = %s AND df > 0 AND length(folded) BETWEEN %s AND %s
             ORDER BY folded <-> %s LIMIT %s""",
        [key[:1], len(key) - MAX_DISTANCE, len(key) + MAX_DISTANCE, key, CANDIDATES],
    )
    best = None
    for candidate, candidate_folded, df in cursor.fetchall():
        distance = DamerauLevenshtein.distance(key, candidate_folded,
                                               score_cutoff=MAX_DISTANCE)
        if distance > MAX_DISTANCE:
            continue
        rank = (-distance, df, -abs(len(candidate) - len(word)), candidate)
        if best is None or rank > best[0]:
            best = (rank, candidate)
    return best[1] if best else None


def suggested_text(text: str, analyzer: Analyzer, pairs) -> str | None:
    """Haystack's form of a suggestion: the query's words, each unknown one replaced."""
    if not pairs:
        return None
    replacements = dict(pairs)
    return " ".join(
        replacements.get(text[start:end], word)
        for word, start, end in words_of(text, analyzer)[:MAX_WORDS]
    )

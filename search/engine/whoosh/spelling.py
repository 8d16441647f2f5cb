""""Did you mean": each unknown word replaced by its closest real word in the index.

A typed word is unknown when search would find nothing for it: none of its stemmed terms
(``search.text``, the index generation's analyzer) is in the body field.  So a word typed
without its accents ("Marcic") or its hamza ("الامم") is never "corrected": search finds it.

Candidates come from the ``spelling`` field (whole words as written, never stems), within
two edits and with the same first letter (as Whoosh's ``terms_within(prefix=1)``), compared
with accents folded (so "Marcicc" is one edit from "Marčić") and offered as written; rapidfuzz
computes the distances in C++.  Fewest edits first; among equals, the word in most
documents.  A segment's word list keeps the words of its deleted documents until a merge, so
only words some live document holds are offered.
"""

from __future__ import annotations

from rapidfuzz import process as rf_process
from rapidfuzz.distance import DamerauLevenshtein
from whoosh.reading import TermNotFound

from search.text import WORD_RE, Analyzer

from .analysis import spelling_word
from .caches import segment_cached
from .collectors import leaves
from .schema import SPELLING_FIELD

MAX_WORDS = 20
MAX_DISTANCE = 2


def suggestions(searcher, text: str, analyzer: Analyzer, field: str) -> list[tuple[str, str]]:
    """(word as typed, suggestion) for the words of ``text`` that search finds nowhere;
    ``field`` is the stemmed body field."""
    reader = searcher.reader()
    out = []
    for word, start, end in words_of(text, analyzer)[:MAX_WORDS]:
        forms = analyzer.word(text[start:end])
        if not spelling_word(word) or forms is None:
            continue
        if any(_has_live_doc(reader, field, term) for term in forms.terms):
            continue
        found = closest_word(searcher, word, analyzer)
        if found and found != word:
            out.append((text[start:end], found))
    return out


def words_of(text: str, analyzer: Analyzer) -> list[tuple[str, int, int]]:
    """(the word as the spelling field holds it, start, end) of each word of ``text``."""
    out = []
    for match in WORD_RE.finditer(text or ""):
        forms = analyzer.word(match.group())
        if forms is not None:
            out.append((forms.spelling, match.start(), match.end()))
    return out


def _folded(analyzer: Analyzer, word: str) -> str:
    if word.isascii():
        return word
    forms = analyzer.word(word)
    return forms.folded if forms is not None else word


def closest_word(searcher, word: str, analyzer: Analyzer) -> str | None:
    reader = searcher.reader()
    folded = _folded(analyzer, word)
    found: dict[str, int] = {}
    for sub, _offset in leaves(searcher):
        for candidate, distance in _segment_near_words(sub.reader(), folded, analyzer):
            found[candidate] = min(distance, found.get(candidate, distance))
    found = {w: d for w, d in found.items() if _has_live_doc(reader, SPELLING_FIELD, w)}
    if not found:
        return None
    return max(
        found,
        key=lambda w: (
            -found[w],
            reader.doc_frequency(SPELLING_FIELD, w),
            -abs(len(w) - len(word)),
            w,
        ),
    )


def _segment_near_words(reader, folded: str, analyzer: Analyzer):
    """Words of one segment whose folded form is within ``MAX_DISTANCE`` edits of
    ``folded``, with their distances."""

    def compute():
        # first folded letter -> (folded forms, the words as written), in step
        by_initial: dict[str, tuple[list[str], list[str]]] = {}
        if SPELLING_FIELD in reader.indexed_field_names():
            for btext in reader.lexicon(SPELLING_FIELD):
                text = btext.decode("utf-8")
                key = _folded(analyzer, text)
                forms, words = by_initial.setdefault(key[:1], ([], []))
                forms.append(key)
                words.append(text)
        return by_initial

    by_initial = segment_cached(reader, "words", SPELLING_FIELD, compute)
    forms, words = by_initial.get(folded[:1], ((), ()))
    if not forms:
        return []
    matches = rf_process.extract(
        folded, forms, scorer=DamerauLevenshtein.distance, score_cutoff=MAX_DISTANCE,
        limit=None,
    )
    return [(words[index], distance) for _choice, distance, index in matches]


def _has_live_doc(reader, field: str, word: str) -> bool:
    """Whether a document not deleted holds ``word`` (postings skip deleted documents)."""
    try:
        return reader.postings(field, word).is_active()
    except TermNotFound:
        return False

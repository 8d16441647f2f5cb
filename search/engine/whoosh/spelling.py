""""Did you mean": each unknown word replaced by its closest real word in the index.

Candidates come from the unstemmed ``spelling`` field (whole words, never stems), within two
edits and with the same first letter (as Whoosh's ``terms_within(prefix=1)``); rapidfuzz
computes the distances in C++.  Fewest edits first; among equals, the word in most
documents.  A segment's word list keeps the words of its deleted documents until a merge, so
only words some live document holds are offered.
"""

from __future__ import annotations

from rapidfuzz import process as rf_process
from rapidfuzz.distance import DamerauLevenshtein
from whoosh.reading import TermNotFound

from .analysis import word_analyzer
from .caches import segment_cached
from .collectors import leaves
from .schema import SPELLING_FIELD

MAX_WORDS = 20
MAX_DISTANCE = 2


def suggestions(searcher, text: str) -> list[tuple[str, str]]:
    """(word as typed, suggestion) for the words of ``text`` no document holds."""
    reader = searcher.reader()
    out = []
    for word, start, end in words_of(text)[:MAX_WORDS]:
        if len(word) < 4 or not word.isalpha() or reader.doc_frequency(SPELLING_FIELD, word):
            continue
        found = closest_word(searcher, word)
        if found and found != word:
            out.append((text[start:end], found))
    return out


def words_of(text: str) -> list[tuple[str, int, int]]:
    """(whole word as the spelling field holds it, start, end) of each word of ``text``."""
    # Whoosh's tokenizers hand out one Token object, changed in place: copy as we go.
    return [(t.text, t.startchar, t.endchar)
            for t in word_analyzer()(text or "", chars=True, positions=False)]


def closest_word(searcher, word: str) -> str | None:
    reader = searcher.reader()
    found: dict[str, int] = {}
    for sub, _offset in leaves(searcher):
        for candidate, distance in _segment_near_words(sub.reader(), word):
            found[candidate] = min(distance, found.get(candidate, distance))
    found = {w: d for w, d in found.items() if _has_live_doc(reader, w)}
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


def _segment_near_words(reader, word):
    """Words of one segment within ``MAX_DISTANCE`` edits of ``word``, with their distances."""

    def compute():
        by_initial: dict[str, list[str]] = {}
        if SPELLING_FIELD in reader.indexed_field_names():
            for btext in reader.lexicon(SPELLING_FIELD):
                text = btext.decode("utf-8")
                by_initial.setdefault(text[:1], []).append(text)
        return by_initial

    by_initial = segment_cached(reader, "words", SPELLING_FIELD, compute)
    choices = by_initial.get(word[:1])
    if not choices:
        return []
    matches = rf_process.extract(
        word, choices, scorer=DamerauLevenshtein.distance, score_cutoff=MAX_DISTANCE,
        limit=None,
    )
    return [(choice, distance) for choice, distance, _index in matches]


def _has_live_doc(reader, word) -> bool:
    """Whether a document not deleted holds ``word`` (postings skip deleted documents)."""
    try:
        return reader.postings(SPELLING_FIELD, word).is_active()
    except TermNotFound:
        return False

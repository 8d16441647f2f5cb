"""The query box's words and phrases as Whoosh queries, analysed as the documents were.

A word matches when the body holds one of its stemmed readings (``search.text`` gives two
for an Arabic word behind a bare "ال").  A phrase matches when its words' readings stand at
consecutive positions.  A word with a distinctive exact form (a Latin accent, or Arabic)
also gets an optional clause on the exact field, so that documents spelling it exactly rank
above those that only match it folded: "Marčić" before "Marcic".  The clause never decides
what matches (``AndMaybe``), only the order.
"""

from __future__ import annotations

import itertools

from whoosh import query as wq
from whoosh.query import spans

from search.text import Analyzer, QueryWord, distinctive

from .phrase import FastPhrase

# How much an exact spelling adds, as a multiple of the word's own score.  Large for Latin
# accents, so that an exact accent match ranks first even against a document that repeats
# the folded spelling (BM25's term frequency saturates at K1 + 1 = 2.2 times one mention);
# small for Arabic, where the exact form without its proclitics is no better a match than
# "والأمن" or "للأمن", only a slightly closer one.
EXACT_BOOST = {"latin": 8.0, "arabic": 1.0}
# An Arabic phrase with several ambiguous words has 2**n readings; beyond this many, the
# further words keep their usual reading only.
MAX_PHRASE_READINGS = 16


class TextQueries:
    """Builds word and phrase queries on ``field`` (stemmed) and ``exact_field``."""

    def __init__(self, analyzer: Analyzer, field: str, exact_field: str,
                 boosted: dict[str, float] | None = None):
        """``boosted``: short text fields (title, speakers' names) where a word adds this
        much to a document's score (never what matches: the body holds them too)."""
        self.analyzer = analyzer
        self.field = field
        self.exact_field = exact_field
        self.boosted = boosted or {}

    def word(self, text: str) -> wq.Query | None:
        """One whitespace-free piece of the query box; a piece the tokenizer splits in several
        words ("Al-Qahtani") is their phrase, as it always was."""
        words = self.analyzer.query_words(text)
        if not words:
            return None
        if len(words) > 1:
            return self._phrase(words)
        word = words[0]
        return self._with_fields(self._with_exact(self._readings(word), [word]), word)

    def _with_fields(self, query: wq.Query, word: QueryWord) -> wq.Query:
        if not self.boosted or word.stopword:
            return query
        extra = [wq.Term(name, t, boost=boost)
                 for name, boost in self.boosted.items() for t in word.terms]
        return wq.AndMaybe(query, extra[0] if len(extra) == 1 else wq.Or(extra))

    def phrase(self, text: str) -> wq.Query | None:
        """A quoted phrase: its words' readings at consecutive positions."""
        words = self.analyzer.query_words(text)
        if not words:
            return None
        if len(words) == 1:
            return self._with_exact(self._readings(words[0]), words)
        return self._phrase(words)

    def near(self, text: str, slop: int) -> wq.Query | None:
        """``"..."~N``: each word within ``slop`` further words of the one before it, in
        either order (Whoosh's span query; it reads positions, so it is slower than a
        phrase, and only asked for on purpose)."""
        words = self.analyzer.query_words(text)
        if len(words) < 2:
            return self.phrase(text)
        parts = []
        for word in words:
            terms = [wq.Term(self.field, t) for t in word.terms]
            parts.append(terms[0] if len(terms) == 1 else spans.SpanOr(terms))
        return self._with_exact(spans.SpanNear2(parts, slop=slop + 1, ordered=False), words)

    def _readings(self, word: QueryWord) -> wq.Query:
        terms = [wq.Term(self.field, t) for t in word.terms]
        return terms[0] if len(terms) == 1 else wq.Or(terms)

    def _phrase(self, words: list[QueryWord]) -> wq.Query:
        choices, readings = [], 1
        for word in words:
            if readings * len(word.terms) <= MAX_PHRASE_READINGS:
                choices.append(word.terms)
                readings *= len(word.terms)
            else:
                choices.append(word.terms[:1])
        phrases = [FastPhrase(self.field, list(terms)) for terms in itertools.product(*choices)]
        query = phrases[0] if len(phrases) == 1 else wq.Or(phrases)
        return self._with_exact(query, words)

    def _with_exact(self, query: wq.Query, words: list[QueryWord]) -> wq.Query:
        exact = []
        for word in words:
            if distinctive(word.exact):
                forms = self.analyzer.word(word.surface)
                boost = EXACT_BOOST.get(forms.script if forms else "latin", 1.0)
                exact.append(wq.Term(self.exact_field, word.exact, boost=boost))
        if not exact:
            return query
        return wq.AndMaybe(query, exact[0] if len(exact) == 1 else wq.Or(exact))

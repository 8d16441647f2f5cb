"""The analyzer: one object per engine holding the protected words and the English stemmer."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from . import arabic
from .fold import EXACT_TABLE, FOLD_TABLE
from .tokenize import WORD_RE

EnglishStemmer = Callable[[str], str]

_CACHE_LIMIT = 500_000


class Term(NamedTuple):
    """One index term of a text.

    ``text`` is the term; ``surface`` the word as written at ``start:end``.  Alternative
    readings of one word (see ``search.text.arabic``) are several terms with the same
    ``position``.  ``stopword`` marks function words, which the index keeps (phrases need them)
    and an all-words query may leave out.
    """

    text: str
    position: int
    start: int
    end: int
    surface: str
    stopword: bool = False


class IndexedText(NamedTuple):
    """Everything an index stores for one text, from one pass (``Analyzer.index_text``)."""

    positions: dict[str, list[int]]  # stemmed term -> its positions (the stemmed field)
    exact: dict[str, int]  # distinctive exact term -> how often (the exact field)
    spellings: set[str]  # the real words, for did-you-mean (never stems)


def distinctive(exact: str) -> bool:
    """Whether an exact form says more than its stemmed term: it holds a Latin accent or a
    letter of another script (Arabic).  A plain ASCII word's exact form is only its
    lowercase, which says nothing the stemmed field does not, so the exact field (and the
    exact clause of a query) holds only distinctive forms."""
    return not exact.isascii()


@dataclass(frozen=True, slots=True)
class QueryWord:
    """One word of a query: the terms that may stand at its position, and its exact form.

    ``terms`` are alternatives (any of them matches), the usual reading first.  ``exact`` is
    the word unstemmed and with its accents, for the exact field (ranking, exact phrases).
    """

    surface: str
    position: int
    terms: tuple[str, ...]
    exact: str
    stopword: bool = False


@dataclass(frozen=True, slots=True)
class WordForms:
    """Every form of one word the analyzer knows (``Analyzer.word``)."""

    surface: str
    spelling: str  # a real word to show: lowercase, marks out, hamza and accents kept
    exact: str  # the exact field's term: normalised, unstemmed, accents kept
    folded: str  # the same with Latin accents folded to ASCII
    terms: tuple[str, ...]  # the stemmed field's terms (alternatives)
    stopword: bool
    script: str  # "arabic" or "latin" (every other script is treated as Latin: no stemmer)


class Analyzer:
    """Tokenizes, folds and stems text the same way for documents, queries and highlights.

    ``protected``: normalised Arabic words never stemmed (``protected_words()`` builds it).
    ``english_stemmer``: a function from one lowercase, accent-folded word to its stem, or
    None for no stemming of Latin-script words.  It must be a module-level function (or
    another picklable object) when an engine pickles the analyzer.
    """

    def __init__(
        self,
        *,
        protected: Iterable[str] = (),
        english_stemmer: EnglishStemmer | None = None,
    ):
        self.protected = frozenset(protected)
        self.english_stemmer = english_stemmer
        self._cache: dict[str, WordForms | None] = {}
        self._term_single: dict[str, str] = {}
        self._exact_single: dict[str, str] = {}
        self._plain: dict[str, str] = {}

    # Engines pickle their schema (Whoosh does on every commit): the cache is not state.
    def __getstate__(self):
        return {"protected": self.protected, "english_stemmer": self.english_stemmer}

    def __setstate__(self, state):
        self.__init__(**state)

    def __eq__(self, other):
        return (
            type(other) is type(self)
            and other.protected == self.protected
            and other.english_stemmer == self.english_stemmer
        )

    def __hash__(self):
        return hash((type(self), self.protected))

    def clear_cache(self) -> None:
        self._cache.clear()
        self._term_single.clear()
        self._exact_single.clear()
        self._plain.clear()

    # --- one word -------------------------------------------------------------------------

    def word(self, surface: str) -> WordForms | None:
        """The forms of one token as the tokenizer gives it; None when only marks were left."""
        cache = self._cache
        try:
            return cache[surface]
        except KeyError:
            pass
        forms = self._word(surface)
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[surface] = forms
        return forms

    def _word(self, surface: str) -> WordForms | None:
        if surface.isascii():
            # Nearly every word of an English speech: nothing to fold.
            lower = surface.lower()
            stem = self.english_stemmer(lower) if self.english_stemmer else lower
            return WordForms(surface, lower, lower, lower, (stem,), False, "latin")
        text = unicodedata.normalize("NFC", surface).lower()
        spelling = text.translate(EXACT_TABLE)
        exact = arabic.normalise(spelling)
        folded = exact.translate(FOLD_TABLE)
        if not folded:
            return None
        if arabic.is_arabic(exact):
            terms = arabic.stems(spelling, self.protected)
            if folded != exact:
                # A word in both scripts ("abcالعربية"): its Latin letters are folded too.
                terms = tuple(t.translate(FOLD_TABLE) for t in terms)
            return WordForms(surface, spelling, exact, folded, terms,
                             arabic.is_stopword(exact), "arabic")
        stem = self.english_stemmer(folded) if self.english_stemmer else folded
        return WordForms(surface, spelling, exact, folded, (stem,), False, "latin")

    # --- whole texts ------------------------------------------------------------------------

    def analyse(self, text: str) -> list[Term]:
        """The stemmed field's terms of ``text``, with positions and offsets."""
        out = []
        word = self.word
        for position, match in enumerate(WORD_RE.finditer(text or "")):
            forms = word(match.group())
            if forms is None:
                continue
            for term in forms.terms:
                out.append(Term(term, position, match.start(), match.end(), match.group(),
                                forms.stopword))
        return out

    def exact_terms(self, text: str) -> list[Term]:
        """The exact field's terms: unstemmed, accents kept, Arabic normalised."""
        out = []
        word = self.word
        for position, match in enumerate(WORD_RE.finditer(text or "")):
            forms = word(match.group())
            if forms is not None:
                out.append(Term(forms.exact, position, match.start(), match.end(),
                                match.group(), forms.stopword))
        return out

    def positions(self, text: str) -> dict[str, list[int]]:
        """Each stemmed term of ``text`` with its positions: what an index stores, in one pass."""
        return self._positions(text, exact=False)

    def exact_positions(self, text: str) -> dict[str, list[int]]:
        """Each exact term of ``text`` with its positions."""
        return self._positions(text, exact=True)

    def _positions(self, text: str, *, exact: bool) -> dict[str, list[int]]:
        # The indexing loop: it runs once per token of every document, so it looks a word's
        # term up in a flat dict (words with one term, nearly all of them) and only asks
        # ``word()`` for the rest.
        positions: dict[str, list[int]] = {}
        single = self._exact_single if exact else self._term_single
        for pos, surface in enumerate(WORD_RE.findall(text or "")):
            term = single.get(surface)
            if term is None:
                forms = self.word(surface)
                if forms is None:
                    continue
                terms = (forms.exact,) if exact else forms.terms
                if len(terms) == 1:
                    if len(single) >= _CACHE_LIMIT:
                        single.clear()
                    single[surface] = terms[0]
                for term in terms:
                    positions.setdefault(term, []).append(pos)
                continue
            found = positions.get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
        return positions

    def index_text(self, text: str) -> IndexedText:
        """The stemmed positions, the distinctive exact terms and the spellings of ``text``.

        One tokenization for all three, and the indexing loop an engine runs once per token
        of every document: a plain word (one stemmed term and no distinctive exact form, nearly
        every word of an English speech) costs one flat dict lookup; only the others (Arabic,
        accented, an ambiguous article) ask ``word()``.
        """
        positions: dict[str, list[int]] = {}
        exact: dict[str, int] = {}
        plain = self._plain
        tokens = WORD_RE.findall(text or "")
        for pos, surface in enumerate(tokens):
            term = plain.get(surface)
            if term is None:
                term = self._plain_term(surface)
                if term is None:
                    forms = self.word(surface)
                    if forms is None:
                        continue
                    for term in forms.terms:
                        found = positions.get(term)
                        if found is None:
                            positions[term] = [pos]
                        else:
                            found.append(pos)
                    if distinctive(forms.exact):
                        exact[forms.exact] = exact.get(forms.exact, 0) + 1
                    continue
            found = positions.get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
        spellings = set()
        word = self.word
        for surface in set(tokens):
            if surface.isascii():
                spellings.add(surface.lower())
            else:
                forms = word(surface)
                if forms is not None:
                    spellings.add(forms.spelling)
        return IndexedText(positions, exact, spellings)

    def _plain_term(self, surface: str) -> str | None:
        """The one stemmed term of a plain word (remembered), or None for any other word."""
        if not surface.isascii():
            return None
        lower = surface.lower()
        term = self.english_stemmer(lower) if self.english_stemmer else lower
        plain = self._plain
        if len(plain) >= _CACHE_LIMIT:
            plain.clear()
        plain[surface] = term
        return term

    def query_words(self, text: str) -> list[QueryWord]:
        """The words of a query (one clause or phrase of it) with their alternatives."""
        out = []
        word = self.word
        for position, match in enumerate(WORD_RE.finditer(text or "")):
            forms = word(match.group())
            if forms is not None:
                out.append(QueryWord(match.group(), position, forms.terms, forms.exact,
                                     forms.stopword))
        return out

    def query_terms(self, text: str) -> list[str]:
        """Every stemmed term a query's words may match, in order (for highlighting sets).

        Build AND and phrase queries from ``query_words``: a word's alternatives are OR-ed.
        """
        return [t for w in self.query_words(text) for t in w.terms]

    def highlight_spans(
        self, text: str, terms: Collection[str], *, exact: Collection[str] = ()
    ) -> list[tuple[int, int]]:
        """Character spans of the words of ``text`` that match a stemmed or exact term."""
        spans = []
        word = self.word
        for match in WORD_RE.finditer(text or ""):
            forms = word(match.group())
            if forms is None:
                continue
            if forms.exact in exact or any(t in terms for t in forms.terms):
                spans.append((match.start(), match.end()))
        return spans

    def spelling_words(self, text: str) -> set[str]:
        """The real words of ``text`` for did-you-mean: never stems, never folded away.

        Lowercase, without Arabic marks or tatweel, with hamza and Latin accents kept, so a
        suggestion reads as a word a person wrote.  Compare them with ``word(w).folded``.
        """
        out = set()
        word = self.word
        for match in WORD_RE.finditer(text or ""):
            forms = word(match.group())
            if forms is not None:
                out.add(forms.spelling)
        return out

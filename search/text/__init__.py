"""Text analysis for every search engine: words, folding, Arabic stemming, protected names.

Pure Python and engine-neutral: nothing here imports an engine library (Whoosh, PostgreSQL,
haystack) or the Django ORM, so each engine (``search/engine/...``) calls the same code and
documents, queries, highlights and suggestions agree on every engine.

The API
=======

An engine builds one ``Analyzer`` and keeps it::

    from search.text import Analyzer, protected_words, default_protected_words

    analyzer = Analyzer(
        protected=default_protected_words() | protected_words(archive_names),
        english_stemmer=my_stem,           # word -> stem, or None: see "English" below
    )

Documents (index side):

``analyzer.analyse(text) -> list[Term]``
    The **stemmed field**: ``Term(text, position, start, end, surface, stopword)``.  Two
    terms may share a position (the two readings of an Arabic word behind a bare "ال", see
    ``search.text.arabic``): index both.  Stopwords are kept (phrases need them) and flagged.
``analyzer.exact_terms(text) -> list[Term]``
    The **exact field**: unstemmed, Latin accents kept, Arabic normalised (hamza alefs,
    alef maqsura, teh marbuta, marks and tatweel folded).  For exact and phrase matches and
    to rank an exact spelling ("Marčić") above a folded one ("Marcic").
``analyzer.positions(text)``, ``analyzer.exact_positions(text) -> dict[str, list[int]]``
    The same as term -> positions in one pass: what an index stores, at full speed.
``analyzer.index_text(text) -> IndexedText(positions, exact, spellings)``
    Everything an index stores in one tokenization: the stemmed positions, the frequencies
    of the *distinctive* exact terms (``distinctive(exact)``: those with a Latin accent or
    in another script; a plain ASCII word's exact form is only its lowercase, so it is left
    out, and so is a query's exact clause for such a word) and the spelling words.

Queries:

``analyzer.query_words(text) -> list[QueryWord]``
    Per word: ``terms`` (alternatives, OR them), ``exact`` (the exact field's term),
    ``stopword``, ``position``.  Build all-words queries by AND-ing the words (leaving out
    stopwords unless the query is only stopwords) and phrases from consecutive positions.
``analyzer.query_terms(text) -> list[str]``
    Every term the query may match, flat: for highlighting sets and emptiness checks.

Highlighting and did-you-mean:

``analyzer.highlight_spans(text, terms, exact=()) -> list[(start, end)]``
    The words of a document that match the query's terms: same analysis, so "والأمن" is
    marked for the query "الأمن" and "Brasília" for "Brasilia".
``analyzer.spelling_words(text) -> set[str]``
    Real words for suggestions (lowercase, marks out, hamza and accents kept), never stems.
``analyzer.word(surface) -> WordForms``
    Every form of one word: ``spelling``, ``exact``, ``folded`` (Latin accents to ASCII),
    ``terms``, ``stopword``, ``script``.

Lower-level pieces: ``tokenize(text)`` (``Token(surface, position, start, end)``),
``WORD_PATTERN``, ``fold_latin``, ``fold_exact``, and ``search.text.arabic``.

Protected words
===============

``protected_words(names) -> frozenset[str]`` turns the archive's Arabic names (countries,
places, speakers) into the normalised set of words the stemmer never touches, so لبنان is not
لبن and البحرين not بحر.  ``default_protected_words()`` is every State's Arabic names (ISO 3166
translations shipped by pycountry, plus common short forms of our own).

English
=======

Latin-script words are folded to ASCII and then given to ``english_stemmer``.  The module
ships none: Whoosh's Snowball port and the Snowball packages on PyPI disagree on a few
thousand tokens of the UN corpus (see README, "Text analysis"), so an engine passes the stemmer
its index was built with (the Whoosh engine: ``whoosh.lang.stemmer_for_language("en")``).
With None, Latin words are folded but not stemmed.
"""

from __future__ import annotations

from .analyzer import (
    Analyzer,
    EnglishStemmer,
    IndexedText,
    QueryWord,
    Term,
    WordForms,
    distinctive,
)
from .fold import fold_exact, fold_latin
from .protected import arabic_state_names, default_protected_words, protected_words
from .tokenize import WORD_PATTERN, WORD_RE, Token, tokenize

__all__ = [
    "WORD_PATTERN",
    "WORD_RE",
    "Analyzer",
    "EnglishStemmer",
    "IndexedText",
    "QueryWord",
    "Term",
    "Token",
    "WordForms",
    "arabic_state_names",
    "default_protected_words",
    "distinctive",
    "fold_exact",
    "fold_latin",
    "protected_words",
    "tokenize",
]

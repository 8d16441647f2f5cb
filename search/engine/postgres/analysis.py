"""The analysis this engine indexes and queries with: ``search.text``, as the Whoosh engine.

PostgreSQL's own text-search configurations are not used to make the vectors: its
``english`` Snowball stems differ from the ones the Whoosh index has always had on about 1%
of the UN corpus's tokens, its ``arabic`` stemmer gets 20 of the 34 Arabic language pairs
right against ``search.text``'s 34 (it strips neither وال nor لل reliably and has no
protected names), and neither folds Latin accents.  So every document is analysed here in
Python, one configuration for every statement language, and the vector is written as a
``tsvector`` literal (lexemes taken as they are, as the ``simple`` configuration would);
queries are ``tsquery`` literals of the same terms.  Both engines therefore find the same
statements for the same words (``tests/test_language_pairs.py`` runs on each).

The English stemmer is the Snowball port that ships with Whoosh (pure Python, no index
code), for the same reason: the same stems on both engines.

Each build keeps the protected Arabic words it was analysed with (``search_state``), and
documents, queries, highlights and suggestions use that build's analyzer.
"""

from __future__ import annotations

import threading

from whoosh.lang import stemmer_for_language

from search.text import Analyzer, default_protected_words

# Bump when the analysis changes index terms: a build made before is reported by
# ``search_status`` as needing ``rebuild_index``.
ANALYSIS_VERSION = 2  # 2: overflow lexemes (rows.py)

_STEM = stemmer_for_language("en")


def english_stem(word: str) -> str:
    return _STEM(word)


def make_analyzer(protected=None) -> Analyzer:
    return Analyzer(
        protected=default_protected_words() if protected is None else protected,
        english_stemmer=english_stem,
    )


_BUILDS: dict[str, Analyzer] = {}
_LOCK = threading.Lock()


def build_analyzer(build: str, protected) -> Analyzer:
    """The analyzer of one build (remembered: a build's protected words never change)."""
    with _LOCK:
        found = _BUILDS.get(build)
        if found is None:
            while len(_BUILDS) >= 4:
                _BUILDS.pop(next(iter(_BUILDS)))
            found = _BUILDS[build] = make_analyzer(frozenset(protected))
        return found

"""The index's text fields, analysed by ``search.text`` (the analysis every engine shares).

A generation of the index is built with one :class:`~search.text.Analyzer` (its English
stemmer and its protected Arabic words) and is always read and written with that one: the
protected words are written into the generation's folder when it is created
(``write_generation_analysis``) and read back whenever the generation is opened
(``generation_analysis``), so a name added to the archive later never makes documents and
queries disagree.  ``rebuild_index`` makes a new generation with the archive's current
names; ``search_status`` says when it would protect more.

The fields:

* :class:`BodyText`: the stemmed, folded body with positions (words and phrases), indexed
  in one pass over the text;
* :class:`ExactText`: the *distinctive* exact forms (with a Latin accent, or Arabic; see
  ``search.text.distinctive``) with their frequencies, no positions: the clause that ranks
  an exact spelling above a folded one;
* :class:`WordSet`: the real words of the text, for "Did you mean" (never stems).

All three read the same :class:`AnalysedText`, which runs the analysis once for them.
Whoosh pickles the schema (fields and analyzers) on every commit, so every class here lives
at module level and pickles as plain data.
"""

from __future__ import annotations

import json
import threading
from array import array
from pathlib import Path

from whoosh.analysis import Token, Tokenizer
from whoosh.compat import dumps
from whoosh.fields import TEXT, FieldType
from whoosh.formats import Existence, Frequency
from whoosh.lang import stemmer_for_language
from whoosh.system import pack_uint

from search.text import Analyzer, IndexedText, default_protected_words, distinctive

# Bump when the analysis changes in a way that changes index terms: a generation built
# before then is reported by ``search_status`` as needing ``rebuild_index``.
ANALYSIS_VERSION = 1
ANALYSIS_FILE = "analysis.json"

_STEM = stemmer_for_language("en")  # Snowball English, what the index has always used


def english_stem(word: str) -> str:
    """The English stemmer (module-level, so analyzers pickle by reference)."""
    return _STEM(word)


def make_analyzer(protected=None) -> Analyzer:
    """An analyzer with these protected words (by default every State's Arabic names)."""
    return Analyzer(
        protected=default_protected_words() if protected is None else protected,
        english_stemmer=english_stem,
    )


# --- the analysis a generation was built with -----------------------------------------------


class GenerationAnalysis:
    """The protected words and analysis version of one index generation, and its analyzer."""

    def __init__(self, protected: frozenset[str], version: int):
        self.protected = frozenset(protected)
        self.version = version
        self.analyzer = make_analyzer(self.protected)

    @property
    def current(self) -> bool:
        """Whether the generation was built by this code's analysis."""
        return self.version == ANALYSIS_VERSION


def write_generation_analysis(directory: Path, protected) -> GenerationAnalysis:
    """Record in a new generation's folder the analysis it is built with."""
    words = sorted(set(protected))
    (Path(directory) / ANALYSIS_FILE).write_text(
        json.dumps({"version": ANALYSIS_VERSION, "protected": words}, ensure_ascii=False,
                   indent=0),
        encoding="utf-8",
    )
    return generation_analysis(directory)


_GENERATIONS: dict[str, GenerationAnalysis] = {}
_GENERATIONS_LOCK = threading.Lock()
_KEEP = 4  # a process sees the live generation and, around a rebuild, the next one


def generation_analysis(directory: Path | None) -> GenerationAnalysis:
    """The analysis of a generation (remembered: a generation's file never changes).

    A generation written before generations recorded their analysis (or None: no index)
    gets the default protected words and version 0, so it stays searchable (English terms
    are unchanged) while ``search_status`` asks for a rebuild.
    """
    key = str(directory) if directory is not None else ""
    with _GENERATIONS_LOCK:
        found = _GENERATIONS.get(key)
    if found is not None:
        return found
    protected, version = default_protected_words(), 0
    if directory is not None:
        try:
            data = json.loads((Path(directory) / ANALYSIS_FILE).read_text(encoding="utf-8"))
            protected, version = frozenset(data["protected"]), int(data["version"])
        except (FileNotFoundError, NotADirectoryError):
            pass
    found = GenerationAnalysis(protected, version)
    with _GENERATIONS_LOCK:
        while len(_GENERATIONS) >= _KEEP:
            _GENERATIONS.pop(next(iter(_GENERATIONS)))
        _GENERATIONS[key] = found
    return found


# --- one analysis for the three fields ---------------------------------------------------------


class AnalysedText(str):
    """A text the index fields analyse once between them (per analyzer)."""

    _analysed: tuple[Analyzer, IndexedText] | None = None

    def analysed(self, analyzer: Analyzer) -> IndexedText:
        cached = self._analysed
        if cached is None or cached[0] is not analyzer:
            cached = self._analysed = (analyzer, analyzer.index_text(self))
        return cached[1]

    def __reduce__(self):
        # Stored (STORE_BODY) or pickled, it is plain text.
        return (str, (str(self),))


def _analysed(analyzer: Analyzer, value) -> IndexedText:
    if isinstance(value, AnalysedText):
        return value.analysed(analyzer)
    return analyzer.index_text(value)


class _AnalysedField(FieldType):
    """A field whose terms come from ``search.text`` (``analysis`` is the Analyzer)."""

    def __eq__(self, other):
        return (type(other) is type(self) and other.stored == self.stored
                and other.analysis == self.analysis)

    def __hash__(self):
        return hash((type(self), self.stored))


class BodyText(_AnalysedField, TEXT):
    """The document field: stemmed and folded terms with positions, in one pass.

    Whoosh's own path runs each token through a chain of generators and Token objects and
    then groups them by word; for a 20 KB speech that is most of the cost of adding it.  This
    ``index`` gives the postings of ``TEXT(analyzer=SearchTextTokenizer(analyzer),
    phrase=True)`` (same terms, frequencies, weights and position bytes;
    ``tests/test_search_engine.py`` checks it) from ``Analyzer.index_text``.
    """

    def __init__(self, analysis: Analyzer | None = None, stored: bool = False):
        self.analysis = analysis or make_analyzer()
        TEXT.__init__(self, analyzer=SearchTextTokenizer(self.analysis), phrase=True,
                      stored=stored)

    def positions(self, value: str) -> dict[str, list[int]]:
        """Each index term of ``value`` with its token positions."""
        return _analysed(self.analysis, value).positions

    def index(self, value, **kwargs):
        boost = self.format.field_boost
        for word, poslist in self.positions(value).items():
            yield (word.encode("utf-8"), len(poslist), len(poslist) * boost,
                   pack_uint(len(poslist)) + dumps(_deltas(poslist), 2))

    # The bulk writer (bulk.py) keeps postings in memory until a segment is written;
    # Whoosh's value bytes (a pickled list) are several times the size of the positions, so
    # it keeps these instead and asks for the value bytes when it writes.

    def compact_postings(self, value):
        """(term bytes, count, position deltas as 16-bit or, flagged ``wide``, 32-bit ints)."""
        for word, poslist in self.positions(value).items():
            deltas = _deltas(poslist)
            wide = max(deltas) > 0xFFFF
            yield (word.encode("utf-8"), len(deltas), wide,
                   array("I" if wide else "H", deltas).tobytes())

    def expand_posting(self, count: int, wide: bool, data) -> tuple[float, bytes]:
        """The weight and value bytes ``index`` gives for a posting ``compact_postings`` gave."""
        deltas = array("I" if wide else "H")
        deltas.frombytes(data)
        return count * self.format.field_boost, pack_uint(count) + dumps(deltas.tolist(), 2)


def _deltas(poslist: list[int]) -> list[int]:
    out, base = [], 0
    for p in poslist:
        out.append(p - base)
        base = p
    return out


class ExactText(_AnalysedField):
    """The distinctive exact forms of the text (accents kept, Arabic normalised, unstemmed)
    with their frequencies: the postings of ``TEXT(analyzer=SearchTextTokenizer(analyzer,
    exact=True), phrase=False)``, read from the same analysis as the body."""

    def __init__(self, analysis: Analyzer | None = None):
        self.analysis = analysis or make_analyzer()
        self.format = Frequency()
        self.analyzer = SearchTextTokenizer(self.analysis, exact=True)
        self.scorable = True
        self.stored = False
        self.unique = False
        self.vector = None

    def index(self, value, **kwargs):
        boost = self.format.field_boost
        for word, count in _analysed(self.analysis, value).exact.items():
            yield word.encode("utf-8"), count, count * boost, pack_uint(count)


class WordSet(_AnalysedField):
    """The words of the text for "Did you mean": real words (lowercase, accents and hamza
    kept, marks out), letters only, four or more of them; only which documents hold a word
    is kept (suggestions need the words and their document frequencies)."""

    def __init__(self, analysis: Analyzer | None = None):
        self.analysis = analysis or make_analyzer()
        self.format = Existence()
        self.analyzer = SearchTextTokenizer(self.analysis, spelling=True)
        self.scorable = False
        self.stored = False
        self.unique = False
        self.vector = None

    def words(self, value) -> set[str]:
        return {w for w in _analysed(self.analysis, value).spellings if spelling_word(w)}

    def index(self, value, **kwargs):
        for word in self.words(value):
            yield word.encode("utf-8"), 1, 1.0, b""


def spelling_word(word: str) -> bool:
    """Whether did-you-mean considers a word: letters only, at least four."""
    return len(word) >= 4 and word.isalpha()


# --- the same analysis as a Whoosh analyzer ----------------------------------------------------


class SearchTextTokenizer(Tokenizer):
    """``search.text`` as a Whoosh analyzer, for Whoosh's own field and query machinery.

    ``exact``: the distinctive exact terms instead of the stemmed ones; ``spelling``: the
    spelling words.  Two stemmed terms may share a position (an ambiguous Arabic article).
    """

    def __init__(self, analysis: Analyzer, exact: bool = False, spelling: bool = False):
        self.analysis = analysis
        self.exact = exact
        self.spelling = spelling

    def __eq__(self, other):
        return (type(other) is type(self) and other.analysis == self.analysis
                and other.exact == self.exact and other.spelling == self.spelling)

    def __hash__(self):
        return hash((type(self), self.exact, self.spelling))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if self.exact:
            terms = [t for t in self.analysis.exact_terms(value) if distinctive(t.text)]
        else:
            terms = self.analysis.analyse(value)
        seen = set()
        for term in terms:
            text = term.text
            if self.spelling:
                forms = self.analysis.word(term.surface)
                text = forms.spelling if forms is not None else ""
                if not spelling_word(text) or text in seen:
                    continue
                seen.add(text)
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = term.surface
            if positions:
                token.pos = start_pos + term.position
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token

"""Text analysis for the index: English stemming plus Arabic normalisation.

Whoosh pickles the schema (analyzers included) on every commit, so every class here lives at
module level and holds only plain data.  The same analyzer reads documents and queries, so
whatever it folds (case, Arabic letter variants, diacritics) matches both ways.
"""

from __future__ import annotations

import re
import unicodedata
from array import array

from whoosh.analysis import Filter, RegexTokenizer, StemFilter
from whoosh.compat import dumps
from whoosh.fields import TEXT, FieldType
from whoosh.formats import Existence
from whoosh.lang import stemmer_for_language
from whoosh.system import pack_uint

# A word: letters/digits plus the combining marks that Python's \w leaves out (Arabic
# harakat, Latin decomposed accents) and the Arabic tatweel, so a vowelled Arabic word stays
# one token.  "U.S." style dotted abbreviations stay one token too.
_MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
WORD_PATTERN = rf"(?:\w|[{_MARKS}])+(?:\.(?:\w|[{_MARKS}])+)*"
WORD_RE = re.compile(WORD_PATTERN, re.UNICODE)

_ARABIC_STRIP = re.compile(f"[{_MARKS}]")
_NEEDS_FOLD = re.compile("[\u0300-\u036f\u0600-\u06ff]")
_ARABIC_FOLD = str.maketrans(
    {
        "\u0623": "\u0627",  # alef with hamza above
        "\u0625": "\u0627",  # alef with hamza below
        "\u0622": "\u0627",  # alef with madda
        "\u0671": "\u0627",  # alef wasla
        "\u0649": "\u064a",  # alef maqsura -> ya
        "\u06cc": "\u064a",  # Persian ya -> Arabic ya
        "\u06a9": "\u0643",  # Persian kaf -> Arabic kaf
        "\u0629": "\u0647",  # ta marbuta -> ha
    }
)
# The definite article with the prepositions/conjunction that attach to it.  Longest first.
_ARABIC_ARTICLES = ("\u0648\u0627\u0644", "\u0628\u0627\u0644", "\u0643\u0627\u0644",
                    "\u0641\u0627\u0644", "\u0644\u0644", "\u0627\u0644")


def fold_text(text: str) -> str:
    """Strip diacritics and tatweel, unify letter variants (NFC first, so é stays é)."""
    if text.isascii():
        # Nearly every token of an English speech: nothing to fold (this runs per token).
        return text
    text = unicodedata.normalize("NFC", text)
    if _NEEDS_FOLD.search(text):
        text = _ARABIC_STRIP.sub("", text)
    return text.translate(_ARABIC_FOLD)


class FoldFilter(Filter):
    """Lowercase, fold diacritics and letter variants; drops tokens that were only marks.

    One filter instead of three chained ones: the analyzer runs once per token of every
    speech, and each Python generator layer costs about as much as the work itself.
    """

    def __init__(self, strip_articles: bool = False):
        self.strip_articles = strip_articles

    def __eq__(self, other):
        return type(other) is type(self) and other.strip_articles == self.strip_articles

    def __call__(self, tokens):
        strip_articles = self.strip_articles
        for t in tokens:
            text = t.text
            if text.isascii():
                t.text = text.lower()
                yield t
                continue
            text = fold_token(text, strip_articles)
            if text:
                t.text = text
                yield t


def fold_token(text: str, strip_articles: bool) -> str:
    """One token as ``FoldFilter`` leaves it ("" when only marks were left)."""
    if text.isascii():
        return text.lower()
    text = fold_text(text).lower()
    if text and strip_articles and "\u0600" <= text[0] <= "\u06ff":
        text = strip_arabic_article(text)
    return text


def strip_arabic_article(text: str) -> str:
    """Light Arabic stemming: a leading definite article (and attached particle) goes."""
    for prefix in _ARABIC_ARTICLES:
        if text.startswith(prefix) and len(text) - len(prefix) >= 2:
            return text[len(prefix):]
    return text


def text_analyzer():
    """The analyzer of the document field: words, folded, lowercased, stemmed, no stopwords.

    Stopwords stay in the index so that phrases such as "to be or not to be" and one-word
    queries such as "UN" keep working.
    """
    return (
        RegexTokenizer(WORD_PATTERN)
        | FoldFilter(strip_articles=True)
        | StemFilter(lang="en", cachesize=50000)
    )


def word_analyzer():
    """The same without stemming or article stripping: whole words (highlighting, spelling)."""
    return RegexTokenizer(WORD_PATTERN) | FoldFilter()


_TEXT = text_analyzer()


def query_terms(text: str) -> list[str]:
    """The index terms a piece of query text turns into."""
    return [t.text for t in _TEXT(text or "")]


# --- index-time fast paths -----------------------------------------------------------------

_stem = stemmer_for_language("en")  # what StemFilter(lang="en") uses
_STEMS: dict[str, str] = {}


def _index_word(word: str) -> str:
    """What ``text_analyzer`` turns one token into ("" when nothing is left)."""
    word = fold_token(word, strip_articles=True)
    if not word:
        return ""
    stemmed = _STEMS.get(word)
    if stemmed is None:
        if len(_STEMS) > 500_000:
            _STEMS.clear()
        stemmed = _STEMS[word] = _stem(word)
    return stemmed


class BodyText(TEXT):
    """The document field: ``text_analyzer`` with positions, analysed in one pass.

    Whoosh's own path runs each token through a chain of generators and Token objects and
    then groups them by word; for a 20 KB speech that is most of the cost of adding it.  This
    ``index`` gives the same postings (same terms, frequencies, weights and position bytes as
    ``TEXT(analyzer=text_analyzer(), phrase=True)``; ``tests/test_search_engine.py`` checks
    it) in one loop.  Queries still go through ``text_analyzer``.
    """

    def __init__(self, stored: bool = False):
        super().__init__(analyzer=text_analyzer(), phrase=True, stored=stored)

    def positions(self, value: str) -> dict[str, list[int]]:
        """Each index term of ``value`` with its token positions, in one pass."""
        positions: dict[str, list[int]] = {}
        cache = _STEMS
        pos = -1
        for match in WORD_RE.finditer(value):
            pos += 1
            word = match.group()
            if word.isascii():
                stemmed = cache.get(word)
                if stemmed is None:
                    stemmed = _index_word(word)
                    cache[word] = stemmed
            else:
                stemmed = _index_word(word)
                if not stemmed:
                    continue
            found = positions.get(stemmed)
            if found is None:
                positions[stemmed] = [pos]
            else:
                found.append(pos)
        return positions

    def index(self, value, **kwargs):
        boost = self.format.field_boost
        for word, poslist in self.positions(value).items():
            yield (word.encode("utf-8"), len(poslist), len(poslist) * boost,
                   pack_uint(len(poslist)) + dumps(_deltas(poslist), 2))

    # The bulk writer (search/bulk.py) keeps postings in memory until a segment is written;
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


class WordSet(FieldType):
    """Space-separated, already unique words; only which documents hold a word is kept.

    The "Did you mean" field: suggestions need the words and their document frequencies,
    not frequencies within a document or positions.
    """

    def __init__(self):
        self.format = Existence()
        self.analyzer = RegexTokenizer(r"\S+")
        self.scorable = False
        self.stored = False
        self.unique = False
        self.vector = None

    def index(self, value, **kwargs):
        for word in set(value.split()):
            yield word.encode("utf-8"), 1, 1.0, b""

"""The content words of a text, for comparing two sides' vocabularies.

Lowercase and Arabic-normalised as search's exact field has them (``search.text``: accents
kept, not stemmed), so a list of distinctive words shows words a reader recognises; function
words and numbers are left out.
"""

from __future__ import annotations

import json
import re
import threading
import zlib
from collections import Counter

from search.text import Analyzer, default_protected_words

_ANALYZER: list[Analyzer] = []
_LOCK = threading.Lock()
_HAS_LETTER = re.compile(r"[^\W\d_]")
# English function words (search.text flags Arabic ones only: search keeps every English
# word).  Folded, lowercase; a distinctive-words list without them shows what was said.
_FUNCTION_WORDS = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each either few for
from further had has have having he her here hers herself him himself his how however i if
in into is it its itself just may me might more most must my myself neither no nor not now
of off on once one only or other our ours ourselves out over own per same shall she should
so some such than that the their theirs them themselves then there these they this those
through thus to too under until up upon us very was we were what when where whether which
while who whom whose why will with within without would yet you your yours yourself
yourselves mr ms mrs
"""
ENGLISH_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())  # noqa: SIM905 - a word list


def analyzer() -> Analyzer:
    with _LOCK:
        if not _ANALYZER:
            _ANALYZER.append(Analyzer(protected=default_protected_words(),
                                      english_stemmer=None))
        return _ANALYZER[0]


def word_counts(text: str) -> Counter:
    """Content word -> occurrences in ``text``."""
    words = analyzer()
    counts = Counter()
    stop: dict[str, bool] = {}
    for term, positions in words.exact_positions(text).items():
        if len(term) < 2 or not _HAS_LETTER.search(term):
            continue
        is_stop = stop.get(term)
        if is_stop is None:
            forms = words.word(term)
            is_stop = stop[term] = (forms is None or forms.stopword
                                    or term in ENGLISH_FUNCTION_WORDS)
        if not is_stop:
            counts[term] = len(positions)
    return counts


def pack(counts: Counter) -> bytes:
    return zlib.compress(json.dumps(counts, ensure_ascii=False, separators=(",", ":"))
                         .encode("utf-8"), 6)


def unpack(data) -> dict[str, int]:
    return json.loads(zlib.decompress(bytes(data)).decode("utf-8")) if data else {}

"""The content words of a text, for comparing two sides' vocabularies.

Folded and Arabic-normalised as search does (``search.text``), but not stemmed, so a list of
distinctive words shows words a reader recognises; function words and numbers are left out.
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
    for term, positions in words.positions(text).items():
        if len(term) < 2 or not _HAS_LETTER.search(term):
            continue
        is_stop = stop.get(term)
        if is_stop is None:
            forms = words.word(term)
            is_stop = stop[term] = forms is None or forms.stopword
        if not is_stop:
            counts[term] = len(positions)
    return counts


def pack(counts: Counter) -> bytes:
    return zlib.compress(json.dumps(counts, ensure_ascii=False, separators=(",", ":"))
                         .encode("utf-8"), 6)


def unpack(data) -> dict[str, int]:
    return json.loads(zlib.decompress(bytes(data)).decode("utf-8")) if data else {}

"""Where a text's words match query terms, the way the index matches them.

Each candidate word is analysed by the index generation's own analyzer (``search.text``), so
a snippet marks exactly the word forms search matched: "Brasília" for "Brasilia", "والأمن"
for "الأمن".  Analysing a whole 20,000-word speech per hit is too slow for a results page,
so only candidates are analysed: plain ASCII words that begin like an ASCII term (found with
``str.find``, a C loop), and every word holding a character outside ASCII (accented, Arabic),
each distinct word once.  A plain ASCII word only ever gives ASCII terms, and a term outside
ASCII only ever comes from such a word, so nothing search matches is missed (in the first
``NON_ASCII_CHARS`` characters, for words outside ASCII).
"""

from __future__ import annotations

import re

from search.text import WORD_RE, Analyzer
from search.text.tokenize import MARKS

MAX_SPANS = 200
# Words outside ASCII are looked for in this much of a text: all of an English speech's
# accented names cost little, but every word of an Arabic one is a candidate.
NON_ASCII_CHARS = 60_000
_WORD_TAIL = re.compile(r"[\w.]*")
_MAX_CANDIDATES = 200  # of each prefix
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Non-ASCII characters that are never part of a word, and common in any text.
_TYPOGRAPHY = ("\u2019", "\u201c", "\u201d", "\u2014", "\u2013", "\u2018", "\u00a0",
               "\u2026", "\u00ab", "\u00bb", "\u2022", "\u060c", "\u061b", "\u061f")
_BLOCK = 256
_WORD_CHAR = re.compile(rf"[\w{MARKS}]")


def term_spans(body: str, terms: set[str], analyzer: Analyzer) -> list[tuple[int, int]]:
    """(start, end) of the words of ``body`` whose index term is in ``terms``, in order."""
    if not terms or not body:
        return []
    known: dict[str, bool] = {}

    def matches(word: str) -> bool:
        # The same few words recur all through a speech: analyse each once.
        hit = known.get(word)
        if hit is None:
            forms = analyzer.word(word)
            hit = known[word] = forms is not None and any(t in terms for t in forms.terms)
        return hit

    spans: dict[int, int] = {}
    prefixes = {t[: max(2, len(t) - 1)] for t in terms if t and t.isascii()}
    if prefixes:
        # str.find per prefix on the lowercased body finds the candidates several times
        # faster than one regex alternation; it needs lowercasing to keep offsets.
        lowered = body.lower()
        if len(lowered) != len(body):
            lowered = None
        for start, end in _candidates(body, lowered, prefixes):
            if start in spans:
                continue
            word = body[start:end].rstrip(".")
            if matches(word):
                spans[start] = start + len(word)
    if not body.isascii():
        for start, end in _non_ascii_words(body[:NON_ASCII_CHARS]):
            if start not in spans and matches(body[start:end]):
                spans[start] = end
    return sorted(spans.items())[:MAX_SPANS]


def _candidates(body: str, lowered: str | None, prefixes):
    """(start, end) of words beginning with one of ``prefixes`` (at most a few hundred)."""
    if lowered is None:
        pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(p) for p in prefixes) + r")[\w.]*",
            re.IGNORECASE,
        )
        for n, match in enumerate(pattern.finditer(body)):
            if n >= _MAX_CANDIDATES * len(prefixes):
                return
            yield match.start(), match.end()
        return
    tail = _WORD_TAIL.match
    for prefix in prefixes:
        found = 0
        at = lowered.find(prefix)
        while at >= 0 and found < _MAX_CANDIDATES:
            if at == 0 or not (lowered[at - 1].isalnum() or lowered[at - 1] == "_"):
                found += 1
                yield at, tail(lowered, at + len(prefix)).end()
            at = lowered.find(prefix, at + len(prefix))


def _non_ascii_words(body: str):
    """(start, end) of each word (as ``search.text`` tokenizes) holding a non-ASCII letter.

    A regex scan costs about 20 ns a character, and most non-ASCII characters of an English
    speech are typographic quotes and dashes: those are blanked first (``str.replace``, a C
    loop; offsets unchanged), a text with nothing left outside ASCII is done, and the rest is
    looked at in blocks, scanning only those ``isascii`` says hold something.
    """
    probe = body
    for mark in _TYPOGRAPHY:
        if mark in probe:
            probe = probe.replace(mark, " ")
    if probe.isascii():
        return
    covered = 0
    word_char = _WORD_CHAR.search
    for block in range(0, len(probe), _BLOCK):
        if probe[block:block + _BLOCK].isascii():
            continue
        for run in _NON_ASCII.finditer(probe, block, block + _BLOCK):
            if run.end() <= covered or not word_char(run.group()):
                continue  # inside a word seen already, or no letter (a bullet, a euro sign)
            start = max(run.start(), covered)
            while start > covered and _WORD_CHAR.match(body, start - 1):
                start -= 1
            while start < run.end():
                word = WORD_RE.search(body, start)
                if word is None or word.start() >= run.end():
                    break
                yield word.start(), word.end()
                start = covered = word.end()

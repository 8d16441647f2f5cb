"""Where a text's words match query terms, the way the index matches them.

Analysing a whole 20,000-word speech per hit is too slow for a results page, so candidate
words are found by the start of each term and only those are analysed.  Words that search
cannot see that way (vowelled Arabic) fall back to analysing the start of the text.
"""

from __future__ import annotations

import re

from .analysis import text_analyzer

_ANALYZER = text_analyzer()
MAX_SPANS = 200
FALLBACK_CHARS = 20_000
_WORD_TAIL = re.compile(r"[\w.]*")
_MAX_CANDIDATES = 200  # of each prefix


def term_spans(body: str, terms: set[str]) -> list[tuple[int, int]]:
    """(start, end) of the words of ``body`` whose index term is in ``terms``, in order."""
    if not terms:
        return []
    prefixes = {t[: max(2, len(t) - 1)] for t in terms if t}
    spans = []
    if prefixes:
        # str.find per prefix on the lowercased body (a C loop) finds the candidates several
        # times faster than one regex alternation; it needs lowercasing to keep offsets.
        lowered = body.lower()
        if len(lowered) != len(body):
            lowered = None
        known: dict[str, bool] = {}
        starts = set()
        for start, end in _candidates(body, lowered, prefixes):
            if start in starts:
                continue
            starts.add(start)
            word = body[start:end].rstrip(".")
            hit = known.get(word)
            if hit is None:
                # The same few words recur all through a speech: analyse each once.
                hit = known[word] = any(t.text in terms for t in _ANALYZER(word, mode="index"))
            if hit:
                spans.append((start, start + len(word)))
        spans.sort()
        del spans[MAX_SPANS:]
    if not spans and not body.isascii():
        head = body[:FALLBACK_CHARS]
        for token in _ANALYZER(head, chars=True, positions=False, mode="index"):
            if token.text in terms:
                spans.append((token.startchar, token.endchar))
    return spans


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

"""Result snippets with the query's words marked, escaped segment by segment.

Haystack's ``{% highlight %}`` strips tags and joins unescaped text (an unclosed
``<img src=x onerror=...`` survives); here every piece of the body goes through ``escape``
and only our own ``<mark>`` tags are added, so the result is safe to render as is.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .analysis import text_analyzer

_ANALYZER = text_analyzer()
SNIPPET_CHARS = 300
MAX_BODY_CHARS = 200_000
FALLBACK_CHARS = 20_000


def snippet(body: str, terms: set[str], *, width: int = SNIPPET_CHARS) -> SafeString:
    """The passage of ``body`` with the most query terms (or its start), terms in <mark>."""
    body = (body or "")[:MAX_BODY_CHARS]
    if not body:
        return mark_safe("")
    spans = _term_spans(body, terms) if terms else []
    start = _best_window(spans, width) if spans else 0
    start = _word_start(body, start)
    end = min(len(body), start + width)
    if end < len(body):
        cut = body.rfind(" ", start, end)
        end = cut if cut > start + width // 2 else end
    parts = []
    if start > 0:
        parts.append("… ")
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        parts.append(escape(body[cursor:s]))
        parts.append(f"<mark>{escape(body[s:e])}</mark>")
        cursor = e
    parts.append(escape(body[cursor:end]))
    if end < len(body):
        parts.append(" …")
    # Every user-derived piece above went through escape(); only <mark> is ours.
    return mark_safe("".join(parts).replace("\n\n", " ¶ ").replace("\n", " "))


def _term_spans(body: str, terms: set[str]) -> list[tuple[int, int]]:
    """Where words whose index term is in ``terms`` occur.

    Analysing a whole 20,000-word speech per hit is too slow for a results page, so a regex
    finds candidate words by the start of each term and only those are analysed.  Words the
    regex cannot see (vowelled Arabic) fall back to analysing the start of the body.
    """
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
        del spans[200:]
    if not spans and not body.isascii():
        head = body[:FALLBACK_CHARS]
        for token in _ANALYZER(head, chars=True, positions=False, mode="index"):
            if token.text in terms:
                spans.append((token.startchar, token.endchar))
    return spans


_WORD_TAIL = re.compile(r"[\w.]*")
_MAX_CANDIDATES = 200  # of each prefix


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


def _best_window(spans, width):
    best_start, best_count, j = spans[0][0], 0, 0
    for i, (s, _e) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= s + width:
            j += 1
        if j - i > best_count:
            best_count, best_start = j - i, s
    return max(0, best_start - width // 4)


def _word_start(body, start):
    if start <= 0:
        return 0
    space = body.find(" ", start)
    return space + 1 if 0 <= space < start + 30 else start

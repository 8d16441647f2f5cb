"""Result snippets with the query's words marked, escaped segment by segment.

Haystack's ``{% highlight %}`` strips tags and joins unescaped text (an unclosed
``<img src=x onerror=...`` survives); here every piece of the body goes through ``escape``
and only our own ``<mark>`` tags are added, so the result is safe to render as is.  Which
words match is the engine's to say (``SearchEngine.highlight``), so a snippet marks exactly
the word forms search matched.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .engine import get_engine

SNIPPET_CHARS = 300
MAX_BODY_CHARS = 200_000


def snippet(body: str, words: Sequence[str], *, width: int = SNIPPET_CHARS) -> SafeString:
    """The passage of ``body`` with the most query words (or its start), words in <mark>."""
    body = (body or "")[:MAX_BODY_CHARS]
    if not body:
        return mark_safe("")
    spans = get_engine().highlight(body, words) if words else []
    return mark_spans(body, spans, width=width)


def mark_spans(body: str, spans: list[tuple[int, int]], *, width: int = SNIPPET_CHARS
               ) -> SafeString:
    """The ``width`` characters of ``body`` holding the most ``spans``, each in <mark>."""
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

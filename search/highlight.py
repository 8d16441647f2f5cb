"""Result snippets with the query's words marked, escaped segment by segment.

Haystack's ``{% highlight %}`` strips tags and joins unescaped text (an unclosed
``<img src=x onerror=...`` survives); here every piece of the body goes through ``escape``
and only our own ``<mark>`` tags are added, so the result is safe to render as is.  Which
words match is the engine's to say (``SearchEngine.highlight``), so a snippet marks exactly
the word forms search matched; which passage is shown is ``search.passages``'s choice.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from .passages import MAX_BODY_CHARS, SNIPPET_CHARS, best_passage

__all__ = ["MAX_BODY_CHARS", "SNIPPET_CHARS", "snippet"]


def snippet(body: str, words: Sequence[str], *, width: int = SNIPPET_CHARS) -> SafeString:
    """The best passage of ``body`` for the query ``words`` (or its start), words in <mark>."""
    return best_passage(body, words, width=width).html

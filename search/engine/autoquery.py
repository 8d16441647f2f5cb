"""haystack's ``SearchQuerySet.auto_query`` text, read the same way by every engine.

``auto_query`` hands an engine the user's raw text: "quoted phrases", ``-excluded`` words or
phrases, and plain words.  Each engine's compiler turns these parts into its own queries.
"""

from __future__ import annotations

import re

_PART = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


def auto_query_parts(text: str) -> list[tuple[str, bool, bool]]:
    """(text, is a phrase, is negated) for each part of ``text``, in order."""
    out = []
    for match in _PART.finditer(text or ""):
        if match.group(2) is not None:
            if match.group(2).strip():
                out.append((match.group(2), True, bool(match.group(1))))
        else:
            word = match.group(4)
            negated = bool(match.group(3)) and len(word) > 0
            out.append((word, False, negated))
    return out
